"""Redaction by re-rendering: the page becomes a picture with the boxes burnt in.

``pdftoppm`` (poppler-utils) draws the page as displayed (crop box, /Rotate, form fields
and other annotations) at ``DPI``; the pixels under each box are set to black; the new page
is that picture, one size with the page as displayed, with

* the words that were not redacted as invisible text where they were (render mode 3,
  DejaVu Sans stretched to each word's width), so the page still searches and copies, and
* each box drawn again as vector black with its reason code in white.

Nothing of the original page survives but its pixels outside the boxes: no text, font,
image, form or annotation. The cost is size and sharpness (see ``benchmarks/redact_bench.py``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bundler.bundle.stamp import PageGeometry, invert
from bundler.errors import ConversionFailed, MissingTool
from bundler.redact.strip import Box
from bundler.redact.words import Word, transform_box

DPI = 200
RENDER_TIMEOUT = 300.0
_PAD_PIXELS = 1


def render_page(pdf: Path, index: int, geometry: PageGeometry, boxes: Sequence[Box],
                words: Sequence[Word], where: str, workdir: Path) -> bytes:
    """A one-page PDF: page ``index`` of ``pdf`` as pixels with ``boxes`` burnt in."""
    picture = _render(pdf, index, where, workdir)
    from PIL import ImageDraw

    to_display = invert(geometry.display_to_user)
    scale_x = picture.width / geometry.width
    scale_y = picture.height / geometry.height
    draw = ImageDraw.Draw(picture)
    for box in boxes:
        x0, y0, x1, y1 = transform_box(to_display, box.rect)
        draw.rectangle((int(x0 * scale_x) - _PAD_PIXELS,
                        int((geometry.height - y1) * scale_y) - _PAD_PIXELS,
                        int(x1 * scale_x + 0.999) + _PAD_PIXELS,
                        int((geometry.height - y0) * scale_y + 0.999) + _PAD_PIXELS), fill=0)
    return _page_pdf(picture, geometry, boxes, words)


def _render(pdf: Path, index: int, where: str, workdir: Path) -> Any:
    from PIL import Image

    program = shutil.which("pdftoppm")
    if program is None:
        raise MissingTool("redaction needs pdftoppm, which is not installed (Debian package "
                          "poppler-utils)", "Install it (Debian: sudo apt-get install "
                          "poppler-utils).")
    stem = workdir / f"raster-{index:06d}"
    try:
        done = subprocess.run(
            [program, "-r", str(DPI), "-cropbox", "-f", str(index + 1), "-l",
             str(index + 1), "-singlefile", str(pdf), str(stem)],
            capture_output=True, timeout=RENDER_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ConversionFailed(f"{where}: page {index + 1} took longer than "
                               f"{RENDER_TIMEOUT:g} seconds to render for redaction",
                               "Split the document into smaller files.") from None
    image = stem.with_suffix(".ppm")
    if done.returncode != 0 or not image.is_file():
        raise ConversionFailed(f"{where}: page {index + 1} could not be rendered for redaction",
                               "Replace the file with a good copy from the sender.")
    with Image.open(image) as opened:
        picture = opened.convert("RGB")
    image.unlink()
    if _is_grey(picture):
        picture = picture.convert("L")
    return picture


def _is_grey(picture: Any) -> bool:
    from PIL import ImageChops

    red, green, blue = picture.split()
    return (ImageChops.difference(red, green).getbbox() is None
            and ImageChops.difference(green, blue).getbbox() is None)


def _page_pdf(picture: Any, geometry: PageGeometry, boxes: Sequence[Box],
              words: Sequence[Word]) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from bundler.evidence.fonts import register_fonts
    from bundler.evidence.layout import new_canvas

    regular, _bold = register_fonts()
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, pagesize=(geometry.width, geometry.height))
    canvas.drawImage(ImageReader(picture), 0, 0, geometry.width, geometry.height)
    to_display = invert(geometry.display_to_user)
    canvas.saveState()  # the invisible text mode stays with the words
    text = canvas.beginText()
    text.setTextRenderMode(3)
    for word in words:
        x0, y0, x1, y1 = transform_box(to_display, word.box)
        height = y1 - y0
        if height <= 0.5 or x1 - x0 <= 0.5 or x1 < 0 or y1 < 0 or \
                x0 > geometry.width or y0 > geometry.height:
            continue
        size = height * 0.85
        natural = stringWidth(word.text, regular, size)
        text.setFont(regular, size)
        text.setHorizScale(100.0 * (x1 - x0) / natural if natural > 0 else 100.0)
        text.setTextOrigin(x0, y0 + height * 0.2)
        text.textOut(word.text)
    canvas.drawText(text)
    canvas.restoreState()
    canvas.setFillGray(0)
    for box in boxes:
        x0, y0, x1, y1 = transform_box(to_display, box.rect)
        canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=0, fill=1)
    canvas.setFillGray(1)
    for box in boxes:
        x0, y0, x1, y1 = transform_box(to_display, box.rect)
        size = min(7.0, (y1 - y0) * 0.7)
        if size >= 3 and stringWidth(box.reason, "Helvetica-Bold", size) + 2 <= x1 - x0:
            canvas.setFont("Helvetica-Bold", size)
            canvas.drawString(x0 + 1.5, y0 + ((y1 - y0) - size * 0.7) / 2, box.reason)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
