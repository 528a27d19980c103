"""UTF-8 text notes -> wrapped A4 pages in DejaVu Sans.

``identify`` has already refused text that is not UTF-8 (see sniff.py for
why legacy Windows encodings are refused rather than guessed).
"""

from __future__ import annotations

import io
from pathlib import Path

from bundler.errors import BadInput
from bundler.evidence.layout import TextFlow, new_canvas
from bundler.evidence.model import Evidence


def read_utf8(evidence: Evidence) -> str:
    try:
        return evidence.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{evidence.source}: is text but not in UTF-8 (probably an older Windows encoding)",
            "Open it in Notepad, choose Save As with Encoding 'UTF-8', and list that copy.",
        ) from exc


def render_text(evidence: Evidence) -> bytes:
    """PDF bytes: the file's name as a heading, then its text, wrapped."""
    text = read_utf8(evidence)
    buffer = io.BytesIO()
    flow = TextFlow(new_canvas(buffer))
    flow.paragraph(Path(evidence.source).name, bold=True, size=11)
    flow.rule()
    flow.space(4)
    flow.paragraph(text.rstrip("\n"))
    flow.finish()
    flow.canvas.save()
    return buffer.getvalue()
