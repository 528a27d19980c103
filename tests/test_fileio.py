"""Writing outputs safely (bundler/fileio.py), read back as a user would: the bytes on disk,
their SHA-256 from hashlib, the file's permissions, what is left in the folder."""

from __future__ import annotations

import hashlib
import os
import stat
import tracemalloc
from pathlib import Path

import pytest

from bundler.errors import OutputExists, OutputFailed
from bundler.fileio import (
    StagedOutputs,
    atomic_writer,
    refuse_overwrite,
    sha256_bytes,
    sha256_file,
    write_text_atomic,
)


def test_hashes_are_hashlibs_of_the_exact_bytes(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # more than one block of reading
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert (sha256_file(path), sha256_bytes(data)) == (expected, expected)


def test_text_is_written_as_utf8_and_gets_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "out" / "note.txt"
    write_text_atomic(path, "Café, 3 November 2026\n")
    umask = os.umask(0o022)
    os.umask(umask)
    assert (path.read_bytes(), stat.S_IMODE(path.stat().st_mode)) == (
        "Café, 3 November 2026\n".encode(), 0o666 & ~umask)
    assert sorted(p.name for p in path.parent.iterdir()) == ["note.txt"]


def test_a_failure_while_writing_leaves_the_earlier_file_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bundle.pdf"
    path.write_bytes(b"earlier")
    with pytest.raises(RuntimeError, match=r"^stopped$"), atomic_writer(path) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("stopped")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.pdf"]
    assert path.read_bytes() == b"earlier"


def test_an_output_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    target = tmp_path / "file" / "out" / "bundle.pdf"
    with pytest.raises(OutputFailed) as raised, atomic_writer(target):
        pass
    assert raised.value.message == f"{target}: cannot write here (Not a directory)"


def test_nothing_is_put_in_place_without_commit(tmp_path: Path) -> None:
    with StagedOutputs() as staged:
        with staged.writer(tmp_path / "a.pdf") as handle:
            handle.write(b"A")
        assert [(dest.name, tmp.read_bytes()) for dest, tmp in staged.files()] == [
            ("a.pdf", b"A")]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("blocked", [0, 1, 2])
def test_a_file_that_cannot_be_put_in_place_takes_back_the_ones_before_it(
    tmp_path: Path, blocked: int
) -> None:
    names = ["a.pdf", "b.json", "c.sha256"]
    (tmp_path / names[blocked]).mkdir()  # a folder where that output goes
    with StagedOutputs() as staged:
        for name in names:
            with staged.writer(tmp_path / name) as handle:
                handle.write(name.encode())
        with pytest.raises(OutputFailed) as raised:
            staged.commit()
    removed = ", ".join(str(tmp_path / name) for name in names[:blocked])
    assert raised.value.message == (
        f"{tmp_path / names[blocked]}: cannot be put in place (Is a directory)"
        + (f"; {removed} removed again" if removed else ""))
    assert sorted(p.name for p in tmp_path.iterdir()) == [names[blocked]]


def test_hashing_a_large_file_reads_it_a_block_at_a_time(tmp_path: Path) -> None:
    """Evidence can be large: hashing it must not hold the whole file in memory."""
    path = tmp_path / "large.bin"
    with path.open("wb") as handle:  # 64 MiB, sparse: no disk space used
        handle.truncate(64 << 20)
    tracemalloc.start()
    try:
        digest = sha256_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest == hashlib.sha256(bytes(64 << 20)).hexdigest()
    assert peak < 8 << 20


def test_existing_outputs_are_refused_unless_forced(tmp_path: Path) -> None:
    new, old = tmp_path / "new.pdf", tmp_path / "old.pdf"
    old.write_bytes(b"old")
    refuse_overwrite([new, old], force=True)
    with pytest.raises(OutputExists) as raised:
        refuse_overwrite([new, old], force=False)
    assert raised.value.message == f"{old}: already exists; nothing was changed"
