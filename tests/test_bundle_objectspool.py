"""The assembly's object spool: each document's objects, serialised as pypdf would write them
(in whichever process merged it), numbered into the bundle and written from disk."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from bundler.bundle.objectspool import ObjectSpool
from tests import bundle_fixtures as fx


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


def test_a_document_merged_apart_is_numbered_into_the_bundle_and_reads_back() -> None:
    """A document merged in a writer of its own (as a worker process does), serialised with
    its references left open, then spliced after the bundle's own objects: its pages read
    back in order, each pointing at the bundle's page tree, with their own content."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    from bundler.bundle.objectspool import relocatable

    bundle = PdfWriter()
    bundle.add_page(PdfReader(io.BytesIO(fx.text_pdf_bytes("COVER", pages=1))).pages[0])
    apart = PdfWriter()  # 1 information, 2 page tree, 3 catalog: its own start at 4
    for page in PdfReader(io.BytesIO(fx.text_pdf_bytes("APART", pages=3))).pages:
        apart.add_page(page)
    own = apart._objects[3:]
    pages = [cast(IndirectObject, page.indirect_reference).idnum - 4 for page in apart.pages]
    tree = bundle._pages
    objects = relocatable(own, 4, {2: b"%d 0 R" % tree.idnum})
    assert len(objects) == len(own)
    # every reference is left to fill in but each page's to the bundle's page tree (shared)
    assert objects.data.count(b" 0 R") == objects.data.count(b"/Parent %d 0 R" % tree.idnum) == 3
    with ObjectSpool(bundle) as spool:
        before = len(bundle._objects)
        first = spool.splice(objects)
        assert first == before + 1
        tree_dict = cast(DictionaryObject, tree.get_object())
        for number in pages:
            cast(ArrayObject, tree_dict["/Kids"]).append(IndirectObject(first + number, 0, bundle))
            cast(list[Any], bundle.flattened_pages).append(None)
        tree_dict[NameObject("/Count")] = NumberObject(4)
        out = io.BytesIO()
        bundle.write(out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert [page.extract_text().split()[0] for page in reader.pages] == [
        "COVER1", "APART1", "APART2", "APART3"]
    for page in reader.pages[1:]:
        assert page.raw_get("/Parent").idnum == tree.idnum
    # a reference to something neither in the document nor shared is refused, never guessed
    stray = DictionaryObject({NameObject("/Other"): IndirectObject(3, 0, apart)})
    with pytest.raises(ValueError, match="object 3"):
        relocatable([stray], 4, {2: b"2 0 R"})
    # so is an object whose own serialiser would write its references unrenumbered
    from pypdf.generic import ContentStream

    content = ContentStream(None, apart)
    content.set_data(b"q Q")
    content[NameObject("/Extra")] = ArrayObject([IndirectObject(4, 0, apart)])
    with pytest.raises(ValueError, match="ContentStream"):
        relocatable([content], 4, {})
