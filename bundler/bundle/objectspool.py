"""Bounded memory for a large bundle: its documents' objects wait on disk, not in memory.

pypdf's ``PdfWriter`` keeps every object it is given until ``write``; at 10,000 pages that
was most of the build's memory. So each document is merged and stamped in a writer of its
own (``assemble.merge_document``: in this process, or in a worker process), whose objects
``relocatable`` serialises at once (the bytes pypdf's own ``write_to_stream`` would write)
with each reference to one of them left as a number to fill in. ``ObjectSpool.splice`` then
numbers them after the bundle's objects, fills in the references, writes them to a temporary
file and leaves a small stand-in in the bundle's writer for each. ``PdfWriter.write`` writes
the file as always, every object in number order, with its header, cross-reference table
and trailer: a stand-in copies its object's bytes back from the temporary file. The bundle is
the same whichever process merged which document.
"""

from __future__ import annotations

import io
import tempfile
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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

    def __enter__(self) -> ObjectSpool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.file.close()

    def splice(self, objects: Relocatable) -> int:
        """Add objects serialised by ``relocatable`` to the writer, numbered from its next
        free number, straight into the spool; returns the first one's number."""
        writer_objects = self.writer._objects
        base = len(writer_objects) + 1
        data, at, to = objects.data, objects.at, objects.to
        pieces: list[bytes] = []
        lengths: list[int] = []
        start = reference = 0
        for end, count in zip(objects.ends, objects.counts, strict=True):
            size = end - start
            for _ in range(count):
                position = at[reference]
                written = b"%d 0 R" % (base + to[reference])
                pieces += (data[start:position], written)
                size += len(written)
                start = position
                reference += 1
            pieces.append(data[start:end])
            lengths.append(size)
            start = end
        self.file.write(b"".join(pieces))
        offset = self.size
        for length in lengths:
            writer_objects.append(_Spilled(self, offset, length))
            offset += length
        self.size = offset
        return base

    def read(self, offset: int, length: int) -> bytes:
        self.file.seek(offset)
        data = self.file.read(length)
        if len(data) != length:
            raise OSError("the temporary file holding the bundle's pages was cut short")
        return data


# pypdf's own serialisers that ``_serialise`` writes the same bytes as, faster (checked by
# identity, so a class with a serialiser of its own always goes through it)
_WRITES_DICTIONARY = DictionaryObject.write_to_stream
_WRITES_STREAM = StreamObject.write_to_stream
_WRITES_ARRAY = ArrayObject.write_to_stream
_WRITES_NAME = NameObject.write_to_stream
_WRITES_REFERENCE = IndirectObject.write_to_stream
_WRITES_NUMBER = NumberObject.write_to_stream


@dataclass(frozen=True)
class Relocatable:
    """Objects serialised with their references to one another left out, to be numbered
    into a bundle (``ObjectSpool.splice``): one block of bytes and plain arrays of numbers,
    quick to send from a worker process."""

    data: bytes  # every object's bytes, one after another, without those references
    ends: array[int]  # where each object's bytes end in ``data``
    counts: array[int]  # how many references each object has
    at: array[int]  # each reference, in order: where in ``data`` it goes
    to: array[int]  # and which of the objects it names (0: the first)

    def __len__(self) -> int:
        return len(self.ends)


def relocatable(objects: Sequence[Any], first: int, fixed: Mapping[int, bytes]) -> Relocatable:
    """Serialise ``objects`` (a writer's, numbered from ``first``) for ``ObjectSpool.splice``:
    a reference to one of them is left out, to be filled in with the number it gets; one to a
    number in ``fixed`` (objects the bundle shares: the page tree, the stamp's fonts) is
    written as ``fixed`` says; a reference to any other number is an error."""
    last = first + len(objects)

    def reference(ref: Any) -> bytes | int:
        number = ref.idnum
        if first <= number < last:
            return int(number - first)
        written = fixed.get(number)
        if written is None:
            raise ValueError(f"object {number} is neither in the document nor shared")
        return written

    names: dict[str, bytes] = {}
    blocks: list[bytes] = []
    size = 0
    ends, counts, at, to = array("Q"), array("Q"), array("Q"), array("Q")
    for obj in objects:
        pieces: list[bytes | int] = []
        _serialise(obj, pieces, names, reference)
        run: list[bytes] = []
        count = 0
        for piece in pieces:
            if isinstance(piece, int):
                block = b"".join(run)
                blocks.append(block)
                size += len(block)
                at.append(size)
                to.append(piece)
                count += 1
                run = []
            else:
                run.append(piece)
        block = b"".join(run)
        blocks.append(block)
        size += len(block)
        ends.append(size)
        counts.append(count)
    return Relocatable(b"".join(blocks), ends, counts, at, to)


def _as_written(ref: Any) -> bytes:
    return b"%d %d R" % (ref.idnum, ref.generation)


def _serialise(obj: Any, pieces: list[Any], names: dict[str, bytes],
               reference: Callable[[Any], bytes | int] = _as_written) -> None:
    """Append the bytes ``obj.write_to_stream`` writes (pypdf 6.8 to 7.1: the same), with
    each name escaped once per spool rather than character by character every time (a
    third of writing the bundle), and no stream call per token; each reference as
    ``reference`` gives it."""
    write = type(obj).write_to_stream
    if write is _WRITES_NAME:
        name = names.get(obj)
        if name is None:
            name = names[obj] = obj.renumber()
        pieces.append(name)
    elif write is _WRITES_REFERENCE:
        pieces.append(reference(obj))
    elif write is _WRITES_NUMBER:
        pieces.append(repr(obj).encode("utf8"))
    elif write is _WRITES_ARRAY:
        pieces.append(b"[")
        for item in obj:
            pieces.append(b" ")
            _serialise(item, pieces, names, reference)
        pieces.append(b" ]")
    elif write is _WRITES_DICTIONARY:
        _entries(obj, pieces, names, reference)
        pieces.append(b">>")
    elif write is _WRITES_STREAM and "/Length" not in obj:
        # pypdf puts /Length last while it writes, then takes it out again
        _entries(obj, pieces, names, reference)
        pieces += (_serialised(NameObject("/Length"), names), b" ", b"%d" % len(obj._data),
                   b"\n>>\nstream\n", obj._data, b"\nendstream")
    else:
        if reference is not _as_written and _holds_reference(obj):
            # pypdf would write its references unchanged: never the right numbers here
            raise ValueError(f"a {type(obj).__name__} naming other objects cannot be moved")
        buffer = io.BytesIO()
        obj.write_to_stream(buffer)
        pieces.append(buffer.getvalue())


def _holds_reference(obj: Any) -> bool:
    if isinstance(obj, IndirectObject):
        return True
    if isinstance(obj, dict):
        return any(_holds_reference(value) for value in obj.values())
    if isinstance(obj, list):
        return any(_holds_reference(item) for item in obj)
    return False


def _entries(obj: Any, pieces: list[Any], names: dict[str, bytes],
             reference: Callable[[Any], bytes | int]) -> None:
    pieces.append(b"<<\n")
    for key, value in obj.items():
        if len(key) > 2 and key[1] == "%" and key[-1] == "%":
            continue
        _serialise(key, pieces, names)
        pieces.append(b" ")
        _serialise(value, pieces, names, reference)
        pieces.append(b"\n")


def _serialised(obj: Any, names: dict[str, bytes]) -> bytes:
    pieces: list[bytes] = []
    _serialise(obj, pieces, names)
    return b"".join(pieces)
