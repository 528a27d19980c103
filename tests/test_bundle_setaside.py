"""Checked PDFs set aside until merged: their bytes leave memory and come back unchanged,
the bytes that were checked, even if the source file changes in between."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from bundler.bundle.setaside import set_aside
from tests import bundle_fixtures as fx


def test_a_set_aside_reader_reads_the_bytes_it_checked(tmp_path: Path) -> None:
    source = fx.make_text_pdf(tmp_path / "letter.pdf", "CHECKED", pages=2)
    reader = PdfReader(source)
    assert len(reader.pages) == 2  # as the check leaves it: its pages counted
    set_aside(reader, tmp_path / "aside.bin")
    assert not isinstance(reader.stream, io.BytesIO)  # its bytes are no longer held
    fx.make_text_pdf(source, "SWAPPED", pages=2)  # the file changes after its check
    assert [page.extract_text().split()[0] for page in reader.pages] == [
        "CHECKED1", "CHECKED2"]
    assert isinstance(reader.stream, io.BytesIO)  # read back once, then read directly


def _open_files() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def test_many_readers_set_aside_keep_no_file_open(tmp_path: Path) -> None:
    pdf = fx.text_pdf_bytes("MANY")
    before = _open_files()
    readers = [set_aside(PdfReader(io.BytesIO(pdf)), tmp_path / "aside.bin")
               for _ in range(50)]
    assert _open_files() == before
    assert (tmp_path / "aside.bin").stat().st_size == 50 * len(pdf)
    texts = [reader.pages[0].extract_text().split()[0] for reader in readers[::7]]
    assert texts == ["MANY1"] * len(texts)
    for reader in readers:
        reader.stream.close()


def test_a_reader_that_cannot_be_set_aside_keeps_its_bytes(tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(fx.text_pdf_bytes("KEPT")))
    set_aside(reader, tmp_path / "missing" / "aside.bin")  # cannot be written
    assert isinstance(reader.stream, io.BytesIO)
    assert reader.pages[0].extract_text().split()[0] == "KEPT1"
