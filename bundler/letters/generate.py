"""Write one kind of letter from a validated case: .docx, optionally PDF, recorded in the audit log.

``generate_letters`` is the one call behind ``bundler letter KIND CASE_DIR -o OUT_DIR``:

1. load the case (it must validate: ``ChecksFailed`` otherwise);
2. find the template (``--templates DIR``, else the case's
   ``review.authority.letter_templates``, else the toolkit's own) and check it
   against the context model (``TemplateError`` names every unknown variable);
3. build each letter's context (``CaseIncomplete`` says what the case lacks);
4. refuse to overwrite any output unless ``force`` (``OutputExists``);
5. check the case's audit log can be appended to (before anything is written);
6. render each .docx, convert to PDF through LibreOffice when asked (both in a
   private folder beside the destination), and record each letter with the hashes
   of its inputs and outputs in the case's audit log (guidance para 146), putting
   its files in place only once its entry is appended.

Resident letters are named ``<kind>-<REF>.docx``; residents' names never reach
file names, the audit log or messages.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

import bundler
from bundler.audit import AuditAction, AuditEntry, check_appendable, exclusive_log
from bundler.case.letterlog import register_with_letter
from bundler.case.validate import (
    CASE_FILE,
    LETTERS_FILE,
    RESIDENTS_DIR,
    LoadedCase,
    load_valid_case,
)
from bundler.errors import BadInput, BundlerError, InputNotFound, OutputFailed, TemplateError
from bundler.fileio import StagedOutputs, refuse_overwrite
from bundler.letters.checktemplate import check_template
from bundler.letters.context import (
    CitedPages,
    LetterKind,
    LetterPlan,
    build_contexts,
    recorded_letter_date,
    uk_date,
)
from bundler.letters.render import render_letter
from bundler.paths import inside

log = logging.getLogger(__name__)

PDF_TIMEOUT = 180.0


def default_templates_dir() -> Path:
    """The toolkit's own templates: packaged in the wheel, or letter_templates/ in a checkout."""
    package = Path(bundler.__file__).resolve().parent
    packaged = package / "_letter_templates"
    return packaged if packaged.is_dir() else package.parent / "letter_templates"


class LetterOptions(BaseModel):
    """What ``bundler letter KIND`` was asked to do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: LetterKind
    case_dir: Path
    out_dir: Path
    pdf: bool = False
    templates: Path | None = None
    resident: str | None = None
    letter_date: dt.date | None = None
    today: dt.date
    """The date used when neither --date nor the case gives the letter a date."""
    force: bool = False
    bundle: Path | None = None
    """The findings letter: the evidence bundle whose pages it cites (``--bundle``)."""


@dataclass(frozen=True)
class GeneratedLetter:
    """One letter written."""

    kind: LetterKind
    resident: str | None
    date: dt.date
    docx: Path
    docx_sha256: str
    pdf: Path | None
    pdf_sha256: str | None
    template: Path


def letter_date_for(options: LetterOptions, loaded: LoadedCase) -> dt.date:
    """--date, else the date the case records for this letter, else ``options.today``."""
    return (
        options.letter_date
        or recorded_letter_date(options.kind, loaded.case, loaded.letters)
        or options.today
    )


def template_for(options: LetterOptions, loaded: LoadedCase) -> tuple[Path, str]:
    """The template file to use and how to name it in messages."""
    name = options.kind.template_name
    if options.templates is not None:
        folder = options.templates
        if not folder.is_dir():
            raise InputNotFound(
                f"{folder}: templates folder not found",
                "Give the folder that holds your <kind>.docx templates, or leave out --templates.",
            )
    elif loaded.case.review.authority.letter_templates:
        folder = loaded.root / loaded.case.review.authority.letter_templates
        if not folder.is_dir():
            raise InputNotFound(
                f"{folder}: templates folder named by review.authority.letter_templates in "
                f"{CASE_FILE} not found",
                "Create the folder with your templates, or correct letter_templates in case.yaml.",
            )
        # named by the case records, which may come from elsewhere: stay inside the case
        inside(loaded.root, f"{loaded.case.review.authority.letter_templates}/{name}",
               where="the case folder")
    else:
        folder = default_templates_dir()
    path = folder / name
    if not path.is_file():
        raise InputNotFound(
            f"{path}: letter template not found",
            f"Copy letter_templates/{name} from the toolkit into {folder} and edit it there.",
        )
    return path, str(path)


def _check(path: Path, shown: str, kind: LetterKind) -> frozenset[str]:
    """The variables the template uses; TemplateError naming every problem if any."""
    report = check_template(path, kind, shown=shown)
    if report.ok:
        return frozenset(report.variables)
    problems = report.problems()
    count = len(problems)
    raise TemplateError(
        f"{shown}: {count} problem{'s' if count != 1 else ''} with the template for the "
        f"{kind.value} letter: " + "; ".join(problems),
    )


def generate_letters(
    options: LetterOptions, progress: Callable[[str], None] | None = None
) -> list[GeneratedLetter]:
    """Write the letters ``options`` describe and return what was written."""
    say = progress or (lambda _message: None)
    loaded = load_valid_case(options.case_dir, today=options.today)
    _refuse_placeholders(loaded, [])  # case.yaml first: what else is wrong may follow from it
    template, shown = template_for(options, loaded)
    uses = _check(template, shown, options.kind)
    when = letter_date_for(options, loaded)
    cited = _cited_pages(options, loaded) if options.bundle is not None else None
    plans = build_contexts(options.kind, loaded, when, options.resident, uses=uses,
                           cited=cited)
    _refuse_placeholders(loaded, plans, options.kind.value)

    docx_paths = [options.out_dir / f"{plan.stem}.docx" for plan in plans]
    pdf_paths = [options.out_dir / f"{plan.stem}.pdf" for plan in plans] if options.pdf else []
    refuse_overwrite([*docx_paths, *pdf_paths], options.force)
    if options.pdf:
        from bundler.libreoffice import find_soffice

        find_soffice()  # MissingTool now, before any letter is written

    check_appendable(loaded.root)  # before any letter is written: none goes unrecorded

    authority = loaded.case.review.authority.name
    try:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFailed(f"{options.out_dir}: cannot write here ({exc.strerror})") from exc
    # Letters are made in a private folder beside their destination, and each is put in
    # place only once its audit entry is appended (under the log's lock).
    with tempfile.TemporaryDirectory(dir=options.out_dir, prefix=".bundler-letters-") as work:
        drafts = [Path(work) / target.name for target in docx_paths]
        for plan, target, draft in zip(plans, docx_paths, drafts, strict=True):
            say(f"writing {target}")
            data = render_letter(
                template,
                plan.context.model_dump(mode="python"),
                shown=shown,
                title=options.kind.heading,
                author=authority,
                when=when,
            )
            try:  # a draft in the private folder, which goes away whatever happens
                draft.write_bytes(data)
            except OSError as exc:
                raise OutputFailed(f"{target}: cannot write here ({exc.strerror})") from exc

        pdfs: list[Path | None] = [None] * len(plans)
        failure: BundlerError | None = None
        if options.pdf:
            pdfs, failure = _convert_all(drafts, docx_paths, say, when)

        # Every letter written is recorded, even when a PDF conversion failed (para 146).
        written = []
        for plan, docx, draft, pdf in zip(plans, docx_paths, drafts, pdfs, strict=True):
            with StagedOutputs() as staged:
                files = [(docx, draft)]
                if pdf is not None:
                    files.append((docx.with_suffix(".pdf"), pdf))
                for target, made in files:
                    staged.add(target, made)
                entry = _record(loaded, plan, template, staged, files, when)
            written.append(
                GeneratedLetter(
                    kind=options.kind,
                    resident=plan.resident,
                    date=when,
                    docx=docx,
                    docx_sha256=entry.outputs[0].sha256,
                    pdf=docx.with_suffix(".pdf") if pdf is not None else None,
                    pdf_sha256=entry.outputs[1].sha256 if pdf is not None else None,
                    template=template,
                )
            )
    if failure is not None:
        raise failure
    return written


def _cited_pages(options: LetterOptions, loaded: LoadedCase) -> CitedPages:
    """The bundle pages each finding and recommendation rests on, from the findings table of
    the bundle ``--bundle`` names (checked intact first: its hash, manifest, certificate)."""
    from bundler.bundle.served import read_served_bundle

    assert options.bundle is not None
    shown = str(options.bundle)
    if options.kind is not LetterKind.FINDINGS:
        raise BadInput(f"--bundle {shown}: only the findings letter cites bundle pages",
                       "Leave out --bundle, or write the findings letter.")
    manifest = read_served_bundle(options.bundle, shown, called="bundle").manifest
    reference = loaded.case.review.reference
    if manifest.reference != reference:
        raise BadInput(f"{shown}: is a bundle for {manifest.reference}, not for this review "
                       f"({reference})", "Give the bundle built from this case folder.")
    if not manifest.findings:
        raise BadInput(f"{shown}: has no table of findings and the evidence they rest on",
                       "Build the bundle from the case folder (bundler bundle build CASE_DIR), "
                       "or with findings: true in its spec, then write the letter again.")
    pages: dict[str, list[str]] = {}
    for row in manifest.findings:
        found = pages.setdefault(row.id, [])
        found += [cited.bundle_pages for cited in row.evidence
                  if cited.bundle_pages and cited.bundle_pages not in found]
    name = options.bundle.name
    return CitedPages(
        bundle=f"the evidence bundle {manifest.reference} of {uk_date(manifest.build_date)} "
               f"({name})",
        pages={ident: ", ".join(found) for ident, found in pages.items() if found})


def _refuse_placeholders(loaded: LoadedCase, plans: list[LetterPlan], kind: str = "") -> None:
    """A letter is not written from records still holding a placeholder `bundler case new`
    left (``FILL IN: ...``): case.yaml and the file of each resident it is for."""
    from bundler.case.placeholders import refuse_placeholders

    records = [(loaded.root / CASE_FILE, str(loaded.root / CASE_FILE))]
    records += [(loaded.root / RESIDENTS_DIR / f"{plan.resident}.yaml",
                 str(loaded.root / RESIDENTS_DIR / f"{plan.resident}.yaml"))
                for plan in plans if plan.resident is not None]
    refuse_placeholders(records, f"the {kind} letter" if kind else "a letter",
                        str(loaded.root))


def _convert_all(
    drafts: list[Path], targets: list[Path], say: Callable[[str], None], when: dt.date
) -> tuple[list[Path | None], BundlerError | None]:
    """Convert every letter to PDF beside its draft with one LibreOffice process (starting it
    takes longer than converting a letter); the PDFs made and the first failure. Messages
    name the letter by ``targets``, where it is going. Each PDF carries the letter's date
    ``when`` as its creation date, as the Word file does."""
    from bundler.libreoffice import convert_several

    count = len(drafts)
    if not count:
        return [], None
    say(f"converting {count} letter{'s' if count != 1 else ''} to PDF")
    try:
        results = convert_several([(d, str(t)) for d, t in zip(drafts, targets, strict=True)],
                                  drafts[0].parent, timeout=PDF_TIMEOUT, tagged=True,
                                  dated=when)
    except BundlerError as exc:
        return [None] * count, exc
    pdfs = [result if isinstance(result, Path) else None for result in results]
    failures = [result for result in results if isinstance(result, BundlerError)]
    return pdfs, (failures[0] if failures else None)


def _record(
    loaded: LoadedCase,
    plan: LetterPlan,
    template: Path,
    staged: StagedOutputs,
    files: list[tuple[Path, Path]],
    when: dt.date,
) -> AuditEntry:
    """Record one letter in letters.yaml and the audit log, and put its files in place, all
    under one hold of the log's lock. The register is one of the entry's outputs; nothing
    is put in place unless the entry is appended."""
    inputs = [loaded.root / CASE_FILE]
    if plan.resident is not None:
        folder = loaded.root / RESIDENTS_DIR
        candidates = [folder / f"{plan.resident}{ext}" for ext in (".yaml", ".yml")]
        inputs.append(next((path for path in candidates if path.is_file()), candidates[0]))
    inputs.append(template)
    details = {"kind": plan.kind.value, "letter_date": when.isoformat()}
    if plan.resident is not None:
        details["resident"] = plan.resident
    with exclusive_log(loaded.root) as writer:
        register = register_with_letter(
            loaded.root, plan.kind, when, plan.resident or "provider", files
        )
        # Staged last: if it cannot be put in place, the letters are taken back and the
        # register stays as it was.
        with staged.writer(loaded.root / LETTERS_FILE) as handle:
            handle.write(register.encode("utf-8"))
        return writer.commit(
            AuditAction.LETTER_GENERATED, staged, inputs=inputs, details=details
        )
