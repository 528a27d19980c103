"""Evidence files: identify each by its content and turn it into PDF pages.

Everything happens locally (no online service ever sees residents' data) and
deterministically: the same file gives the same bytes on every run.

Public interface (the bundle assembler relies on it):

* ``identify(path, source) -> Evidence``
* ``open_pdf(path, *, source, password=None) -> pypdf.PdfReader``
* ``render_pdf(evidence, *, workdir, password=None, caption="") -> Rendition``
* ``register_fonts() -> (regular, bold)`` reportlab font names (DejaVu Sans)

Also for other modules: ``check_pdf`` (``open_pdf`` without logging, for files
already reported on) and ``pypdf_messages`` (collect and silence pypdf's
logging while reading).
"""

from __future__ import annotations

from bundler.evidence.fonts import register_fonts
from bundler.evidence.model import SUPPORTED_MEDIA_TYPES, Evidence, Rendition
from bundler.evidence.pdfopen import check_pdf, open_pdf, pypdf_messages
from bundler.evidence.render import render_pdf
from bundler.evidence.sniff import identify

__all__ = [
    "SUPPORTED_MEDIA_TYPES",
    "Evidence",
    "Rendition",
    "check_pdf",
    "identify",
    "open_pdf",
    "pypdf_messages",
    "register_fonts",
    "render_pdf",
]
