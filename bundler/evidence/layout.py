"""Shared page drawing for generated pages: A4 canvases, wrapping, flowing text.

Everything is drawn with reportlab in invariant mode (no creation date, no
random document ID), in DejaVu Sans so any Latin, Greek or Cyrillic name
prints correctly.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from bundler.evidence.fonts import register_fonts

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
        current = ""
        while stringWidth(word, font, size) > limit:
            cut = _longest_prefix(word, font, size, limit)
            emit(word[:cut])
            word = word[cut:]
        current = word
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


def _words(line: str) -> Iterable[str]:
    """Split keeping each word's leading spaces with it."""
    word = ""
    for ch in line:
        if ch == " " and word.strip():
            yield word
            word = ""
        word += ch
    if word:
        yield word


def _longest_prefix(word: str, font: str, size: float, width: float) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(word[:middle], font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return max(low, 1)


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
        self._new_page(first=True)

    def _new_page(self, first: bool = False) -> None:
        if not first:
            self.canvas.showPage()
        self.pages += 1
        self._y = PORTRAIT[1] - MARGIN - self.size

    def _room(self, lines: int = 1) -> None:
        if self._y - (lines - 1) * self.leading < BOTTOM_MARGIN:
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
