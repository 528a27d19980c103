"""Whether anything a reader must not see can still be extracted from a finished PDF.

Read the way a curious recipient would, each of these is searched for the terms (and the
page text for the patterns too):

* every page's text as poppler extracts it (``pdftotext``: what a viewer searches and
  copies, invisible OCR layers included), and as pypdf extracts it (text outside the visible
  area, other decoding);
* every object of the file, streams decompressed: metadata, bookmarks, attachments (the
  manifest), annotations, form fields, content streams written in a plain encoding.

Images are not read here: their pixels are cleared by the redaction itself (``strip``) and
pictures are read by OCR before it. A finding names the page or the kind of object, the kind
of data and the reason, never the text found.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from bundler.errors import MissingTool
from bundler.redact.terms import DataKind, Matcher, find_hits

MAX_STREAM = 32 * 1024 * 1024  # larger decoded streams (pictures) are not read as text
TIMEOUT = 600.0


@dataclass(frozen=True)
class Finding:
    """Something marked that can still be read: where, what kind, under which reason."""

    where: str  # "page 12 (text)", "object 40 (bookmark)", ...
    kind: DataKind
    reason: str

    def line(self) -> str:
        return f"{self.where}: {self.kind.value} ({self.reason})"


def extractable(pdf: Path, matcher: Matcher,
                pages: Sequence[Matcher] | None = None) -> list[Finding]:
    """Every place in ``pdf`` where the matcher still finds something (empty: none).

    ``pages`` (one per page) narrows the patterns searched in each page's text to those its
    document was redacted by (an appellant's own records keep their own telephone number);
    the terms are searched everywhere.
    """
    if matcher.empty:
        return []
    from bundler.evidence.pdfopen import pypdf_messages

    findings: list[Finding] = []
    for number, text in enumerate(_poppler_pages(pdf), start=1):
        own = pages[number - 1] if pages is not None and number <= len(pages) else matcher
        findings.extend(_findings(text, own, f"page {number} (text)", patterns=True))
    terms_only = Matcher(terms=matcher.terms, keep=matcher.keep)
    with pypdf_messages():
        reader = PdfReader(pdf, strict=False)
        for number, page in enumerate(reader.pages, start=1):
            try:
                text = page.extract_text()
            except Exception:  # a page pypdf cannot read is read by poppler above
                continue
            findings.extend(_findings(text, terms_only, f"page {number} (text)"))
        for number, what, text in _object_texts(reader):
            findings.extend(_findings(text, terms_only, f"object {number} ({what})"))
    unique: dict[tuple[str, DataKind, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.where, finding.kind, finding.reason), finding)
    return list(unique.values())


def _findings(text: str, matcher: Matcher, where: str, patterns: bool = False) -> list[Finding]:
    words = text.split()
    chosen = matcher if patterns else Matcher(terms=matcher.terms, keep=matcher.keep)
    return [Finding(where, hit.kind, hit.reason) for hit in find_hits(words, chosen)]


def _poppler_pages(pdf: Path) -> list[str]:
    program = shutil.which("pdftotext")
    if program is None:
        raise MissingTool("the redaction check needs pdftotext, which is not installed "
                          "(Debian package poppler-utils)",
                          "Install it (Debian: sudo apt-get install poppler-utils).")
    done = subprocess.run([program, "-enc", "UTF-8", "-q", str(pdf), "-"], capture_output=True,
                          timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    return done.stdout.decode("utf-8", "replace").split("\f")


_KINDS = {"/Outlines": "bookmark", "/Annot": "annotation", "/Filespec": "attachment",
          "/EmbeddedFile": "attachment", "/Metadata": "metadata", "/XObject": "form",
          "/Font": "font"}


def _object_texts(reader: PdfReader) -> list[tuple[int, str, str]]:
    """(object number, what it is, its text) for every object in the file."""
    texts: list[tuple[int, str, str]] = []
    trailer_info = reader.trailer.get("/Info")
    info_number = trailer_info.idnum if isinstance(trailer_info, IndirectObject) else None
    for number, generation in _object_ids(reader):
        try:
            obj = reader.get_object(IndirectObject(number, generation, reader))
        except Exception:  # a damaged object holds nothing a viewer shows
            continue
        what = "document information" if number == info_number else _what(obj)
        strings = list(_strings(obj, 0))
        if isinstance(obj, StreamObject) and obj.get("/Subtype") != "/Image":
            data = _stream_text(obj)
            if data:
                strings.append(data)
        if strings:
            texts.append((number, what, " ".join(strings)))
    return texts


def _object_ids(reader: PdfReader) -> list[tuple[int, int]]:
    ids: set[tuple[int, int]] = set()
    for generation, numbers in reader.xref.items():
        ids.update((number, generation) for number in numbers)
    ids.update((number, 0) for number in reader.xref_objStm)
    return sorted(ids)


def _what(obj: Any) -> str:
    if isinstance(obj, DictionaryObject):
        for key in ("/Type", "/Subtype"):
            kind = _KINDS.get(str(obj.get(key)))
            if kind:
                return kind
        if "/Title" in obj and ("/Parent" in obj or "/First" in obj):
            return "bookmark"
    if isinstance(obj, StreamObject):
        return "stream"
    return "object"


def _strings(obj: Any, depth: int) -> list[str]:
    if depth > 6:
        return []
    if isinstance(obj, str):
        return [str(obj)]
    if isinstance(obj, bytes):
        return [_bytes_text(bytes(obj))]
    if isinstance(obj, DictionaryObject):
        return [text for key, value in obj.items() if key != "/Contents" or
                not isinstance(value, (ArrayObject, IndirectObject))
                for text in _strings(value, depth + 1)]
    if isinstance(obj, ArrayObject):
        return [text for value in obj for text in _strings(value, depth + 1)]
    return []


def _stream_text(stream: StreamObject) -> str:
    try:
        data = stream.get_data()
    except Exception:  # a stream that cannot be decoded is shown by no viewer
        return ""
    if len(data) > MAX_STREAM:
        return ""
    return _bytes_text(data)


_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]{2,})>")
_PDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)


def _bytes_text(data: bytes) -> str:
    """Bytes read every way text can hide in them: UTF-8 or Latin-1, UTF-16 (PDF text
    strings), hexadecimal and backslash-escaped string literals of content streams."""
    parts = [data.decode("utf-8", "replace") if _mostly_utf8(data) else
             data.decode("latin-1")]
    if data[:2] in (b"\xfe\xff", b"\xff\xfe"):
        parts.append(data.decode("utf-16", "replace"))
    for found in _HEX_STRING.finditer(data[:MAX_STREAM]):
        digits = re.sub(rb"\s", b"", found.group(1))
        if len(digits) % 2 == 0:
            decoded = bytes.fromhex(digits.decode("ascii"))
            parts.append(decoded.decode("utf-16-be", "replace") if decoded[:2] == b"\xfe\xff"
                         else decoded.decode("latin-1"))
    if b"\\" in data:
        parts.append(_PDF_ESCAPE.sub(_unescape, data).decode("latin-1"))
    return " ".join(parts)


def _unescape(found: re.Match[bytes]) -> bytes:
    code = found.group(1)
    if code[:1] in (b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7"):
        return bytes((int(code, 8) & 0xFF,))
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(code, code)


def _mostly_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
