"""The title a document gives itself, read from the file: what an index calls a document the
case records do not describe (its catalogue entry wins).

An e-mail's Subject; a PDF's or Word file's own title (its metadata, when that is not a
file name or a placeholder a program wrote), else its first heading: a Word paragraph styled
as a title or heading, else the line set in the largest type on a PDF's first page; a text
note's first line (past a letterhead in capitals). Scans, pictures and anything unreadable have none (None): the caller
keeps the description it has. Bounded: headers and the first page only, the title cut to
``LIMIT`` characters.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

LIMIT = 160
_MAX_HEADER_BYTES = 256 << 10  # an e-mail's headers come first
_MAX_TEXT_BYTES = 64 << 10
_MEANINGLESS = re.compile(
    r"^(?:untitled|document\d*|microsoft word - .*|.*\.(?:docx?|pdf|odt|rtf|txt)|title|"
    r"\W*)$", re.IGNORECASE)


def document_title(path: Path, media_type: str) -> str | None:
    """The document's own title, or None when it gives none that can be read."""
    try:
        if media_type == "message/rfc822":
            return _email_subject(path)
        if media_type == "application/pdf":
            return _pdf_title(path)
        if media_type == "text/plain":
            return _first_line(path)
        if media_type == ("application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document"):
            return _docx_title(path)
    except Exception:  # a file the bundle's own checks would refuse: it gives no title
        return None
    return None


def _clean(text: str | None) -> str | None:
    words = " ".join((text or "").split())
    if len(words) < 3 or _MEANINGLESS.match(words) or not re.search(r"[A-Za-z]", words):
        return None
    return words if len(words) <= LIMIT else words[: LIMIT - 1].rstrip() + "\u2026"


def _email_subject(path: Path) -> str | None:
    with path.open("rb") as handle:
        message = email.message_from_bytes(handle.read(_MAX_HEADER_BYTES),
                                           policy=email.policy.default)
    subject = _clean(str(message.get("Subject") or ""))
    return f"E-mail: {subject}" if subject else None


def _first_line(path: Path) -> str | None:
    """A note's first line, past a letterhead in capitals."""
    with path.open("rb") as handle:
        text = handle.read(_MAX_TEXT_BYTES).decode("utf-8", errors="replace")
    lines = (line for line in text.splitlines()[:40] if not line.isupper())
    return next(filter(None, map(_clean, lines)), None)


def _docx_title(path: Path) -> str | None:
    import docx

    document = docx.Document(str(path))
    own = _clean(document.core_properties.title)
    if own:
        return own
    paragraphs = document.paragraphs[:200]
    headed = (p.text for p in paragraphs if _style(p).startswith(("title", "heading")))
    return next(filter(None, map(_clean, headed)), None)


def _style(paragraph: Any) -> str:
    style = paragraph.style
    return str(style.name or "").lower() if style is not None else ""


def _pdf_title(path: Path) -> str | None:
    from pypdf import PdfReader

    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        metadata = reader.metadata
        own = _clean(str(metadata.get("/Title") or "") if metadata is not None else None)
        if own:
            return own
        if not reader.pages:
            return None
        runs: list[tuple[float, float, str]] = []  # (type size, height on page, text)

        def visit(text: str, _cm: object, matrix: Iterable[float], _font: object,
                  size: float) -> None:
            values = list(matrix)
            scale = abs(values[3]) or abs(values[0]) or 1.0
            if text.strip() and len(runs) < 2000:
                runs.append((round(size * scale, 1), round(values[5], 1), text))

        reader.pages[0].extract_text(visitor_text=visit)
    return _largest_line(runs)


def _largest_line(runs: list[tuple[float, float, str]]) -> str | None:
    """The text set in the largest type (one line of it, or two in the same size), when it
    is larger than the body text."""
    if not runs:
        return None
    sizes = sorted(size for size, _y, _text in runs)
    body = sizes[len(sizes) // 2]
    largest = sizes[-1]
    if largest <= body:
        return None
    lines: dict[float, list[str]] = {}
    for size, y, text in runs:
        if size == largest:
            lines.setdefault(y, []).append(text)
    top = sorted(lines, reverse=True)[:2]
    return _clean(" ".join("".join(lines[y]) for y in top))
