"""`bundler audit ...` and `bundler evidence add`: exit codes and exact messages."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bundler.audit import AuditAction, head_hash, read_entries, record
from bundler.cli import cli

T0 = dt.datetime(2026, 11, 20, 9, 30, 15, tzinfo=dt.UTC)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path so messages show the short relative paths an officer types."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _case_with_log(entries: int = 3) -> Path:
    case = Path("case")
    (case / "evidence").mkdir(parents=True)
    for i in range(entries):
        out = case / "evidence" / f"doc-{i}.pdf"
        out.write_bytes(f"document {i}".encode())
        record(case, AuditAction.EVIDENCE_ADDED, outputs=[out], now=T0 + dt.timedelta(minutes=i))
    return case


def test_verify_intact_prints_one_pass_line(here: Path) -> None:
    case = _case_with_log()
    result = run("audit", "verify", "case")
    head = head_hash(case)
    assert head is not None
    assert result.exit_code == 0
    assert result.stdout == f"PASS case/audit.jsonl: 3 entries, chain intact, head {head[:12]}\n"
    assert result.stderr == ""


def test_verify_broken_names_the_first_bad_entry(here: Path) -> None:
    case = _case_with_log()
    log = case / "audit.jsonl"
    lines = log.read_bytes().split(b"\n")
    log.write_bytes(b"\n".join([lines[0], lines[2], b""]))  # entry 2 deleted
    result = run("audit", "verify", "case")
    assert result.exit_code == 1
    assert result.stdout == (
        "FAIL case/audit.jsonl: entry 3 (line 2): out of order: entry 2 should come here, so "
        "an entry was deleted, inserted or moved\n"
        "FAIL case/audit.jsonl: audit log broken, 1 problem; first bad: entry 3 (line 2)\n"
    )


def test_verify_one_changed_byte(here: Path) -> None:
    case = _case_with_log()
    log = case / "audit.jsonl"
    data = bytearray(log.read_bytes())
    second_line = data.index(b"\n") + 1
    position = data.index(b'"bytes":10', second_line)  # entry 2's output size
    data[position + 9] = ord("1")  # 10 -> 11
    log.write_bytes(bytes(data))
    result = run("audit", "verify", "case")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "FAIL case/audit.jsonl: entry 2 (line 2): changed after it was written: its content "
        "no longer matches its hash"
    )


def test_verify_missing_log_and_missing_folder(here: Path) -> None:
    Path("case").mkdir()
    result = run("audit", "verify", "case")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        "error: case/audit.jsonl: audit log not found\n"
        "  what to do: Nothing has been recorded for this case yet, or the case folder is "
        "wrong: the log is created when the first evidence file is added, letter written or "
        "bundle built.\n"
    )
    result = run("audit", "verify", "elsewhere")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: elsewhere: case folder not found"


def test_verify_against_heads(here: Path) -> None:
    case = _case_with_log()
    served = head_hash(case)
    assert served is not None
    result = run("audit", "verify", "case", "--head", served.upper())
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        f"PASS case/audit.jsonl: head {served[:12]} is entry 3 (line 3), chain intact up to it"
    )
    log = case / "audit.jsonl"
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:2]))  # cut off
    now_head = head_hash(case) or ""
    result = run("audit", "verify", "case", "--head", served)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"PASS case/audit.jsonl: 2 entries, chain intact, head {now_head[:12]}",
        f"FAIL case/audit.jsonl: head {served[:12]} is not in the log: entries were removed "
        "from its end, or the log was rewritten",
    ]
    result = run("audit", "verify", "case", "--head", "abc")
    assert result.exit_code == 2
    assert "'abc' is not a head hash" in result.stderr


def test_verify_json(here: Path) -> None:
    case = _case_with_log(2)
    log = case / "audit.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"seq":2', b'"seq":5'))
    result = run("audit", "verify", "case", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["entries"] == 2 and report["heads"] == []
    assert report["bundles"] == []
    assert report["problems"] == [
        {
            "line": 2,
            "seq": 5,
            "kind": "edited",
            "repairable": False,
            "message": "entry 5 (line 2): changed after it was written: its content no longer "
            "matches its hash",
        }
    ]


def test_show_table_and_json(here: Path) -> None:
    case = _case_with_log(2)
    user = read_entries(case)[0].user
    result = run("audit", "show", "case")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    h0, h1 = (hashlib.sha256(f"document {i}".encode()).hexdigest()[:12] for i in range(2))
    assert lines[0].split() == ["seq", "time", "(UTC)", "action", "user", "outputs", "(sha256)"]
    assert lines[1].split() == [
        "1",
        "2026-11-20T09:30:15Z",
        "evidence_added",
        user,
        "evidence/doc-0.pdf",
        f"({h0})",
    ]
    assert lines[2].split() == [
        "2",
        "2026-11-20T09:31:15Z",
        "evidence_added",
        user,
        "evidence/doc-1.pdf",
        f"({h1})",
    ]
    assert lines[3] == ""
    assert lines[4].startswith("PASS case/audit.jsonl: 2 entries, chain intact")

    result = run("audit", "show", "case", "--json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["chain_ok"] is True and shown["log"] == "case/audit.jsonl"
    on_disk = [json.loads(line) for line in (case / "audit.jsonl").read_text().splitlines()]
    assert shown["entries"] == on_disk


def test_repair(here: Path) -> None:
    case = _case_with_log(1)
    result = run("audit", "repair", "case")
    assert (result.exit_code, result.stdout) == (
        0,
        "case/audit.jsonl: nothing to repair: the chain is intact and the last entry is "
        "complete\n",
    )
    with (case / "audit.jsonl").open("ab") as handle:
        handle.write(b'{"action":"letter_gen')
    assert run("audit", "verify", "case").exit_code == 1
    result = run("audit", "repair", "case")
    assert result.exit_code == 0
    assert result.stdout == (
        "case/audit.jsonl: line 2 was cut off; its bytes were moved to "
        "case/audit.jsonl.torn-2, recorded as entry 2\n"
    )
    assert run("audit", "verify", "case").exit_code == 0


def test_module_entry_point_runs_audit_verify(here: Path) -> None:
    _case_with_log(1)
    proc = subprocess.run(
        [sys.executable, "-m", "bundler", "audit", "verify", "case"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("PASS case/audit.jsonl: 1 entry, chain intact, head ")
