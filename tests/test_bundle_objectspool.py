"""The assembly's object spool: objects written out early leave memory and come back into
the PDF byte for byte where pypdf would have written them."""

from __future__ import annotations

import gc
import io
import weakref

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from bundler.bundle.objectspool import ObjectSpool
from tests import bundle_fixtures as fx


def _assemble(spill: bool) -> tuple[bytes, int]:
    """A cover page kept in memory, three pages spilled (or not), a last page after them;
    the PDF and how many of the three pages' objects were still alive when it was written."""
    source = PdfReader(io.BytesIO(fx.text_pdf_bytes("SPOOLED", pages=5)))
    writer = PdfWriter()
    writer.add_page(source.pages[0])
    with ObjectSpool(writer) as spool:
        merged = [writer.add_page(page) for page in source.pages[1:4]]
        watched = [weakref.ref(page) for page in merged]
        watched += [weakref.ref(page["/Contents"].get_object()) for page in merged]
        del merged
        if spill:
            spool.spill()
        writer.add_page(source.pages[4])
        writer.pages[0][NameObject("/Rotate")] = NumberObject(90)  # kept: may still change
        gc.collect()
        alive = sum(ref() is not None for ref in watched)
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue(), alive


def test_spilled_objects_are_written_byte_for_byte_and_leave_memory() -> None:
    held, alive_held = _assemble(spill=False)
    spilled, alive_spilled = _assemble(spill=True)
    assert spilled == held
    assert (alive_held, alive_spilled) == (6, 0)
    reader = PdfReader(io.BytesIO(spilled))
    assert [page.extract_text().split()[0] for page in reader.pages] == [
        f"SPOOLED{n}" for n in range(1, 6)]
    assert reader.pages[0].rotation == 90


def test_spilled_pages_are_no_longer_readable_from_the_writer() -> None:
    writer = PdfWriter()
    source = PdfReader(io.BytesIO(fx.text_pdf_bytes("GONE", pages=2)))
    with ObjectSpool(writer) as spool:
        ref = writer.add_page(source.pages[0]).indirect_reference
        spool.spill()
        assert writer.pages[0] is None  # its objects are on disk: keep what you need first
        assert ref is not None
        with pytest.raises(AttributeError):
            writer.get_object(ref).get("/Type")  # type: ignore[attr-defined]


def _pypdf_bytes(obj: object) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)  # type: ignore[attr-defined]
    return out.getvalue()


def test_the_spools_serialiser_writes_what_pypdf_writes() -> None:
    """Names needing escapes, keys pypdf skips, streams with and without /Length, content
    streams, strings, numbers, nested arrays: the same bytes as pypdf's own serialiser."""
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        ByteStringObject,
        ContentStream,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        IndirectObject,
        NullObject,
        TextStringObject,
    )

    from bundler.bundle.objectspool import _serialise

    writer = PdfWriter()
    names = [NameObject(n) for n in ("/Type", "/A#B", "/Caf\u00e9", "/With Space", "/(x)",
                                     "/%ab%", "/#20", "/Tab\tName", "/")]
    plain = DecodedStreamObject()
    plain.set_data(b"BT /F1 12 Tf (hello) Tj ET")
    plain[NameObject("/Filter")] = ArrayObject([NameObject("/FlateDecode")])
    with_length = DecodedStreamObject()
    with_length.set_data(b"\x00\xff binary")
    with_length[NameObject("/Length")] = NumberObject(999)
    content = ContentStream(None, writer)
    content.set_data(b"q 1 0 0 1 0 0 cm Q")
    nested = ArrayObject([NumberObject(-7), FloatObject(0.1), FloatObject(-3.14159265),
                          FloatObject(1e-9), ArrayObject([NullObject(), BooleanObject(True)]),
                          IndirectObject(12, 0, writer), IndirectObject(3, 2, writer)])
    dictionary = DictionaryObject({
        **{name: TextStringObject(f"v{i} \u00e9 (x)") for i, name in enumerate(names)},
        NameObject("/%Skipped%"): NumberObject(1),
        NameObject("/Bytes"): ByteStringObject(b"\x00\x01\xfe"),
        NameObject("/Nested"): nested,
        NameObject("/Inner"): DictionaryObject({NameObject("/Empty"): DictionaryObject()}),
    })
    cache: dict[str, bytes] = {}
    for obj in [*names, nested, dictionary, plain, with_length, content, NumberObject(0),
                IndirectObject(40117, 0, writer), ArrayObject(), DictionaryObject()]:
        for _twice in range(2):  # the second time from the name cache
            pieces: list[bytes] = []
            _serialise(obj, pieces, cache)
            assert b"".join(pieces) == _pypdf_bytes(obj), obj
