"""Making one audience's edition of a bundle: redacting (or, for the tribunal, marking) each
document, the placeholders of withheld documents, the redaction log, the manifest's record,
and the final check that nothing marked can still be extracted.

What goes where is decided in ``audience``; this module carries it out for ``build``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bundler.bundle.audience import (
    PARTLY_MARKER,
    PARTY_MARKER,
    REDACTED_MARKER,
    Edition,
    describe,
)
from bundler.bundle.manifest import AudienceRecord, Manifest, RedactionRecord, WithheldRecord
from bundler.bundle.plan import Plan, label_span
from bundler.bundle.redactionlog import LogLine, LogPage, render_log, render_placeholder
from bundler.bundle.spec import BundleSpec, LoadedSpec
from bundler.errors import BadInput, ConversionFailed
from bundler.redact import Entry, Matcher, extractable, mark_pdf, redact_line, redact_pdf
from bundler.redact.terms import find_hits, tokens

CHECKED = ("no term or pattern this audience must not see can be extracted: page text, OCR "
           "layers, metadata, bookmarks, attachments, annotations and every object of the "
           "file were searched")


@dataclass(frozen=True)
class Item:
    """A document as the build converted it."""

    source: str  # the path as written
    pdf: Path
    password: str | None
    pages: int


@dataclass(frozen=True)
class Outcome:
    """What the edition did to one document."""

    pdf: Path | None = None  # the redacted or marked copy; None: unchanged (or withheld)
    entries: tuple[Entry, ...] = ()
    markers: tuple[tuple[int, str], ...] = ()  # (0-based page, footer note)
    textless: tuple[int, ...] = ()  # pages --ocr must read although they now show codes


def check_names(edition: Edition, spec: BundleSpec, sources: Sequence[str]) -> None:
    """Refuse an edited bundle whose reference or file names carry what it must hide."""
    if not edition.removes:
        return
    names = Matcher(terms=edition.titles.terms, keep=edition.titles.keep)
    if find_hits(spec.reference.split(), names):
        raise BadInput(f"the bundle reference {spec.reference!r} holds a name or term the "
                       f"{edition.audience} bundle must not show",
                       "Give the bundle a reference without it.")
    for source in sources:
        if find_hits(tokens(source.replace("/", " ")), names):
            raise BadInput(f"{_shown(source)}: the file's name holds a name or term the "
                           f"{edition.audience} bundle must not show (file names are listed "
                           "in the manifest and on the certificate)",
                           "Rename the file using the resident's reference (R01), never a "
                           "name, update the records, and build again.")


def _shown(source: str) -> str:
    """A file named in a message without what it must not show: its folder only."""
    folder = source.rsplit("/", 1)[0] if "/" in source else "."
    return f"a file in {folder}/"


def retitled(loaded: LoadedSpec, edition: Edition) -> LoadedSpec:
    """The spec with every title redacted ([TP] for a name) where the edition removes."""
    if not edition.removes:
        return loaded

    def clean(text: str) -> str:
        return redact_line(text, edition.titles)[0]

    spec = loaded.spec
    sections = [
        section.model_copy(update={
            "title": clean(section.title),
            "documents": [doc.model_copy(update={"title": clean(doc.title)})
                          for doc in section.documents]})
        for section in spec.sections
    ]
    return loaded.model_copy(update={"spec": spec.model_copy(update={
        "title": clean(spec.title), "sections": sections})})


def clean_outline(outline: Sequence[tuple[str, int]], edition: Edition) -> tuple[tuple[str, int],
                                                                                   ...]:
    """Bookmarks a conversion made (attachment names...), redacted like titles."""
    if not edition.removes:
        return tuple(outline)
    return tuple((redact_line(title, edition.titles)[0], page) for title, page in outline)


def apply(edition: Edition, items: Sequence[Item], workdir: Path,
          report: Callable[[str], None]) -> list[Outcome]:
    """Redact (edited) or mark (tribunal) each document the edition includes."""
    outcomes: list[Outcome] = []
    for position, (item, doc) in enumerate(zip(items, edition.documents, strict=True)):
        if doc.withheld is not None:
            outcomes.append(Outcome())
            continue
        if position % 10 == 0:
            report(f"preparing the {edition.audience} edition: document {position + 1} of "
                   f"{len(items)}")
        pdf, password = item.pdf, item.password
        entries: list[Entry] = []
        markers: dict[int, str] = {}
        textless: set[int] = set()
        done = redact_pdf(pdf, password, doc.rules, workdir, item.source, report)
        if done is not None:
            pdf, password = done.pdf, None
            entries.extend(done.entries)
            markers.update((entry.page - 1, REDACTED_MARKER) for entry in done.entries)
            textless.update(done.textless)
        if doc.parties_withheld:
            markers.update((page, PARTY_MARKER) for page in range(item.pages))
        elif edition.audience == "tribunal":
            marked = mark_pdf(pdf, password, doc.marks, workdir, item.source, report)
            if marked is not None:
                pdf = marked.pdf
                entries.extend(marked.entries)
                markers.update((entry.page - 1, PARTLY_MARKER) for entry in marked.entries)
                textless.update(marked.textless)
        outcomes.append(Outcome(pdf if pdf != item.pdf else None, tuple(entries),
                                tuple(sorted(markers.items())), tuple(sorted(textless))))
    return outcomes


def placeholder(edition: Edition, position: int, plan: Plan, title: str, workdir: Path) -> Path:
    """The one page standing in for withheld document ``position``."""
    doc = edition.documents[position]
    assert doc.withheld is not None
    planned = plan.documents[position]
    withheld = doc.withheld
    data = render_placeholder(
        number=str(planned.number), title=title, pages=planned.first_label,
        audience=describe(edition.audience), reason=withheld.reason,
        meaning=edition.reasons.get(withheld.reason, withheld.reason), why=withheld.why,
        basis=withheld.basis)
    path = workdir / f"placeholder-{position:06d}.pdf"
    path.write_bytes(data)
    return path


def log_lines(edition: Edition, outcomes: Sequence[Outcome], plan: Plan) -> list[LogLine]:
    lines: list[LogLine] = []
    for position, (doc, outcome) in enumerate(zip(edition.documents, outcomes, strict=True)):
        planned = plan.documents[position]
        if doc.withheld is not None:
            lines.append(LogLine(str(planned.number), planned.first_label,
                                 f"whole document withheld: {doc.withheld.why}",
                                 doc.withheld.reason, doc.withheld.basis or ""))
            continue
        if edition.unedited and doc.parties_withheld:
            lines.append(LogLine(str(planned.number),
                                 label_span(planned.first_label, planned.last_label),
                                 "whole document (the parties' bundles hold a placeholder)",
                                 "", doc.basis or ""))
            continue
        by_page: dict[int, list[Entry]] = {}
        for entry in outcome.entries:
            by_page.setdefault(entry.page, []).append(entry)
        for page, entries in sorted(by_page.items()):
            label = plan.labels[planned.first_page - 1 + page - 1]
            what = ", ".join(_counted(entry) for entry in entries)
            reasons = ", ".join(dict.fromkeys(entry.reason for entry in entries))
            lines.append(LogLine(str(planned.number), label, what, reasons, doc.basis or ""))
    return lines


def _counted(entry: Entry) -> str:
    how = {"annotation removed": " (in a comment or link, removed)",
           "page re-rendered": " (page re-rendered)"}.get(entry.method, "")
    return f"{_plural(entry.boxes, entry.kind.value)}{how}"


def _plural(count: int, kind: str) -> str:
    noun = kind if count == 1 else (f"{kind}es" if kind.endswith("ss") else f"{kind}s")
    return f"{count} {noun}"


def log_page(edition: Edition, lines: Sequence[LogLine], reference: str) -> LogPage:
    return LogPage(reference, describe(edition.audience), edition.unedited, tuple(lines),
                   tuple((code, edition.reasons.get(code, code)) for code in
                         _codes_used(lines)), edition.removes)


def _codes_used(lines: Sequence[LogLine]) -> list[str]:
    codes: list[str] = []
    for line in lines:
        for code in line.reason.split(", "):
            if code and code not in codes:
                codes.append(code)
    return sorted(codes)


def render(edition: Edition, lines: Sequence[LogLine], reference: str,
           labels: Sequence[str]) -> tuple[bytes, int]:
    return render_log(log_page(edition, lines, reference), labels)


def wants_log(edition: Edition, outcomes: Sequence[Outcome]) -> bool:
    """Edited bundles always carry their log (even "nothing removed"); the tribunal's only
    when the parties' bundles withhold something."""
    if not edition.unedited:
        return True
    return any(doc.parties_withheld or doc.withheld for doc in edition.documents) or any(
        outcome.entries for outcome in outcomes)


def record(edition: Edition, outcomes: Sequence[Outcome], plan: Plan,
           sources: Sequence[str], lines: Sequence[LogLine]) -> AudienceRecord:
    redactions: list[RedactionRecord] = []
    withheld: list[WithheldRecord] = []
    for position, (doc, outcome) in enumerate(zip(edition.documents, outcomes, strict=True)):
        planned = plan.documents[position]
        if doc.withheld is not None:
            withheld.append(WithheldRecord(
                document=planned.number, source=sources[position], pages=planned.first_label,
                reason=doc.withheld.reason, why=doc.withheld.why, basis=doc.withheld.basis))
            continue
        for entry in outcome.entries:
            redactions.append(RedactionRecord(
                document=planned.number, source=sources[position],
                page=plan.labels[planned.first_page - 1 + entry.page - 1],
                kind=entry.kind.value, reason=entry.reason, boxes=entry.boxes,
                method=entry.method, basis=doc.basis))
    codes = sorted({r.reason for r in redactions} | {w.reason for w in withheld}
                   | set(_codes_used(lines)))
    return AudienceRecord(
        audience=edition.audience,
        edition="unedited" if edition.unedited else "edited",
        rules=list(edition.rules),
        reasons={code: edition.reasons.get(code, code) for code in codes},
        redactions=redactions,
        withheld=withheld,
        parties_withheld=[plan.documents[i].number for i, doc in enumerate(edition.documents)
                          if edition.unedited and doc.parties_withheld],
        check=CHECKED if edition.removes else "nothing removed",
        log_pages=plan.log_pages,
    )


def page_matchers(edition: Edition, total_pages: int,
                  spans: Sequence[tuple[int, int]]) -> list[Matcher]:
    """Per page of the bundle: what its text must not hold (the document's own rules with
    the terms every page must not hold; the edition's own pages: everything). ``spans``:
    each document's first and last physical page, in bundle order."""
    pages = [edition.titles] * total_pages
    for doc, (first, last) in zip(edition.documents, spans, strict=True):
        if doc.withheld is not None:
            continue
        own = Matcher(terms=edition.titles.terms + doc.rules.matcher.terms,
                      patterns=doc.rules.matcher.patterns,
                      keep=edition.titles.keep + doc.rules.matcher.keep)
        for page in range(first - 1, min(last, total_pages)):
            pages[page] = own
    return pages


def check_extractable(edition: Edition, plan: Plan, pdf: Path, shown: Path) -> None:
    """Refuse the bundle if anything its audience must not see can still be extracted."""
    if not edition.removes:
        return
    spans = [(doc.first_page, doc.last_page) for doc in plan.documents]
    findings = extractable(pdf, edition.titles, page_matchers(edition, plan.total_pages, spans))
    if not findings:
        return
    places = "; ".join(finding.line() for finding in findings[:5])
    more = f"; and {len(findings) - 5} more" if len(findings) > 5 else ""
    raise ConversionFailed(
        f"{shown}: not written: what the {edition.audience} bundle must not show can still "
        f"be read at {places}{more}",
        "Add a redaction region over it (page and box) in the bundle spec, or leave the "
        "document out for this audience; if the page looks redacted, please report this.")


def summary(audience: AudienceRecord) -> list[str]:
    """One line per document left out or redacted (or, for the tribunal, marked), and why:
    what ``bundle build`` prints. Residents by reference, never the text removed."""
    lines: list[str] = []
    for left_out in audience.withheld:
        basis = f"; basis: {left_out.basis}" if left_out.basis else ""
        pages = "pages" if "–" in left_out.pages else "page"
        lines.append(f"left out: document {left_out.document} ({left_out.source}, {pages} "
                     f"{left_out.pages}): {left_out.reason}, {left_out.why}{basis}")
    by_document: dict[str, list[RedactionRecord]] = {}
    for record_ in audience.redactions:
        by_document.setdefault(f"{record_.document}\0{record_.source}", []).append(record_)
    verb = "marked" if audience.edition == "unedited" else "redacted"
    for key, records in by_document.items():
        number, source = key.split("\0")
        kinds: dict[str, int] = {}
        for item in records:
            kinds[item.kind] = kinds.get(item.kind, 0) + item.boxes
        what = ", ".join(_plural(count, kind) for kind, count in kinds.items())
        pages = ", ".join(dict.fromkeys(item.page for item in records))
        reasons = ", ".join(dict.fromkeys(item.reason for item in records))
        lines.append(f"{verb}: document {number} ({source}): {what} on page(s) {pages} "
                     f"({reasons})")
    for withheld in audience.parties_withheld:
        lines.append(f"marked: document {withheld}: not in the parties' bundles (rule 14)")
    return lines


def verify_pages(manifest: Manifest, page_text: Callable[[int], str]) -> tuple[bool, str]:
    """An edition's own pages are where its manifest says (``page_text(i)``: page i's text,
    0-based): every placeholder says its document is withheld, the log is titled."""
    audience = manifest.audience
    assert audience is not None
    by_number = {str(doc.number): doc for doc in manifest.documents}
    for item in audience.withheld:
        doc = by_number.get(str(item.document))
        if doc is None or doc.pages != 1:
            return False, f"the manifest has no one-page placeholder for document {item.document}"
        if "withheld from this bundle" not in " ".join(page_text(doc.first_page - 1).split()):
            return False, (f"page {doc.first_label} should be the placeholder of withheld "
                           f"document {item.document}, and is not")
    title = "Material withheld" if audience.edition == "unedited" else "Redaction log"
    if audience.log_pages:
        first = manifest.certificate_first_page - audience.log_pages
        if title not in page_text(first - 1):
            return False, f"the {title.lower()} is not on page log-1 as the manifest says"
    removed = sum(item.boxes for item in audience.redactions)
    what = "outlined" if audience.edition == "unedited" else "removed"
    return True, (f"{audience.edition} edition for {audience.audience}: {removed} passage(s) "
                  f"{what} on {len({(r.document, r.page) for r in audience.redactions})} "
                  f"page(s), {len(audience.withheld)} document(s) withheld (each on a one-page "
                  f"placeholder), log on {audience.log_pages} page(s)")


def verify_extractable(pdf: Path, manifest: Manifest, folder: Path) -> tuple[bool, str]:
    """With the sources at hand: nothing the audience must not see can be extracted."""
    from bundler.bundle.build import edition_for

    audience = manifest.audience
    assert audience is not None
    edition = edition_for(manifest, folder)
    if not edition.removes:
        return True, f"{audience.audience}: nothing removed, nothing to check"
    spans = [(doc.first_page, doc.last_page) for doc in manifest.documents]
    findings = extractable(pdf, edition.titles, page_matchers(edition, manifest.pages, spans))
    if findings:
        places = "; ".join(finding.line() for finding in findings[:5])
        return False, f"what {audience.audience} must not see can still be read at {places}"
    return True, (f"nothing {audience.audience} must not see can be extracted (page text, "
                  "OCR layers, metadata, bookmarks, attachments, annotations, every object)")
