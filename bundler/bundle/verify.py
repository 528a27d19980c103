"""`bundler bundle verify`: check a bundle without trusting whoever sent it (para 146).

A recipient (tribunal clerk, the council's legal team, the appellant's representative)
runs every check below and gets one PASS or FAIL line for each, then a verdict:

* ``file hash``: the bundle's exact bytes against ``BUNDLE.pdf.sha256`` and/or ``--sha256``;
* ``manifest``: the manifest attached inside the PDF parses, and equals the sidecar
  ``BUNDLE.manifest.json`` byte for byte (else the first differing field is named);
* ``supplement`` (supplementary bundles only): names the bundle it follows and where its
  numbering continues, and compares that bundle's SHA-256 when it lies beside this one;
* ``certificate``: the integrity certificate page shows that manifest's SHA-256;
* ``page count`` and ``page labels``: the PDF has the manifest's pages, and its
  ``/PageLabels`` give every page the label the manifest implies;
* ``stamps``: every document page carries its label, the reference, its document number
  and the ``sha256:`` prefix of its source (read from the stamp's own content stream, the
  last one on the page, falling back to the page's text);
* with ``sources``: ``sources`` re-hashes every file the manifest names, ``rebuild``
  builds the bundle again from them with the recorded options and compares the bytes, or,
  when the installed library versions differ from the manifest's (``library versions``
  says so), each page's content, naming the first document whose pages differ.

The library never prints: ``verify_bundle`` returns a ``VerifyReport`` (text lines, JSON,
and ``raise_for_problems`` for callers that want an exception). It raises only when the
input cannot be read as a bundle at all (missing, not a PDF, no embedded manifest).
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import io
import logging
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

from bundler.bundle.manifest import Manifest, ManifestDocument
from bundler.bundle.plan import roman
from bundler.bundle.served import (
    HEX64,
    READ_ERRORS,
    Check,
    certificate_check,
    damaged,
    file_hash_check,
    first_differing_field,
    guarded,
    manifest_check,
    open_bundle,
    page_text,
)
from bundler.bundle.stamp import stamp_text
from bundler.errors import (
    BadInput,
    BundlerError,
    ChecksFailed,
    InputNotFound,
    PasswordRequired,
)
from bundler.fileio import sha256_file

logger = logging.getLogger(__name__)

# The stamp as ``stamp.suffix_bytes`` writes it, at the very end of the page's last stream;
# its text is one literal string (parentheses inside it are escaped), so nothing drawn
# before it in the same stream (a field flattened by an earlier version) can be read as it.
_STAMP_TAIL = re.compile(rb"BT\s+0\s+g\s+/BSF\s+[\d.]+\s+Tf\s+[-\d.]+\s+[-\d.]+\s+Td\s+"
                         rb"\(((?:[^()\\]|\\.)*)\)\s*Tj\s+ET\s+Q\s*$", re.S)
_SHOWN_PROBLEMS = 3  # pages named in a FAIL line before "and N more"


@dataclass
class VerifyReport:
    """Every check run on one bundle, in order."""

    bundle: str  # the path as the user gave it
    sha256: str
    checks: list[Check] = field(default_factory=list)
    reference: str | None = None
    sources: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def verdict(self) -> str:
        total = len(self.checks)
        if self.ok:
            return f"VERIFIED: {self.bundle}: all {total} checks passed"
        names = ", ".join(check.name for check in self.failed)
        return (f"NOT VERIFIED: {self.bundle}: {len(self.failed)} of {total} checks failed "
                f"({names})")

    def lines(self) -> list[str]:
        return [check.line() for check in self.checks] + [self.verdict()]

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "sha256": self.sha256,
            "reference": self.reference,
            "sources": self.sources,
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
            "verdict": self.verdict(),
        }

    def raise_for_problems(self) -> None:
        """Raise ChecksFailed naming the failed checks (for library callers)."""
        if self.ok:
            return
        first = self.failed[0]
        raise ChecksFailed(
            f"{self.bundle}: {len(self.failed)} check(s) failed; first: {first.name}: "
            f"{first.detail}",
            "Do not rely on this bundle: ask the sender for the bundle as built and its "
            "sidecar files, and run `bundler bundle verify` again.",
        )


def verify_bundle(
    pdf: Path,
    *,
    sources: Path | None = None,
    sha256: str | None = None,
    trust: Sequence[Path] = (),
    progress: Callable[[str], None] | None = None,
    record_audit: bool = True,
) -> VerifyReport:
    """Run every check on ``pdf`` (and, with ``sources``, against the files it was built from).

    ``sha256`` is the bundle's expected hash as the sender gave it; ``trust`` names CA
    certificate files a signed bundle's signer may chain to. When the bundle lies in
    (or, with ``sources``, was built from) a case folder with an ``audit.jsonl``, a
    ``bundle_verified`` entry is recorded there unless ``record_audit`` is False.
    Raises InputNotFound (no such bundle or sources folder) and BadInput (not a PDF, not a
    bundle made by this toolkit, a malformed ``sha256``).
    """
    report_progress = progress or (lambda _message: None)
    expected = _checked_inputs(pdf, sources, sha256)
    report_progress("hashing the bundle")
    digest = sha256_file(pdf)
    report = VerifyReport(bundle=str(pdf), sha256=digest,
                          sources=str(sources) if sources is not None else None)
    # --- signed bundles (bundler/bundle/signature.py): the signature's own checks; every
    # check below then reads the revision the signature covers, not what came after it.
    from bundler.bundle.signature import check_signature

    signed = check_signature(pdf, trust)
    before_signing = signed.bundle_sha256 if signed is not None else None
    revision = signed.revision if signed is not None else None
    file_check = file_hash_check(pdf, digest, expected, signed.earlier if signed else None)
    report.checks.append(file_check)
    if signed is not None:
        report.checks.extend(signed.checks)
    # --- end of the signature hook
    opened = open_bundle(pdf, hash_failed=not file_check.passed, revision=revision)
    if opened is None:  # changed beyond reading, and the hash check already says so
        report.checks.append(Check("manifest", False, "the PDF can no longer be read"))
        return report
    reader, embedded = opened
    checked, manifest = manifest_check(pdf, embedded)
    report.checks.append(checked)
    if manifest is None:
        _record(report, pdf, sources, record_audit)
        return report
    report.reference = manifest.reference
    if manifest.supplement_to is not None:
        report.checks.append(_supplement_check(pdf, manifest))
    try:
        page_count = len(reader.pages)
    except READ_ERRORS:  # a damaged page tree: each check below then says it cannot read it
        page_count = 0
    # a manifest claiming absurdly many pages must not make us build absurdly many labels
    labels = expected_labels(manifest, limit=page_count + 1)
    report.checks.append(guarded("certificate", certificate_check, reader, manifest, embedded))
    report.checks.append(guarded("page count", _page_count_check, reader, manifest))
    report.checks.append(guarded("page labels", _labels_check, reader, manifest, labels))
    report_progress("reading the stamps on every document page")
    report.checks.append(guarded("stamps", _stamps_check, reader, manifest, labels))
    if manifest.audience is not None:
        report.checks.append(guarded("edition", _edition_check, reader, manifest))
    if sources is not None:
        built_name = _built_name(reader, pdf)
        # Free the parsed bundle before the rebuild needs the memory (pypdf's objects form
        # cycles, and the build pauses the collector); it is reopened only to compare pages.
        del reader, opened
        gc.collect()
        report_progress("hashing the source files")
        sources_check, bad = _sources_check(manifest, sources)
        report.checks.append(sources_check)
        try:
            report.checks.extend(_rebuild_checks(
                pdf if revision is None else revision, built_name, manifest, sources,
                before_signing or digest, bad, report_progress))
        except READ_ERRORS as exc:
            report.checks.append(damaged("rebuild", exc))
        if manifest.audience is not None:
            report.checks.append(guarded("redaction", _redaction_check, pdf, manifest, sources))
    _record(report, pdf, sources, record_audit)
    return report


def _edition_check(reader: PdfReader, manifest: Manifest) -> Check:
    from bundler.bundle.edition import verify_pages

    passed, detail = verify_pages(manifest, lambda index: page_text(reader, index))
    return Check("edition", passed, detail)


def _redaction_check(pdf: Path, manifest: Manifest, sources: Path) -> Check:
    from bundler.bundle.edition import verify_extractable

    try:
        passed, detail = verify_extractable(pdf, manifest, sources)
    except BundlerError as exc:
        return Check("redaction", False, f"the rules could not be read from {sources}: "
                     f"{exc.message}")
    return Check("redaction", passed, detail)


# --------------------------------------------------------------------------- inputs


def _checked_inputs(pdf: Path, sources: Path | None, sha256: str | None) -> str | None:
    if not pdf.exists():
        raise InputNotFound(f"{pdf}: bundle not found",
                            "Check the path is spelt correctly (it names the .pdf file).")
    if not pdf.is_file():
        raise BadInput(f"{pdf}: is a folder, not a bundle PDF",
                       "Give the bundle's .pdf file, e.g. out/bundle.pdf.")
    if sources is not None:
        if not sources.exists():
            raise InputNotFound(f"{sources}: sources folder not found",
                                "Give the folder the bundle was built from (the one holding "
                                "the spec or the case's evidence).")
        if not sources.is_dir():
            raise BadInput(f"{sources}: is a file, not a sources folder",
                           "Give the folder the bundle was built from, not a file in it.")
    if sha256 is None:
        return None
    value = sha256.strip().lower()
    if not HEX64.match(value):
        raise BadInput(f"--sha256 {sha256!r}: not a SHA-256 (64 hexadecimal characters)",
                       "Copy the whole hash the sender gave you for the bundle.")
    return value


def _supplement_check(pdf: Path, manifest: Manifest) -> Check:
    """Say the bundle is a supplement, and which bundle it follows; compare that bundle's hash
    when it lies beside this one (it should be served with it)."""
    supplement = manifest.supplement_to
    assert supplement is not None
    first = manifest.documents[0].first_label if manifest.documents else "?"
    what = (f"supplementary bundle {supplement.number} to {supplement.file} (SHA-256 "
            f"{supplement.sha256[:12]}...): its document pages, from {first}, are numbered on "
            "from the bundles it follows")
    served = {(doc.source, doc.source_sha256) for doc in supplement.documents}
    repeated = [doc.source for doc in manifest.documents
                if (doc.source, doc.source_sha256) in served]
    if repeated:
        return Check("supplement", False, f"{what}; but it repeats documents already served: "
                     + ", ".join(repeated))
    name = supplement.file
    plain_name = bool(name) and not re.search(r"[/\\\x00]", name) and name not in (".", "..")
    earlier = pdf.with_name(name) if plain_name else pdf
    if earlier == pdf or not earlier.is_file():
        return Check("supplement", True, f"{what}; {supplement.file} is not beside it, so "
                     "not compared (verify it too)")
    digest = sha256_file(earlier)
    if digest != supplement.sha256:
        return Check("supplement", False, f"{what}; but the {supplement.file} beside it has "
                     f"SHA-256 {digest[:12]}...: not the bundle it supplements")
    return Check("supplement", True, f"{what}; the {supplement.file} beside it has that "
                 "SHA-256 (verify it too)")


# --------------------------------------------------------------------------- pages


def expected_labels(manifest: Manifest, limit: int | None = None) -> list[str]:
    """Every page's label, as the manifest's page-label ranges imply (at most ``limit``)."""
    labels: list[str] = []
    wanted = manifest.pages if limit is None else min(manifest.pages, limit)
    ranges = sorted(manifest.page_labels, key=lambda item: item.start_page)
    for position, item in enumerate(ranges):
        end = ranges[position + 1].start_page - 1 if position + 1 < len(ranges) else (
            manifest.pages)
        for offset in range(max(0, min(end, wanted) - item.start_page + 1)):
            if item.style == "none":  # a withheld document's placeholder: "45-51"
                labels.append(item.prefix)
                continue
            number = item.first_number + offset
            roman_ok = item.style == "lower-roman" and 0 < number < 5000
            text = roman(number) if roman_ok else str(number)
            labels.append(f"{item.prefix}{text}")
    return labels


def _page_count_check(reader: PdfReader, manifest: Manifest) -> Check:
    count = len(reader.pages)
    problems = _layout_problems(manifest)
    if count != manifest.pages:
        problems.insert(0, f"the PDF has {count} pages, the manifest says {manifest.pages}")
    if problems:
        return Check("page count", False, "; ".join(problems))
    return Check("page count", True,
                 f"{count} pages: {manifest.front_matter_pages} front matter, "
                 f"{len(manifest.documents)} documents, {manifest.certificate_pages} "
                 "certificate, as the manifest says")


def _layout_problems(manifest: Manifest) -> list[str]:
    """Where the manifest contradicts itself about which page is which."""
    problems: list[str] = []
    page = manifest.front_matter_pages + 1
    for doc in manifest.documents:
        if doc.first_page != page or doc.last_page - doc.first_page + 1 != doc.pages:
            problems.append(f"the manifest's pages for document {doc.number} ({doc.source}) "
                            "do not follow on from the one before")
            break
        page = doc.last_page + 1
    if manifest.audience is not None:  # the redaction log comes before the certificate
        page += manifest.audience.log_pages
    if not problems and page != manifest.certificate_first_page:
        problems.append("the manifest's certificate does not follow the last document")
    if manifest.certificate_first_page + manifest.certificate_pages - 1 != manifest.pages:
        problems.append("the manifest's certificate does not end on its last page")
    return problems


def _labels_check(reader: PdfReader, manifest: Manifest, labels: Sequence[str]) -> Check:
    from bundler.evidence.pdfopen import pypdf_messages

    if manifest.pages != len(reader.pages):
        return Check("page labels", False, f"not compared: the PDF has {len(reader.pages)} "
                     f"pages, the manifest {manifest.pages}")
    problems = _manifest_label_problems(manifest, labels)
    if problems:
        return Check("page labels", False, "; ".join(problems))
    try:
        with pypdf_messages():
            actual = list(reader.page_labels)
    except Exception:  # a damaged /PageLabels tree
        return Check("page labels", False, "the PDF's /PageLabels cannot be read")
    for number, (got, want) in enumerate(zip(actual, labels, strict=False), start=1):
        if got != want:
            return Check("page labels", False, f"page {number} is labelled {got!r} in the "
                         f"PDF, the manifest implies {want!r}")
    if len(actual) != len(labels):
        return Check("page labels", False, f"the PDF labels {len(actual)} pages, the "
                     f"manifest {len(labels)}")
    return Check("page labels", True, f"/PageLabels give all {len(labels)} pages the labels "
                 f"the manifest implies ({_span(labels)})")


def _manifest_label_problems(manifest: Manifest, labels: Sequence[str]) -> list[str]:
    if len(labels) != manifest.pages:
        return [f"the manifest's label ranges cover {len(labels)} pages, not {manifest.pages}"]
    for doc in manifest.documents:
        if not 1 <= doc.first_page <= doc.last_page <= len(labels):
            return [f"document {doc.number}'s pages lie outside the bundle"]
        if (labels[doc.first_page - 1], labels[doc.last_page - 1]) != (
                doc.first_label, doc.last_label):
            return [f"document {doc.number}'s labels in the manifest ({doc.first_label} to "
                    f"{doc.last_label}) disagree with its label ranges"]
    return []


def _span(labels: Sequence[str]) -> str:
    return f"{labels[0]} to {labels[-1]}" if labels else "none"


def _stamps_check(reader: PdfReader, manifest: Manifest, labels: Sequence[str]) -> Check:
    from bundler.evidence.pdfopen import pypdf_messages

    chars = manifest.options.stamp_hash_chars
    bad: list[str] = []
    checked = 0
    pages = reader.pages
    with pypdf_messages():
        for doc in manifest.documents:
            first = stamp_text(doc.first_label, manifest.reference, doc.number,
                               doc.source_sha256)
            if first != doc.stamp:
                bad.append(f"the manifest's stamp for document {doc.number} is not the stamp "
                           "its fields imply")
            for page_number in range(doc.first_page, doc.last_page + 1):
                if not 1 <= page_number <= min(len(pages), len(labels)):
                    bad.append(f"page {page_number} (document {doc.number}) is missing")
                    break
                label = labels[page_number - 1]
                want = stamp_text(label, manifest.reference, doc.number, doc.source_sha256)
                checked += 1
                problem = _stamp_problem(pages[page_number - 1], want, label, manifest.reference,
                                         f"sha256:{doc.source_sha256[:chars]}")
                if problem:
                    bad.append(f"page {label} (document {doc.number}, {doc.source}) {problem}")
    if bad:
        more = f"; and {len(bad) - _SHOWN_PROBLEMS} more" if len(bad) > _SHOWN_PROBLEMS else ""
        return Check("stamps", False, "; ".join(bad[:_SHOWN_PROBLEMS]) + more)
    return Check("stamps", True, f"all {checked} document pages carry their label, the "
                 f"reference {manifest.reference}, their document number and source hash")


def _stamp_problem(page: Any, want: str, label: str, reference: str, sha: str) -> str | None:
    """None when the page carries the stamp ``want``; else what is wrong with it."""
    shown = _stamp_on(page)
    if shown is not None:
        return None if shown == _as_printed(want) else f"is stamped {shown!r}, expected {want!r}"
    try:  # not our layout (or altered): look for the parts in the page's text
        text = " ".join(page.extract_text().split())
    except Exception:  # a damaged page
        return "cannot be read"
    missing = [part for part in (label, reference, sha) if part not in text]
    if missing:
        return "lacks " + ", ".join(repr(part) for part in missing) + " in its stamp"
    return None


def _stamp_on(page: Any) -> str | None:
    """The text of the stamp in the page's last content stream, if it is laid out as ours."""
    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, ArrayObject) and contents:
            last = contents[-1].get_object()
        else:
            last = contents
        if not isinstance(last, StreamObject):
            return None
        found = _STAMP_TAIL.search(last.get_data())
    except Exception:  # a damaged stream: fall back to the page's text
        return None
    return _unescape(found.group(1)).decode("cp1252", errors="replace") if found else None


def _as_printed(text: str) -> str:
    """The stamp as written into the PDF (WinAnsi), so odd characters compare equal."""
    return text.encode("cp1252", errors="replace").decode("cp1252", errors="replace")


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}


def _unescape(raw: bytes) -> bytes:
    """A PDF literal string's bytes (ISO 32000-1, 7.3.4.2)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte != 0x5C or i + 1 >= len(raw):
            out.append(byte)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif 0x30 <= nxt <= 0x37:
            j = i + 1
            while j < len(raw) and j < i + 4 and 0x30 <= raw[j] <= 0x37:
                j += 1
            out.append(int(raw[i + 1 : j], 8) & 0xFF)
            i = j
        elif nxt in (0x0A, 0x0D):
            i += 2 if not (nxt == 0x0D and raw[i + 2 : i + 3] == b"\n") else 3
        else:
            out.append(nxt)
            i += 2
    return bytes(out)


# --------------------------------------------------------------------------- sources


def _sources_check(manifest: Manifest, folder: Path) -> tuple[Check, list[str]]:
    """Re-hash every source; the check and the names of the missing or changed ones."""
    seen: dict[str, ManifestDocument] = {}
    for doc in manifest.documents:
        seen.setdefault(doc.source, doc)
    missing: list[str] = []
    changed: list[str] = []
    outside: list[str] = []
    for name, doc in seen.items():
        path = _inside(folder, name)
        if path is None:
            outside.append(name)
        elif not path.is_file():
            missing.append(name)
        elif sha256_file(path) != doc.source_sha256:
            changed.append(name)
    problems: list[str] = []
    if changed:
        problems.append(f"changed since the bundle was built: {', '.join(changed)}")
    if missing:
        problems.append(f"missing from {folder}: {', '.join(missing)}")
    if outside:
        problems.append(f"named outside the sources folder (refused): {', '.join(outside)}")
    if problems:
        return Check("sources", False, "; ".join(problems)), changed + missing + outside
    return Check("sources", True, f"all {len(seen)} source files in {folder} have the "
                 "SHA-256 the manifest records"), []


def _inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` when ``name`` is a relative path that stays inside ``folder``."""
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or re.match(r"^[A-Za-z]:", name):
        return None
    return folder.joinpath(*relative.parts)


def _rebuild_checks(
    pdf: Path | bytes,
    built_name: str,
    manifest: Manifest,
    folder: Path,
    digest: str,
    bad_sources: Sequence[str],
    progress: Callable[[str], None],
) -> list[Check]:
    if bad_sources:
        return [Check("rebuild", False, f"not attempted: {len(bad_sources)} source file(s) "
                      "are missing or changed (see sources)")]
    from bundler.bundle.build import rebuild_bundle

    progress("rebuilding the bundle from the sources")
    with tempfile.TemporaryDirectory(prefix="bundler-verify-") as work:
        try:
            with _quiet("bundler"):
                rebuilt = rebuild_bundle(manifest, folder, Path(work) / built_name,
                                         progress=progress)
        except PasswordRequired as exc:  # the manifest never holds passwords; the spec does
            return [Check("rebuild", False, f"could not rebuild from {folder}: {exc.message} "
                          f"(put the bundle spec {manifest.options.spec} that gives its "
                          "password in that folder)")]
        except BundlerError as exc:
            return [Check("rebuild", False, f"could not rebuild from {folder}: {exc.message}")]
        again = Manifest.model_validate_json(rebuilt.manifest.read_bytes())
        versions = _versions_check(manifest, again)
        if rebuilt.sha256 == digest:
            return [versions, Check("rebuild", True, f"rebuilt from {folder} with the "
                                    "recorded options: byte-for-byte identical")]
        progress("comparing the rebuilt bundle page by page")
        return [versions, _compare_rebuild(pdf, manifest, rebuilt.pdf, again,
                                           same_versions=versions.detail.startswith("same"))]


def _built_name(reader: PdfReader, pdf: Path) -> str:
    """The file name the bundle was built as (its certificate prints it), else its own."""
    try:
        text = " ".join(page_text(reader, len(reader.pages) - 1).split())
    except READ_ERRORS:
        return pdf.name
    found = re.search(r"bundler bundle verify (.+?) --sources FOLDER", text)
    name = found.group(1) if found else ""
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        return pdf.name
    return name


def _versions_check(manifest: Manifest, again: Manifest) -> Check:
    before = {manifest.tool.name: manifest.tool.version, **manifest.libraries}
    now = {again.tool.name: again.tool.version, **again.libraries}
    changed = [f"{name} {before.get(name, 'none')} -> {now.get(name, 'none')}"
               for name in sorted(set(before) | set(now)) if before.get(name) != now.get(name)]
    if not changed:
        return Check("library versions", True, "same as when the bundle was built ("
                     + ", ".join(f"{k} {v}" for k, v in sorted(before.items())) + ")")
    return Check("library versions", True, "differ from when the bundle was built ("
                 + ", ".join(changed) + "): pages are compared by content, not bytes")


def _compare_rebuild(
    pdf: Path | bytes, manifest: Manifest, rebuilt_pdf: Path, again: Manifest,
    *, same_versions: bool,
) -> Check:
    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf), strict=False)
        other = PdfReader(rebuilt_pdf, strict=False)
        ours_pages, their_pages = reader.pages, other.pages
        if len(ours_pages) != len(their_pages):
            return Check("rebuild", False, f"the rebuild has {len(their_pages)} pages, the "
                         f"bundle {len(ours_pages)}")
        starts = [doc.first_page for doc in manifest.documents]
        differing: list[int] = []
        other_ocr = _other_ocr(manifest, again)
        for index in range(len(ours_pages)):
            if not _same_page(ours_pages[index], their_pages[index], by_text=not same_versions,
                              front_or_certificate=_outside_documents(manifest, index + 1),
                              skip_ocr=other_ocr):
                differing.append(index + 1)
    if not differing:
        if same_versions:
            return Check("rebuild", False, "every page matches the rebuild, but other parts "
                         "of the file differ (bookmarks, links, metadata or structure)")
        field_name = _manifest_difference(manifest, again)
        if field_name is not None:
            return Check("rebuild", False, f"the rebuild's manifest differs at {field_name}")
        if other_ocr:
            return Check("rebuild", True, "rebuilt with other library versions: every page's "
                         "content and text matches the bundle (text read by OCR is not "
                         "compared: another tesseract can read words differently)")
        return Check("rebuild", True, "rebuilt with other library versions: every page's "
                     "content and text matches the bundle")
    docs = {_document_at(manifest, starts, page) for page in differing}
    first_page = differing[0]
    where = _describe_page(manifest, starts, first_page)
    count = len(docs - {None})
    return Check("rebuild", False, f"differs from the rebuild from the sources, first at "
                 f"{where}; {len(differing)} page(s) in {count} document(s) differ")


def _outside_documents(manifest: Manifest, page: int) -> bool:
    return page <= manifest.front_matter_pages or page >= manifest.certificate_first_page


def _document_at(manifest: Manifest, starts: Sequence[int], page: int) -> int | None:
    position = bisect.bisect_right(starts, page) - 1
    if position < 0 or page > manifest.documents[position].last_page:
        return None
    return position


def _describe_page(manifest: Manifest, starts: Sequence[int], page: int) -> str:
    labels = expected_labels(manifest)
    label = labels[page - 1] if 0 < page <= len(labels) else str(page)
    position = _document_at(manifest, starts, page)
    if position is None:
        part = "front matter" if page <= manifest.front_matter_pages else "certificate"
        return f"page {label} ({part})"
    doc = manifest.documents[position]
    return f"document {doc.number} ({doc.source}), page {label}"


def _manifest_difference(manifest: Manifest, again: Manifest) -> str | None:
    mine = manifest.model_dump(mode="json", exclude={"libraries", "tool"})
    theirs = again.model_dump(mode="json", exclude={"libraries", "tool"})
    return first_differing_field(mine, theirs)


def _other_ocr(manifest: Manifest, again: Manifest) -> bool:
    """Whether the rebuild's OCR ran with another tesseract (or other language data)."""
    if not manifest.options.ocr:
        return False
    return any(manifest.libraries.get(name) != again.libraries.get(name)
               for name in set(manifest.libraries) | set(again.libraries)
               if name.startswith("tesseract"))


def _same_page(a: Any, b: Any, *, by_text: bool, front_or_certificate: bool,
               skip_ocr: bool = False) -> bool:
    """Same drawing instructions and images; with ``by_text``, or the same visible text.

    Front matter and the certificate name the tool's version and the manifest's hash,
    which change with the library versions: they are compared only when versions agree.
    With ``skip_ocr`` (another tesseract rebuilt it) the invisible text layers are left out
    of the text compared: what the pages show must still match.
    """
    try:
        if page_fingerprint(a) == page_fingerprint(b):
            return True
        if not by_text:
            return False
        if front_or_certificate:
            return True
        return _text_and_images(a, skip_ocr) == _text_and_images(b, skip_ocr)
    except Exception:  # a page we cannot read is not the same as one we can
        return False


def page_fingerprint(page: Any) -> str:
    """SHA-256 over a page's decoded content streams and its XObjects' stored bytes."""
    digest = hashlib.sha256()
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
    for part in parts:
        stream = part.get_object() if part is not None else None
        if isinstance(stream, StreamObject):
            digest.update(stream.get_data())
            digest.update(b"\x00")
    for name, stream in _xobjects(page.get("/Resources"), depth=0):
        digest.update(name.encode("latin-1", "replace") + b"\x00")
        digest.update(stream._data if isinstance(stream._data, bytes) else b"")
        digest.update(b"\x00")
    return digest.hexdigest()


def _xobjects(resources: Any, depth: int) -> Iterator[tuple[str, StreamObject]]:
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject) or depth > 4:
        return
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject):
        return
    for name in sorted(xobjects):
        stream = xobjects[name].get_object()
        if isinstance(stream, StreamObject):
            yield name, stream
            if stream.get("/Subtype") == "/Form":
                yield from _xobjects(stream.get("/Resources"), depth + 1)


def _text_and_images(
    page: Any, skip_ocr: bool = False
) -> tuple[str, tuple[tuple[int, int], ...]]:
    text = " ".join(_without_text_layer(page, skip_ocr).extract_text().split())
    sizes = tuple(
        (int(stream.get("/Width", 0)), int(stream.get("/Height", 0)))
        for _name, stream in _xobjects(page.get("/Resources"), depth=0)
        if stream.get("/Subtype") == "/Image"
    )
    return text, sizes


_LAYER_CALL = re.compile(rb"\Aq [-0-9. ]+ cm /BundlerOCR\d+ Do Q\n\Z")


def _without_text_layer(page: Any, skip: bool) -> Any:
    """The page, or with ``skip`` a copy that does not draw its OCR text layer (the stream
    right after the shared prefix that only calls a /BundlerOCR form; see assemble)."""
    if not skip:
        return page
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if not isinstance(contents, ArrayObject) or len(contents) < 3:
        return page
    call = contents[1].get_object()
    if not isinstance(call, StreamObject) or not _LAYER_CALL.match(call.get_data()):
        return page
    copy = PageObject(page.pdf, page.indirect_reference)
    copy.update(page)
    copy[NameObject("/Contents")] = ArrayObject([contents[0], *contents[2:]])
    return copy


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Hold back the rebuild's warnings (duplicates, repairs): the build already gave them."""
    target = logging.getLogger(name)

    def drop(_record: logging.LogRecord) -> bool:
        return False

    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)


# --------------------------------------------------------------------------- audit


def _record(report: VerifyReport, pdf: Path, sources: Path | None, enabled: bool) -> None:
    """Append ``bundle_verified`` to the case's audit log, when the bundle belongs to a case."""
    if not enabled:
        return
    case_dir = case_folder(pdf, sources)
    if case_dir is None:
        return
    from bundler.audit import AuditAction, record

    details = {
        "result": "verified" if report.ok else "not verified",
        "checks_failed": str(len(report.failed)),
        "sources_given": "yes" if sources is not None else "no",
    }
    if report.reference:
        details["reference"] = report.reference[:200]
    try:
        record(case_dir, AuditAction.BUNDLE_VERIFIED, inputs=[pdf], details=details)
    except BundlerError as exc:
        logger.warning("%s: the verification could not be recorded in the audit log (%s)",
                       case_dir, exc.message)
    except ValueError:  # details the log refuses (e.g. an odd reference): record without them
        logger.warning("%s: the verification could not be recorded in the audit log",
                       case_dir)


def case_folder(pdf: Path, sources: Path | None) -> Path | None:
    """The case folder the bundle was built from or lies in, if it keeps an audit log."""
    from bundler.audit import LOG_NAME

    candidates = [sources] if sources is not None else []
    folder = pdf.resolve().parent
    candidates += [folder, folder.parent]
    for candidate in candidates:
        if (candidate / LOG_NAME).is_file():
            return candidate
    return None
