"""Bounded memory while preparing: a checked PDF's bytes wait on disk until it is merged.

Every document's reader is kept from its check until the assembly merges it (so each PDF is
parsed once), but a reader holds its whole file in memory: at 10,000 pages that was about
60 MB held for the whole build. ``set_aside`` copies those bytes, the very bytes the check
read, to a file of the build's own working folder and lets the reader fetch them back the
first time it reads again; the assembly closes each reader once merged, which frees them.
The file is opened only to append and to read back, so no file handle stays open per
document (a bundle may hold thousands).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader


class _Deferred:
    """A reader's stream whose bytes are read back from ``path`` when first needed: the
    reader then reads from them directly."""

    def __init__(self, reader: PdfReader, path: Path, offset: int, length: int) -> None:
        self.reader: PdfReader | None = reader
        self.path = path
        self.offset = offset
        self.length = length
        self.loaded: io.BytesIO | None = None

    def __getattr__(self, name: str) -> Any:  # seek, read, tell...: the bytes' own
        if self.loaded is None:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                data = handle.read(self.length)
            if len(data) != self.length:
                raise OSError(f"{self.path} was cut short while the bundle was being built")
            self.loaded = io.BytesIO(data)
            if self.reader is not None:
                self.reader.stream = self.loaded
                self.reader = None
        return getattr(self.loaded, name)

    def close(self) -> None:
        self.reader = None
        self.loaded = None


def set_aside(reader: PdfReader, path: Path) -> PdfReader:
    """``reader`` with its file's bytes appended to ``path`` and dropped from memory until it
    reads again (a reader not reading from memory is left as it is, and so is one whose
    bytes cannot be written: a full disk costs memory, not the build)."""
    stream = reader.stream
    if not isinstance(stream, io.BytesIO):
        return reader
    try:
        with path.open("ab") as handle:
            offset = handle.tell()
            length = handle.write(stream.getbuffer())
    except OSError:
        return reader
    reader.stream = _Deferred(reader, path, offset, length)  # type: ignore[assignment]
    stream.close()
    return reader
