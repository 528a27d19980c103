"""`bundler bundle verify --sources` reads the bundle's pages in a forked child while it
rebuilds the bundle: what the user reads (every line, the verdict, the exit status) is the
same as when one process does it all, for good and changed bundles and sources, when the
child dies or sends nothing, and in a process running other threads, which never forks.

Each run is `bundler bundle verify` in a process of its own (a fork needs a process with one
thread, which a test session need not be), started through DRIVER, which counts the forks
and can make the child fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from bundler.bundle.build import build_bundle
from tests.test_verify import DATE, flip_byte, make_sources

ROOT = Path(__file__).resolve().parent.parent

DRIVER = """
import atexit, os, signal, sys, threading
from bundler.bundle import verify

mode = sys.argv[1]
parent = os.getpid()
forks = []
fork = os.fork

def counted_fork():  # the checking child's, not the rebuild's workers (bundle/workers.py)
    beside = sys._getframe(1).f_code.co_filename.endswith("forked.py")
    pid = fork()
    if pid and beside:
        forks.append(pid)
    return pid

os.fork = counted_fork
atexit.register(lambda: print(f"forks: {len(forks)}", file=sys.stderr))
if mode in ("killed", "silent"):
    checked = verify._checked_pages

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            if mode == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(0)  # "silent": a clean exit that sends nothing
        return checked(*args, **kwargs)

    verify._checked_pages = dying
if mode == "big":  # as if the bundle had more pages than a child may check beside the rebuild
    verify._BESIDE_MAX_PAGES = 0
if mode == "misguessed":  # as if the page tree's last leaf were not the last page
    verify._guessed_name = lambda reader, pdf: "elsewhere.pdf"
if mode == "thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
from bundler.cli import main

sys.argv = ["bundler", *sys.argv[2:]]
main()
"""


def verify(mode: str, pdf: Path, sources: Path) -> tuple[int, list[str], int]:
    """Exit status, the lines printed and the number of forks of one `bundle verify`."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, "bundle", "verify", str(pdf), "--sources",
         str(sources)], capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    forks = re.findall(r"^forks: (\d+)$", done.stderr, re.MULTILINE)
    assert len(forks) == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines(), int(forks[0])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify-parallel")
    spec = make_sources(root / "case")
    build_bundle(spec, root / "out" / "bundle.pdf", build_date=DATE)
    return root


@pytest.fixture
def root(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(pristine, target)
    return target


def _edit_stream(root: Path, which: int, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` in content stream ``which`` of the first document's first
    page, as an editing tool would (the file is written anew)."""
    pdf = root / "out" / "bundle.pdf"
    manifest = json.loads((root / "out" / "bundle.manifest.json").read_text(encoding="utf-8"))
    writer = PdfWriter(clone_from=PdfReader(pdf))
    page = writer.pages[manifest["documents"][0]["first_page"] - 1]
    stream = page["/Contents"][which].get_object()
    data = stream.get_data()
    assert data.count(old) == 1
    stream.set_data(data.replace(old, new))
    with pdf.open("wb") as handle:
        writer.write(handle)


def _change_a_page(root: Path) -> None:
    """A word of the document's own text (make_sources' text.pdf)."""
    _edit_stream(root, 1, b"(TEXTWORD1 fictional", b"(TEXTWARD1 fictional")


def _alter_a_stamp(root: Path) -> None:
    """The stamp's document number, as a forger would retype it."""
    _edit_stream(root, -1, b"  doc 1  ", b"  doc 7  ")


def _change_a_source(root: Path) -> None:
    path = root / "case" / "evidence" / "form.pdf"
    flip_byte(path, path.stat().st_size // 2)


def _remove_a_source(root: Path) -> None:
    (root / "case" / "evidence" / "photo.jpg").unlink()


def _break_the_page_tree(root: Path) -> None:
    """The second page's reference in /Kids broken: pypdf and the last-leaf walk disagree."""
    pdf = root / "out" / "bundle.pdf"
    data = pdf.read_bytes()
    [kids] = re.findall(rb"/Kids \[ \d+ 0 R \d+ 0 R", data)
    pdf.write_bytes(data.replace(kids, kids[:-4] + b" \x00 R"))


CHANGES = {
    "good": (None, 0, []),
    "changed page": (_change_a_page, 1, ["file hash", "rebuild"]),
    "altered stamp": (_alter_a_stamp, 1, ["file hash", "stamps", "rebuild"]),
    "changed source": (_change_a_source, 1, ["sources", "rebuild"]),
    "missing source": (_remove_a_source, 1, ["sources", "rebuild"]),
    "broken page tree": (_break_the_page_tree, 1, ["file hash", "certificate", "page count",
                                                   "page labels", "stamps", "rebuild"]),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_report_is_the_same_with_and_without_the_child(root: Path, change: str) -> None:
    make, status, failing = CHANGES[change]
    if make is not None:
        make(root)
    pdf, sources = root / "out" / "bundle.pdf", root / "case"
    beside = verify("child", pdf, sources)
    alone = verify("thread", pdf, sources)
    assert beside[2] == 1, "the pages were not checked in a child"
    assert alone[2] == 0, "a process running another thread forked"
    assert beside[:2] == alone[:2]
    big = verify("big", pdf, sources)
    assert big[2] == 0, "a bundle with more pages than the limit was checked in a child"
    assert big[:2] == alone[:2]
    code, lines, _forks = beside
    assert code == status, lines
    failed = [line.split(":")[0].removeprefix("FAIL  ") for line in lines
              if line.startswith("FAIL  ")]
    assert failed == failing, lines
    assert lines[-1].startswith("VERIFIED: " if status == 0 else "NOT VERIFIED: "), lines
    for name in ("certificate", "page count", "page labels", "stamps", "sources", "rebuild"):
        assert sum(line.split(":")[0].endswith(f"  {name}") for line in lines) == 1, lines


@pytest.mark.parametrize("mode", ["killed", "silent", "misguessed"])
@pytest.mark.parametrize("change", ["good", "altered stamp"])
def test_a_child_that_gives_no_answer_changes_nothing_but_the_time(
    root: Path, mode: str, change: str
) -> None:
    make, status, _failing = CHANGES[change]
    if make is not None:
        make(root)
    pdf, sources = root / "out" / "bundle.pdf", root / "case"
    code, lines, forks = verify(mode, pdf, sources)
    assert forks == 1
    assert (code, lines) == verify("thread", pdf, sources)[:2]
    assert code == status
    assert lines[-1].startswith("VERIFIED: " if status == 0 else "NOT VERIFIED: "), lines
