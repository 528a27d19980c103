"""The pages an edition adds: a placeholder for each withheld document, and the redaction log.

The log lists, for each document, each page where something was removed: the kind of data,
the reason code and the legal basis where one was recorded, never the text removed. The
tribunal's unedited bundle carries the same list under the title "Material withheld from the
parties". Both are drawn like the front matter (A4, DejaVu Sans, reportlab's invariant mode).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from bundler.bundle.frontmatter import MARGIN, PAGE_H, PAGE_W, _Pages, _wrap


@dataclass(frozen=True)
class LogLine:
    """One line of the log: a page of a document (or a whole withheld document)."""

    document: str  # "12" or "C3"
    pages: str  # the page's label, or the withheld range
    what: str  # "2 names, 1 telephone number" / "whole document withheld"
    reason: str  # reason code(s), e.g. "TP"
    basis: str  # the legal basis recorded, or ""


@dataclass(frozen=True)
class LogPage:
    reference: str
    audience: str  # described in words
    unedited: bool  # the tribunal's list of what the parties' bundles withhold
    lines: tuple[LogLine, ...]
    reasons: tuple[tuple[str, str], ...]  # (code, meaning) of every code used
    removes: bool = False  # the edition removed something too (consent withholds it)


def render_placeholder(*, number: str, title: str, pages: str, audience: str, reason: str,
                       meaning: str, why: str, basis: str | None) -> bytes:
    """One A4 page standing in for a withheld document (the assembler stamps it)."""
    from reportlab.pdfgen import canvas

    from bundler.bundle.frontmatter import _fonts

    regular, bold, _mono = _fonts()
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=1)
    c.setAuthor("")
    c.setCreator("")
    c.setProducer("")
    y = PAGE_H - 160
    width = PAGE_W - 2 * MARGIN

    def para(text: str, font: str, size: float, gap: float = 6) -> None:
        nonlocal y
        for line in _wrap(text, font, size, width):
            c.setFont(font, size)
            c.drawString(MARGIN, y, line)
            y -= size + 4
        y -= gap

    para(f"Document {number}: withheld from this bundle", bold, 18, 10)
    para(title, regular, 12, 14)
    several = "–" in pages
    para(f"{'Pages' if several else 'Page'} {pages} of the unedited bundle "
         f"{'are' if several else 'is'} not in this bundle, which is for {audience}. This one "
         f"page stands in {'their' if several else 'its'} place, so every later page keeps its "
         "number.", regular, 11)
    para(f"Reason: {reason}, {meaning}. {why[:1].upper()}{why[1:]}.", regular, 11)
    if basis:
        para(f"Legal basis recorded: {basis}.", regular, 11)
    para("Every edition of this bundle that includes the document (the review team's always "
         "does) holds it on the same pages.", regular, 11)
    c.showPage()
    c.save()
    return buffer.getvalue()


def render_log(log: LogPage, labels: Sequence[str]) -> tuple[bytes, int]:
    """The redaction log; returns (PDF bytes, page count)."""
    title = "Material withheld from the parties" if log.unedited else "Redaction log"
    pages = _Pages(labels, log.reference, f"{log.reference}: {title.lower()}")
    width = PAGE_W - 2 * MARGIN

    def heading(continued: bool) -> None:
        pages.text(MARGIN, title + (" (continued)" if continued else ""), pages.bold, 16)
        pages.y -= 24

    def para(text: str, font: str, size: float, gap: float = 3) -> None:
        for line in _wrap(text, font, size, width):
            if pages.need(size + 4):
                heading(True)
            pages.text(MARGIN, line, font, size)
            pages.y -= size + gap

    heading(False)
    if log.unedited:
        para(f"This is the unedited bundle for {log.audience}. The parties' bundles do not "
             "show what is listed below: in this bundle each such passage is outlined in red "
             "with its reason code, and each page of a document the parties do not receive "
             "says so in its footer (First-tier Tribunal rule 14).", pages.regular, 9)
        if log.removes:
            para("What no one outside the review team may see (a resident's consent or a "
                 "recorded legal basis does not cover it) is removed here too: black boxes, "
                 "and documents withheld in full on one page keeping their numbers.",
                 pages.regular, 9)
    else:
        para(f"This bundle is for {log.audience}. What its reader must not see has been "
             "removed from the file, not covered: each black box marks where text or part of "
             "a picture was taken out, and carries a reason code. A document withheld in full "
             "is replaced by one page that keeps its page numbers. Nothing removed is shown "
             "here; the unedited bundle, for the tribunal, has the same page numbers.",
             pages.regular, 9)
    pages.y -= 4
    para("Reason codes", pages.bold, 10)
    for code, meaning in log.reasons:
        para(f"{code}   {meaning}", pages.regular, 9)
    pages.y -= 6
    columns = (MARGIN, MARGIN + 40, MARGIN + 100, MARGIN + 318, MARGIN + 368)
    what_width, basis_width = 210.0, width - 368

    def header() -> None:
        for x, name in zip(columns, ("Doc", "Pages", "What was removed", "Reason",
                                     "Legal basis"), strict=True):
            pages.text(x, name, pages.bold, 9)
        pages.canvas.setLineWidth(0.5)
        pages.canvas.line(MARGIN, pages.y - 4, PAGE_W - MARGIN, pages.y - 4)
        pages.y -= 16

    if pages.need(40):
        heading(True)
    header()
    if not log.lines:
        para("Nothing.", pages.regular, 9)
    for line in log.lines:
        what = _wrap(line.what, pages.regular, 8.5, what_width)
        basis = _wrap(line.basis, pages.regular, 8.5, basis_width) if line.basis else [""]
        height = max(len(what), len(basis)) * 11 + 3
        if pages.need(height):
            heading(True)
            header()
        top = pages.y
        pages.text(columns[0], line.document, pages.regular, 8.5)
        pages.text(columns[1], line.pages, pages.regular, 8.5)
        pages.text(columns[3], line.reason, pages.regular, 8.5)
        for text in what:
            pages.text(columns[2], text, pages.regular, 8.5)
            pages.y -= 11
        bottom = pages.y
        pages.y = top
        for text in basis:
            pages.text(columns[4], text, pages.regular, 8.5)
            pages.y -= 11
        pages.y = min(bottom, pages.y) - 3
    return pages.finish()
