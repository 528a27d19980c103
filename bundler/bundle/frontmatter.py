"""Pages the bundle makes itself, drawn with reportlab: cover, index, integrity certificate.

All are A4 portrait, in DejaVu Sans (names may be Latin, Greek or Cyrillic), and drawn in
reportlab's invariant mode so the same inputs give the same bytes. Each page carries its
bundle page label in the footer band, like the stamped evidence pages.

The index returns where each entry was drawn, so the assembler can make every entry a link
to its document's first page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from bundler.bundle.plan import label_span
from bundler.bundle.stamp import BASELINE, FONT_SIZE

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
MARGIN = 56.0
BOTTOM = 48.0  # lowest baseline for body text (above the footer band)


@dataclass(frozen=True)
class IndexEntry:
    number: str  # "1" or "A1"
    title: str
    date: str  # "2026-03-01" or ""
    pages: str  # "5-12" / "A1-A9"
    sha256: str
    note: str = ""  # a line under the title: pages fitted onto A4


@dataclass(frozen=True)
class IndexSection:
    label: str
    title: str
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class LinkArea:
    """An index entry's rectangle on a front-matter page, to link to a document."""

    page: int  # 0-based page within the front matter
    rect: tuple[float, float, float, float]
    document: int  # 0-based document position in the bundle
    # a document in another file of a set of volumes: (its file name, its 0-based page)
    remote: tuple[str, int] | None = None


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


class _Pages:
    """A reportlab canvas with a cursor, page breaks and footer labels."""

    def __init__(self, labels: Sequence[str], reference: str, title: str) -> None:
        from reportlab.pdfgen import canvas

        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(
            self.buffer, pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=1
        )
        self.canvas.setTitle(title)
        self.canvas.setAuthor("")
        self.canvas.setCreator("")
        self.canvas.setProducer("")
        self.labels = list(labels)
        self.reference = reference
        self.regular, self.bold, self.mono = _fonts()
        self.page = 0
        self.y = PAGE_H - MARGIN

    def footer(self) -> None:
        label = self.labels[self.page] if self.page < len(self.labels) else "?"
        text = f"{label}  {self.reference}"
        self.canvas.setFont("Helvetica", FONT_SIZE)
        self.canvas.drawCentredString(PAGE_W / 2, BASELINE, text)

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

    def finish(self) -> tuple[bytes, int]:
        self.footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue(), self.page + 1


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    lines: list[str] = simpleSplit(text, font, size, width)
    return lines or [""]


def render_front_matter(
    cover: Cover, sections: Sequence[IndexSection], labels: Sequence[str], min_pages: int = 0
) -> tuple[bytes, int, list[LinkArea]]:
    """Cover then index; returns (PDF bytes, page count, link areas of index entries).

    ``min_pages``: pad with blank pages to this many (an edition whose redacted titles take
    fewer lines keeps the page numbers of its unedited twin). A later volume of a set has
    no index (volume 1 holds the index of every volume): its front matter is its cover.
    """
    pages = _Pages(labels, cover.reference, f"{cover.reference}: front matter")
    _draw_cover(pages, cover)
    links: list[LinkArea] = []
    if cover.volume is None or cover.volume.number == 1:
        pages.new_page()
        links = _draw_index(pages, sections)
    while pages.page + 1 < min_pages:
        pages.new_page()
        pages.text(MARGIN, "This page is intentionally blank.", pages.regular, 9)
    data, count = pages.finish()
    return data, count, links


def _draw_cover(pages: _Pages, cover: Cover) -> None:
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
    rows = [
        ("Prepared for", cover.audience or ""),
        ("Date of bundle", cover.date.isoformat()),
        ("Authority", cover.authority or ""),
        ("Officer", cover.officer or ""),
        ("Documents", str(cover.documents)),
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
    pages.y = 120
    c.setFont(pages.regular, 9)
    notes = (
        "Every page of this bundle carries its page number, the bundle reference, the document "
        "number and the start of the SHA-256 hash of the file it came from. The index follows; "
        "the integrity certificate on the last page lists every file's full hash and explains "
        f"how to check the bundle. Made with {cover.tool}."
    )
    if supplement is not None:
        prefix = supplement.own_prefix
        notes = (
            f"This supplementary bundle adds late documents to {supplement.earlier_file} "
            "(SHA-256 and manifest hash above) without moving any of its pages: its document "
            f"pages are numbered on {supplement.continues}, and its own cover, index and "
            f"certificate are numbered {prefix}i, {prefix}ii... so they cannot be mistaken for "
            "pages of the earlier bundle. " + notes
        )
    for line in _wrap(notes, pages.regular, 9, PAGE_W - 2 * MARGIN):
        c.drawString(MARGIN, pages.y, line)
        pages.y -= 12


# Index columns (x positions)
_COL_NO = MARGIN
_COL_TITLE = MARGIN + 34
_COL_DATE = PAGE_W - MARGIN - 205
_COL_PAGES = PAGE_W - MARGIN - 140
_COL_HASH = PAGE_W - MARGIN - 70
_TITLE_W = _COL_DATE - _COL_TITLE - 8
_ROW = 12.5


def _index_header(pages: _Pages, continued: bool) -> None:
    pages.text(MARGIN, "Index" + (" (continued)" if continued else ""), pages.bold, 16)
    pages.y -= 24
    for x, name in ((_COL_NO, "No."), (_COL_TITLE, "Document"), (_COL_DATE, "Date"),
                    (_COL_PAGES, "Pages"), (_COL_HASH, "SHA-256")):
        pages.text(x, name, pages.bold, 9)
    pages.canvas.setLineWidth(0.5)
    pages.canvas.line(MARGIN, pages.y - 4, PAGE_W - MARGIN, pages.y - 4)
    pages.y -= 18


def _draw_index(pages: _Pages, sections: Sequence[IndexSection]) -> list[LinkArea]:
    links: list[LinkArea] = []
    _index_header(pages, continued=False)
    position = 0
    for section in sections:
        heading = _wrap(f"{section.label}  {section.title}", pages.bold, 11, PAGE_W - 2 * MARGIN)
        if pages.need(len(heading) * 14 + 6 + _ROW):
            _index_header(pages, continued=True)
        pages.y -= 4
        for line in heading:
            pages.text(MARGIN, line, pages.bold, 11)
            pages.y -= 14
        pages.y -= 2
        for entry in section.entries:
            lines = _wrap(entry.title, pages.regular, 9, _TITLE_W)
            notes = _wrap(entry.note, pages.regular, 7.5, _TITLE_W) if entry.note else []
            height = (len(lines) + len(notes)) * _ROW
            if pages.need(height):
                _index_header(pages, continued=True)
            top = pages.y + 9
            pages.text(_COL_NO, entry.number, pages.regular, 9)
            pages.text(_COL_DATE, entry.date, pages.regular, 9)
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
    return links


def index_sections(
    sections: Sequence[tuple[str, str]],
    documents: Sequence[tuple[str, str, dt.date | None, str, str, str, str, str]],
) -> list[IndexSection]:
    """Group (section, number, date, title, first_label, last_label, sha256, note) by
    section."""
    out: list[IndexSection] = []
    for label, title in sections:
        entries = tuple(
            IndexEntry(number, doc_title, when.isoformat() if when else "",
                       label_span(first, last), sha, note)
            for section, number, when, doc_title, first, last, sha, note in documents
            if section == label
        )
        out.append(IndexSection(label, title, entries))
    return out


def render_certificate(certificate: Certificate, labels: Sequence[str]) -> tuple[bytes, int]:
    """The integrity certificate; returns (PDF bytes, page count)."""
    pages = _Pages(labels, certificate.reference, f"{certificate.reference}: certificate")
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
