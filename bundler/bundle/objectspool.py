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
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)


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
        self.names: dict[str, bytes] = {}  # each name as written (see _serialise)
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
        pieces: list[bytes] = []
        spilled: list[tuple[int, int, int]] = []
        size = self.size
        for index in range(self.kept, len(objects)):
            obj = objects[index]
            if obj is None or isinstance(obj, _Spilled):
                continue
            start = len(pieces)
            _serialise(obj, pieces, self.names)
            length = sum(map(len, pieces[start:]))
            spilled.append((index, size, length))
            size += length
        if len(self.names) > _NAMES_KEPT:
            self.names.clear()
        self.file.write(b"".join(pieces))
        self.size = size
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


_NAMES_KEPT = 10_000
# pypdf's own serialisers that ``_serialise`` writes the same bytes as, faster (checked by
# identity, so a class with a serialiser of its own always goes through it)
_WRITES_DICTIONARY = DictionaryObject.write_to_stream
_WRITES_STREAM = StreamObject.write_to_stream
_WRITES_ARRAY = ArrayObject.write_to_stream
_WRITES_NAME = NameObject.write_to_stream
_WRITES_REFERENCE = IndirectObject.write_to_stream
_WRITES_NUMBER = NumberObject.write_to_stream


def _serialise(obj: Any, pieces: list[bytes], names: dict[str, bytes]) -> None:
    """Append the bytes ``obj.write_to_stream`` writes (pypdf 6.8 to 7.1: the same), with
    each name escaped once per spool rather than character by character every time (a
    third of writing the bundle), and no stream call per token."""
    write = type(obj).write_to_stream
    if write is _WRITES_NAME:
        name = names.get(obj)
        if name is None:
            name = names[obj] = obj.renumber()
        pieces.append(name)
    elif write is _WRITES_REFERENCE:
        pieces.append(b"%d %d R" % (obj.idnum, obj.generation))
    elif write is _WRITES_NUMBER:
        pieces.append(repr(obj).encode("utf8"))
    elif write is _WRITES_ARRAY:
        pieces.append(b"[")
        for item in obj:
            pieces.append(b" ")
            _serialise(item, pieces, names)
        pieces.append(b" ]")
    elif write is _WRITES_DICTIONARY:
        _entries(obj, pieces, names)
        pieces.append(b">>")
    elif write is _WRITES_STREAM and "/Length" not in obj:
        # pypdf puts /Length last while it writes, then takes it out again
        _entries(obj, pieces, names)
        pieces += (_serialised(NameObject("/Length"), names), b" ", b"%d" % len(obj._data),
                   b"\n>>\nstream\n", obj._data, b"\nendstream")
    else:
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        pieces.append(buffer.getvalue())


def _entries(obj: Any, pieces: list[bytes], names: dict[str, bytes]) -> None:
    pieces.append(b"<<\n")
    for key, value in obj.items():
        if len(key) > 2 and key[1] == "%" and key[-1] == "%":
            continue
        _serialise(key, pieces, names)
        pieces.append(b" ")
        _serialise(value, pieces, names)
        pieces.append(b"\n")


def _serialised(obj: Any, names: dict[str, bytes]) -> bytes:
    pieces: list[bytes] = []
    _serialise(obj, pieces, names)
    return b"".join(pieces)
