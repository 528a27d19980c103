"""`bundler bundle build`: one call from a spec (or case folder) to the three outputs.

Order of work (each step needs the one before):

1. refuse an existing output unless ``force`` (before any work);
2. load the spec, identify and convert every document (the evidence layer), count pages;
3. plan the numbering; lay out the front matter and certificate until their page counts
   settle (the index's page ranges depend on how many pages it fills);
4. build the manifest (it cannot hold the certificate's hash), hash it, draw the certificate
   with that hash;
5. assemble and write OUT.pdf, OUT.manifest.json and OUT.pdf.sha256 to temporary files, and
   rename them into place only when all three are complete, and (in a case folder) under
   the audit log's lock, after their ``bundle_built`` entry is appended: a log that cannot
   be appended is found before any work, and a bundle is never in place unrecorded.

With ``supplement_to`` the output is a supplementary bundle (tribunal practice: late additions
never move pages already cited): the earlier bundle is checked first, only the documents it
does not already hold (same source path and SHA-256) go in, and the numbering continues
after the earlier bundle's last numbered page (see ``plan``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pypdf import PdfReader

from bundler import TOOL_NAME, __version__
from bundler.bundle.assemble import (
    AssemblyDocument,
    BundleInfo,
    assemble_bundle,
    displayed_sizes,
    kept_reader_key,
    open_rendition,
)
from bundler.bundle.audience import Edition, describe, merged, parse_audience, spec_edition
from bundler.bundle.citations import Placement
from bundler.bundle.core import core_path, main_note, shown_label
from bundler.bundle.edition import Item as EditionItem
from bundler.bundle.edition import (
    Outcome,
    check_extractable,
    clean_outline,
    log_lines,
    placeholder,
    retitled,
    wants_log,
)
from bundler.bundle.edition import apply as apply_edition
from bundler.bundle.edition import check_names as edition_check_names
from bundler.bundle.edition import record as edition_record
from bundler.bundle.edition import render as render_log_pages
from bundler.bundle.edition import summary as edition_summary
from bundler.bundle.frontmatter import (
    CERTIFICATE_TITLE,
    Certificate,
    CertificateEntry,
    Cover,
    FrontMatter,
    IndexSection,
    Part,
    SupplementNote,
    Table,
    VolumeNote,
    index_sections,
    render_certificate,
    render_front_matter,
)
from bundler.bundle.manifest import (
    AUDIENCE_MANIFEST_VERSION,
    CORE_MANIFEST_VERSION,
    FIT_A4,
    SUPPLEMENT_MANIFEST_VERSION,
    VOLUME_MANIFEST_VERSION,
    BuildOptions,
    CoreOf,
    EarlierDocument,
    EventRecord,
    FindingRecord,
    Manifest,
    ManifestDocument,
    ManifestSection,
    PageLabelRange,
    SetDocument,
    SupplementOf,
    ToolInfo,
    library_versions,
)
from bundler.bundle.ocr import (
    OcrEngine,
    PageJob,
    find_engine,
    pages_without_text,
    plain_copy,
    recognise_pages,
    render_dpi,
)
from bundler.bundle.ocrwords import Vocabulary, vocabulary
from bundler.bundle.paper import Fitted, describe_fits
from bundler.bundle.plan import (
    Continuation,
    LabelStyle,
    Numbering,
    Plan,
    SectionInput,
    label_span,
    plan_bundle,
)
from bundler.bundle.redactionlog import LogLine
from bundler.bundle.setaside import set_aside
from bundler.bundle.spec import BundleSpec, DocumentSpec, LoadedSpec, SectionSpec, load_spec
from bundler.bundle.stamp import BAND, FONT_SIZE, LABEL_FONT, LABEL_SIZE, SHA_SHOWN, stamp_text
from bundler.bundle.workers import Crew, in_order, keep, worker_count, worker_index
from bundler.errors import BadInput, BundlerError, CaseIncomplete, InputNotFound, OutputFailed
from bundler.fileio import StagedOutputs, refuse_overwrite, sha256_file
from bundler.paths import inside

if TYPE_CHECKING:  # (the case's audit and tables: imported where used, for a quick start)
    from bundler.audit.model import AuditEntry
    from bundler.bundle.volumes import VolumePart

logger = logging.getLogger(__name__)

_MAX_LAYOUT_ROUNDS = 6
_STYLE_NAMES = {LabelStyle.LOWER_ROMAN: "lower-roman", LabelStyle.DECIMAL: "decimal",
                LabelStyle.NONE: "none"}


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    manifest: Path
    sidecar: Path
    pages: int
    documents: int
    sha256: str  # of OUT.pdf
    manifest_sha256: str
    sources: tuple[Path, ...] = ()  # every source file, in bundle order
    supplement: int | None = None  # N when this is supplementary bundle N
    edition: tuple[str, ...] = ()  # --audience: each document left out or redacted, and why
    fitted: tuple[str, ...] = ()  # each document whose pages were fitted onto A4, and how
    core: BuildResult | None = None  # --core: the core bundle written beside it
    # the toolkit's and libraries' versions on this computer, whatever the manifest says
    # (a rebuild writes the versions it was asked to reproduce; see rebuild_bundle)
    versions_used: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Source:
    """A resolved bundle source: the spec and where its paths are relative to."""

    loaded: LoadedSpec
    kind: str  # spec | case-bundle-yaml | case-derived
    spec_name: str
    spec_sha256: str | None
    authority: str | None
    officer: str | None
    audit_head: str | None
    case_dir: Path | None = None  # the case folder whose records give the findings, events
    front: _Front | None = None  # recorded (a rebuild): the findings and events as built
    ocr_references: tuple[str, ...] = ()  # what --ocr must read right (see ocrwords)


@dataclass(frozen=True)
class _Front:
    """The findings table's rows and the chronology's events, before page numbers."""

    findings: tuple[FindingRecord, ...] = ()
    chronology: tuple[EventRecord, ...] | None = None  # None: no chronology (no case records)


@dataclass(frozen=True)
class _Prepared:
    evidence_source: str
    path: Path
    sha256: str
    size: int
    media_type: str
    rendition_pdf: Path
    rendition_password: str | None
    outline: tuple[tuple[str, int], ...]
    converter: str
    tool_versions: dict[str, str]
    pages: int
    fitted: Fitted | None = None  # pages not A4 fitted onto A4 (a profile requiring A4)


@dataclass(frozen=True)
class _Provenance:
    """What a bundle says made it: the toolkit (cover, certificate, metadata) and the
    versions of what shapes its bytes (manifest)."""

    tool: ToolInfo
    libraries: dict[str, str]

    @property
    def tool_line(self) -> str:
        return f"{self.tool.name} {self.tool.version}"


def output_paths(out: Path) -> tuple[Path, Path, Path]:
    """OUT.pdf, OUT.manifest.json (beside it) and OUT.pdf.sha256."""
    stem = out.name[: -len(out.suffix)] if out.suffix.lower() == ".pdf" else out.name
    return out, out.with_name(f"{stem}.manifest.json"), out.with_name(f"{out.name}.sha256")


def resolve_build_date(option: dt.date | None, spec_date: dt.date | None) -> tuple[dt.date, str]:
    """--date, then the spec's date, then SOURCE_DATE_EPOCH, then today."""
    if option is not None:
        return option, "option"
    if spec_date is not None:
        return spec_date, "spec"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date(), "SOURCE_DATE_EPOCH"
        except (ValueError, OverflowError, OSError):
            raise BadInput(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970",
                "Unset SOURCE_DATE_EPOCH or give --date YYYY-MM-DD.",
            ) from None
    return dt.date.today(), "today"


def build_bundle(
    source: Path,
    out: Path,
    *,
    force: bool = False,
    numbering: str | None = None,
    build_date: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    supplement_to: Path | None = None,
    ocr: bool = False,
    audience: str | None = None,
    strict: bool = False,
    fit_a4: bool = False,
    core: str | None = None,
    workers: int | None = None,
) -> BuildResult:
    """Build OUT.pdf, OUT.manifest.json and OUT.pdf.sha256 from a spec file or case folder.

    A bundle built from a case's records (a case folder, or a spec in one) opens, after the
    index, with the findings and the evidence they rest on, then the chronology. A finding or
    recommendation citing nothing, or a document this bundle does not hold, or pages a
    document does not have, is warned about; with ``strict`` the build refuses
    (CaseIncomplete) before writing anything.

    With ``audience`` (tribunal, provider, internal or appeal:REF) the bundle is that
    audience's edition (see ``audience``): documents it may not see become one-page
    placeholders, what it must not see is redacted, a redaction log goes before the
    certificate, and nothing is written if anything marked can still be extracted.

    ``numbering`` is continuous unless given, or, for a supplement, the earlier bundle's.
    With ``supplement_to`` (an earlier bundle made by this toolkit) the output is a
    supplementary bundle of the documents of ``source`` that bundle does not already hold;
    a document it holds whose file has changed since is refused, and so is nothing new.
    With ``ocr``, pages without text get an invisible text layer (see ``ocr``); tesseract
    must be installed (MissingTool otherwise, before any work). With ``fit_a4`` (a profile
    requiring A4), pages that are not A4 go onto A4 sheets, scaled to fit and centred.
    With ``core`` (document numbers or files, comma-separated; "" for the documents the
    case's findings cite) a core bundle OUT-core.pdf is written beside it (see ``core``).
    ``workers`` processes prepare, then merge, the documents (see ``workers``; one by
    default): the output is the same for any number.
    """
    report = progress or (lambda _message: None)
    try:
        scheme = Numbering(numbering) if numbering is not None else Numbering.CONTINUOUS
    except ValueError:
        raise BadInput(f"numbering {numbering!r} is not one of continuous, sectioned") from None
    pdf_path, manifest_path, sidecar_path = output_paths(out)
    served: _Served | None = None
    if audience is not None and supplement_to is not None:
        raise BadInput("a supplementary bundle cannot yet be built for an audience",
                       "Build the supplement without --audience, or build a new bundle for "
                       "the audience.")
    if supplement_to is not None:
        _refuse_replacing(supplement_to, (pdf_path, manifest_path, sidecar_path))
    outputs = [pdf_path, manifest_path, sidecar_path]
    if core is not None:
        if audience is not None or supplement_to is not None:
            raise BadInput("a core bundle can yet be made only with a main bundle for "
                           "everyone (not an audience's edition or a supplement)",
                           "Leave out --core, or --audience and --supplement-to.")
        outputs += output_paths(core_path(pdf_path))
    refuse_overwrite(outputs, force)
    case_dir = _case_folder_of(source)
    if case_dir is not None:
        from bundler.audit import check_appendable

        check_appendable(case_dir)  # a bundle is never served without its log entry
    engine = find_engine() if ocr else None
    if supplement_to is not None:
        served = _read_served(supplement_to, numbering)
        scheme = Numbering(served.manifest.options.numbering)
    with StagedOutputs() as staged:
        with collector_paused():
            result = _build(source, pdf_path, manifest_path, sidecar_path, scheme, build_date,
                            report, staged, served=served, engine=engine, audience=audience,
                            strict=strict, fit_a4=fit_a4, core=core, case_dir=case_dir,
                            workers=workers)
        if case_dir is None:
            staged.commit()
        else:
            _record_build(case_dir, result, staged, scheme.value, supplement_to, ocr, audience)
    report(f"wrote {pdf_path}")
    return result


@dataclass(frozen=True)
class _Served:
    """The earlier bundle a supplement follows, as checked (see served.read_served_bundle)."""

    shown: str
    manifest: Manifest
    supplement: SupplementOf


def _refuse_replacing(earlier: Path, outputs: Sequence[Path]) -> None:
    """A supplement must never be written over the bundle it supplements (or its sidecars)."""
    earlier_files = {path.resolve() for path in output_paths(earlier)}
    for path in outputs:
        if path.resolve() in earlier_files:
            raise BadInput(f"{path}: would replace the earlier bundle {earlier} or its sidecar "
                           "files",
                           "Give the supplementary bundle its own name, e.g. -o "
                           "out/bundle-supplement-1.pdf.")


def _read_served(earlier: Path, numbering: str | None) -> _Served:
    from bundler.bundle.served import read_served_bundle

    served = read_served_bundle(earlier, str(earlier))
    manifest = served.manifest
    if numbering is not None and numbering != manifest.options.numbering:
        raise BadInput(f"{earlier}: is numbered {manifest.options.numbering}, so its "
                       f"supplement cannot be numbered {numbering}",
                       "Leave out --numbering: a supplement continues the earlier bundle's "
                       "numbering.")
    if not manifest.documents:
        raise BadInput(f"{earlier}: the earlier bundle lists no documents", None)
    before = manifest.supplement_to
    documents = [*(before.documents if before is not None else []), *(
        EarlierDocument(number=doc.number, section=doc.section, source=doc.source,
                        source_sha256=doc.source_sha256, first_label=doc.first_label,
                        last_label=doc.last_label)
        for doc in manifest.documents
    )]
    supplement = SupplementOf(
        number=before.number + 1 if before is not None else 1,
        file=earlier.name,
        sha256=served.sha256,
        manifest_sha256=served.manifest_sha256,
        last_label=_last_numbered_label(manifest),
        documents=documents,
    )
    return _Served(str(earlier), manifest, supplement)


def _last_numbered_label(manifest: Manifest) -> str:
    """The earlier bundle's last label in the numbering a supplement continues.

    In continuous numbering a main bundle's certificate pages are numbered too (they are
    physical pages), so a supplement starts after them and no number is ever used twice;
    a supplement's own front matter and certificate carry S-prefixed labels instead.
    """
    if manifest.options.numbering == Numbering.CONTINUOUS.value and manifest.supplement_to is None:
        return str(manifest.pages)
    return manifest.documents[-1].last_label


def _new_documents(loaded: LoadedSpec, served: _Served) -> LoadedSpec:
    """The spec cut down to the documents the earlier bundles do not already hold.

    A document is already served when its source path and SHA-256 both match; the same path
    with other bytes is refused: evidence already served must not change under its name.
    """
    manifest = served.manifest
    if loaded.spec.reference != manifest.reference:
        raise BadInput(f"{loaded.shown}: is for {loaded.spec.reference}, but the earlier bundle "
                       f"{served.shown} is {manifest.reference}",
                       "Give the earlier bundle of the same appeal, or correct the reference.")
    before: dict[str, EarlierDocument] = {}
    for item in served.supplement.documents:
        before.setdefault(item.source, item)
    in_earlier = {item.source for item in manifest.documents}
    sections: list[SectionSpec] = []
    for section in loaded.spec.sections:
        kept: list[DocumentSpec] = []
        for doc in section.documents:
            served_doc = before.get(doc.file)
            if served_doc is None:
                kept.append(doc)
                continue
            path = loaded.path_of(doc)
            where = (served.shown if doc.file in in_earlier
                     else f"a bundle {served.shown} supplements")
            if not path.is_file():
                raise InputNotFound(
                    f"{doc.file}: file not found (it was served as document "
                    f"{served_doc.number} of {where})",
                    "Put the file back exactly as it was served; the supplement checks it "
                    "has not changed.")
            if sha256_file(path) != served_doc.source_sha256:
                raise BadInput(
                    f"{doc.file}: has changed since it was served as document "
                    f"{served_doc.number} (pages "
                    f"{label_span(served_doc.first_label, served_doc.last_label)}) of {where}",
                    "Evidence already served must not change: put back the file as served, and "
                    "add the new version as a new document with a new file name.")
        if kept:
            sections.append(section.model_copy(update={"documents": kept}))
    if not sections:
        raise BadInput(
            f"{loaded.shown}: nothing to add: every document is already in {served.shown} "
            "(or the bundles it supplements)",
            "Add the late documents to the spec or the case records (each under its own file "
            "name), then build the supplement again.")
    return loaded.model_copy(update={"spec": loaded.spec.model_copy(update={"sections": sections})})


def _continuation(supplement: SupplementOf, scheme: Numbering) -> Continuation:
    """Where the supplement's numbers start: after every document already served."""
    prefix = f"S{supplement.number}-"
    if scheme is Numbering.CONTINUOUS:
        last_page = max(
            _trailing_number(supplement.last_label),
            *(_trailing_number(doc.last_label) for doc in supplement.documents),
        )
        last_doc = max(_trailing_number(str(doc.number)) for doc in supplement.documents)
        return Continuation(prefix, next_page=last_page + 1, next_document=last_doc + 1)
    reached: dict[str, tuple[int, int]] = {}
    for doc in supplement.documents:
        page, number = reached.get(doc.section, (0, 0))
        reached[doc.section] = (max(page, _trailing_number(doc.last_label)),
                                max(number, _trailing_number(str(doc.number))))
    return Continuation(prefix, sections=tuple(
        (label, page + 1, number + 1) for label, (page, number) in sorted(reached.items())
    ))


def _continues(supplement: SupplementOf, continuation: Continuation, scheme: Numbering) -> str:
    """Where the numbers pick up, for the cover and certificate."""
    if scheme is Numbering.CONTINUOUS:
        return f"after page {supplement.last_label}"
    ends = ", ".join(f"{label}{page - 1}" for label, page, _doc in continuation.sections)
    return f"after {ends} in their sections"


def _trailing_number(label: str) -> int:
    """17 from 'A17' or '17' (labels and numbers this toolkit wrote)."""
    found = re.search(r"(\d+)$", label)
    return int(found.group(1)) if found else 0


def _case_folder_of(source: Path) -> Path | None:
    """The case folder a build belongs to: SOURCE itself, or the folder of a spec file in one."""
    folder = source if source.is_dir() else source.parent
    return folder if (folder / "case.yaml").is_file() else None


def _record_build(case_dir: Path, result: BuildResult, staged: StagedOutputs, numbering: str,
                  supplement_to: Path | None = None, ocr: bool = False,
                  audience: str | None = None, volumes: Sequence[BuildResult] = ()) -> None:
    """Append the bundle_built entry to the case's audit log (para 146: show what was sent)
    and put the outputs in place, both under the log's lock: concurrent builds into one
    output each record the files they put there, and no bundle is in place unrecorded."""
    from bundler.audit import AuditAction, record_staged

    details = {
        "pages": str(result.pages),
        "documents": str(result.documents),
        "numbering": numbering,
        "manifest_sha256": result.manifest_sha256,
    }
    if ocr:  # only then, so entries of other builds keep their fields
        details["ocr"] = "true"
    if audience is not None:
        details["audience"] = audience
    if result.core is not None:
        details["core"] = f"{result.core.pages} pages, {result.core.documents} documents"
    if volumes:  # a set of volumes: the whole set's pages and documents
        details.update(pages=str(sum(v.pages for v in volumes)),
                       documents=str(sum(v.documents for v in volumes)),
                       volumes=str(len(volumes)))
    inputs = list(dict.fromkeys(result.sources))
    if supplement_to is not None and result.supplement is not None:
        details["supplement"] = str(result.supplement)
        inputs.append(supplement_to)
    record_staged(case_dir, AuditAction.BUNDLE_BUILT, staged, inputs=inputs, details=details)


def rebuild_bundle(
    recorded: Manifest,
    folder: Path,
    out: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build again what ``recorded`` describes from the files under ``folder`` (for verify).

    The spec comes from the manifest, which records every choice that shapes the bytes
    (sections, titles, dates, options, provenance); passwords, which it never holds, come
    from the recorded spec file when it is in ``folder``. The rebuild says it was made by
    the toolkit and library versions ``recorded`` names (cover, certificate, metadata and
    manifest), so that with the same versions it is the same bytes, and with others every
    page still shows the same; ``versions_used`` tells what this computer has. Writes
    OUT.pdf and its sidecars like ``build_bundle`` (never over existing files) and records
    nothing in any audit log.
    """
    report = progress or (lambda _message: None)
    try:
        scheme = Numbering(recorded.options.numbering)
    except ValueError:
        raise BadInput(f"numbering {recorded.options.numbering!r} is not one of continuous, "
                       "sectioned") from None
    pdf_path, manifest_path, sidecar_path = output_paths(out)
    refuse_overwrite([pdf_path, manifest_path, sidecar_path], False)
    engine = find_engine() if recorded.options.ocr else None
    fit_a4 = recorded.options.page_size == FIT_A4
    with StagedOutputs() as staged:
        with collector_paused():
            if recorded.audience is not None:  # its rules are in the spec or the case records
                kind = recorded.options.source_kind
                source = folder / recorded.options.spec if kind == "spec" else folder
                result = _build(source, pdf_path, manifest_path, sidecar_path, scheme, None,
                                report, staged, engine=engine,
                                audience=recorded.audience.audience,
                                pinned=recorded, fit_a4=fit_a4)
            else:
                result = _build(folder, pdf_path, manifest_path, sidecar_path, scheme, None,
                                report, staged, recorded=recorded, engine=engine,
                                fit_a4=fit_a4)
        staged.commit()
    return result


def _recorded_source(recorded: Manifest, folder: Path) -> _Source:
    """The source a manifest records, with its files under ``folder``."""
    options = recorded.options
    passwords = _spec_passwords(recorded, folder)
    sections = [
        SectionSpec(
            label=section.label,
            title=section.title,
            documents=[
                DocumentSpec(
                    file=doc.source, title=doc.title, date=doc.date, received=doc.received,
                    # "" opens a PDF that is not locked; a locked one needs the spec file
                    password=passwords.get(doc.source, "") if doc.password_used else None,
                )
                for doc in recorded.documents
                if doc.section == section.label
            ],
        )
        for section in recorded.sections
    ]
    spec = BundleSpec(reference=recorded.reference, title=recorded.title,
                      date=options.build_date, authority=recorded.authority,
                      officer=recorded.officer, sections=sections)
    loaded = LoadedSpec(spec=spec, folder=folder, shown=options.spec)
    front = None
    if recorded.findings is not None or recorded.chronology is not None:
        front = _Front(tuple(recorded.findings or ()),
                       None if recorded.chronology is None else tuple(recorded.chronology))
    return _Source(loaded, options.source_kind, options.spec, options.spec_sha256,
                   recorded.authority, recorded.officer, recorded.audit_head, front=front,
                   ocr_references=tuple(options.ocr_references))


def _spec_passwords(recorded: Manifest, folder: Path) -> dict[str, str]:
    """Passwords from the recorded spec file in ``folder``, when a document needed one."""
    if not any(doc.password_used for doc in recorded.documents):
        return {}
    kind = recorded.options.source_kind
    if kind == "case-derived":
        return {}
    name = "bundle.yaml" if kind == "case-bundle-yaml" else recorded.options.spec
    try:  # the name comes from the manifest, which may be forged: it must stay in the folder
        spec_file = inside(folder, name, where=f"the folder {folder}")
        if not spec_file.is_file():
            return {}
        loaded = load_spec(spec_file, str(spec_file))
    except BadInput:
        return {}
    return {doc.file: doc.password for doc in _documents(loaded.spec) if doc.password}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a build; collect by hand instead.

    pypdf's objects all point back at their document (reference cycles), so the automatic
    collector keeps re-scanning an ever larger heap: measured at 20% of a 2,600-page build.
    The libraries' own objects are frozen (never scanned); the checks' parsed copies are
    collected every few documents, and each source is released by hand after merging.
    Those collections look only at what is new since the last (generation 0): a full one
    also re-scans the readers kept for merging, which grow with the bundle (measured at
    10,000 pages: 46 full collections took 8 of the build's 17 s of processor time, the
    same 46 of generation 0 0.5 s).
    """
    collecting = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _build(
    source: Path,
    pdf_path: Path,
    manifest_path: Path,
    sidecar_path: Path,
    scheme: Numbering,
    build_date: dt.date | None,
    report: Callable[[str], None],
    staged: StagedOutputs,
    recorded: Manifest | None = None,
    served: _Served | None = None,
    engine: OcrEngine | None = None,
    audience: str | None = None,
    pinned: Manifest | None = None,
    strict: bool = False,
    fit_a4: bool = False,
    core: str | None = None,
    case_dir: Path | None = None,
    workers: int | None = None,
) -> BuildResult:
    """Build the three outputs into ``staged`` (the caller puts them in place); with
    ``core``, the core bundle's three too."""
    supplement: SupplementOf | None
    if recorded is None:
        resolved = _resolve_source(source)
        supplement = served.supplement if served is not None else None
        if served is not None:
            resolved = dataclasses.replace(resolved,
                                           loaded=_new_documents(resolved.loaded, served))
        when, when_from = resolve_build_date(build_date, resolved.loaded.spec.date)
        if pinned is not None:  # a rebuild of an edition: as recorded when it was built
            when, when_from = pinned.options.build_date, pinned.options.build_date_from
            resolved = dataclasses.replace(resolved, audit_head=pinned.audit_head)
    else:
        resolved = _recorded_source(recorded, source)
        supplement = recorded.supplement_to
        when, when_from = recorded.options.build_date, recorded.options.build_date_from
    edition: Edition | None = None
    twin = resolved
    if audience is not None:
        edition = _edition(resolved, audience, when)
        edition_check_names(edition, resolved.loaded.spec,
                            [doc.file for doc in _documents(resolved.loaded.spec)])
        resolved = dataclasses.replace(resolved, loaded=retitled(resolved.loaded, edition))
    spec = resolved.loaded.spec
    front = resolved.front if recorded is not None else (
        _front_records(resolved, when) if supplement is None else None)
    twin_front = front
    if front is not None and edition is not None:
        front = _front_redacted(front, edition)
    if recorded is None:  # before any work: a rebuild says nothing
        _refuse_placeholders(source, resolved)
    if front is not None and recorded is None:
        from bundler.bundle.findings import problems as findings_problems

        _report_citations(findings_problems(front.findings, [d.file for d in _documents(spec)]),
                          strict)
    volume = None
    if recorded is not None and recorded.volume is not None:  # a volume of a set, rebuilt
        from bundler.bundle.volumes import part_from_record

        volume = part_from_record(recorded)
    count = worker_count(workers, len(_documents(resolved.loaded.spec)))
    if count > 1:
        _load_before_forking()
    with tempfile.TemporaryDirectory(prefix="bundler-build-") as work, \
            Crew(count) if count > 1 else nullcontext() as crew:
        ready = _prepare_all(resolved, Path(work), report, edition, engine, fit_a4, crew)
        reproduced = recorded if recorded is not None else pinned
        provenance = (_Provenance(reproduced.tool, dict(reproduced.libraries))
                      if reproduced is not None else new_provenance(ready.prepared, engine))
        result = _write_bundle(resolved, twin, ready, Path(work), scheme, when, when_from,
                               supplement, provenance, engine, pdf_path, manifest_path,
                               sidecar_path, staged, report, volume,
                               recorded.core if recorded is not None else None, front=front,
                               twin_front=twin_front, strict=strict,
                               rebuild=recorded is not None)
        if core is None:
            return result
        return _write_core(core, result, resolved, ready, Path(work), scheme, when, when_from,
                           provenance, engine, staged, report, case_dir)

def _write_core(selection: str, main: BuildResult, resolved: _Source, ready: _Ready,
                work: Path, scheme: Numbering, when: dt.date, when_from: str,
                provenance: _Provenance, engine: OcrEngine | None, staged: StagedOutputs,
                report: Callable[[str], None], case_dir: Path | None) -> BuildResult:
    """The core bundle of the main bundle just written: the same converted documents."""
    from bundler.bundle.core import core_record, select_core
    from bundler.bundle.served import expected_labels
    from bundler.bundle.volumes import subset_source

    recorded = Manifest.model_validate_json(dict(staged.files())[main.manifest].read_bytes())
    positions = select_core(selection, recorded, case_dir)
    record = core_record(recorded, main.pdf.name, main.sha256, main.manifest_sha256,
                         positions, expected_labels(recorded))
    subset = subset_source(resolved, positions)
    spec = subset.loaded.spec
    subset = dataclasses.replace(subset, loaded=subset.loaded.model_copy(update={
        "spec": spec.model_copy(update={"title": f"{spec.title}: core bundle"})}))
    part = ready.part(positions)
    part.open_readers = [None] * len(positions)  # the main bundle used them: reopen
    report(f"core bundle: {len(positions)} documents")
    paths = output_paths(core_path(main.pdf))
    built = _write_bundle(subset, subset, part, work, scheme, when, when_from, None,
                          provenance, engine, *paths, staged, report, None, record)
    return dataclasses.replace(main, core=built)


def new_provenance(prepared: Sequence[_Prepared], engine: OcrEngine | None) -> _Provenance:
    """This toolkit and the library versions that shape the bytes of these documents."""
    return _Provenance(ToolInfo(name=TOOL_NAME, version=__version__),
                       _versions_used(prepared, engine))


@dataclass
class _Ready:
    """Every document converted, edited for an audience and read by OCR: ready to lay out."""

    prepared: list[_Prepared]
    open_readers: list[PdfReader | None]
    outcomes: list[Outcome]
    layers: list[tuple[tuple[int, Path], ...]]
    edition: Edition | None
    fit_a4: bool = False  # pages not A4 go onto A4 sheets (``paper``)
    crew: Crew | None = None  # worker processes preparing and merging the documents
    owners: dict[int, int] = dataclasses.field(default_factory=dict)  # position: its worker

    def part(self, positions: Sequence[int]) -> _Ready:
        """The documents at ``positions`` (a volume's), in that order."""
        return _Ready([self.prepared[p] for p in positions],
                      [self.open_readers[p] for p in positions],
                      [self.outcomes[p] for p in positions] if self.outcomes else [],
                      [self.layers[p] for p in positions], self.edition, self.fit_a4,
                      self.crew, {new: self.owners[old] for new, old in enumerate(positions)
                                  if old in self.owners})


def fitted_onto_a4(item: _Prepared, reader: PdfReader | None,
                   report: Callable[[str], None]) -> _Prepared:
    """``item`` with its pages that are not A4 described (they go onto A4 sheets), said on
    progress; ``reader`` is its rendition when already open."""
    opened = reader if reader is not None else open_rendition(item.rendition_pdf,
                                                              item.rendition_password)
    fitted = describe_fits(displayed_sizes(opened), BAND)
    if fitted is not None:
        report(f"{item.evidence_source}: {fitted.description} (A4 required)")
    return dataclasses.replace(item, fitted=fitted)


def _prepare_all(resolved: _Source, work: Path, report: Callable[[str], None],
                 edition: Edition | None, engine: OcrEngine | None,
                 fit_a4: bool = False, crew: Crew | None = None) -> _Ready:
    """Convert every document of ``resolved``; apply the edition; read scans (OCR); with
    ``fit_a4``, find the pages that go onto A4 sheets."""
    prepared, open_readers = _prepare_documents(resolved.loaded, work, report, crew)
    _warn_duplicates(prepared)
    outcomes: list[Outcome] = []
    if edition is not None:
        outcomes = apply_edition(edition, [
            EditionItem(item.evidence_source, item.rendition_pdf, item.rendition_password,
                        item.pages) for item in prepared], work, report)
        for position, outcome in enumerate(outcomes):
            item = prepared[position]
            update: dict[str, object] = {"outline": clean_outline(item.outline, edition)}
            if outcome.pdf is not None:
                update.update(rendition_pdf=outcome.pdf, rendition_password=None)
                open_readers[position] = None
            prepared[position] = dataclasses.replace(item, **update)  # type: ignore[arg-type]
    layers: list[tuple[tuple[int, Path], ...]] = [() for _ in prepared]
    if engine is not None:
        skip = edition.withheld if edition is not None else frozenset()
        textless = {position: outcome.textless for position, outcome in enumerate(outcomes)
                    if outcome.textless}
        layers = _recognise_text(engine, prepared, open_readers, work, report, skip,
                                 textless, vocabulary(resolved.ocr_references))
    if fit_a4:
        prepared = [fitted_onto_a4(item, open_readers[position], report)
                    for position, item in enumerate(prepared)]
    return _Ready(prepared, open_readers, outcomes, layers, edition, fit_a4, crew,
                  dict(crew.done_by) if crew is not None else {})


def _write_bundle(
    resolved: _Source,
    twin: _Source,
    ready: _Ready,
    work: Path,
    scheme: Numbering,
    when: dt.date,
    when_from: str,
    supplement: SupplementOf | None,
    provenance: _Provenance,
    engine: OcrEngine | None,
    pdf_path: Path,
    manifest_path: Path,
    sidecar_path: Path,
    staged: StagedOutputs,
    report: Callable[[str], None],
    volume: VolumePart | None = None,
    core: CoreOf | None = None,
    *,
    front: _Front | None = None,
    twin_front: _Front | None = None,
    strict: bool = False,
    rebuild: bool = False,
) -> BuildResult:
    """Lay out and assemble the prepared documents of ``resolved`` into ``staged``: the
    bundle, its manifest and its hash (``volume``: as one volume of a set; ``core``: as the
    core bundle of a main bundle). ``front``: the findings and chronology to print after the
    index (``twin_front``: unredacted, for an edition); their citation problems are warned
    about, or refused with ``strict``, unless this is a ``rebuild``."""
    spec = resolved.loaded.spec
    prepared, open_readers = ready.prepared, ready.open_readers
    outcomes, layers, edition = ready.outcomes, ready.layers, ready.edition
    used = _versions_used(prepared, engine)
    report("laying out the index and certificate")
    laid = _layout(
        resolved, prepared, scheme, when, when_from, pdf_path, manifest_path, supplement,
        provenance, engine,
        _Editing(edition, outcomes, twin.loaded.spec, twin_front) if edition else None, volume,
        ready.fit_a4, core, front=front,
    )
    plan, manifest_bytes, log = laid.plan, laid.manifest, laid.log
    if not rebuild:
        _report_citations(laid.problems, strict)
    documents = [
        AssemblyDocument(
            pdf=item.rendition_pdf,
            password=item.rendition_password,
            source=item.evidence_source,
            title=doc.title,
            number=planned.number,
            sha256=item.sha256,
            outline=item.outline,
            text_layers=item_layers,
            markers=outcomes[position].markers if outcomes else (),
            fit_a4=ready.fit_a4,
            main_labels=tuple(core.documents[position].main_labels) if core else (),
        )
        for position, (item, doc, planned, item_layers) in enumerate(zip(
            prepared, _documents(spec), plan.documents, layers, strict=True
        ))
    ]
    if edition is not None:
        for position in sorted(edition.withheld):
            stand_in = placeholder(edition, position, plan, documents[position].title,
                                   work)
            documents[position] = dataclasses.replace(
                documents[position], pdf=stand_in, password=None, outline=(),
                text_layers=(), markers=())
            open_readers[position] = None
    info = BundleInfo(
        reference=spec.reference,
        title=spec.title if supplement is None else
        f"{spec.title} (supplementary bundle {supplement.number})",
        authority=resolved.authority,
        officer=resolved.officer,
        build_date=when,
        tool=provenance.tool_line,
    )

    def reader(position: int) -> PdfReader:
        # Each reader is used once, then released so its parsed objects can be freed.
        opened = open_readers[position]
        open_readers[position] = None
        if opened is None:
            return open_rendition(documents[position].pdf, documents[position].password)
        return opened

    # One file at a time, so a failed write names the file it failed on (staged, and so put
    # in place, in this order: the PDF, its manifest, its sidecar).
    with staged.writer(pdf_path) as pdf_handle:
        raw = _HashingRaw(pdf_handle)
        buffered = io.BufferedWriter(raw, buffer_size=1 << 20)  # type: ignore[type-var]
        assemble_bundle(
            buffered,
            info=info,
            plan=plan,
            draw=laid.drawing.draw,
            index_links=laid.front.links,
            documents=documents,
            readers=reader,
            manifest_json=manifest_bytes,
            progress=report,
            log=log,
            log_title=_log_title(edition),
            front_parts=laid.front.parts,
            crew=ready.crew,
            owners=ready.owners,
        )
        buffered.flush()
        pdf_sha = raw.digest.hexdigest()
    with staged.writer(manifest_path) as manifest_handle:
        manifest_handle.write(manifest_bytes)
    with staged.writer(sidecar_path) as sidecar_handle:
        sidecar_handle.write(f"{pdf_sha}  {pdf_path.name}\n".encode())
    if edition is not None:  # before anything is put in place
        report("checking that nothing marked can be extracted")
        check_extractable(edition, plan, dict(staged.files())[pdf_path], pdf_path)
    return BuildResult(
        pdf=pdf_path,
        manifest=manifest_path,
        sidecar=sidecar_path,
        pages=plan.total_pages,
        documents=len(plan.documents),
        sha256=pdf_sha,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        sources=tuple(item.path for item in prepared),
        supplement=supplement.number if supplement is not None else None,
        edition=_edition_lines(manifest_bytes) if edition is not None else (),
        fitted=tuple(f"{item.evidence_source}: {item.fitted.description}"
                     for item in prepared if item.fitted is not None),
        versions_used=((TOOL_NAME, __version__), *used.items()),
    )


def _edition_lines(manifest_bytes: bytes) -> tuple[str, ...]:
    manifest = Manifest.model_validate_json(manifest_bytes)
    return tuple(edition_summary(manifest.audience)) if manifest.audience else ()


@dataclass(frozen=True)
class _Editing:
    """An audience's edition during layout: what it did, and the unedited spec (its twin's
    titles fix the front matter's length, so both share their page numbers)."""

    edition: Edition
    outcomes: Sequence[Outcome]
    twin: BundleSpec
    twin_front: _Front | None = None  # the findings and events unredacted


def _edition(resolved: _Source, audience: str, when: dt.date) -> Edition:
    """The edition for ``audience``: a spec's own ``audiences`` and ``redactions``; in a case
    folder (a spec beside case.yaml, or bundle.yaml), also what the residents' consent allows
    on ``when`` (for a bundle derived from the records: that alone)."""
    from bundler.bundle.caseaudience import case_edition

    try:
        name = parse_audience(audience)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    documents = _documents(resolved.loaded.spec)
    folder = resolved.loaded.folder
    if resolved.kind == "spec" and not (folder / "case.yaml").is_file():
        return spec_edition(resolved.loaded.spec, documents, name)
    by_consent = case_edition(folder, documents, name, when)
    if resolved.kind == "case-derived":
        return by_consent
    return merged(spec_edition(resolved.loaded.spec, documents, name), by_consent)


def edition_for(recorded: Manifest, folder: Path) -> Edition:
    """The edition a manifest records, with its rules read again from ``folder`` (verify)."""
    assert recorded.audience is not None
    kind = recorded.options.source_kind
    source = folder / recorded.options.spec if kind == "spec" else folder
    return _edition(_resolve_source(source), recorded.audience.audience,
                    recorded.options.build_date)


def _log_title(edition: Edition | None) -> str:
    if edition is not None and edition.unedited:
        return "Material withheld from the parties"
    return "Redaction log"


class _HashingRaw(io.RawIOBase):
    """Raw sink that hashes and forwards; wrapped in a BufferedWriter so pypdf's many tiny
    writes cost one C call each and reach Python only once per megabyte."""

    def __init__(self, handle: BinaryIO) -> None:
        super().__init__()
        self.handle = handle
        self.digest = hashlib.sha256()
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data)
        self.digest.update(view)
        self.handle.write(view)
        self.position += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self.position

    def seekable(self) -> bool:
        return False


def _resolve_source(source: Path) -> _Source:
    resolved = _resolve(source)
    return dataclasses.replace(resolved, ocr_references=_ocr_references(source,
                                                                        resolved.loaded.spec))


def _ocr_references(source: Path, spec: BundleSpec) -> tuple[str, ...]:
    """The references --ocr must read right: the bundle's, and in a case folder each
    resident's (their files' names: R01...), sorted."""
    found = {spec.reference}
    folder = _case_folder_of(source)
    residents = folder / "residents" if folder is not None else None
    if residents is not None and residents.is_dir():
        found.update(path.stem for path in residents.glob("*.yaml")
                     if re.fullmatch(r"R[0-9]{2,4}", path.stem))
    return tuple(sorted(found))


def _resolve(source: Path) -> _Source:
    if not source.exists():
        raise InputNotFound.for_path(source, "bundle spec or case folder")
    if source.is_dir():
        spec_file = source / "bundle.yaml"
        if spec_file.is_file():
            loaded = load_spec(spec_file, str(spec_file))
            return _with_case_details(loaded, source, "case-bundle-yaml",
                                      sha256_file(spec_file))
        from bundler.bundle.casebundle import derive_case_spec

        loaded, authority, officer = derive_case_spec(source)
        return _Source(loaded, "case-derived", "case records", None, authority, officer,
                       _audit_head(source), source)
    loaded = load_spec(source, str(source))
    case_dir = _case_folder_of(source)  # a spec in a case folder: its build is recorded there
    return _Source(loaded, "spec", source.name, sha256_file(source), loaded.spec.authority,
                   loaded.spec.officer, _audit_head(case_dir) if case_dir is not None else None,
                   _records_folder(loaded, case_dir))


def _records_folder(loaded: LoadedSpec, case_dir: Path | None) -> Path | None:
    """The case folder a spec takes its findings table or chronology from, when it asks for
    them (``findings: true``, ``chronology: true``)."""
    spec = loaded.spec
    if not (spec.findings or spec.chronology):
        return None
    if case_dir is None:
        wanted = "findings" if spec.findings else "chronology"
        raise BadInput(f"{loaded.shown}: {wanted}: true, but there is no case.yaml beside the "
                       "spec to take them from",
                       "Put the spec in the case folder, or remove the line.")
    return case_dir


def _with_case_details(loaded: LoadedSpec, case_dir: Path, kind: str, digest: str) -> _Source:
    authority, officer = loaded.spec.authority, loaded.spec.officer
    # (a folder with a bundle.yaml and no case records: nothing to read, and the case
    # models not even imported)
    if (authority is None or officer is None) and _case_folder_of(case_dir) is not None:
        try:
            from bundler.bundle.casebundle import case_people

            found_authority, found_officer = case_people(case_dir)
            authority = authority or found_authority
            officer = officer or found_officer
        except Exception:  # the cover is still right without them
            logger.debug("case details unavailable for the cover", exc_info=True)
    return _Source(loaded, kind, "bundle.yaml", digest, authority, officer,
                   _audit_head(case_dir), _records_folder(loaded, case_dir))


def _audit_head(case_dir: Path) -> str | None:
    """The case audit log's head hash (None before anything is recorded).

    A log cut off by a crash stops the build: the bundle must name a head that exists.
    """
    from bundler.audit import head_hash

    return head_hash(case_dir)


def _documents(spec: BundleSpec) -> list[DocumentSpec]:
    return [doc for section in spec.sections for doc in section.documents]


def _load_before_forking() -> None:
    """Load once, in this process, what every worker would otherwise load for itself while
    preparing documents (the converters and reportlab, Pillow's common formats, the fonts,
    libmagic's database): the forked workers share it (about 0.1 s of each one's time)."""
    from PIL import Image

    import bundler.evidence.images
    import bundler.evidence.render  # noqa: F401
    from bundler.evidence.fonts import register_fonts

    Image.preinit()
    register_fonts()
    try:  # (without libmagic, identifying the first document says what to install)
        import magic

        magic.from_buffer(b"%PDF-1.4\n", mime=True)
    except (ImportError, OSError, AttributeError):
        pass


def _prepare_documents(
    loaded: LoadedSpec, workdir: Path, report: Callable[[str], None], crew: Crew | None = None
) -> tuple[list[_Prepared], list[PdfReader | None]]:
    """Identify, convert, check and count every document, here or by ``crew`` (see
    ``workers``); the readers that checked them are kept to merge from (each holds its page
    tree only, see check_pdf): here, or in the worker that checked it."""
    docs = _documents(loaded.spec)
    outcomes = in_order(crew, _prepare_kept, (loaded, workdir, crew is not None), len(docs))
    prepared: list[_Prepared] = []
    readers: list[PdfReader | None] = []
    for position in range(1, len(docs) + 1):
        if position % 10 == 1 or position == len(docs):
            report(f"checking document {position} of {len(docs)}")
        if position % 25 == 0 and crew is None:  # frees the fully parsed copies the checks
            gc.collect(0)  # leave (cycles); only what is new since: see collector_paused
        item, reader = next(outcomes)
        prepared.append(item)
        readers.append(reader)
    gc.collect(0)
    return prepared, readers


def _prepare_kept(shared: tuple[LoadedSpec, Path, bool], position: int
                  ) -> tuple[_Prepared, PdfReader | None]:
    """Prepare the document at ``position``; its reader is set aside until it is merged (in
    a worker, kept there while it has room: see ``workers.keep``, ``assemble.merge_kept``)."""
    loaded, workdir, in_worker = shared
    item, reader = _prepare_one(loaded, workdir, _documents(loaded.spec)[position])
    reader = set_aside(reader, workdir / f"checked-pdfs-{worker_index()}.bin")
    if not in_worker:
        return item, reader
    keep(kept_reader_key(item.rendition_pdf), reader, item.pages)  # (if there is room)
    return item, None


def _prepare_one(loaded: LoadedSpec, workdir: Path, doc: DocumentSpec
                 ) -> tuple[_Prepared, PdfReader]:
    from bundler.evidence import identify
    from bundler.evidence.render import render_checked

    evidence = identify(loaded.path_of(doc), doc.file)
    rendition, reader = render_checked(evidence, workdir=workdir, password=doc.password,
                                       caption=doc.title)
    return _Prepared(
        evidence_source=evidence.source,
        path=evidence.path,
        sha256=evidence.sha256,
        size=evidence.size,
        media_type=evidence.media_type,
        rendition_pdf=rendition.pdf,
        rendition_password=rendition.password,
        outline=tuple(rendition.outline),
        converter=rendition.converter,
        tool_versions=dict(rendition.tool_versions),
        pages=len(reader.pages),
    ), reader


def _recognise_text(
    engine: OcrEngine,
    prepared: Sequence[_Prepared],
    readers: list[PdfReader | None],
    workdir: Path,
    report: Callable[[str], None],
    skip: frozenset[int] = frozenset(),
    textless: dict[int, tuple[int, ...]] | None = None,
    words: Vocabulary | None = None,
) -> list[tuple[tuple[int, Path], ...]]:
    """Each document's (page, text layer) pairs for its pages without text (``--ocr``);
    documents at the positions in ``skip`` (withheld from an edition) are not read, and the
    pages in ``textless`` are (scans whose only text is now the reason codes on redaction
    boxes)."""
    report("looking for pages without text (OCR)")
    jobs: list[PageJob] = []
    for position, item in enumerate(prepared):
        if position in skip:
            continue
        reader = readers[position] or open_rendition(item.rendition_pdf, item.rendition_password)
        readers[position] = reader
        empty = sorted(set(pages_without_text(reader)) | set((textless or {}).get(position,
                                                                                  ())))
        if not empty:
            continue
        pdf = item.rendition_pdf
        if item.rendition_password is not None:  # never put a password on a command line
            pdf = plain_copy(reader, workdir / f"plain-{position:06d}.pdf")
        jobs.extend(PageJob(position, page, pdf, item.evidence_source,
                            render_dpi(reader.pages[page])) for page in empty)
        readers[position] = None  # its pages are parsed now: reopen it lazily to merge
    gc.collect()
    layers: list[list[tuple[int, Path]]] = [[] for _ in prepared]
    if jobs:
        report(f"recognising text (OCR) on {len(jobs)} page(s) without text")
        for job, layer in zip(jobs, recognise_pages(engine, jobs, workdir, report,
                                                                 words), strict=True):
            if layer is not None:
                layers[job.document].append((job.page, layer))
    return [tuple(found) for found in layers]


def _versions_used(prepared: Sequence[_Prepared], engine: OcrEngine | None) -> dict[str, str]:
    """The versions of everything that shaped these documents' pages on this computer."""
    extra_tools: dict[str, str] = {}
    for item in prepared:
        extra_tools.update(item.tool_versions)
    if engine is not None:
        extra_tools.update(engine.tool_versions())
    return library_versions(extra_tools)


def _warn_duplicates(prepared: Sequence[_Prepared]) -> None:
    first_seen: dict[str, str] = {}
    for item in prepared:
        earlier = first_seen.get(item.sha256)
        if earlier is not None:
            logger.warning(
                "%s is identical to %s (same SHA-256 %s); both are included",
                item.evidence_source, earlier, item.sha256[:12],
            )
        else:
            first_seen[item.sha256] = item.evidence_source


@dataclass(frozen=True)
class _Laid:
    """The settled layout: the plan and the pages the bundle makes itself (measured; drawn
    by ``drawing``, while the documents are merged)."""

    plan: Plan
    front: FrontMatter  # as measured: its pages, links and parts, no bytes
    drawing: _Drawing
    manifest: bytes
    log: bytes  # b"" when there is no redaction log
    problems: list[str]  # citations of pages a document does not have


@dataclass(frozen=True)
class _Drawing:
    """What draws the front matter and the certificate once their page counts have settled.

    Drawn after the documents have been handed to the worker processes, so drawing (a
    second of a 10,000-page build) and merging go on at once (``tick``: ``Crew.pump``)."""

    cover: Cover
    index: list[IndexSection]
    front_labels: list[str]
    twin_pages: int
    tables: list[Table]
    tail: list[Part]
    order_note: str | None
    front_pages: int
    certificate: Certificate
    certificate_labels: list[str]
    certificate_pages: int
    pdf_path: Path

    def draw(self, tick: Callable[[], None] | None = None) -> tuple[bytes, bytes]:
        """The front matter's and the certificate's PDF bytes."""
        drawn = render_front_matter(self.cover, self.index, self.front_labels,
                                    self.twin_pages, tables=self.tables, tail=self.tail,
                                    order_note=self.order_note, tick=tick)
        certificate, pages = render_certificate(self.certificate, self.certificate_labels,
                                                tick=tick)
        # (drawing breaks pages where measuring did)
        if drawn.pages != self.front_pages or pages != self.certificate_pages:
            raise OutputFailed(f"{self.pdf_path}: the index drawn is not the index measured; "
                               "please report this")
        return drawn.data, certificate


def _layout(
    resolved: _Source,
    prepared: Sequence[_Prepared],
    scheme: Numbering,
    when: dt.date,
    when_from: str,
    pdf_path: Path,
    manifest_path: Path,
    supplement: SupplementOf | None,
    provenance: _Provenance,
    engine: OcrEngine | None = None,
    editing: _Editing | None = None,
    volume: VolumePart | None = None,
    fit_a4: bool = False,
    core: CoreOf | None = None,
    *,
    front: _Front | None = None,
) -> _Laid:
    """Plan, front matter (with the findings table and chronology from ``front``),
    certificate, manifest and redaction log, laid out again until their page counts
    settle. A ``volume`` of a set is numbered on from the volume before; volume 1's index
    lists the whole set (see ``volumes``); a ``core`` bundle's index says where each document
    is in its main bundle."""
    spec = resolved.loaded.spec
    continuation = _continuation(supplement, scheme) if supplement is not None else None
    note = None if supplement is None or continuation is None else SupplementNote(
        supplement.number, supplement.file, supplement.sha256, supplement.manifest_sha256,
        _continues(supplement, continuation, scheme), continuation.own_prefix)
    counts = iter(item.pages for item in prepared)
    sections = [
        SectionInput(s.label, s.title, tuple(next(counts) for _ in s.documents))
        for s in spec.sections
    ]
    tool = provenance.tool_line
    # First guesses from typical densities (about 48 index rows and 28 certificate entries a
    # page); a wrong guess only costs another layout round.
    count = sum(len(section.document_pages) for section in sections)
    front_pages = 1 + -(-(count + 2 * len(sections)) // 48)
    cert_pages = 1 + count // 28
    log_pages = 0
    edition = editing.edition if editing is not None else None
    withheld = edition.withheld if edition is not None else frozenset()
    docs = _documents(spec)
    placement = Placement(tuple(doc.file for doc in docs), tuple(doc.title for doc in docs),
                          tuple(item.pages for item in prepared), withheld)
    order_note = _order_note(spec)
    if volume is not None and volume.number > 1:
        front_pages = 1  # its cover: the index of every volume is in volume 1
    set_documents: list[SetDocument] = []
    for _round in range(_MAX_LAYOUT_ROUNDS):
        plan = plan_bundle(sections, front_pages=front_pages, certificate_pages=cert_pages,
                           numbering=scheme, continuation=continuation, withheld=withheld,
                           log_pages=log_pages,
                           first_number=volume.first_number if volume else 1,
                           first_document=volume.first_document if volume else 1)
        cover = Cover(spec.reference, spec.title, when, resolved.authority, resolved.officer,
                      tool, len(plan.documents), plan.total_pages, note,
                      describe(edition.audience) if edition is not None else None,
                      len(withheld),
                      None if volume is None else VolumeNote(
                          volume.number, volume.count, volume.note_pages(plan.labels),
                          volume.files[0]),
                      core_of=core.main_file if core is not None else None)
        tail = _tail_parts(plan, _log_title(edition))
        tables, front_records, problems = _tables(front, placement, plan)
        index = _index(spec, prepared, plan, withheld, core)
        where: list[tuple[int, int]] = []
        if volume is not None and volume.number == 1:
            rows, where, set_documents = volume.index(plan, spec, prepared)
            index = index_sections([(s.label, s.title) for s in spec.sections]
                                   + _later_sections(spec, volume), rows)
        twin_pages = 0
        if editing is not None:  # the unedited bundle's front matter fixes its length
            twin_pages = _twin_front_pages(editing.twin, editing.twin_front, cover, prepared,
                                           sections, plan, placement, order_note)
        elif front is not None and volume is None:  # and the bundle for no audience's too
            twin_pages = _twin_front_pages(spec, front, cover, prepared, sections, plan,
                                           placement, order_note)
        # Measured (nothing drawn) until the page counts settle, drawn once when they have
        drawn = render_front_matter(cover, index, plan.labels[: plan.front_pages], twin_pages,
                                    tables=tables, tail=tail, order_note=order_note,
                                    measure=True)
        if drawn.pages != front_pages:  # the front matter moved every page number: plan again
            front_pages = drawn.pages
            continue
        log = b""
        log_count = 0
        lines: list[LogLine] = []
        if editing is not None and edition is not None and wants_log(edition,
                                                                     editing.outcomes):
            lines = log_lines(edition, editing.outcomes, plan)
            log, log_count = render_log_pages(
                edition, lines, spec.reference,
                plan.labels[plan.log_first_page - 1: plan.certificate_first_page - 1])
        if log_count != log_pages:
            log_pages = log_count
            continue
        manifest = _manifest(resolved, prepared, plan, scheme, when, when_from, provenance,
                             engine, fit_a4, core)
        if front is not None:
            manifest = manifest.model_copy(update=front_records)
        if supplement is not None:
            manifest = manifest.model_copy(update={
                "supplement_to": supplement, "manifest_version": SUPPLEMENT_MANIFEST_VERSION})
        if editing is not None and edition is not None:
            manifest = manifest.model_copy(update={
                "audience": edition_record(edition, editing.outcomes, plan,
                                           [doc.file for doc in _documents(spec)], lines),
                "manifest_version": AUDIENCE_MANIFEST_VERSION})
        if volume is not None:
            manifest = manifest.model_copy(update={
                "volume": volume.record(set_documents),
                "manifest_version": VOLUME_MANIFEST_VERSION})
        if core is not None:
            manifest = manifest.model_copy(update={
                "core": core, "manifest_version": CORE_MANIFEST_VERSION})
        manifest_bytes = manifest.to_json_bytes()
        certificate = _certificate(resolved, prepared, plan, scheme, when, pdf_path,
                                   manifest_path, hashlib.sha256(manifest_bytes).hexdigest(),
                                   tool, note)
        certificate_labels = plan.labels[plan.certificate_first_page - 1 :]
        _nothing, cert_count = render_certificate(certificate, certificate_labels,
                                                  measure=True)
        if cert_count == cert_pages:
            if where and volume is not None:
                drawn = dataclasses.replace(drawn, links=[
                    area if area.document is None or where[area.document][0] == 1
                    else dataclasses.replace(area, remote=(
                        volume.files[where[area.document][0] - 1], where[area.document][1] - 1))
                    for area in drawn.links])
            drawing = _Drawing(cover, list(index), list(plan.labels[: plan.front_pages]),
                               twin_pages, list(tables), list(tail), order_note, front_pages,
                               certificate, list(certificate_labels), cert_pages, pdf_path)
            return _Laid(plan, drawn, drawing, manifest_bytes, log, problems)
        cert_pages = cert_count
    raise OutputFailed(f"{pdf_path}: the index layout did not settle; please report this")


def _twin_front_pages(twin: BundleSpec, twin_front: _Front | None, cover: Cover,
                      prepared: Sequence[_Prepared], sections: Sequence[SectionInput],
                      plan: Plan, placement: Placement, order_note: str | None) -> int:
    """The pages of the front matter every edition of this source shares, the bundle built
    for no audience included: the unedited bundle's (its titles, its findings and events,
    each citation drawn at its longest, as cited and as withheld at once), with a row for a
    redaction log whether or not this edition has one. Each pads its own to it, so the
    editions' pages keep the same numbers whatever each leaves out."""
    full = plan_bundle(sections, front_pages=plan.front_pages,
                       certificate_pages=plan.certificate_pages, numbering=plan.numbering,
                       log_pages=max(1, plan.log_pages))
    longest = dataclasses.replace(placement, withheld=frozenset(), bound=True)
    tables = _tables(twin_front, longest, full)[0]
    tail = _tail_parts(full, "Material withheld from the parties")
    return render_front_matter(cover, _index(twin, prepared, full),
                               full.labels[: full.front_pages], tables=tables, tail=tail,
                               order_note=order_note, measure=True).pages


def _tail_parts(plan: Plan, log_title: str) -> list[Part]:
    """The bundle's own pages after the documents: the redaction log and the certificate."""
    parts = []
    if plan.log_pages:
        first = plan.log_first_page - 1
        parts.append(Part(log_title, first, plan.labels[first],
                          plan.labels[plan.certificate_first_page - 2]))
    first = plan.certificate_first_page - 1
    parts.append(Part(CERTIFICATE_TITLE, first, plan.labels[first], plan.labels[-1]))
    return parts


def _tables(front: _Front | None, placement: Placement, plan: Plan
            ) -> tuple[list[Table], dict[str, object], list[str]]:
    """The findings table and the chronology as drawn, their manifest records, and the
    citations of pages a document does not have."""
    if front is None:
        return [], {}, []
    from bundler.bundle.chronology import table as chronology_table
    from bundler.bundle.findings import table as findings_table

    tables: list[Table] = []
    records: dict[str, object] = {}
    problems: list[str] = []
    if front.findings:
        table, rows, problems = findings_table(front.findings, placement, plan)
        tables.append(table)
        records["findings"] = rows
    if front.chronology is not None:
        table, events = chronology_table(front.chronology, placement, plan)
        tables.append(table)
        records["chronology"] = events
    return tables, records, problems


def _order_note(spec: BundleSpec) -> str | None:
    """The index's note on order, when it is true of every section: documents in date order
    (their own date, else the date received), undated ones last."""
    for section in spec.sections:
        keys = [doc.date or doc.received for doc in section.documents]
        dated = [key for key in keys if key is not None]
        if keys[: len(dated)] != dated or dated != sorted(dated):
            return None
    return ("Within each section, documents are in date order (their own date, else the date "
            "received); undated documents come last.")


def _front_records(resolved: _Source, when: dt.date) -> _Front | None:
    """The findings and the chronology from the case records (None outside a case folder, or
    when its records do not validate: the bundle is built without them, with a warning)."""
    case_dir = resolved.case_dir
    if case_dir is None:
        return None
    from bundler.bundle import chronology, findings
    from bundler.case.validate import load_valid_case

    try:
        loaded = load_valid_case(case_dir)
    except BundlerError as exc:
        logger.warning("%s: the case records do not validate, so the bundle has no findings "
                       "table or chronology (%s)", case_dir, str(exc).splitlines()[0])
        return None
    spec = resolved.loaded.spec
    derived = resolved.kind == "case-derived"
    held = [doc.file for doc in _documents(spec)]
    events = None
    if derived or spec.chronology:
        events = tuple(chronology.records(loaded.case, loaded.residents,
                                          loaded.letters.letters, when,
                                          _audit_until(case_dir, resolved.audit_head), held))
    rows = tuple(findings.records(loaded.case)) if derived or spec.findings else ()
    return _Front(rows, events)


def _audit_until(case_dir: Path, head: str | None) -> list[AuditEntry]:
    """The case's audit entries up to and including ``head`` (the log as the bundle records
    it: later entries, such as this build's own, are not part of it)."""
    if head is None or not (case_dir / "audit.jsonl").is_file():
        return []
    from bundler.audit import read_entries

    entries = read_entries(case_dir)
    for position, entry in enumerate(entries):
        if entry.hash == head:
            return entries[: position + 1]
    return []


def _front_redacted(front: _Front, edition: Edition) -> _Front:
    """The findings and events with an edited bundle's titles redaction applied."""
    if edition.unedited or edition.titles.empty:
        return front
    from bundler.bundle import chronology, findings
    from bundler.redact.terms import redact_line

    def clean(text: str) -> str:
        return redact_line(text, edition.titles)[0]

    events = front.chronology
    return _Front(tuple(findings.redacted(front.findings, clean)),
                  None if events is None else tuple(chronology.redacted(events, clean)))


def _refuse_placeholders(source: Path, resolved: _Source) -> None:
    """A bundle is not built from records still holding a placeholder `bundler case new`
    left (``FILL IN: ...``): its spec, and the case folder's case.yaml and residents' files."""
    from bundler.case.placeholders import refuse_placeholders

    records: list[tuple[Path, str]] = []
    in_spec: tuple[str, ...] = ()  # the spec file's, found when it was read
    if resolved.kind == "spec":
        in_spec = resolved.loaded.placeholders
    folder = resolved.case_dir or _case_folder_of(source)
    if folder is not None:
        if resolved.kind == "case-bundle-yaml":
            in_spec = resolved.loaded.placeholders
        records.append((folder / "case.yaml", str(folder / "case.yaml")))
        residents = folder / "residents"
        if residents.is_dir():
            records += [(path, str(path)) for path in sorted(residents.glob("*.yaml"))]
    refuse_placeholders(records, "the bundle", str(folder or source), in_spec)


def _report_citations(problems: Sequence[str], strict: bool) -> None:
    """Warn about each citation problem; with ``strict``, refuse the build."""
    if not problems:
        return
    if strict:
        raise CaseIncomplete(
            "case.yaml: " + "; ".join(problems),
            "Cite the pages each finding and recommendation rests on (para 146): add the "
            "document to the bundle or correct the citation under findings.answers or "
            "recommendations, then build again (or build without --strict).")
    for problem in problems:
        logger.warning("case.yaml: %s", problem)
def _later_sections(spec: BundleSpec, volume: VolumePart) -> list[tuple[str, str]]:
    """Sections that only later volumes hold (volume 1's index lists them too)."""
    seen = {section.label for section in spec.sections}
    found: list[tuple[str, str]] = []
    for items in volume.later:
        for item in items:
            if item.section not in seen:
                seen.add(item.section)
                found.append((item.section, item.section_title))
    return found


def _index(spec: BundleSpec, prepared: Sequence[_Prepared], plan: Plan,
           withheld: frozenset[int] = frozenset(),
           core: CoreOf | None = None) -> list:  # type: ignore[type-arg]
    docs = _documents(spec)
    rows = [
        (planned.section, str(planned.number), doc.date, doc.title, planned.first_label,
         planned.last_label, "withheld" if position in withheld else item.sha256,
         "; ".join(filter(None, [
             main_note(core.documents[position]) if core is not None else "",
             item.fitted.description if item.fitted and position not in withheld else ""])))
        for position, (doc, item, planned) in enumerate(zip(docs, prepared, plan.documents,
                                                            strict=True))
    ]
    return index_sections([(s.label, s.title) for s in spec.sections], rows,
                          [doc.received for doc in docs])


def _manifest(
    resolved: _Source,
    prepared: Sequence[_Prepared],
    plan: Plan,
    scheme: Numbering,
    when: dt.date,
    when_from: str,
    provenance: _Provenance,
    engine: OcrEngine | None = None,
    fit_a4: bool = False,
    core: CoreOf | None = None,
) -> Manifest:
    spec = resolved.loaded.spec
    docs = _documents(spec)
    documents = [
        ManifestDocument(
            number=planned.number,
            title=doc.title,
            date=doc.date,
            received=doc.received,
            section=planned.section,
            source=doc.file,
            source_sha256=item.sha256,
            source_size=item.size,
            media_type=item.media_type,
            converter=item.converter,
            password_used=doc.password is not None,
            pages=planned.pages,
            first_page=planned.first_page,
            last_page=planned.last_page,
            first_label=planned.first_label,
            last_label=planned.last_label,
            stamp=stamp_text(shown_label(core, position, 0, planned.first_label),
                             spec.reference, planned.number, item.sha256),
            fitted=item.fitted.description if item.fitted else None,
        )
        for position, (doc, item, planned) in enumerate(zip(docs, prepared, plan.documents,
                                                            strict=True))
    ]
    sections = [
        ManifestSection(
            label=s.label, title=s.title, first_page=s.first_page, last_page=s.last_page,
            first_label=plan.labels[s.first_page - 1], last_label=plan.labels[s.last_page - 1],
        )
        for s in plan.sections
    ]
    return Manifest(
        tool=provenance.tool,
        libraries=provenance.libraries,
        options=BuildOptions(
            numbering=scheme.value,
            build_date=when,
            build_date_from=when_from,
            source_kind=resolved.kind,
            spec=resolved.spec_name,
            spec_sha256=resolved.spec_sha256,
            stamp_font="Helvetica",
            stamp_font_size=FONT_SIZE,
            stamp_label_font=LABEL_FONT,
            stamp_label_font_size=LABEL_SIZE,
            stamp_band_points=BAND,
            stamp_hash_chars=SHA_SHOWN,
            ocr=engine is not None,
            ocr_references=list(resolved.ocr_references) if engine is not None else [],
            page_size=FIT_A4 if fit_a4 else None,
        ),
        reference=spec.reference,
        title=spec.title,
        authority=resolved.authority,
        officer=resolved.officer,
        build_date=when,
        pages=plan.total_pages,
        front_matter_pages=plan.front_pages,
        certificate_first_page=plan.certificate_first_page,
        certificate_pages=plan.certificate_pages,
        page_labels=[
            PageLabelRange(
                start_page=r.start + 1,
                style=_STYLE_NAMES[r.style],
                prefix=r.prefix,
                first_number=r.first,
            )
            for r in plan.ranges
        ],
        sections=sections,
        documents=documents,
        audit_head=resolved.audit_head,
    )


def _certificate(
    resolved: _Source,
    prepared: Sequence[_Prepared],
    plan: Plan,
    scheme: Numbering,
    when: dt.date,
    pdf_path: Path,
    manifest_path: Path,
    manifest_sha256: str,
    tool: str,
    supplement: SupplementNote | None = None,
) -> Certificate:
    spec = resolved.loaded.spec
    docs = _documents(spec)
    return Certificate(
        reference=spec.reference,
        title=spec.title,
        date=when,
        tool=tool,
        numbering=scheme.value,
        bundle_name=pdf_path.name,
        manifest_name=manifest_path.name,
        manifest_sha256=manifest_sha256,
        audit_head=resolved.audit_head,
        entries=tuple(
            CertificateEntry(str(planned.number),
                             label_span(planned.first_label, planned.last_label),
                             doc.file, item.sha256)
            for doc, item, planned in zip(docs, prepared, plan.documents, strict=True)
        ),
        supplement=supplement,
    )
