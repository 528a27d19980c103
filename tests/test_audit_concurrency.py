"""Officers working at once: concurrent appends leave one valid chain with every entry."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bundler.audit import AuditAction, read_entries, record, verify_log

# Each writer says it is ready, then waits for the start file, so that all are
# appending at the same moment rather than one after another.
WRITER = """
import sys, time
from pathlib import Path
from bundler.audit import AuditAction, record

case, name, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
(go.parent / f"ready-{name}").touch()
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    record(case, AuditAction.LETTER_GENERATED, details={"writer": name, "i": str(i)})
"""


def _writers_seen(case: Path) -> Counter[str]:
    return Counter(entry.details["writer"] for entry in read_entries(case))


def _switches(case: Path) -> int:
    """How often consecutive entries come from different writers."""
    writers = [entry.details["writer"] for entry in read_entries(case)]
    return sum(a != b for a, b in itertools.pairwise(writers))


def _in_order_per_writer(case: Path) -> bool:
    last: dict[str, int] = {}
    for entry in read_entries(case):
        writer, i = entry.details["writer"], int(entry.details["i"])
        if i != last.get(writer, -1) + 1:
            return False
        last[writer] = i
    return True


def test_two_processes_appending_at_once_leave_a_valid_chain(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(case), name, "50", str(go)],
            stderr=subprocess.PIPE,
        )
        for name in ("officer-a", "officer-b")
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(procs) and time.monotonic() < deadline:
        time.sleep(0.005)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    report = verify_log(case)
    assert report.ok, report.lines()
    assert report.entries == 100
    assert [e.seq for e in read_entries(case)] == list(range(1, 101))
    assert _writers_seen(case) == {"officer-a": 50, "officer-b": 50}
    assert _in_order_per_writer(case)
    assert _switches(case) > 1  # the writers really did overlap


def test_threads_appending_at_once_leave_a_valid_chain(tmp_path: Path) -> None:
    """flock is per open file, so threads of one program exclude each other too."""
    case = tmp_path / "case"
    case.mkdir()
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            for i in range(25):
                record(case, AuditAction.BUNDLE_VERIFIED, details={"writer": name, "i": str(i)})
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = verify_log(case)
    assert report.ok and report.entries == 100
    assert _writers_seen(case) == {f"t{n}": 25 for n in range(4)}
    assert _in_order_per_writer(case)
