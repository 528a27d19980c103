"""Turn identified evidence into PDF pages: one entry point, one converter per kind."""

from __future__ import annotations

from pathlib import Path

from bundler.errors import BadInput
from bundler.evidence.model import IMAGE_TYPES, OFFICE_TYPES, PDF, Evidence, Rendition
from bundler.evidence.pdfopen import open_pdf


def render_pdf(
    evidence: Evidence, *, workdir: Path, password: str | None = None, caption: str = ""
) -> Rendition:
    """Convert ``evidence`` to a PDF inside ``workdir`` (same input -> same bytes).

    PDFs are checked and returned as they are; everything else is converted
    locally into a new file in ``workdir`` whose name is derived from the
    content hash, so conversions of different files never collide.
    """
    media = evidence.media_type
    if media == PDF:
        open_pdf(evidence.path, source=evidence.source, password=password)
        return Rendition(pdf=evidence.path, password=password, converter="pdf")
    if media in IMAGE_TYPES or media in OFFICE_TYPES:
        raise BadInput(f"{evidence.source}: conversion of {media} is not available yet")
    raise BadInput(f"{evidence.source}: conversion of {media} is not available yet")
