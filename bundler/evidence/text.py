"""UTF-8 text notes -> wrapped A4 pages in DejaVu Sans.

``identify`` has already refused text that is not UTF-8 (see sniff.py for
why legacy Windows encodings are refused rather than guessed).
"""

from __future__ import annotations

import codecs
import io
import logging
from pathlib import Path

from bundler.errors import BadInput
from bundler.evidence.fonts import register_mono_font
from bundler.evidence.layout import PAGE_BUDGET, TextFlow, new_canvas
from bundler.evidence.model import Evidence

logger = logging.getLogger(__name__)


MAX_TEXT_BYTES = 32 * 1024 * 1024
"""The largest text file read (a 500-page cut of it is what a bundle shows; 19 MB of text
is about 15,000 pages). Larger ones are refused, so memory stays bounded."""


def read_text_bytes(path: Path, source: str) -> bytes:
    """The bytes of a text file, refusing one over ``MAX_TEXT_BYTES`` before reading it."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise BadInput(
            f"{source}: is {size / 1_000_000:.0f} MB of text, more than the "
            f"{MAX_TEXT_BYTES // (1024 * 1024)} MB a text file may be (a bundle shows at most "
            f"{PAGE_BUDGET} pages of it)",
            "Give the part of the text the bundle needs as a file of its own.",
        )
    return path.read_bytes()


def read_utf8(evidence: Evidence) -> str:
    try:
        return decode_text(read_text_bytes(evidence.path, evidence.source))
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{evidence.source}: is text but not in UTF-8 (probably an older Windows encoding)",
            "Open it in Notepad, choose Save As with Encoding 'UTF-8', and list that copy.",
        ) from exc


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16 announced by its byte-order
    mark (Notepad's "Unicode"): the only encodings that cannot be misread."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def render_text(evidence: Evidence) -> bytes:
    """PDF bytes: the file's name as a heading, then its text, wrapped (at most
    ``PAGE_BUDGET`` pages of it: a longer text is cut with a note saying where)."""
    text = read_utf8(evidence)
    buffer = io.BytesIO()
    flow = TextFlow(new_canvas(buffer), size=9.5, leading=12.5, body_font=register_mono_font())
    flow.paragraph(Path(evidence.source).name, bold=True, size=11)
    flow.rule()
    flow.space(4)
    flow.long_text(text.rstrip("\n"), source=evidence.source, what="the text")
    flow.finish()
    flow.canvas.save()
    warn_uncovered(evidence.source, flow.missing)
    return buffer.getvalue()


def warn_uncovered(source: str, missing: int) -> None:
    if missing:
        logger.warning(
            "%s: %d character%s cannot be shown in the PDF's font (Chinese, Japanese, Korean "
            "or emoji?) and appear as \ufffd; check the original",
            source,
            missing,
            "" if missing == 1 else "s",
        )
