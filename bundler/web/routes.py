"""Every page of the app. Each one reads the request, calls the library function the
CLI calls for the same task, and renders the result; no rule about cases lives here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bundler.case.edit import RecordFile
from bundler.errors import BadInput, BundlerError
from bundler.register import (
    CaseFolder,
    Filters,
    Stage,
    build_register,
    case_states,
    csv_rows,
    find_cases,
    members_report,
    period,
)
from bundler.web.app import Desk, desk_of
from bundler.web.files import (
    INLINE_TYPES,
    ZipLimits,
    extract_zip,
    inside,
    listing,
    remove_folder,
    save_upload,
    scratch_folder,
    single_top_folder,
    upload_name,
    upload_relative,
)
from bundler.web.forms import (
    FormProblem,
    SummaryLine,
    apply_action,
    attach_problems,
    fields_for,
    read_form,
    shape_of,
    values_from,
)
from bundler.web.jobs import Job, new_job
from bundler.web.security import FRAMEABLE_HEADER

_SIMPLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


def _date(value: str | None, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{what}: {value!r} is not a real date; write it as YYYY-MM-DD, "
                       "e.g. 2026-03-01") from None


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _uploads(form: FormData, name: str) -> list[UploadFile]:
    return [item for item in form.getlist(name)
            if isinstance(item, UploadFile) and (item.filename or item.size)]


# --------------------------------------------------------------------------- register, report


def _filters(request: Request) -> Filters:
    query = request.query_params
    stage = query.get("stage") or None
    try:
        return Filters(provider=query.get("provider") or None, scheme=query.get("scheme") or None,
                       officer=query.get("officer") or None,
                       stage=Stage(stage) if stage else None)
    except ValueError:
        raise HTTPException(400, f"{stage!r} is not a stage") from None


def _as_of(request: Request, desk: Desk) -> dt.date:
    return _date(request.query_params.get("as_of"), "as_of") or desk.today()


def register_page(request: Request) -> Response:
    desk = desk_of(request)
    as_of = _as_of(request, desk)
    everything = build_register(desk.cases_dir, as_of, cache=desk.cache)
    filters = _filters(request)
    shown = everything.filtered(filters)
    query = urlencode({k: v for k, v in request.query_params.items() if v})
    return desk.page(request, "register.html", title="Register of reviews", register=shown,
                     choices=everything.choices(), filters=filters, stages=list(Stage),
                     total=len(everything.cases), query=query, as_of=as_of)


def register_export(request: Request) -> Response:
    desk = desk_of(request)
    register = build_register(desk.cases_dir, _as_of(request, desk), cache=desk.cache)
    register = register.filtered(_filters(request))
    if request.path_params["format"] not in ("csv", "json"):
        raise HTTPException(404)
    if request.path_params["format"] == "json":
        body = json.dumps(register.to_json(), indent=2, sort_keys=True, ensure_ascii=False)
        return Response(body + "\n", media_type="application/json",
                        headers={"content-disposition": 'attachment; filename="register.json"'})
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(csv_rows(register.cases))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="register.csv"'})


def _members_report(request: Request, desk: Desk) -> Any:
    query = request.query_params
    today = desk.today()
    span = period(_date(query.get("from"), "from"), _date(query.get("to"), "to"), today)
    states = case_states(find_cases(desk.cases_dir), desk.cache)
    return members_report(states, span, today)


def report_page(request: Request) -> Response:
    desk = desk_of(request)
    report = _members_report(request, desk)
    query = urlencode({"from": report.period.start.isoformat(), "to": report.period.end.isoformat()})
    return desk.page(request, "report.html", title="Report for members", report=report, query=query)


def report_pdf_download(request: Request) -> Response:
    from bundler.register.pdf import report_pdf

    desk = desk_of(request)
    report = _members_report(request, desk)
    name = f"members-report-{report.period.start}-{report.period.end}.pdf"
    return Response(report_pdf(report, desk.today()), media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------------------- a new case


_NEW_CASE_FIELDS = ("folder", "reference", "authority", "schemes", "provider", "lead_officer",
                    "opened")


def new_case_page(request: Request) -> Response:
    return desk_of(request).page(request, "new_case.html", title="Start a review", values={},
                                 problems=[])


async def new_case_create(request: Request) -> Response:
    """Start a case folder as `bundler case new` does, in a new folder under CASES_DIR."""
    from bundler.case.new import NewCase, create_case
    from bundler.case.validate import CASE_FILE

    desk = desk_of(request)
    form = await read_form(request, desk.access)
    values = {name: _text(form, name) or "" for name in _NEW_CASE_FIELDS}
    try:
        if (desk.cases_dir / CASE_FILE).is_file():
            raise BadInput(f"{desk.cases_dir}: the app was started on one case folder",
                           "Start `bundler serve` on the folder that holds your case folders "
                           "to start a new one beside it.")
        name = values["folder"]
        if not _SIMPLE_NAME.match(name):
            raise BadInput(f"{name or '(empty)'}: not a plain folder name",
                           "Use letters, digits, dots, hyphens and underscores, e.g. "
                           "wbc-shr-2027-001.")
        case_dir = desk.cases_dir / name
        if case_dir.is_symlink() or (case_dir.exists() and any(case_dir.iterdir())):
            raise BadInput(f"{name}: a folder of that name is already there",
                           "Choose another name for the new case's folder.")
        details = NewCase(
            reference=values["reference"], authority=values["authority"] or None,
            schemes=tuple(line.strip() for line in values["schemes"].splitlines() if line.strip()),
            provider=values["provider"] or None, lead_officer=values["lead_officer"] or None,
            opened=_date(values["opened"], "opened"))
        await run_in_threadpool(lambda: create_case(case_dir, details, today=desk.today()))
    except BundlerError as exc:
        return desk.page(request, "new_case.html", 400, title="Start a review", values=values,
                         problems=_refusals(exc))
    return RedirectResponse(f"/cases/{quote(name)}", status_code=303)


async def new_resident_create(request: Request) -> Response:
    """Add a resident's file as `bundler resident new` does, then open their consent record."""
    from bundler.case.new import create_resident

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access)
    reference = (_text(form, "reference") or "").upper()
    try:
        await run_in_threadpool(lambda: create_resident(folder.path, reference,
                                                        scheme=_text(form, "scheme")))
    except BundlerError as exc:
        context = _case_context(desk, folder, desk.cache.state(folder))
        context.update(resident_problems=_refusals(exc), new_reference=reference)
        return desk.page(request, "case.html", 400, **context)
    return RedirectResponse(f"/cases/{quote(folder.id)}/residents/{reference}/consent",
                            status_code=303)


# --------------------------------------------------------------------------- a case


def _sections(model: type[BaseModel]) -> list[tuple[str, str, list[str]]]:
    """A record's parts, one form each: its plain fields together, then each nested part."""
    plain = [name for name, info in model.model_fields.items()
             if shape_of(info.annotation).kind not in ("model", "model_list")]
    found = [("details", "Details", plain)] if plain else []
    for name in model.model_fields:
        if name not in plain:
            found.append((name, name.replace("_", " ").capitalize(), [name]))
    return found


def _case_context(desk: Desk, folder: CaseFolder, state: Any) -> dict[str, Any]:
    from bundler.case.edit import case_record, resident_references
    from bundler.case.models import Resident

    reference = state.reference or folder.id
    loaded = state.loaded
    return {"title": reference, "folder": folder, "report": state.report, "reference": reference,
            "sections": _sections(case_record().model), "resident_sections": _sections(Resident),
            "residents": resident_references(folder.path),
            "scheme_ids": [s.id for s in loaded.case.schemes] if loaded else [],
            "resident_problems": [], "new_reference": ""}


def case_page(request: Request) -> Response:
    from bundler.case.validate import validate_case

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    context = _case_context(desk, folder, desk.cache.state(folder))
    # validate in full here (the register's cache leaves out the notes about evidence files
    # no record names or that were not added through evidence add, which this page shows)
    context["report"] = validate_case(folder.path)
    return desk.page(request, "case.html", **context)


async def record_page(request: Request) -> Response:
    """A form for one part of case.yaml, a resident's file or letters.yaml."""
    from bundler.case.edit import case_record, letters_record, resident_record

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access) if request.method == "POST" else None
    ref = request.path_params.get("ref")
    letters = request.url.path.startswith(f"/cases/{quote(folder.id)}/letters-record/")
    try:
        if ref is not None:
            record = resident_record(folder.path, ref)
        else:
            record = letters_record() if letters else case_record()
    except BundlerError:
        raise HTTPException(404) from None
    if not record.path(folder.path).is_file():
        raise HTTPException(404)
    return await _record_form(request, desk, folder, record, form,
                              f"/cases/{quote(folder.id)}" + (
                                  f"/residents/{ref}" if ref else
                                  "/letters-record" if letters else "/records"))


async def _record_form(request: Request, desk: Desk, folder: CaseFolder, record: RecordFile,
                       form: FormData | None, base: str) -> Response:
    from bundler.case.edit import RecordChanged, read_record, save_record

    ref = record.resident
    slug = request.path_params["section"]
    section = next((s for s in _sections(record.model) if s[0] == slug), None)
    if section is None:
        raise HTTPException(404)
    _slug, section_title, names = section
    current = await run_in_threadpool(read_record, folder.path, record)
    context: dict[str, Any] = {
        "folder": folder, "record": record, "section_title": section_title, "slug": slug,
        "ref": ref, "sha256": current.sha256, "summary": [], "note": None,
        "title": f"{section_title} – {ref or 'case'}", "back": f"/cases/{quote(folder.id)}",
        "action_url": f"{base}/{slug}",
        "files": [path for path, _size in listing(folder.path, "evidence")],
    }
    if form is None:
        context["fields"] = fields_for(record.model, current.data, only=names)
        if request.query_params.get("saved"):
            context["note"] = "Saved. The change is recorded in the case's audit log."
        return desk.page(request, "record.html", **context)

    action = _text(form, "_action") or "save"
    posted_sha = _text(form, "_sha256") or ""
    form_problems: list[FormProblem] = []
    values = values_from(record.model, form, only=names, problems=form_problems)
    tree = fields_for(record.model, values, only=names)
    if action != "save":
        if not apply_action(values, action, tree):
            raise HTTPException(400, "That button does not belong to this form.")
        context.update(fields=fields_for(record.model, values, only=names), sha256=posted_sha,
                       note="Not saved yet: press Save when the form is complete.")
        return desk.page(request, "record.html", **context)
    if form_problems:
        context.update(summary=attach_problems(tree, [], form_problems), fields=tree,
                       sha256=posted_sha)
        return desk.page(request, "record.html", 400, **context)
    try:
        result = await run_in_threadpool(
            lambda: save_record(folder.path, record, values, expected_sha256=posted_sha,
                                section=slug))
    except RecordChanged as exc:
        context.update(fields=tree, sha256=posted_sha,
                       summary=[SummaryLine(f"{exc.message}. {exc.hint}", None)])
        return desk.page(request, "record.html", 409, **context)
    if not result.saved:
        context.update(summary=attach_problems(tree, result.problems), fields=tree,
                       sha256=posted_sha)
        return desk.page(request, "record.html", 400, **context)
    return RedirectResponse(f"{base}/{slug}?saved=1", status_code=303)


def checklist_page(request: Request) -> Response:
    from bundler.case.checklist import outstanding_items

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    as_of = _as_of(request, desk)
    loaded = desk.cache.state(folder).report.raise_for_problems()
    items = outstanding_items(loaded, as_of)
    return desk.page(request, "checklist.html", title=f"Checklist – {loaded.case.review.reference}",
                     folder=folder, items=items, as_of=as_of,
                     reference=loaded.case.review.reference)


def audit_page(request: Request) -> Response:
    from bundler.audit import log_path, read_entries, verify_log

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    if not log_path(folder.path).is_file():
        return desk.page(request, "audit.html", title=f"Audit history – {folder.id}",
                         folder=folder, entries=[], report=None)
    entries = read_entries(folder.path)
    report = verify_log(folder.path)
    return desk.page(request, "audit.html", title=f"Audit history – {folder.id}", folder=folder,
                     entries=list(reversed(entries)), report=report)


def file_download(request: Request) -> Response:
    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    relative = request.path_params["path"]
    path = inside(folder.path, relative)
    if path is None:
        raise HTTPException(404)
    media = INLINE_TYPES.get(path.suffix.lower())
    inline = media is not None and request.query_params.get("download") is None
    headers = {FRAMEABLE_HEADER: "1"} if inline and media == "application/pdf" else {}
    return FileResponse(path, media_type=media or "application/octet-stream", headers=headers,
                        content_disposition_type="inline" if inline else "attachment",
                        filename=path.name)


# --------------------------------------------------------------------------- evidence


def _evidence_context(desk: Desk, request: Request, folder: Any) -> dict[str, Any]:
    files = listing(folder.path, "evidence", skip=(".retired",))
    folders = sorted({str(Path(path).parent.relative_to("evidence")) for path, _size in files}
                     - {"."})
    return {"folder": folder, "files": files, "folders": folders,
            "retired": listing(folder.path, "evidence/.retired"),
            "title": f"Evidence – {folder.id}", "result": None, "refused": []}


def evidence_page(request: Request) -> Response:
    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    return desk.page(request, "evidence.html", **_evidence_context(desk, request, folder))


def _refusals(exc: BundlerError) -> list[tuple[str, str]]:
    """(message, hint) for each file refused: several when intake names several."""
    from bundler.errors import SeveralProblems

    if isinstance(exc, SeveralProblems):
        return [(problem.message, problem.hint) for problem in exc.problems]
    return [(exc.message, exc.hint)]


async def evidence_upload(request: Request) -> Response:
    """Files dropped on the page are added as `bundler evidence add` adds files: all checked
    by content first, all or nothing, each recorded in the audit log."""
    from dataclasses import replace

    from bundler.audit.intake import add_planned, plan_intake

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access)
    uploads = _uploads(form, "files")
    into = _text(form, "folder")
    force = form.get("force") == "yes"
    context = _evidence_context(desk, request, folder)
    scratch = scratch_folder()
    try:
        if not uploads:
            raise BadInput("no file was chosen",
                           "Choose or drop one or more files, then press Add to the case.")
        received: list[Path] = []
        shown: dict[Path, str] = {}
        for number, upload in enumerate(uploads):
            name = upload_name(upload)
            temporary = scratch / str(number) / name  # one folder each: names may repeat
            temporary.parent.mkdir()
            await save_upload(upload, temporary, desk.max_upload)
            received.append(temporary)
            shown[temporary] = name
        def add() -> Any:
            plan = plan_intake(folder.path, received, into=into)
            # messages name each file as the officer's computer named it, and the audit log
            # records it as an upload of that name (not the temporary copy's path)
            plan = replace(plan, files=tuple(
                replace(item, shown=shown[item.source],
                        recorded_as=f"uploaded: {shown[item.source]}")
                if item.source in shown else item
                for item in plan.files))
            return add_planned(folder.path, plan, force=force)

        context["result"] = await run_in_threadpool(add)
    except BundlerError as exc:
        context["refused"] = _refusals(exc)
    finally:
        await form.close()
        remove_folder(scratch)
    context.update(_evidence_context(desk, request, folder) | {
        "result": context["result"], "refused": context["refused"]})
    return desk.page(request, "evidence.html", 400 if context["refused"] else 200, **context)


async def evidence_retire(request: Request) -> Response:
    """Take a wrong file out, as `bundler evidence retire` does: moved to evidence/.retired/
    with the reason in the audit log; nothing is ever deleted."""
    from bundler.audit.retire import retire_evidence

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access)
    relpath = _text(form, "file") or ""
    if inside(folder.path, relpath) is None:
        raise HTTPException(404)
    context = _evidence_context(desk, request, folder)
    try:
        retired = await run_in_threadpool(
            lambda: retire_evidence(folder.path, relpath, reason=_text(form, "reason") or ""))
    except BundlerError as exc:
        context["refused"] = _refusals(exc)
        return desk.page(request, "evidence.html", 400, **context)
    context = _evidence_context(desk, request, folder)
    context["retired_now"] = retired
    return desk.page(request, "evidence.html", **context)


# --------------------------------------------------------------------------- letters and bundles


def _outputs(folder: Any, sub: str, suffixes: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(path, size) for path, size in listing(folder.path, sub)
            if path.endswith(suffixes)]


def letters_page(request: Request) -> Response:
    from bundler.case.edit import resident_references
    from bundler.cli import LETTER_KINDS, RESIDENT_LETTERS

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    from bundler.case.validate import LETTERS_FILE

    return desk.page(request, "letters.html", title=f"Letters – {folder.id}", folder=folder,
                     kinds=LETTER_KINDS, resident_kinds=RESIDENT_LETTERS,
                     register=(folder.path / LETTERS_FILE).is_file(),
                     residents=resident_references(folder.path),
                     letters=_outputs(folder, "out/letters", (".pdf", ".docx")))


async def letters_generate(request: Request) -> Response:
    from bundler.letters.context import LetterKind
    from bundler.letters.generate import LetterOptions, generate_letters

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access)
    try:
        kind = LetterKind(_text(form, "kind") or "")
    except ValueError:
        raise HTTPException(400, "Choose which letter to write.") from None
    options = LetterOptions(
        kind=kind, case_dir=folder.path, out_dir=folder.path / "out" / "letters", pdf=True,
        resident=_text(form, "resident"), letter_date=_date(_text(form, "date"), "letter date"),
        today=desk.today(), force=form.get("force") == "yes",
    )
    case_url = f"/cases/{quote(folder.id)}"

    def work(job: Job) -> None:
        for written in generate_letters(options, progress=job.say):
            job.lines.append(f"Wrote {written.docx.relative_to(folder.path)} "
                             f"(sha256 {written.docx_sha256})")
            job.links.append((f"Download {written.docx.name}",
                              f"{case_url}/files/{_url_path(written.docx, folder.path)}?download=1"))
            if written.pdf is not None:
                job.lines.append(f"Wrote {written.pdf.relative_to(folder.path)} "
                                 f"(sha256 {written.pdf_sha256})")
                job.links.append((f"Preview {written.pdf.name}",
                                  f"{case_url}/preview/{_url_path(written.pdf, folder.path)}"))

    job = desk.jobs.start(new_job(f"Writing the {kind.value} letter", f"{case_url}/letters",
                                  folder.id), work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _url_path(path: Path, root: Path) -> str:
    return quote(path.relative_to(root).as_posix())


def preview_page(request: Request) -> Response:
    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    relative = request.path_params["path"]
    path = inside(folder.path, relative)
    if path is None or path.suffix.lower() != ".pdf":
        raise HTTPException(404)
    return desk.page(request, "preview.html", title=f"Preview – {path.name}", folder=folder,
                     name=path.name, src=f"/cases/{quote(folder.id)}/files/{quote(relative)}")


def _audiences(desk: Desk, folder: CaseFolder) -> list[tuple[str, str]]:
    """The editions a bundle can be built for: each fixed audience, and each appeal recorded."""
    from bundler.bundle.audience import describe

    choices = [(name, describe(name)) for name in ("tribunal", "provider", "internal")]
    loaded = desk.cache.state(folder).loaded
    for ref, resident in sorted((loaded.residents if loaded else {}).items()):
        benefit = resident.housing_benefit
        if benefit is not None and benefit.appeal is not None:
            choices.append((f"appeal:{ref}", describe(f"appeal:{ref}")))
    return choices


def bundles_page(request: Request) -> Response:
    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    return desk.page(request, "bundles.html", title=f"Bundles – {folder.id}", folder=folder,
                     bundles=_built_bundles(folder), audiences=_audiences(desk, folder))


def _built_bundles(folder: Any) -> list[dict[str, Any]]:
    found = []
    for path, size in _outputs(folder, "out", (".pdf",)):
        if path.startswith("out/letters/"):
            continue
        stem = path[: -len(".pdf")]
        found.append({
            "pdf": path, "size": size,
            "sidecars": [p for p in (f"{stem}.manifest.json", f"{path}.sha256")
                         if (folder.path / p).is_file()],
        })
    return found


def _bundle_name(raw: str | None) -> str:
    name = (raw or "bundle").removesuffix(".pdf")
    if not _SIMPLE_NAME.match(name):
        raise BadInput(f"{name}: not a plain file name for the bundle",
                       "Use letters, digits, dots, hyphens and underscores, e.g. bundle-appeal.")
    return f"{name}.pdf"


async def bundles_build(request: Request) -> Response:
    from bundler.bundle.build import build_bundle

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access)
    out = folder.path / "out" / _bundle_name(_text(form, "name"))
    numbering = _text(form, "numbering")
    if numbering not in (None, "continuous", "sectioned"):
        raise HTTPException(400, "Choose continuous or sectioned numbering.")
    build_date = _date(_text(form, "date"), "bundle date")
    audience = _text(form, "audience")
    if audience is not None:
        from bundler.bundle.audience import parse_audience

        try:
            audience = parse_audience(audience)
        except ValueError as exc:
            raise BadInput(f"audience {audience}: {exc}") from None
    ocr = form.get("ocr") == "yes"
    force = form.get("force") == "yes"
    case_url = f"/cases/{quote(folder.id)}"

    def work(job: Job) -> None:
        result = build_bundle(folder.path, out, force=force, numbering=numbering,
                              build_date=build_date, progress=job.say, ocr=ocr,
                              audience=audience)
        job.lines.extend(result.edition)
        edition = f" for {audience}" if audience else ""
        job.lines.append(f"Wrote {result.pages} pages from {result.documents} documents"
                         f"{edition} to {result.pdf.relative_to(folder.path)}")
        for path in (result.pdf, result.manifest, result.sidecar):
            job.links.append((f"Download {path.name}",
                              f"{case_url}/files/{_url_path(path, folder.path)}?download=1"))

    job = desk.jobs.start(new_job("Building the bundle", f"{case_url}/bundles", folder.id), work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def bundles_verify(request: Request) -> Response:
    from bundler.bundle.verify import verify_bundle

    desk = desk_of(request)
    folder = desk.case(request.path_params["case"])
    form = await read_form(request, desk.access)
    pdf = inside(folder.path, _text(form, "bundle") or "")
    if pdf is None:
        raise HTTPException(404)
    case_url = f"/cases/{quote(folder.id)}"

    def work(job: Job) -> None:
        report = verify_bundle(pdf, sources=folder.path, progress=job.say)
        job.lines.extend(report.lines())
        job.ok = report.ok

    job = desk.jobs.start(new_job(f"Verifying {pdf.name} against the case's files",
                                  f"{case_url}/bundles", folder.id), work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


# --------------------------------------------------------------------------- jobs


def _job(request: Request) -> Job:
    job = desk_of(request).jobs.get(request.path_params["job"])
    if job is None:
        raise HTTPException(404)
    return job


def job_page(request: Request) -> Response:
    job = _job(request)
    return desk_of(request).page(request, "job.html", title=job.title, job=job)


def job_status(request: Request) -> Response:
    job = _job(request)
    response = desk_of(request).page(request, "_job_status.html", job=job)
    if job.finished:  # htmx: stop polling and swap the finished state in
        response.headers["HX-Trigger"] = "job-finished"
    return response


# --------------------------------------------------------------------------- verify for recipients


def verify_page(request: Request) -> Response:
    return desk_of(request).page(request, "verify.html", title="Verify a bundle", problems=[])


async def verify_upload(request: Request) -> Response:
    from bundler.bundle.verify import verify_bundle

    desk = desk_of(request)
    form = await read_form(request, desk.access)
    scratch = scratch_folder()
    try:
        bundle = form.get("bundle")
        if not isinstance(bundle, UploadFile) or not bundle.filename:
            raise BadInput("no bundle was chosen", "Choose the bundle's PDF file, then press Verify.")
        name = upload_name(bundle)
        if not name.lower().endswith(".pdf"):
            name += ".pdf"
        here = scratch / "bundle"
        here.mkdir()
        pdf = here / name
        await save_upload(bundle, pdf, desk.max_upload)
        with pdf.open("rb") as handle:
            if b"%PDF-" not in handle.read(1024):
                raise BadInput(f"{name}: not a PDF (by its content)",
                               "Choose the bundle itself: the .pdf file the sender sent.")
        for upload in _uploads(form, "sidecars"):
            sidecar = upload_name(upload)
            if sidecar.endswith(".sha256"):
                await save_upload(upload, here / f"{name}.sha256", 1 << 20)
            elif sidecar.endswith(".json"):
                await save_upload(upload, here / f"{name.removesuffix('.pdf')}.manifest.json",
                                  64 << 20)
            else:
                raise BadInput(f"{sidecar}: not a .sha256 or .manifest.json file",
                               "Give only the two small files sent with the bundle.")
        sources = await _sources(form, scratch, desk.max_upload)
        sha256 = _text(form, "sha256")
    except BaseException:
        remove_folder(scratch)
        await form.close()
        raise
    await form.close()

    def work(job: Job) -> None:
        report = verify_bundle(pdf, sources=sources, sha256=sha256, progress=job.say,
                               record_audit=False)
        job.lines.extend(line.replace(str(pdf), name) for line in report.lines())
        job.ok = report.ok

    job = new_job(f"Verifying {name}", "/verify")
    job.cleanup = lambda: remove_folder(scratch)
    desk.jobs.start(job, work)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def _sources(form: FormData, scratch: Path, limit: int) -> Path | None:
    """The sources given as a zip, or as the files of a chosen folder, unpacked in scratch."""
    target = scratch / "sources"
    archive = form.get("sources_zip")
    files = _uploads(form, "sources_folder")
    if isinstance(archive, UploadFile) and archive.filename:
        target.mkdir()
        saved = scratch / "sources.zip"
        await save_upload(archive, saved, limit)
        await run_in_threadpool(extract_zip, saved, target, ZipLimits(max_bytes=limit))
        return single_top_folder(target)
    if files:
        target.mkdir()
        total = 0
        for upload in files:
            relative = upload_relative(upload)
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            total += await save_upload(upload, destination, limit - total)
        return single_top_folder(target)
    return None


# --------------------------------------------------------------------------- routing


def routes() -> list[BaseRoute]:
    case = "/cases/{case}"
    return [
        Route("/", register_page),
        Route("/register.{format:str}", register_export),
        Route("/report", report_page),
        Route("/report.pdf", report_pdf_download),
        Route("/start", new_case_page),
        Route("/start", new_case_create, methods=["POST"]),
        Route(case, case_page),
        Route(f"{case}/residents/new", new_resident_create, methods=["POST"]),
        Route(f"{case}/records/{{section}}", record_page, methods=["GET", "POST"]),
        Route(f"{case}/residents/{{ref}}/{{section}}", record_page, methods=["GET", "POST"]),
        Route(f"{case}/letters-record/{{section}}", record_page, methods=["GET", "POST"]),
        Route(f"{case}/checklist", checklist_page),
        Route(f"{case}/audit", audit_page),
        Route(f"{case}/evidence", evidence_page),
        Route(f"{case}/evidence", evidence_upload, methods=["POST"]),
        Route(f"{case}/evidence/retire", evidence_retire, methods=["POST"]),
        Route(f"{case}/letters", letters_page),
        Route(f"{case}/letters", letters_generate, methods=["POST"]),
        Route(f"{case}/bundles", bundles_page),
        Route(f"{case}/bundles", bundles_build, methods=["POST"]),
        Route(f"{case}/bundles/verify", bundles_verify, methods=["POST"]),
        Route(f"{case}/files/{{path:path}}", file_download),
        Route(f"{case}/preview/{{path:path}}", preview_page),
        Route("/jobs/{job}", job_page),
        Route("/jobs/{job}/status", job_status),
        Route("/verify", verify_page),
        Route("/verify", verify_upload, methods=["POST"]),
    ]

