"""Every recorded action also records the case's records (case.yaml, residents/*.yaml,
letters.yaml) with their SHA-256, and `bundler audit show` says when they changed between
actions (issue 8, item 7)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from bundler.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_action_records_the_records_and_show_says_when_they_changed(
    sample_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "letters"
    r02 = sample_case / "residents" / "R02.yaml"
    code, output = run("letter", "findings", str(sample_case), "-o", str(out))
    assert code == 0, output
    first_r02 = sha(r02)
    r02.write_text(r02.read_text(encoding="utf-8").replace("flat: Room 2", "flat: Room 3"),
                   encoding="utf-8")
    code, output = run("letter", "revisit-notice", str(sample_case), "-o", str(out),
                       "--date", "2026-11-20")
    assert code == 0, output

    entries = [json.loads(line) for line in
               (sample_case / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    letters = [e for e in entries if e["action"] == "letter_generated"]
    assert len(letters) == 2
    first, second = ({r["path"]: r["sha256"] for r in e["records"]} for e in letters)
    assert {"case.yaml", "residents/R01.yaml", "residents/R02.yaml", "residents/R03.yaml"} <= set(first)
    assert first["residents/R02.yaml"] == first_r02
    assert second["residents/R02.yaml"] == sha(r02) != first_r02
    assert second["case.yaml"] == first["case.yaml"] == sha(sample_case / "case.yaml")

    code, shown = run("audit", "show", str(sample_case))
    assert code == 0
    lines = shown.splitlines()
    marker = [n for n, line in enumerate(lines) if "records changed since entry" in line]
    assert len(marker) == 1, shown
    seq_first = letters[0]["seq"]
    assert lines[marker[0]].strip().endswith(
        f"-- records changed since entry {seq_first}: residents/R02.yaml (changed)")
    # ...placed just before the entry that saw the change
    assert lines[marker[0] + 1].split()[0] == str(letters[1]["seq"])
    code, verified = run("audit", "verify", str(sample_case))
    assert code == 0, verified


def test_a_folder_that_is_not_a_case_records_no_records(tmp_path: Path) -> None:
    from bundler.audit import AuditAction, read_entries, record

    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    entry = record(tmp_path, AuditAction.EVIDENCE_ADDED, outputs=[tmp_path / "a.txt"])
    assert entry.records is None
    line = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert '"records"' not in line  # entries outside a case keep the first format's bytes
    assert read_entries(tmp_path)[0] == entry
