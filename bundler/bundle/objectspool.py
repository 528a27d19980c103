"""Bounded memory for a large bundle: a writer's finished objects wait on disk, not in memory.

pypdf's ``PdfWriter`` keeps every object it is given until ``write``; at 10,000 pages that
was most of the build's memory. Once a document's pages are merged and stamped nothing
changes their objects again, so ``ObjectSpool.spill`` serialises them at once (each object's
own ``write_to_stream``, the bytes ``write`` would produce for it later) into a temporary
file and leaves a small stand-in in the writer in their place. ``PdfWriter.write`` then
writes the file as always, every object in number order, with its header, cross-reference
table and trailer: a stand-in copies its object's bytes back from the temporary file. The
bundle is byte for byte what pypdf writes with everything held in memory.

The caller decides what may be spilled: ``spill`` takes every object added since the last
spill (or since the spool was made), so whatever is still to change (the catalog, the page
tree, pages that get links later) must have been added before the spool was made.
"""

from __future__ import annotations

import io
import tempfile
from types import TracebackType
from typing import IO, Any

from pypdf import PdfWriter
from pypdf.generic import PdfObject


class _Spilled(PdfObject):
    """An object of the writer already serialised: where its bytes are in the spool."""

    __slots__ = ("length", "offset", "spool")

    def __init__(self, spool: ObjectSpool, offset: int, length: int) -> None:
        self.spool = spool
        self.offset = offset
        self.length = length

    def write_to_stream(self, stream: Any, encryption_key: object = None) -> None:
        if encryption_key is not None:
            raise ValueError("a spilled object cannot be encrypted")
        stream.write(self.spool.read(self.offset, self.length))


class ObjectSpool:
    """Objects of one writer serialised to a temporary file (deleted when closed)."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self.size = 0
        self.kept = len(writer._objects)  # objects numbered up to this stay in memory
        self.pages = len(writer.flattened_pages or ())  # pages before this stay in memory

    def __enter__(self) -> ObjectSpool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.file.close()

    def spill(self) -> None:
        """Serialise every object added since the last spill and free it (its pages too:
        ``writer.pages[i]`` is then None for them: keep what is needed of a page before)."""
        objects = self.writer._objects
        buffer = io.BytesIO()
        spilled: list[tuple[int, int, int]] = []
        for index in range(self.kept, len(objects)):
            obj = objects[index]
            if obj is None or isinstance(obj, _Spilled):
                continue
            start = buffer.tell()
            obj.write_to_stream(buffer)
            spilled.append((index, self.size + start, buffer.tell() - start))
        self.file.write(buffer.getbuffer())
        self.size += buffer.tell()
        for index, offset, length in spilled:
            objects[index] = _Spilled(self, offset, length)
        self.kept = len(objects)
        pages = self.writer.flattened_pages
        if pages is not None:
            for index in range(self.pages, len(pages)):
                pages[index] = None  # type: ignore[call-overload]
            self.pages = len(pages)

    def read(self, offset: int, length: int) -> bytes:
        self.file.seek(offset)
        data = self.file.read(length)
        if len(data) != length:
            raise OSError("the temporary file holding the bundle's pages was cut short")
        return data
