"""Word documents (.docx, .doc, .odt, .rtf) -> PDF through LibreOffice headless."""

from __future__ import annotations

from pathlib import Path

from bundler.evidence.model import Evidence, Rendition
from bundler.libreoffice import convert_with_libreoffice, libreoffice_version


def render_office(evidence: Evidence, workdir: Path) -> Rendition:
    out = convert_with_libreoffice(
        evidence.path, workdir / f"{evidence.sha256[:20]}-libreoffice", source=evidence.source
    )
    version = libreoffice_version()
    return Rendition(
        pdf=out,
        password=None,
        converter="libreoffice",
        tool_versions={"LibreOffice": version} if version else {},
    )
