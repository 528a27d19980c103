"""Locate and register the embedded TrueType font every generated page uses.

DejaVu Sans covers the Latin, Greek and Cyrillic letters residents' names
contain (Siân, Łukasz, Zoë, Ελένη, Дмитрий); reportlab's built-in Helvetica
does not, so generated pages always embed DejaVu Sans.
"""

from __future__ import annotations

import threading
from pathlib import Path

from bundler.errors import MissingTool

REGULAR_NAME = "DejaVuSans"
BOLD_NAME = "DejaVuSans-Bold"
MONO_NAME = "DejaVuSansMono"
DEBIAN_PACKAGE = "fonts-dejavu-core"

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/usr/share/fonts"),
)
_lock = threading.Lock()
_registered: tuple[str, str] | None = None
_mono_registered: str | None = None


def find_font(filename: str) -> Path:
    """Absolute path of a DejaVu font file, or MissingTool naming the package."""
    for folder in _FONT_DIRS:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    for folder in _FONT_DIRS:
        if folder.is_dir():
            for candidate in sorted(folder.rglob(filename)):
                if candidate.is_file():
                    return candidate
    raise MissingTool(
        f"font {filename} not found (needed to write names in Latin, Greek and Cyrillic)",
        f"Install the Debian package {DEBIAN_PACKAGE} (sudo apt-get install {DEBIAN_PACKAGE}).",
    )


def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process.

    Returns the reportlab font names ``(regular, bold)``.
    """
    global _registered
    with _lock:
        if _registered is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            registered = set(pdfmetrics.getRegisteredFontNames())
            for name, filename in (
                (REGULAR_NAME, "DejaVuSans.ttf"),
                (BOLD_NAME, "DejaVuSans-Bold.ttf"),
            ):
                if name not in registered:
                    pdfmetrics.registerFont(TTFont(name, str(find_font(filename))))
            pdfmetrics.registerFontFamily(
                REGULAR_NAME,
                normal=REGULAR_NAME,
                bold=BOLD_NAME,
                italic=REGULAR_NAME,
                boldItalic=BOLD_NAME,
            )
            _registered = (REGULAR_NAME, BOLD_NAME)
        return _registered


def register_mono_font() -> str:
    """Register DejaVu Sans Mono (same coverage, fixed width) and return its name.

    Used for plain-text notes, whose authors line things up with spaces.
    """
    global _mono_registered
    register_fonts()
    with _lock:
        if _mono_registered is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            if MONO_NAME not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(MONO_NAME, str(find_font("DejaVuSansMono.ttf"))))
            _mono_registered = MONO_NAME
        return _mono_registered
