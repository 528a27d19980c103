"""`bundler bundle verify` (no sources) reads the stamps on half the pages in a forked child
while it reads the other half: what the user reads (every line, the verdict, the exit
status) is the same as when one process reads them all, for good and changed bundles, for
page trees laid out otherwise than this toolkit writes them (pypdf's own walk reads those),
when the child dies or sends nothing, and in a process running other threads, which never
forks.

Each run is `bundler bundle verify` in a process of its own, started through DRIVER, which
counts the forks and can make the child fail; the test bundles are small, so the driver
lowers the number of pages from which the pages are split (``_SPLIT_MIN_PAGES``).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

from bundler.bundle import verify as verify_module
from bundler.bundle.build import build_bundle
from bundler.bundle.served import plain_pages
from bundler.bundle.stamp import as_printed
from bundler.bundle.verify import verify_bundle
from bundler.errors import BundlerError
from tests.test_received_bundle_fuzz import TARGETED, _damage, _replaced
from tests.test_verify import DATE, make_sources
from tests.test_verify_parallel import _alter_a_stamp, _break_the_page_tree, _change_a_page

ROOT = Path(__file__).resolve().parent.parent

DRIVER = """
import atexit, os, signal, sys, threading
from bundler.bundle import served, verify

mode = sys.argv[1]
parent = os.getpid()
forks = []
fork = os.fork

def counted_fork():
    pid = fork()
    if pid:
        forks.append(pid)
    return pid

os.fork = counted_fork
atexit.register(lambda: print(f"forks: {len(forks)}", file=sys.stderr))
verify._SPLIT_MIN_PAGES = 10**9 if mode == "alone" else 2
if mode in ("killed", "silent"):
    stamps = served.PlainPages.stamps

    def dying(self, start, stop):
        if os.getpid() != parent:
            if mode == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(0)  # "silent": a clean exit that sends nothing
        return stamps(self, start, stop)

    served.PlainPages.stamps = dying
if mode == "thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
from bundler.cli import main

sys.argv = ["bundler", *sys.argv[2:]]
main()
"""


def verify(mode: str, pdf: Path) -> tuple[int, list[str], int]:
    """Exit status, the lines printed and the number of forks of one `bundle verify`."""
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, "bundle", "verify", str(pdf)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    forks = re.findall(r"^forks: (\d+)$", done.stderr, re.MULTILINE)
    assert len(forks) == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines(), int(forks[0])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify-split")
    spec = make_sources(root / "case")
    build_bundle(spec, root / "out" / "bundle.pdf", build_date=DATE)
    return root


@pytest.fixture
def root(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(pristine, target)
    return target


def _kids(pdf: Path) -> list[bytes]:
    """The page references the page tree's /Kids lists, as written."""
    [kids] = re.findall(rb"/Kids \[([ \d R]+)\]", pdf.read_bytes())
    return re.findall(rb"\d+ \d+ R", kids)


def _not_a_page(root: Path, position: int) -> None:
    """The page at ``position`` in /Kids replaced by the document information dictionary
    (same length, so every offset still holds)."""
    pdf = root / "out" / "bundle.pdf"
    data = pdf.read_bytes()
    kid = _kids(pdf)[position]
    [info] = re.findall(rb"/Info (\d+ \d+ R)", data)
    assert len(info) <= len(kid)
    pdf.write_bytes(data.replace(b" " + kid + b" ", b" " + info.ljust(len(kid)) + b" ", 1))


def _nested(root: Path) -> None:
    """The pages listed by two /Pages nodes under the root node (as other tools write)."""
    pdf = root / "out" / "bundle.pdf"
    writer = PdfWriter(clone_from=PdfReader(pdf))
    pages = writer.root_object["/Pages"].get_object()
    kids = list(pages["/Kids"])
    half = len(kids) // 2
    nodes = ArrayObject()
    for part in (kids[:half], kids[half:]):
        node = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Pages"), NameObject("/Kids"): ArrayObject(part),
            NameObject("/Count"): NumberObject(len(part)),
            NameObject("/Parent"): pages.indirect_reference}))
        for kid in part:
            kid.get_object()[NameObject("/Parent")] = node
        nodes.append(node)
    pages[NameObject("/Kids")] = nodes
    with pdf.open("wb") as handle:
        writer.write(handle)
    reader = PdfReader(pdf)
    assert [len(kid.get_object()["/Kids"]) for kid in reader.root_object["/Pages"]["/Kids"]] == [
        half, len(kids) - half]


CHANGES = {
    # name: (change, forks with a split, failing checks)
    "good": (None, 1, []),
    "changed page": (_change_a_page, 1, ["file hash"]),
    "altered stamp": (_alter_a_stamp, 1, ["file hash", "stamps"]),
    "broken page tree": (_break_the_page_tree, 0, ["file hash", "certificate", "page count",
                                                   "page labels", "stamps"]),
    "not a page, first half": (lambda root: _not_a_page(root, 3), 1, ["file hash", "stamps"]),
    "not a page, second half": (lambda root: _not_a_page(root, -2), 1, ["file hash", "stamps"]),
    "nested page tree": (_nested, 1, ["file hash"]),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_report_is_the_same_with_and_without_the_split(root: Path, change: str) -> None:
    make, forked, failing = CHANGES[change]
    if make is not None:
        make(root)
    pdf = root / "out" / "bundle.pdf"
    split = verify("split", pdf)
    alone = verify("alone", pdf)
    threaded = verify("thread", pdf)
    assert split[2] == forked, split
    assert alone[2] == 0, "a bundle with fewer pages than the limit was split"
    assert threaded[2] == 0, "a process running another thread forked"
    assert split[:2] == alone[:2] == threaded[:2]
    code, lines, _forks = split
    failed = [line.split(":")[0].removeprefix("FAIL  ") for line in lines
              if line.startswith("FAIL  ")]
    assert failed == failing, lines
    assert code == (1 if failing else 0), lines
    assert lines[-1].startswith("NOT VERIFIED: " if failing else "VERIFIED: "), lines
    for name in ("certificate", "page count", "page labels", "stamps"):
        assert sum(line.split(":")[0].endswith(f"  {name}") for line in lines) == 1, lines


@pytest.mark.parametrize("mode", ["killed", "silent"])
@pytest.mark.parametrize("change", ["good", "altered stamp", "not a page, second half"])
def test_a_child_that_gives_no_answer_changes_nothing_but_the_time(
    root: Path, mode: str, change: str
) -> None:
    make, _forked, failing = CHANGES[change]
    if make is not None:
        make(root)
    pdf = root / "out" / "bundle.pdf"
    code, lines, forks = verify(mode, pdf)
    assert forks == 1
    assert (code, lines) == verify("alone", pdf)[:2]
    assert code == (1 if failing else 0)


def test_the_pages_of_a_bundle_made_here_are_read_a_half_at_a_time(pristine: Path,
                                                                   tmp_path: Path) -> None:
    pdf = pristine / "out" / "bundle.pdf"
    manifest = json.loads((pristine / "out" / "bundle.manifest.json").read_text("utf-8"))
    reader = PdfReader(pdf)
    plain = plain_pages(reader)
    assert plain is not None
    assert len(plain) == len(reader.pages) == manifest["pages"]
    half = len(plain) // 2
    first, second = plain.stamps(0, half), plain.stamps(half, len(plain))
    assert first is not None and second is not None
    shown = first[0] + second[0]
    for doc in manifest["documents"]:  # each document's first page carries its stamp
        assert shown[doc["first_page"] - 1] == as_printed(doc["stamp"])
    assert shown[0] is None  # the front matter has none
    assert [plain[index].extract_text() for index in (0, len(plain) - 1)] == [
        reader.pages[index].extract_text() for index in (0, len(plain) - 1)]
    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy)
    _nested(copy)  # the root's kids are /Pages nodes: not read as pages
    nested = plain_pages(PdfReader(copy / "out" / "bundle.pdf"))
    assert nested is not None and nested.stamps(0, 1) is None


def test_damaged_copies_read_the_same_with_and_without_the_split(
    pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies damaged as in the fuzz test (test_received_bundle_fuzz.py): every line, or the
    refusal, the same whether the pages are read in halves or by pypdf's walk (in this
    process, the child's half is read by a child where the test session may fork, else
    here)."""
    received = tmp_path / "received.pdf"  # uncompressed: its dictionaries can be damaged
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable",
                    str(pristine / "out" / "bundle.pdf"), str(received)], check=True)
    rng = random.Random(20261202)
    original = received.read_bytes()
    copies = [bytes(_replaced(original, key, value)) for key, value in TARGETED]
    copies += [_damage(original, rng) for _ in range(60)]
    outcomes: set[str] = set()
    halves = []  # the copies whose pages were read in halves
    read_pages = verify_module._read_pages

    def counted(reader: PdfReader, split: bool) -> Any:
        pages, stamps = read_pages(reader, split)
        if stamps is not None:
            halves.append(reader)
        return pages, stamps

    monkeypatch.setattr(verify_module, "_read_pages", counted)
    for number, damaged in enumerate(copies):
        pdf = tmp_path / f"copy{number}.pdf"
        pdf.write_bytes(damaged)
        said = []
        for least in (2, 10**9):
            monkeypatch.setattr(verify_module, "_SPLIT_MIN_PAGES", least)
            try:
                said.append(verify_bundle(pdf, record_audit=False).lines())
            except BundlerError as exc:
                said.append([exc.message])
        assert said[0] == said[1], pdf.name
        outcomes.add(said[0][-1].split(":")[0])
    assert {"VERIFIED", "NOT VERIFIED"} <= outcomes, outcomes
    assert len(halves) >= len(copies) // 2, "too few copies were read in halves"
