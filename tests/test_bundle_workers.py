"""`bundle build --workers N`: documents are prepared, then merged and stamped, by N
processes, and the bundle, its manifest, the warnings and the errors are the same whatever N
is."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from bundler.bundle.build import build_bundle
from bundler.bundle.workers import Crew, worker_count
from bundler.errors import BadInput
from tests import awkward
from tests import bundle_fixtures as fx

DATE = dt.date(2026, 3, 1)


def _letterhead_pdf(path: Path, pages: int, ascii85: bool, seed: int) -> None:
    """Pages sharing one picture and one font, as reportlab writes letters."""
    picture = io.BytesIO()
    Image.new("RGB", (120, 40), (seed * 20 % 256, 90, 160)).save(picture, "PNG")
    head = ImageReader(io.BytesIO(picture.getvalue()))
    saved = rl_config.useA85
    rl_config.useA85 = 1 if ascii85 else 0
    try:
        c = canvas.Canvas(str(path), pagesize=A4, invariant=True)
        for number in range(1, pages + 1):
            c.drawImage(head, 56, 770, width=120, height=40)
            c.setFont("Helvetica", 11)
            c.drawString(56, 700, f"Letter {seed} page {number} WORD{seed}X{number}")
            c.showPage()
        c.save()
    finally:
        rl_config.useA85 = saved


def _case(folder: Path, broken: bool = False) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    entries: list[tuple[str, str]] = []
    for seed in range(14):
        name = f"letter{seed:02d}.pdf"
        _letterhead_pdf(evidence / name, 1 + seed % 4, seed % 2 == 0, seed)
        entries.append((name, ""))
    awkward.make_owner_locked_pdf(evidence / "locked.pdf")  # a warning
    awkward.make_encrypted_pdf(evidence / "secret.pdf", user_password="s3cret")
    entries += [("locked.pdf", ""), ("secret.pdf", "        password: s3cret\n")]
    awkward.make_jpeg(evidence / "photo.jpg", orientation=6)
    awkward.make_screenshot(evidence / "screen.png", "PNG")
    awkward.make_utf8_text(evidence / "notes.txt")
    entries += [("photo.jpg", ""), ("screen.png", ""), ("notes.txt", "")]
    # what the merge itself reads: form fields, the document's own bookmarks, internal and
    # web links (a warning), pages of other shapes and inherited attributes
    fx.make_form_pdf(evidence / "form.pdf")
    fx.make_outlined_pdf(evidence / "outlined.pdf")
    fx.make_internal_link_pdf(evidence / "linked.pdf")
    fx.make_active_pdf(evidence / "active.pdf")
    fx.make_rotated_pdf(evidence / "rotated.pdf")
    fx.make_inherited_pdf(evidence / "inherited.pdf")
    entries += [(name, "") for name in ("form.pdf", "outlined.pdf", "linked.pdf", "active.pdf",
                                        "rotated.pdf", "inherited.pdf")]
    if broken:
        awkward.make_pdf_missing_content(evidence / "broken.pdf")
        entries.insert(9, ("broken.pdf", ""))
    lines = ["reference: WORKERS-1", "title: Workers", "sections:", "  - label: A",
             "    title: Everything", "    documents:"]
    for name, extra in entries:
        lines.append(f"      - file: evidence/{name}\n        title: Document {name}\n{extra}")
    spec = folder / "bundle.yaml"
    spec.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n", encoding="utf-8")
    return spec


def _build(spec: Path, out: Path, workers: int | None,
           caplog: pytest.LogCaptureFixture) -> tuple[bytes, bytes, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bundler"):
        result = build_bundle(spec, out, build_date=DATE, workers=workers)
    warnings = [record.getMessage() for record in caplog.records]
    return result.pdf.read_bytes(), result.manifest.read_bytes(), warnings


def test_one_and_two_workers_make_the_same_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.bundle import assemble

    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    stages: list[tuple[str, int]] = []
    real_run = Crew.run

    def run(self, job, shared, jobs, owners=None):  # type: ignore[no-untyped-def]
        stages.append((job.__name__, self.count))
        return real_run(self, job, shared, jobs, owners)

    monkeypatch.setattr(Crew, "run", run)
    read_again = tmp_path / "read-again.txt"
    real_open = assemble.open_rendition

    def open_rendition(pdf, password):  # type: ignore[no-untyped-def]
        with read_again.open("a", encoding="utf-8") as handle:  # (from a worker too)
            handle.write(f"{pdf.name}\n")
        return real_open(pdf, password)

    monkeypatch.setattr(assemble, "open_rendition", open_rendition)
    spec = _case(tmp_path / "case")
    one = _build(spec, tmp_path / "one" / "bundle.pdf", 1, caplog)
    two = _build(spec, tmp_path / "two" / "bundle.pdf", 2, caplog)
    # the second build's documents were prepared, then merged, by two processes, each
    # document merged from the reader that checked it; a PDF is read a second time only
    # when the worker that had merged all its own took one of the other's last documents
    assert stages == [("_prepare_kept", 2), ("merge_kept", 2)]
    again = read_again.read_text(encoding="utf-8").split() if read_again.exists() else []
    import json

    assert len(again) <= len(json.loads(two[1])["documents"]) // 2
    default = _build(spec, tmp_path / "default" / "bundle.pdf", None, caplog)
    assert one[0] == two[0] == default[0]
    assert one[1] == two[1] == default[1]
    assert one[2] == two[2] == default[2]
    assert any("locked.pdf" in warning and "owner password" in warning for warning in one[2])
    assert any("active.pdf" in warning and "web link" in warning for warning in one[2])
    text = awkward.pdf_text(tmp_path / "two" / "bundle.pdf")
    for seed in range(14):
        assert f"WORD{seed}X1" in text
    assert "FILLEDVALUE42" in text and "OUTWORD3" in text and "LINKWORD2" in text
    bookmarks = [item.title for item in _flat(PdfReader(tmp_path / "two" / "bundle.pdf").outline)]
    assert "Part 2" in bookmarks


def _flat(outline: Sequence[object]) -> list[Any]:
    items: list[Any] = []
    for item in outline:
        items += _flat(item) if isinstance(item, list) else [item]
    return items


def test_a_document_failing_while_merged_fails_the_same_way_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damage only the merge finds (here made to happen to one document): the same one-line
    error naming that document whatever the number of processes, and nothing written."""
    from bundler.bundle import assemble

    real = assemble._add_document

    def fails_on_one(context, reader, doc, *args):  # type: ignore[no-untyped-def]
        if doc.source.endswith("letter05.pdf"):
            raise KeyError("/Resources")
        return real(context, reader, doc, *args)

    monkeypatch.setattr(assemble, "_add_document", fails_on_one)
    spec = _case(tmp_path / "case")
    messages = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}" / "bundle.pdf"
        with pytest.raises(BadInput) as caught:
            build_bundle(spec, out, build_date=DATE, workers=workers)
        messages.append(str(caught.value))
        assert not out.parent.exists() or not any(out.parent.iterdir())
    assert messages == ["evidence/letter05.pdf: part of the PDF is damaged and it cannot be "
                        "merged (KeyError)"] * 2


def test_a_broken_document_fails_the_same_way_with_workers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = _case(tmp_path / "case", broken=True)
    messages = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}" / "bundle.pdf"
        with pytest.raises(BadInput) as caught:
            build_bundle(spec, out, build_date=DATE, workers=workers)
        messages.append((str(caught.value), caught.value.hint, caught.value.exit_code))
        assert not out.parent.exists() or not any(out.parent.iterdir())
    assert messages[0] == messages[1]
    assert messages[0][0].startswith("evidence/broken.pdf: ")


def test_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from bundler.bundle import workers

    monkeypatch.setattr(workers, "can_fork", lambda: True)
    monkeypatch.setattr(workers, "_processors", lambda: 2)
    assert worker_count(None, 500) == 2  # by default one per processor
    monkeypatch.setattr(workers, "_processors", lambda: 16)
    assert worker_count(None, 500) == 4  # at most four
    assert worker_count(None, 3) == 3
    assert worker_count(8, 500) == 8  # as many as asked
    monkeypatch.setattr(workers, "can_fork", lambda: False)
    assert worker_count(None, 500) == worker_count(8, 500) == 1  # none can be forked
    monkeypatch.undo()
    assert worker_count(1, 500) == 1
    assert worker_count(2, 500) in (1, 2)  # 1 where no process can be forked
    assert worker_count(3, 2) in (1, 2)  # never more than documents


def test_workers_from_the_command_line(tmp_path: Path) -> None:
    """`--workers 2` on the command line (its own process, running no other thread, so the
    workers are forked even when the tests' process runs a server): the same bundle as
    `--workers 1`."""
    import subprocess
    import sys

    spec = _case(tmp_path / "case")
    built = []
    for workers in ("1", "2"):
        out = tmp_path / workers / "bundle.pdf"
        done = subprocess.run([sys.executable, "-m", "bundler", "bundle", "build", str(spec),
                               "-o", str(out), "--date", "2026-03-01", "--workers", workers],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        built.append(out.read_bytes())
    assert built[0] == built[1]


def test_a_worker_killed_mid_build_stops_the_build_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies (the kernel's out-of-memory killer, say) while merging: the build
    ends at once with a one-line error saying so and what to do, nothing is written, and no
    worker is left running."""
    import os
    import signal

    from bundler.bundle import assemble
    from bundler.errors import ExitCode, WorkerStopped

    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    builder = os.getpid()
    real = assemble.merge_document

    def dies_on_one(doc, *args):  # type: ignore[no-untyped-def]
        if os.getpid() != builder and doc.source.endswith("letter05.pdf"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(doc, *args)

    monkeypatch.setattr(assemble, "merge_document", dies_on_one)
    spec = _case(tmp_path / "case")
    out = tmp_path / "out" / "bundle.pdf"
    before = _children()
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the build waited"))
    signal.alarm(120)
    try:
        with pytest.raises(WorkerStopped) as caught:
            build_bundle(spec, out, build_date=DATE, workers=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert caught.value.exit_code == ExitCode.OUTPUT_FAILED
    assert "worker process" in str(caught.value) and "--workers 1" in caught.value.hint
    assert not out.parent.exists() or not any(out.parent.iterdir())
    assert _children() <= before  # every worker was stopped and waited for (no zombie)


def _children() -> set[int]:
    """This process's child processes, zombies included (from /proc)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def test_a_worker_gone_between_stages_stops_the_build_with_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that is gone by the time the documents are merged (killed while the index
    was being laid out): the same one-line error, no traceback, nothing written."""
    import os
    import signal

    from bundler.bundle import build
    from bundler.errors import WorkerStopped

    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    crews: list[Crew] = []
    real_run, real_layout = Crew.run, build._layout

    def run(self, job, shared, jobs, owners=None):  # type: ignore[no-untyped-def]
        crews.append(self)
        return real_run(self, job, shared, jobs, owners)

    def layout(*args, **kwargs):  # type: ignore[no-untyped-def]
        pid = crews[0]._pids[0]
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        crews[0]._pids.remove(pid)
        return real_layout(*args, **kwargs)

    monkeypatch.setattr(Crew, "run", run)
    monkeypatch.setattr(build, "_layout", layout)
    out = tmp_path / "out" / "bundle.pdf"
    with pytest.raises(WorkerStopped, match="a worker process of this build stopped"):
        build_bundle(_case(tmp_path / "case"), out, build_date=DATE, workers=2)
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_without_libmagic_a_build_says_what_to_install_whatever_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from bundler.errors import MissingTool

    spec = _case(tmp_path / "case")
    monkeypatch.setitem(sys.modules, "magic", None)  # as if python-magic were not installed
    for workers in (1, 2):
        out = tmp_path / f"w{workers}" / "bundle.pdf"
        with pytest.raises(MissingTool, match="libmagic is not installed") as caught:
            build_bundle(spec, out, build_date=DATE, workers=workers)
        assert "libmagic1" in caught.value.hint
        assert not out.parent.exists() or not any(out.parent.iterdir())


def _square_after(pause: float, position: int) -> int:
    import time

    time.sleep(pause)
    return position * position


def _block_after(pause: float, position: int) -> bytes:
    import time

    time.sleep(pause)
    return bytes([position % 256]) * 1000


def test_results_taken_while_this_process_is_busy_come_in_order_and_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The build's own process draws the index while the workers merge, taking their results
    now and then (``pump``): the work goes on meanwhile, the results waiting their turn stay
    within a bound (in bytes), and every result is still given in order, once."""
    import time

    from bundler.bundle import workers

    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    monkeypatch.setattr(workers, "_HELD", 20_000)  # about 18 results of 1,000 bytes
    jobs = 100
    with Crew(2) as crew:
        results = crew.run(_block_after, 0.0005, jobs)
        stage = crew._current
        assert stage is not None
        deadline = time.monotonic() + 60
        while stage.held < workers._HELD and time.monotonic() < deadline:
            crew.pump()  # as drawing does, between strings
            time.sleep(0.001)
        for _ in range(200):  # long enough for any work still handed out to come back
            crew.pump()
            time.sleep(0.001)
        assert workers._HELD <= stage.held <= workers._HELD + 2 * workers._PUMPED * 1200
        assert len(stage.arrived) < jobs  # the rest waited for their turn to be handed out
        assert list(results) == [bytes([p % 256]) * 1000 for p in range(jobs)]
        assert stage.held == 0


def test_a_worker_killed_while_this_process_draws_stops_the_build() -> None:
    import os
    import signal
    import time

    from bundler.errors import WorkerStopped

    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    before = _children()
    with Crew(2) as crew:
        results = crew.run(_square_after, 0.01, 100)
        os.kill(crew._pids[1], signal.SIGKILL)
        with pytest.raises(WorkerStopped):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                crew.pump()
                time.sleep(0.001)
        assert not crew._pids  # every worker stopped and waited for
        with pytest.raises(WorkerStopped):
            list(results)
    assert _children() <= before


def test_a_worker_with_nothing_left_takes_work_from_the_other_end_of_anothers() -> None:
    """Documents go back to the worker that checked them; one that has merged all of its
    own takes the last of another's, so neither core waits while the other works. Results
    still come in order, once each."""
    if worker_count(2, 100) != 2:
        pytest.skip("no worker process can be forked here (another thread is running)")
    jobs = 40
    with Crew(2) as crew:
        first = list(crew.run(_square_after, 0.0, 2))  # (the crew starts with a first stage)
        assert first == [0, 1]
        results = list(crew.run(_square_after, 0.005, jobs, dict.fromkeys(range(jobs), 0)))
        assert results == [position * position for position in range(jobs)]
        taken = sorted(p for p, worker in crew.done_by.items() if worker == 1)
        assert taken, "the idle worker took none of the other's work"
        assert taken == list(range(jobs - len(taken), jobs))  # from the far end only
