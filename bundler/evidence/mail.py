"""E-mail messages (.eml) -> PDF pages (work in progress)."""

from __future__ import annotations

from pathlib import Path

from bundler.errors import BadInput
from bundler.evidence.model import Evidence, Rendition


def render_email(evidence: Evidence, workdir: Path, caption: str = "") -> Rendition:
    raise BadInput(f"{evidence.source}: e-mail conversion is not available yet")
