"""The words on each page of a PDF, and where they are (user space of the page).

Two readers:

* ``pdftotext -bbox-layout`` (poppler-utils) for text a PDF carries: what a recipient's
  viewer searches and copies, form fields' values included. It is run over the media box,
  not the crop box, so text hidden outside the visible area is found (and removed) too.
* ``tesseract`` word boxes (TSV) for pages that are pictures (scans, photographs): the page
  is rendered as displayed at 300 dpi grey, as ``--ocr`` does (see ``bundler.bundle.ocr``).

Boxes are returned in the page's own user space (PDF points, y up, before /Rotate), which
the content stream, the page images and the crop box all share.
"""

from __future__ import annotations

import html
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bundler.bundle.stamp import Matrix, PageGeometry, apply, page_geometry
from bundler.errors import ConversionFailed, MissingTool

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 <= x1, y0 <= y1
TEXT_TIMEOUT = 300.0  # seconds for pdftotext on one document
_POPPLER_HINT = "Install it (Debian: sudo apt-get install poppler-utils)."


@dataclass(frozen=True)
class Word:
    """One word on a page: its text, its box in user space and the line it belongs to."""

    text: str
    box: Rect
    line: int  # words of one line share this number (boxes of one line are merged)
    ocr: bool = False  # read by OCR (matched with a little tolerance)


def display_geometry(page: Any, *, visible: bool) -> PageGeometry:
    """The page as displayed: its crop box (``visible``) or its whole media box."""
    media = tuple(float(v) for v in page.mediabox)
    crop_raw = page.get("/CropBox") if visible else None
    crop = tuple(float(v) for v in crop_raw.get_object()) if crop_raw is not None else None
    rotate = int(page.get("/Rotate", 0) or 0)
    return page_geometry(media, crop, rotate)  # type: ignore[arg-type]


def from_display(geometry: PageGeometry, left: float, top: float, right: float,
                 bottom: float) -> Rect:
    """A box measured from the displayed page's top-left corner (y down), in user space."""
    return transform_box(geometry.display_to_user,
                         (left, geometry.height - bottom, right, geometry.height - top))


def transform_box(matrix: Matrix, box: Rect) -> Rect:
    x0, y0, x1, y1 = box
    corners = [apply(matrix, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def text_words(pdf: Path, pages: Sequence[Any], where: str) -> list[list[Word]]:
    """The words poppler extracts from each page of ``pdf`` (``pages``: its pypdf pages)."""
    import shutil

    program = shutil.which("pdftotext")
    if program is None:
        raise MissingTool("redaction needs pdftotext, which is not installed (Debian package "
                          "poppler-utils)", _POPPLER_HINT)
    try:
        done = subprocess.run(
            [program, "-bbox-layout", "-enc", "UTF-8", "-q", str(pdf), "-"],
            capture_output=True, timeout=TEXT_TIMEOUT, check=False, stdin=subprocess.DEVNULL,
            env=_environment())
    except subprocess.TimeoutExpired:
        raise ConversionFailed(f"{where}: reading its text for redaction took longer than "
                               f"{TEXT_TIMEOUT:g} seconds and was stopped",
                               "Split the document into smaller files.") from None
    if done.returncode != 0:
        raise ConversionFailed(f"{where}: its text could not be read for redaction",
                               "Replace the file with a good copy from the sender.")
    return _parse_layout(done.stdout, pages)


def _environment() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["LC_ALL"] = "C"
    return env


def _parse_layout(xhtml: bytes, pages: Sequence[Any]) -> list[list[Word]]:
    found: list[list[Word]] = []
    line = 0
    geometry: PageGeometry | None = None
    for event, element in ElementTree.iterparse(_without_doctype(xhtml), events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "page":
            index = len(found)
            found.append([])
            geometry = (display_geometry(pages[index], visible=False) if index < len(pages)
                        else None)
        elif event == "end" and tag == "line":
            line += 1
            element.clear()
        elif event == "end" and tag == "word" and geometry is not None:
            text = html.unescape(element.text or "").strip()
            if text:
                box = from_display(geometry, *(float(element.get(k, "0")) for k in
                                               ("xMin", "yMin", "xMax", "yMax")))
                found[-1].append(Word(text, box, line))
    while len(found) < len(pages):
        found.append([])
    return found[: len(pages)]


def _without_doctype(xhtml: bytes) -> Any:
    """The XHTML poppler writes, minus its DOCTYPE (never resolved), as a readable stream."""
    import io

    start = xhtml.find(b"<html")
    return io.BytesIO(xhtml[start:] if start >= 0 else xhtml)


def ocr_words(tsv: str, geometry: PageGeometry, dpi: int) -> list[Word]:
    """Words from tesseract's TSV for a page rendered as displayed (crop box) at ``dpi``."""
    words: list[Word] = []
    scale = 72.0 / dpi
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text = cells[11].strip()
        try:
            left, top, width, height = (float(v) for v in cells[6:10])
            block, paragraph, line = (int(v) for v in cells[1:4])
        except ValueError:
            continue
        if not text:
            continue
        box = from_display(geometry, left * scale, top * scale, (left + width) * scale,
                           (top + height) * scale)
        words.append(Word(text, box, block * 1_000_000 + paragraph * 1_000 + line, ocr=True))
    return words
