"""Pages the bundle makes itself, drawn with reportlab: the front matter (cover, index, the
findings and the evidence they rest on, the chronology) and the integrity certificate.

All are A4 portrait, in DejaVu Sans (names may be Latin, Greek or Cyrillic), and drawn in
reportlab's invariant mode so the same inputs give the same bytes. Each page carries its
bundle page label in bold at the bottom right, like the stamped evidence pages.

The front matter returns where each link was drawn (index entries, cited pages), so the
assembler can make each a link to its page, and where each of its parts starts, for the
index, the bookmarks and the cover. The cover names the pages of every part, so it is drawn
last, once the other parts' page counts are known.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bundler.bundle.plan import Plan, label_span
from bundler.bundle.stamp import BASELINE, LABEL_FONT, footer_layout

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
MARGIN = 56.0
BOTTOM = 48.0  # lowest baseline for body text (above the footer band)


@dataclass(frozen=True)
class IndexEntry:
    number: str  # "1" or "A1"
    title: str
    date: str  # the document's own date, "1 Mar 2026"; "undated"; or "" (received known)
    pages: str  # "5-12" / "A1-A9"
    sha256: str
    received: str = ""  # the date the council received it, "3 Mar 2026", or ""
    note: str = ""  # a line under the title: pages fitted onto A4


@dataclass(frozen=True)
class IndexSection:
    label: str
    title: str
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class LinkArea:
    """A rectangle on a front-matter page that links to a page of the bundle: a page of a
    document (an index entry: its first page; a citation: the cited page), or a page the
    bundle makes itself (``bundle_page``: a part of the front matter, the certificate)."""

    page: int  # 0-based page within the front matter
    rect: tuple[float, float, float, float]
    document: int | None = None  # 0-based document position in the bundle
    offset: int = 0  # 0-based page within that document
    bundle_page: int | None = None  # 0-based physical page, when not a document's
    # a document in another file of a set of volumes: (its file name, its 0-based page)
    remote: tuple[str, int] | None = None

    def target_page(self, plan: Plan) -> int:
        """The 0-based physical page the link lands on."""
        if self.document is None:
            assert self.bundle_page is not None
            return self.bundle_page
        doc = plan.documents[self.document]
        return doc.first_page - 1 + max(0, min(self.offset, doc.pages - 1))


@dataclass(frozen=True)
class Part:
    """A part of the bundle that is not a document (the index, the findings, the
    certificate): its title and pages, for the index, the bookmarks and the cover."""

    title: str
    first_page: int  # 0-based physical page
    first_label: str
    last_label: str

    @property
    def span(self) -> str:
        return label_span(self.first_label, self.last_label)


@dataclass(frozen=True)
class PageLink:
    """One range of cited pages as printed ("23\u201324"), and the page it links to."""

    text: str
    document: int  # 0-based document position in the bundle
    offset: int  # 0-based page within the document


@dataclass(frozen=True)
class Citation:
    """A document a finding or an event rests on, as the reader sees it: the bundle pages
    (each range a link), the document's number and title, and a quoted passage."""

    pages: tuple[PageLink, ...]  # empty when the document is not in this bundle
    document: str  # "doc 21  Support plan (R01)", or the file name when not in the bundle
    quote: str | None = None
    note: str | None = None  # "not in this bundle", "withheld from this edition"


@dataclass(frozen=True)
class TableRow:
    """One row of the findings table or the chronology: its first two columns' text (the
    first line of each in bold) and what it rests on."""

    first: tuple[str, ...]  # paragraphs; the first is drawn in bold
    second: tuple[str, ...]
    evidence: tuple[Citation, ...]


@dataclass(frozen=True)
class TableGroup:
    """Rows under a heading (a scheme's answers, the recommendations)."""

    heading: str | None
    columns: tuple[str, str, str]  # column headings
    rows: tuple[TableRow, ...]
    empty: str = ""  # printed when there are no rows


@dataclass(frozen=True)
class Table:
    """The findings table or the chronology: a titled page (or more) of groups."""

    title: str
    intro: str
    groups: tuple[TableGroup, ...]
    narrow_first: bool = False  # the chronology: a narrow date column, a wide event column
    bold_second: bool = True  # the second column's first paragraph in bold (an answer)


@dataclass(frozen=True)
class VolumeNote:
    """What a volume's cover says about the set it belongs to."""

    number: int
    count: int
    pages: str  # "1001-2000": the numbers this volume's pages carry
    index_file: str  # the file holding the index of every volume (volume 1)


@dataclass(frozen=True)
class SupplementNote:
    """What a supplementary bundle's cover and certificate say about the bundle it follows."""

    number: int  # supplementary bundle N
    earlier_file: str
    earlier_sha256: str
    earlier_manifest_sha256: str
    continues: str  # "after page 39" or "after A17, B3 in their sections"
    own_prefix: str  # "S1-": the supplement's own pages are S1-i, S1-ii...


@dataclass(frozen=True)
class Cover:
    reference: str
    title: str
    date: dt.date
    authority: str | None
    officer: str | None
    tool: str  # "supported-housing-bundler 0.1.0"
    documents: int
    total_pages: int
    supplement: SupplementNote | None = None
    audience: str | None = None  # who this edition is for, in words
    withheld: int = 0  # documents an edition replaces by a one-page placeholder
    volume: VolumeNote | None = None
    core_of: str | None = None  # a core bundle: its main bundle's file name


@dataclass(frozen=True)
class CertificateEntry:
    number: str
    pages: str
    source: str
    sha256: str


@dataclass(frozen=True)
class Certificate:
    reference: str
    title: str
    date: dt.date
    tool: str
    numbering: str
    bundle_name: str  # OUT.pdf's file name
    manifest_name: str
    manifest_sha256: str
    audit_head: str | None  # the case audit log's head hash; None when there is no log
    entries: tuple[CertificateEntry, ...]
    supplement: SupplementNote | None = None


def _fonts() -> tuple[str, str, str]:
    from bundler.evidence.fonts import MONO_NAME, find_font, register_fonts

    regular, bold = register_fonts()
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if MONO_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(MONO_NAME, str(find_font("DejaVuSansMono.ttf"))))
    return regular, bold, MONO_NAME


class _Unpainted:
    """A canvas that draws nothing: every drawing call is accepted and ignored. No call's
    result is used for the layout, so the pages break exactly where they would on paper."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return _ignore


def _ignore(*_args: object, **_kwargs: object) -> None:
    return None


_TICK_EVERY = 40  # strings drawn between ticks (about 3 ms)


class _Pages:
    """A reportlab canvas with a cursor, page breaks and footer labels; with ``draw`` False,
    only where the pages break (``measure``)."""

    def __init__(self, labels: Sequence[str], reference: str, title: str,
                 draw: bool = True, tick: Callable[[], None] | None = None) -> None:
        from reportlab.pdfgen import canvas

        self.buffer = io.BytesIO()
        self.canvas: Any = canvas.Canvas(
            self.buffer, pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=1
        ) if draw else _Unpainted()
        self.canvas.setTitle(title)
        self.canvas.setAuthor("")
        self.canvas.setCreator("")
        self.canvas.setProducer("")
        self.labels = list(labels)
        self.reference = reference
        self.regular, self.bold, self.mono = _fonts()
        self.page = 0
        self.y = PAGE_H - MARGIN
        self.tick = tick  # called now and then while drawing (see ``Crew.pump``)
        self.drawn = 0

    def footer(self) -> None:
        """The page label in bold at the bottom right, the reference small beside it, as
        on the stamped evidence pages."""
        label = self.labels[self.page] if self.page < len(self.labels) else "?"
        layout = footer_layout(PAGE_W, label, self.reference)
        self.canvas.setFillColorRGB(0, 0, 0)
        self.canvas.setFont("Helvetica", layout.details_size)
        self.canvas.drawString(layout.details_x, BASELINE, self.reference)
        self.canvas.setFont(LABEL_FONT, layout.label_size)
        self.canvas.drawString(layout.label_x, BASELINE, label)

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_H - MARGIN

    def need(self, height: float) -> bool:
        """Start a new page unless ``height`` fits; True when a page was started."""
        if self.y - height < BOTTOM:
            self.new_page()
            return True
        return False

    def text(self, x: float, text: str, font: str, size: float) -> None:
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, self.y, text)
        self.drawn += 1
        if self.tick is not None and self.drawn % _TICK_EVERY == 0:
            self.tick()

    def finish(self) -> tuple[bytes, int]:
        """The PDF (nothing when not drawn) and its number of pages."""
        self.footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue(), self.page + 1


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    lines: list[str] = simpleSplit(text, font, size, width)
    return lines or [""]


_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")


def short_date(day: dt.date) -> str:
    """E.g. "3 Mar 2026": unambiguous in a narrow column, read the same on both sides of the
    Atlantic (unlike 03/03/2026)."""
    return f"{day.day} {_MONTHS_SHORT[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class FrontMatter:
    """The front matter as drawn: its bytes, pages, links and parts (index onwards)."""

    data: bytes
    pages: int
    links: list[LinkArea]
    parts: tuple[Part, ...]


def render_front_matter(
    cover: Cover,
    sections: Sequence[IndexSection],
    labels: Sequence[str],
    min_pages: int = 0,
    *,
    tables: Sequence[Table] = (),
    tail: Sequence[Part] = (),
    order_note: str | None = None,
    measure: bool = False,
    tick: Callable[[], None] | None = None,
) -> FrontMatter:
    """Cover, index, then each of ``tables`` (the findings table, the chronology).

    With ``measure``, nothing is drawn (``data`` is empty): the pages, links and parts are
    those drawing would give, at a fraction of the time (a layout tries page counts first).

    ``tail`` are the bundle's own pages after the documents (the redaction log, the
    certificate): listed in the index and on the cover. ``order_note`` says, under the
    index's heading, how documents are ordered within sections. ``min_pages``: pad with
    blank pages to this many (an edition whose redacted titles take fewer lines keeps the
    page numbers of its unedited twin). A later volume of a set has no index or tables
    (volume 1 holds the index of every volume): its front matter is its cover.
    """
    parts: tuple[Part, ...] = ()
    for _round in range(4):  # the index lists the parts' pages, which the index may move
        drawn = _render_front(cover, sections, labels, min_pages, tables, tail, order_note,
                              parts, measure, tick)
        if drawn.parts == parts:
            return drawn
        parts = drawn.parts
    return drawn


def _render_front(
    cover: Cover,
    sections: Sequence[IndexSection],
    labels: Sequence[str],
    min_pages: int,
    tables: Sequence[Table],
    tail: Sequence[Part],
    order_note: str | None,
    known: tuple[Part, ...],
    measure: bool = False,
    tick: Callable[[], None] | None = None,
) -> FrontMatter:
    pages = _Pages(labels, cover.reference, f"{cover.reference}: front matter",
                   draw=not measure, tick=tick)
    _draw_cover(pages, cover, (*known, *tail))
    starts: list[tuple[str, int]] = []
    links: list[LinkArea] = []
    if cover.volume is None or cover.volume.number == 1:
        pages.new_page()
        starts.append(("Index", pages.page))
        links = _draw_index(pages, sections, known[1:], tail, order_note)
        for table in tables:
            pages.new_page()
            starts.append((table.title, pages.page))
            links += _draw_table(pages, table)
    drawn = pages.page + 1  # the pages padding leaves blank belong to no part
    while pages.page + 1 < min_pages:
        pages.new_page()
        pages.text(MARGIN, "This page is intentionally blank.", pages.regular, 9)
    data, count = pages.finish()
    parts = []
    for position, (title, first) in enumerate(starts):
        last = starts[position + 1][1] - 1 if position + 1 < len(starts) else drawn - 1
        parts.append(Part(title, first, _label(labels, first), _label(labels, last)))
    return FrontMatter(data, count, links, tuple(parts))


def _label(labels: Sequence[str], page: int) -> str:
    return labels[page] if page < len(labels) else "?"


def _draw_cover(pages: _Pages, cover: Cover, parts: Sequence[Part]) -> None:
    c = pages.canvas
    pages.y = PAGE_H - 200
    for line in _wrap(cover.title, pages.bold, 22, PAGE_W - 2 * MARGIN):
        pages.text(MARGIN, line, pages.bold, 22)
        pages.y -= 28
    pages.y -= 10
    supplement = cover.supplement
    heading = (cover.reference if supplement is None else
               f"Supplementary bundle {supplement.number} to {cover.reference}")
    if cover.volume is not None:
        heading = f"{heading}: volume {cover.volume.number} of {cover.volume.count}"
    for line in _wrap(heading, pages.regular, 16, PAGE_W - 2 * MARGIN):
        pages.text(MARGIN, line, pages.regular, 16)
        pages.y -= 20
    pages.y -= 20
    documents = str(cover.documents)
    if cover.withheld:
        documents += (f", of which {cover.withheld} withheld from this edition (one page "
                      "each)")
    rows = [
        ("Prepared for", cover.audience or ""),
        ("Date of bundle", cover.date.isoformat()),
        ("Authority", cover.authority or ""),
        ("Officer", cover.officer or ""),
        ("Documents", documents),
        ("Pages", str(cover.total_pages)),
    ]
    if cover.volume is not None:
        rows += [("Volume", f"{cover.volume.number} of {cover.volume.count}, pages "
                            f"{cover.volume.pages}"),
                 ("Index", "the index of every volume follows this cover" if
                  cover.volume.number == 1 else f"the index of every volume is in "
                  f"{cover.volume.index_file}")]
    if cover.core_of is not None:
        rows += [("Core bundle of", f"{cover.core_of}: each document page prints its page "
                                    "number here, then its page there as (main N)")]
    if supplement is not None:
        rows += [
            ("Supplements", supplement.earlier_file),
            ("Its SHA-256", supplement.earlier_sha256),
            ("Its manifest", supplement.earlier_manifest_sha256),
            ("Pages continue", f"{supplement.continues} (no earlier page moves)"),
        ]
    for name, value in rows:
        if not value:
            continue
        pages.text(MARGIN, name, pages.bold, 11)
        if name in ("Its SHA-256", "Its manifest"):  # a hash: monospaced, on one line
            pages.text(MARGIN + 130, value, pages.mono, 8.5)
            pages.y -= 15
        else:
            for line in _wrap(value, pages.regular, 11, PAGE_W - 2 * MARGIN - 130):
                pages.text(MARGIN + 130, line, pages.regular, 11)
                pages.y -= 15
        pages.y -= 4
    notes = _cover_notes(cover, parts)
    lines = _wrap(notes, pages.regular, 9, PAGE_W - 2 * MARGIN)
    pages.y = min(pages.y - 12, 60 + 12 * len(lines))
    c.setFont(pages.regular, 9)
    for line in lines:
        c.drawString(MARGIN, pages.y, line)
        pages.y -= 12


_PART_WORDS = {  # how the cover names each part
    "Index": "the index",
    "Findings and the evidence they rest on": "the findings and the evidence they rest on",
    "Chronology": "the chronology",
    "Redaction log": "the redaction log",
    "Material withheld from the parties": "the list of material withheld from the parties",
}
CERTIFICATE_TITLE = "Integrity certificate"


def _cover_notes(cover: Cover, parts: Sequence[Part]) -> str:
    """What the cover says about the bundle: true of this bundle's own pages."""
    notes = ("Every page of this bundle carries its page number in bold at the bottom right. "
             "Each page of a document also carries, beside it, the bundle reference, the "
             "document number and the start of the SHA-256 hash of the file it came from.")
    places = []
    for part in parts:
        if part.title == CERTIFICATE_TITLE:
            continue
        words = _PART_WORDS.get(part.title, part.title.lower())
        places.append(f"{words} is on {_pages_words(part)}")
    certificate = next((part for part in parts if part.title == CERTIFICATE_TITLE), None)
    if places:
        notes += " " + _capitalised(_and_join(places)) + "."
    if certificate is not None:
        notes += (f" The integrity certificate, on {_pages_words(certificate)}, lists every "
                  "file's full hash and explains how to check the bundle.")
    notes += f" Made with {cover.tool}."
    supplement = cover.supplement
    if supplement is not None:
        prefix = supplement.own_prefix
        notes = (
            f"This supplementary bundle adds late documents to {supplement.earlier_file} "
            "(SHA-256 and manifest hash above) without moving any of its pages: its document "
            f"pages are numbered on {supplement.continues}, and its own cover, index and "
            f"certificate are numbered {prefix}i, {prefix}ii... so they cannot be mistaken for "
            "pages of the earlier bundle. " + notes
        )
    return notes


def _pages_words(part: Part) -> str:
    if part.first_label == part.last_label:
        return f"page {part.first_label}"
    return f"pages {part.span}"


def _and_join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return "; ".join(words[:-1]) + "; and " + words[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# Index columns (x positions)
_COL_NO = MARGIN
_COL_TITLE = MARGIN + 34
_COL_HASH = PAGE_W - MARGIN - 60
_COL_PAGES = _COL_HASH - 48
_COL_RECEIVED = _COL_PAGES - 60
_COL_DATE = _COL_RECEIVED - 60
_DATE_SIZE = 8.0
_ROW = 12.5
_TITLE_LINES = 2  # an index title wraps to two lines at most


def _index_header(pages: _Pages, continued: bool, received: bool) -> float:
    """Draw the index heading and column names; returns the x where titles must end."""
    pages.text(MARGIN, "Index" + (" (continued)" if continued else ""), pages.bold, 16)
    pages.y -= 24
    date_x = _COL_DATE if received else _COL_RECEIVED
    columns = [(_COL_NO, "No."), (_COL_TITLE, "Document"), (date_x, "Dated")]
    if received:
        columns.append((_COL_RECEIVED, "Received"))
    columns += [(_COL_PAGES, "Pages"), (_COL_HASH, "SHA-256")]
    for x, name in columns:
        pages.text(x, name, pages.bold, 9)
    pages.canvas.setLineWidth(0.5)
    pages.canvas.line(MARGIN, pages.y - 4, PAGE_W - MARGIN, pages.y - 4)
    pages.y -= 18
    return date_x - 8


def index_title_lines(title: str, font: str, size: float, width: float) -> list[str]:
    """A title wrapped to at most two lines, the second cut with an ellipsis if need be."""
    lines = _wrap(title, font, size, width)
    if len(lines) <= _TITLE_LINES:
        return lines
    from reportlab.pdfbase.pdfmetrics import stringWidth

    last = " ".join(lines[_TITLE_LINES - 1:])
    while last and stringWidth(last + "\u2026", font, size) > width:
        last = last[:-1]
    return [*lines[: _TITLE_LINES - 1], last.rstrip(" ,;:-") + "\u2026"]


def _draw_index(pages: _Pages, sections: Sequence[IndexSection], front: Sequence[Part],
                tail: Sequence[Part], order_note: str | None) -> list[LinkArea]:
    links: list[LinkArea] = []
    received = any(entry.received for section in sections for entry in section.entries)
    title_end = _index_header(pages, continued=False, received=received)
    date_x = _COL_DATE if received else _COL_RECEIVED
    if order_note:
        for line in _wrap(order_note, pages.regular, 8.5, PAGE_W - 2 * MARGIN):
            pages.text(MARGIN, line, pages.regular, 8.5)
            pages.y -= 11
        pages.y -= 4

    def part_row(part: Part) -> None:
        if pages.need(_ROW):
            _index_header(pages, continued=True, received=received)
        top = pages.y + 9
        pages.canvas.setFillColorRGB(0.05, 0.2, 0.55)
        pages.text(_COL_TITLE, part.title, pages.bold, 9)
        pages.canvas.setFillColorRGB(0, 0, 0)
        pages.text(_COL_PAGES, part.span, pages.regular, 9)
        pages.y -= _ROW
        links.append(LinkArea(pages.page, (MARGIN - 2, pages.y + _ROW - 3, PAGE_W - MARGIN + 2,
                                           top), bundle_page=part.first_page))

    for part in front:
        part_row(part)
    if front:
        pages.y -= 6
    position = 0
    for section in sections:
        heading = _wrap(f"{section.label}  {section.title}", pages.bold, 11, PAGE_W - 2 * MARGIN)
        if pages.need(len(heading) * 14 + 6 + _ROW):
            _index_header(pages, continued=True, received=received)
        pages.y -= 4
        for line in heading:
            pages.text(MARGIN, line, pages.bold, 11)
            pages.y -= 14
        pages.y -= 2
        for entry in section.entries:
            lines = index_title_lines(entry.title, pages.regular, 9, title_end - _COL_TITLE)
            notes = (_wrap(entry.note, pages.regular, 7.5, title_end - _COL_TITLE)
                     if entry.note else [])
            height = (len(lines) + len(notes)) * _ROW
            if pages.need(height):
                _index_header(pages, continued=True, received=received)
            top = pages.y + 9
            pages.text(_COL_NO, entry.number, pages.regular, 9)
            pages.text(date_x, entry.date, pages.regular, _DATE_SIZE)
            if received:
                pages.text(_COL_RECEIVED, entry.received, pages.regular, _DATE_SIZE)
            pages.text(_COL_PAGES, entry.pages, pages.regular, 9)
            pages.text(_COL_HASH, entry.sha256[:12], pages.mono, 8)
            pages.canvas.setFillColorRGB(0.05, 0.2, 0.55)
            for line in lines:
                pages.text(_COL_TITLE, line, pages.regular, 9)
                pages.y -= _ROW
            pages.canvas.setFillColorRGB(0.3, 0.3, 0.3)
            for line in notes:
                pages.text(_COL_TITLE, line, pages.regular, 7.5)
                pages.y -= _ROW
            pages.canvas.setFillColorRGB(0, 0, 0)
            bottom = pages.y + _ROW - 3
            links.append(LinkArea(pages.page, (MARGIN - 2, bottom, PAGE_W - MARGIN + 2, top),
                                  position))
            position += 1
        pages.y -= 6
    for part in tail:
        part_row(part)
    return links


def index_sections(
    sections: Sequence[tuple[str, str]],
    documents: Sequence[tuple[str, str, dt.date | None, str, str, str, str, str]],
    received: Sequence[dt.date | None] = (),
) -> list[IndexSection]:
    """Group (section, number, date, title, first_label, last_label, sha256, note) by
    section; ``received`` gives each document's date received, in the same order."""
    dates = list(received) or [None] * len(documents)
    out: list[IndexSection] = []
    for label, title in sections:
        entries = tuple(
            IndexEntry(number, doc_title, _dated(when, got), label_span(first, last), sha,
                       short_date(got) if got else "", note)
            for (section, number, when, doc_title, first, last, sha, note), got
            in zip(documents, dates, strict=True)
            if section == label
        )
        out.append(IndexSection(label, title, entries))
    return out


def _dated(when: dt.date | None, received: dt.date | None) -> str:
    if when is not None:
        return short_date(when)
    return "" if received is not None else "undated"


# --------------------------------------------------------------------------- tables

_LINE = 11.0  # line height in tables
_SIZE = 8.5
_LINK_BLUE = (0.05, 0.2, 0.55)


@dataclass(frozen=True)
class _Segment:
    text: str
    font: str
    colour: tuple[float, float, float] = (0, 0, 0)
    link: PageLink | None = None


_Line = tuple[float, tuple[_Segment, ...]]  # (indent, segments drawn left to right)


def _paragraph_lines(text: str, font: str, width: float, indent: float = 0,
                     colour: tuple[float, float, float] = (0, 0, 0)) -> list[_Line]:
    return [(indent, (_Segment(line, font, colour),))
            for line in _wrap(text, font, _SIZE, width - indent)]


def _citation_lines(pages: _Pages, citation: Citation, width: float) -> list[_Line]:
    """The cited page ranges in bold (each a link), then the document, then the quote."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    head: list[_Segment] = []
    for position, link in enumerate(citation.pages):
        if position:
            head.append(_Segment(", ", pages.bold, _LINK_BLUE))
        head.append(_Segment(link.text, pages.bold, _LINK_BLUE, link))
    if not head:
        head.append(_Segment(citation.note or "not in this bundle", pages.bold))
    head_w = sum(stringWidth(seg.text, seg.font, _SIZE) for seg in head) + 5
    lines: list[_Line] = []
    described = citation.document if not citation.pages or not citation.note else (
        f"{citation.document} ({citation.note})")
    first_width = max(40.0, width - head_w)
    words = _wrap(described, pages.regular, _SIZE, first_width)
    lines.append((0, (*head, _Segment("  " + words[0], pages.regular))))
    rest = " ".join(words[1:])
    if rest:
        lines += _paragraph_lines(rest, pages.regular, width, 10)
    if citation.quote:
        lines += _paragraph_lines(f"\u201c{citation.quote}\u201d", pages.regular, width, 10,
                                  (0.3, 0.3, 0.3))
    return lines


def _draw_table(pages: _Pages, table: Table) -> list[LinkArea]:
    """A titled table of groups, each row's three columns drawn line by line, so a row may
    run on to the next page; links for every cited page range."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    links: list[LinkArea] = []
    width = PAGE_W - 2 * MARGIN
    if table.narrow_first:
        widths = (62.0, 226.0, width - 62 - 226 - 16)
    else:
        widths = (180.0, 104.0, width - 180 - 104 - 16)
    xs = (MARGIN, MARGIN + widths[0] + 8, MARGIN + widths[0] + widths[1] + 16)

    def heading(continued: bool) -> None:
        pages.text(MARGIN, table.title + (" (continued)" if continued else ""), pages.bold, 16)
        pages.y -= 24

    def column_names(group: TableGroup) -> None:
        for x, name in zip(xs, group.columns, strict=True):
            pages.text(x, name, pages.bold, 9)
        pages.canvas.setLineWidth(0.5)
        pages.canvas.line(MARGIN, pages.y - 4, PAGE_W - MARGIN, pages.y - 4)
        pages.y -= 16

    heading(False)
    for line in _wrap(table.intro, pages.regular, 9, width):
        pages.text(MARGIN, line, pages.regular, 9)
        pages.y -= 12
    pages.y -= 6
    for group in table.groups:
        if pages.need(60):
            heading(True)
        if group.heading:
            for line in _wrap(group.heading, pages.bold, 11, width):
                pages.text(MARGIN, line, pages.bold, 11)
                pages.y -= 15
        column_names(group)
        if not group.rows and group.empty:
            for line in _wrap(group.empty, pages.regular, 9, width):
                pages.text(MARGIN, line, pages.regular, 9)
                pages.y -= 12
        for row in group.rows:
            columns: list[list[_Line]] = []
            for column, (texts, column_width) in enumerate(((row.first, widths[0]),
                                                            (row.second, widths[1]))):
                lines: list[_Line] = []
                for index, text in enumerate(texts):
                    bold = index == 0 and (column == 0 or table.bold_second)
                    font = pages.bold if bold else pages.regular
                    lines += _paragraph_lines(text, font, column_width)
                columns.append(lines)
            cited: list[_Line] = []
            for citation in row.evidence:
                cited += _citation_lines(pages, citation, widths[2])
            columns.append(cited)
            height = max(len(lines) for lines in columns)
            if pages.need(min(height, 4) * _LINE + 4):
                heading(True)
                column_names(group)
            for index in range(height):
                if pages.need(_LINE):  # the row runs on to the next page
                    heading(True)
                    column_names(group)
                for x, lines in zip(xs, columns, strict=True):
                    if index >= len(lines):
                        continue
                    indent, segments = lines[index]
                    cursor = x + indent
                    for segment in segments:
                        pages.canvas.setFillColorRGB(*segment.colour)
                        pages.text(cursor, segment.text, segment.font, _SIZE)
                        seg_w = stringWidth(segment.text, segment.font, _SIZE)
                        if segment.link is not None:
                            links.append(LinkArea(
                                pages.page, (cursor - 1, pages.y - 2.5, cursor + seg_w + 1,
                                             pages.y + _SIZE), segment.link.document,
                                segment.link.offset))
                        cursor += seg_w
                    pages.canvas.setFillColorRGB(0, 0, 0)
                pages.y -= _LINE
            pages.canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
            pages.canvas.setLineWidth(0.3)
            pages.canvas.line(MARGIN, pages.y + _LINE - 4, PAGE_W - MARGIN, pages.y + _LINE - 4)
            pages.canvas.setStrokeColorRGB(0, 0, 0)
            pages.y -= 5
        pages.y -= 8
    return links


def render_certificate(certificate: Certificate, labels: Sequence[str], *,
                       measure: bool = False, tick: Callable[[], None] | None = None,
                       ) -> tuple[bytes, int]:
    """The integrity certificate; returns (PDF bytes, page count). With ``measure``, only
    the page count (the bytes are empty); ``tick`` is called now and then while drawing."""
    pages = _Pages(labels, certificate.reference, f"{certificate.reference}: certificate",
                   draw=not measure, tick=tick)
    width = PAGE_W - 2 * MARGIN

    def heading(continued: bool) -> None:
        pages.text(MARGIN, "Integrity certificate" + (" (continued)" if continued else ""),
                   pages.bold, 16)
        pages.y -= 24

    def para(text: str, font: str, size: float, gap: float = 3) -> None:
        for line in _wrap(text, font, size, width):
            if pages.need(size + 4):
                heading(True)
            pages.text(MARGIN, line, font, size)
            pages.y -= size + gap

    heading(False)
    para(f"Bundle: {certificate.reference}, {certificate.title}", pages.regular, 9)
    para(f"Built {certificate.date.isoformat()} by {certificate.tool}, "
         f"{certificate.numbering} page numbering.", pages.regular, 9)
    supplement = certificate.supplement
    if supplement is not None:
        para(f"Supplementary bundle {supplement.number}: it adds documents to "
             f"{supplement.earlier_file} without moving any of its pages (numbers continue "
             f"{supplement.continues}). That bundle's SHA-256 and its manifest's "
             "SHA-256:", pages.regular, 9)
        para(supplement.earlier_sha256, pages.mono, 8.5)
        para(supplement.earlier_manifest_sha256, pages.mono, 8.5)
    para(f"Manifest ({certificate.manifest_name}, also attached inside this PDF as "
         "manifest.json), SHA-256:", pages.regular, 9)
    para(certificate.manifest_sha256, pages.mono, 8.5)
    para("Case audit log head (audit_head): "
         + (certificate.audit_head if certificate.audit_head else "none (no audit log)"),
         pages.regular, 9)
    pages.y -= 6
    para("Documents and the SHA-256 of each source file:", pages.bold, 10)
    for entry in certificate.entries:
        lines = _wrap(f"{entry.number}   pages {entry.pages}   {entry.source}", pages.regular,
                      8.5, width)
        if pages.need(len(lines) * 11 + 13):
            heading(True)
        for line in lines:
            pages.text(MARGIN, line, pages.regular, 8.5)
            pages.y -= 11
        pages.text(MARGIN + 12, entry.sha256, pages.mono, 8)
        pages.y -= 14
    pages.y -= 6
    para("How to verify this bundle", pages.bold, 10)
    steps = (
        f"1. With the toolkit: bundler bundle verify {certificate.bundle_name} --sources "
        "FOLDER (FOLDER holds the source files) checks every page's stamp, the manifest and "
        "every file's hash.",
        f"2. Without it: in the folder holding the bundle, sha256sum -c "
        f"{certificate.bundle_name}.sha256 must print OK (the bundle is unchanged).",
        f"3. sha256sum {certificate.manifest_name} must print the manifest hash above.",
        "4. sha256sum on each source file must print the hash listed above for it; the first "
        "12 characters are also stamped on each of its pages and printed in the index.",
    )
    for step in steps:
        para(step, pages.regular, 9)
    data, count = pages.finish()
    return data, count
