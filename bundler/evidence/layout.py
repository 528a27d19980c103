"""Shared page drawing for generated pages: A4 canvases, wrapping, flowing text.

Everything is drawn with reportlab in invariant mode (no creation date, no
random document ID), in DejaVu Sans so any Latin, Greek or Cyrillic name
prints correctly.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from bundler.evidence.fonts import register_fonts

logger = logging.getLogger(__name__)

PORTRAIT: tuple[float, float] = (float(A4[0]), float(A4[1]))
LANDSCAPE: tuple[float, float] = (float(landscape(A4)[0]), float(landscape(A4)[1]))
MARGIN = 15 * 72 / 25.4  # 15 mm
BOTTOM_MARGIN = 22 * 72 / 25.4  # room for the bundle's stamp under the content
TAB_WIDTH = 4


def new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float] = PORTRAIT) -> Canvas:
    """A canvas whose output depends only on what is drawn on it."""
    regular, _ = register_fonts()
    # initialFontName: otherwise every page names Helvetica, a font we never embed.
    canvas = Canvas(
        buffer,
        pagesize=pagesize,
        invariant=1,
        pageCompression=1,
        initialFontName=regular,
        initialFontSize=10,
    )
    canvas.setCreator("supported-housing-bundler")
    canvas.setProducer("supported-housing-bundler (ReportLab)")
    return canvas


def printable(text: str) -> str:
    """Text with tabs expanded and control characters (other than newlines) removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(TAB_WIDTH)
    return "".join(
        ch
        for ch in text
        if ch == "\n"
        or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
        or ch in {"\u200d", "\u00ad"}
    )


def wrap_line(line: str, font: str, size: float, width: float) -> list[str]:
    """Break one line into pieces no wider than ``width``.

    Words longer than a line (URLs, reference numbers) are broken between
    characters. Continuation lines hang under the text of an indented or
    bulleted line ("  - like this"), so lists stay readable.
    """
    if stringWidth(line, font, size) <= width:
        return [line]
    hang = _hanging_indent(line, font, size, width)
    pieces: list[str] = []
    limit = width

    def emit(text: str) -> None:
        nonlocal limit
        pieces.append((hang if pieces else "") + text)
        limit = width - stringWidth(hang, font, size)

    current = ""
    for word in _words(line):
        candidate = current + word
        if stringWidth(candidate, font, size) <= limit:
            current = candidate
            continue
        if current.strip():
            emit(current.rstrip())
            word = word.lstrip()
        start = 0  # (an offset, not slices: a "word" may be megabytes of one log line)
        cut = 0
        while True:
            cut = _longest_prefix(word, font, size, limit, start, guess=cut)
            if start + cut >= len(word):
                break
            emit(word[start : start + cut])
            start += cut
        current = word[start:]
    if current.strip() or not pieces:
        emit(current.rstrip())
    return pieces


_HANG = re.compile(r"[ ]*(?:(?:[-*•·>]|\(?(?:\d{1,3}|[A-Za-z])[.)])[ ]+)?")


def _hanging_indent(line: str, font: str, size: float, width: float) -> str:
    """Spaces as wide as the line's indent and bullet (none if that is over half the line)."""
    prefix = _HANG.match(line)
    if prefix is None or not prefix.group(0):
        return ""
    space = stringWidth(" ", font, size)
    count = round(stringWidth(prefix.group(0), font, size) / space) if space else 0
    hang = " " * count
    return hang if stringWidth(hang, font, size) <= width / 2 else ""


REPLACEMENT = "\ufffd"


def covered(text: str, font: str) -> tuple[str, int]:
    """``text`` with every character the font has no glyph for replaced by U+FFFD,
    and how many were replaced.

    DejaVu covers Latin, Greek, Cyrillic and more, but not Chinese, Japanese,
    Korean or emoji; without this they would vanish from the page silently.
    """
    from reportlab.pdfbase.pdfmetrics import getFont

    glyphs = getattr(getattr(getFont(font), "face", None), "charToGlyph", None)
    if not glyphs:
        return text, 0
    missing = 0
    out: list[str] = []
    for ch in text:
        if ch == "\n" or ord(ch) in glyphs:
            out.append(ch)
        else:
            out.append(REPLACEMENT)
            missing += 1
    return "".join(out), missing


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for line in printable(text).split("\n"):
        lines.extend(wrap_line(line, font, size, width))
    return lines


_WORD = re.compile(r"\s*\S[^ ]*|\s+$")


def _words(line: str) -> Iterable[str]:
    """Split keeping each word's leading spaces with it: a word runs on to the first space
    after its first visible character (trailing spaces make a last word of their own)."""
    return _WORD.findall(line)


def _longest_prefix(
    word: str, font: str, size: float, width: float, start: int = 0, guess: int = 0
) -> int:
    """How many characters of ``word`` from ``start`` fit in ``width`` (at least one).

    ``guess`` (the answer for the piece before) is tried first; otherwise the search
    doubles a window until it no longer fits. Either way a very long word costs a few
    measurements of about a line's length per line, never of the whole word.
    """
    rest = len(word) - start
    if 0 < guess < rest and (
        stringWidth(word[start : start + guess], font, size) <= width
        < stringWidth(word[start : start + guess + 1], font, size)
    ):
        return guess
    high = min(rest, 64)
    while high < rest and stringWidth(word[start : start + high], font, size) <= width:
        high = min(rest, high * 2)
    low = 1
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(word[start : start + middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return max(low, 1)


PAGE_BUDGET = 500
"""The most pages one document's text may fill (a text file, an e-mail's text, a text
attachment): a 19 MB attachment would otherwise become 15,000 pages. The text is cut at
the budget with a note on its last page saying where, and a warning (``long_text``)."""
_NOTE_LINES = 6  # room kept at the foot of the last page for the note saying the text is cut
_MAX_LINES_PER_PAGE = 70  # more than a page ever holds: bounds the text looked at
_MAX_CHARS_PER_PAGE = 14_000


class _PagesFull(Exception):
    """The page budget of ``long_text`` is used up."""


class TextFlow:
    """Writes wrapped lines down A4 portrait pages, starting new pages as needed."""

    def __init__(
        self, canvas: Canvas, *, size: float = 10, leading: float = 13, body_font: str | None = None
    ) -> None:
        self.regular, self.bold = register_fonts()
        self.body_font = body_font or self.regular
        self.canvas = canvas
        self.size = size
        self.leading = leading
        self.width = PORTRAIT[0] - 2 * MARGIN
        self.pages = 0
        self.missing = 0  # characters the fonts could not show (drawn as U+FFFD)
        self._y = 0.0
        self._last_page: int | None = None  # while ``long_text`` has a page budget
        self._new_page(first=True)

    def _new_page(self, first: bool = False) -> None:
        if not first:
            self.canvas.showPage()
        self.pages += 1
        self._y = PORTRAIT[1] - MARGIN - self.size

    def _room(self, lines: int = 1) -> None:
        last = self._last_page is not None and self.pages >= self._last_page
        bottom = BOTTOM_MARGIN + (_NOTE_LINES * self.leading if last else 0.0)
        if self._y - (lines - 1) * self.leading < bottom:
            if last:
                raise _PagesFull
            self._new_page()

    def paragraph(
        self, text: str, *, bold: bool = False, size: float | None = None, body: bool = False
    ) -> None:
        font = self.bold if bold else (self.body_font if body else self.regular)
        size = size or self.size
        text, missing = covered(printable(text), font)
        self.missing += missing
        for line in wrap_text(text, font, size, self.width):
            self._room()
            self.canvas.setFont(font, size)
            self.canvas.drawString(MARGIN, self._y, line)
            self._y -= max(self.leading, size * 1.3)

    def field(self, label: str, value: str) -> None:
        """``Label: value`` with a bold label and the value wrapped under its column."""
        indent = 70.0
        value, missing = covered(printable(value), self.regular)
        self.missing += missing
        lines = wrap_text(value, self.regular, self.size, self.width - indent) or [""]
        for number, line in enumerate(lines):
            self._room()
            if number == 0:
                self.canvas.setFont(self.bold, self.size)
                self.canvas.drawString(MARGIN, self._y, label)
            self.canvas.setFont(self.regular, self.size)
            self.canvas.drawString(MARGIN + indent, self._y, line)
            self._y -= self.leading

    def long_text(self, text: str, *, source: str, what: str, pages: int = PAGE_BUDGET) -> None:
        """``text`` as the body, on at most ``pages`` more pages: cut where they run out.

        Only as much of the text as the pages can hold is ever wrapped, so a text of any
        length costs no more than that many pages of work. When it is cut, the last page
        says from which line on (and how much) is not shown, and a warning names
        ``source``: never silently. ``what`` names the text in both ("the message's text").
        """
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        shown = 0
        lines_left = pages * _MAX_LINES_PER_PAGE
        chars_left = pages * _MAX_CHARS_PER_PAGE
        self._last_page = self.pages + pages - 1
        try:
            for line in lines:
                if shown >= lines_left or chars_left <= 0:  # more than any pages could hold
                    raise _PagesFull
                self.paragraph(line[:chars_left], body=True)
                if len(line) > chars_left:
                    raise _PagesFull
                chars_left -= len(line) + 1
                shown += 1
            return
        except _PagesFull:
            pass
        finally:
            self._last_page = None  # (the note goes in the room kept for it)
        rest = len("\n".join(lines[shown:]).encode("utf-8"))
        whole = len(text.encode("utf-8"))
        self.space()
        self.paragraph(
            f"[{what[:1].upper()}{what[1:]} is cut here: a bundle shows at most {pages:,} "
            f"pages of one document's text. The rest, from line {shown + 1:,} of "
            f"{len(lines):,} ({_size(rest)} of {_size(whole)}), is not shown; it is in the "
            "original file, whose SHA-256 the bundle's certificate lists.]",
            bold=True,
        )
        logger.warning(
            "%s: %s is longer than %s pages; only the first %s are included (the rest, from "
            "line %s of %s, is not), and the last page says so",
            source, what, f"{pages:,}", f"{pages:,}", f"{shown + 1:,}", f"{len(lines):,}",
        )

    def space(self, amount: float | None = None) -> None:
        self._y -= self.leading if amount is None else amount

    def rule(self) -> None:
        self._room()
        y = self._y + self.leading * 0.5
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, y, PORTRAIT[0] - MARGIN, y)
        self._y -= self.leading * 0.5

    def finish(self) -> int:
        """Close the last page; returns the number of pages."""
        self.canvas.showPage()
        return self.pages


def _size(count: int) -> str:
    """Bytes as a reader says them: 18.2 MB, 640 KB, 900 bytes."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.0f} KB"
    return f"{count} bytes"
