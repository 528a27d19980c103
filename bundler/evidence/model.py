"""The two records the evidence layer hands to the bundle assembler."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
HEIC = "image/heic"  # iPhone photographs (HEVC in an HEIF container)
HEIF = "image/heif"
WEBP = "image/webp"  # screenshots and pictures from messaging apps
GIF = "image/gif"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
ODT = "application/vnd.oasis.opendocument.text"
RTF = "application/rtf"
EML = "message/rfc822"
MSG = "application/vnd.ms-outlook"  # Outlook's own message file (.msg)
TEXT = "text/plain"

SUPPORTED_MEDIA_TYPES: frozenset[str] = frozenset(
    {PDF, JPEG, PNG, TIFF, HEIC, HEIF, WEBP, GIF, DOCX, DOC, ODT, RTF, EML, MSG, TEXT}
)
IMAGE_TYPES: frozenset[str] = frozenset({JPEG, PNG, TIFF, HEIC, HEIF, WEBP, GIF})
OFFICE_TYPES: frozenset[str] = frozenset({DOCX, DOC, ODT, RTF})
MAIL_TYPES: frozenset[str] = frozenset({EML, MSG})


@dataclass(frozen=True)
class Evidence:
    """One source file, identified by its content."""

    path: Path  # absolute path of the source file
    source: str  # the path as written by the user (relative, POSIX form), used in every message
    sha256: str  # SHA-256 hex of the exact bytes of the file
    size: int  # bytes
    media_type: str  # detected from content (python-magic), zip containers resolved


@dataclass(frozen=True)
class Rendition:
    """A PDF holding one piece of evidence's pages."""

    pdf: Path  # for PDFs: the original file itself
    password: str | None  # needed to open `pdf` (only for original PDFs)
    outline: tuple[tuple[str, int], ...] = ()  # extra bookmarks (title, 0-based page index)
    converter: str = "pdf"  # "pdf" | "image" | "libreoffice" | "email" | "text"
    tool_versions: dict[str, str] = field(default_factory=dict)
