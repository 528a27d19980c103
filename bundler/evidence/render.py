"""Turn identified evidence into PDF pages: one entry point, one converter per kind."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import NamedTuple

from pypdf import PdfReader

from bundler.errors import BadInput
from bundler.evidence.model import (
    IMAGE_TYPES,
    MAIL_TYPES,
    OFFICE_TYPES,
    PDF,
    TEXT,
    Evidence,
    Rendition,
)
from bundler.evidence.pdfopen import check_pdf
from bundler.fileio import write_bytes_atomic

logger = logging.getLogger(__name__)


def render_pdf(
    evidence: Evidence, *, workdir: Path, password: str | None = None, caption: str = ""
) -> Rendition:
    """Convert ``evidence`` to a PDF inside ``workdir`` (same input -> same bytes).

    PDFs are checked and returned as they are; everything else is converted
    locally into a new file in ``workdir`` whose name is derived from the
    content hash (and caption), so conversions never collide.
    """
    return render_checked(evidence, workdir=workdir, password=password, caption=caption).rendition


class Rendered(NamedTuple):
    """A rendition, and the reader that checked it (its pages counted, nothing else read)."""

    rendition: Rendition
    reader: PdfReader


def render_checked(
    evidence: Evidence, *, workdir: Path, password: str | None = None, caption: str = ""
) -> Rendered:
    """``render_pdf``, handing on the checked rendition's reader too, so the bundle
    assembler merges from it instead of parsing the file again."""
    media = evidence.media_type
    if media == PDF:
        checked = check_pdf(evidence.path, source=evidence.source, password=password)
        for warning in checked.warnings:
            logger.warning("%s", warning)
        needed = password if checked.reader.is_encrypted and password else None
        repaired = checked.repaired
        if repaired is not None:
            # The file itself cannot be reopened as it is (its end is missing): hand on
            # the same bytes with the end marked, which any PDF reader can open (the
            # reader read those very bytes).
            out = _output_path(workdir, evidence, "repaired", "")
            write_bytes_atomic(out, repaired)
            return Rendered(Rendition(pdf=out, password=needed, converter="pdf"), checked.reader)
        return Rendered(Rendition(pdf=evidence.path, password=needed, converter="pdf"),
                        checked.reader)
    if media in IMAGE_TYPES:
        from bundler.evidence.images import decoder_versions, render_image

        out = _output_path(workdir, evidence, "image", caption)
        write_bytes_atomic(out, render_image(evidence, caption))
        rendition = Rendition(
            pdf=out, password=None, converter="image", tool_versions=decoder_versions(evidence)
        )
        return _checked(rendition, evidence)
    if media == TEXT:
        from bundler.evidence.text import render_text

        out = _output_path(workdir, evidence, "text", "")
        write_bytes_atomic(out, render_text(evidence))
        return _checked(Rendition(pdf=out, password=None, converter="text"), evidence)
    if media in OFFICE_TYPES:
        from bundler.evidence.office import render_office

        return _checked(render_office(evidence, workdir), evidence)
    if media in MAIL_TYPES:
        from bundler.evidence.mail import render_email

        return _checked(render_email(evidence, workdir, caption), evidence)
    raise BadInput(f"{evidence.source}: cannot be converted ({media})")


def _output_path(workdir: Path, evidence: Evidence, kind: str, caption: str) -> Path:
    variant = hashlib.sha256(caption.encode("utf-8")).hexdigest()[:8]
    return workdir / f"{evidence.sha256[:20]}-{kind}-{variant}.pdf"


def _checked(rendition: Rendition, evidence: Evidence) -> Rendered:
    """A converted PDF must itself open cleanly (guards against a bad converter run)."""
    return Rendered(rendition, check_pdf(rendition.pdf, source=evidence.source).reader)
