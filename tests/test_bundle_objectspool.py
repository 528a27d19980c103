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
