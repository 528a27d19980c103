"""`bundler evidence retire`: a wrong file moves to evidence/.retired/, recorded; nothing is deleted."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bundler.audit import AuditAction, read_entries, retire_evidence, verify_log
from bundler.cli import cli
from bundler.errors import OutputFailed

from .awkward import pdf_bytes
from .conftest import SAMPLE


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A case holding one added file, evidence/provider/licence.pdf; work in tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "case.yaml").write_text("review: {}\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "licence.pdf").write_bytes(pdf_bytes(1, "The wrong licence"))
    assert run("evidence", "add", "case", "in/licence.pdf", "--into", "provider").exit_code == 0
    return tmp_path


def test_retire_moves_the_file_keeping_its_path_and_records_it(here: Path) -> None:
    original = here / "case" / "evidence" / "provider" / "licence.pdf"
    digest = sha(original)

    result = run("evidence", "retire", "case", "evidence/provider/licence.pdf",
                 "--reason", "R02's licence, sent for R01 by mistake")

    assert result.exit_code == 0, result.output
    retired = here / "case" / "evidence" / ".retired" / "provider" / "licence.pdf"
    assert result.stdout == (
        f"Retired case/evidence/provider/licence.pdf to case/evidence/.retired/provider/"
        f"licence.pdf (sha256 {digest}); audit entry 2\n"
    )
    assert result.stderr == ""
    assert not original.exists()
    assert sha(retired) == digest
    entry = read_entries(here / "case")[-1]
    assert entry.action == AuditAction.EVIDENCE_RETIRED
    assert [(f.path, f.sha256) for f in entry.inputs] == [("evidence/provider/licence.pdf", digest)]
    assert [(f.path, f.sha256) for f in entry.outputs] == [
        ("evidence/.retired/provider/licence.pdf", digest)
    ]
    assert entry.details == {"reason": "R02's licence, sent for R01 by mistake"}
    assert verify_log(here / "case").ok
    show = run("audit", "show", "case")
    assert "evidence_retired" in show.stdout
    assert "evidence/.retired/provider/licence.pdf" in show.stdout


def test_a_second_file_retired_from_the_same_path_never_overwrites_the_first(here: Path) -> None:
    assert run("evidence", "retire", "case", "evidence/provider/licence.pdf",
               "--reason", "wrong resident").exit_code == 0
    first = here / "case" / "evidence" / ".retired" / "provider" / "licence.pdf"
    first_bytes = first.read_bytes()
    (here / "in" / "licence.pdf").write_bytes(pdf_bytes(2, "Still the wrong licence"))
    assert run("evidence", "add", "case", "in/licence.pdf", "--into", "provider").exit_code == 0
    (first.parent / "licence (2).pdf").write_bytes(b"an earlier hand-made copy")

    result = run("evidence", "retire", "case", "case/evidence/provider/licence.pdf",
                 "--reason", "wrong again")

    assert result.exit_code == 0, result.output
    third = first.parent / "licence (3).pdf"
    assert result.stdout.startswith(
        "Retired case/evidence/provider/licence.pdf to case/evidence/.retired/provider/"
        "licence (3).pdf "
    )
    assert first.read_bytes() == first_bytes
    assert (first.parent / "licence (2).pdf").read_bytes() == b"an earlier hand-made copy"
    assert third.read_bytes() == pdf_bytes(2, "Still the wrong licence")
    assert [e.action for e in read_entries(here / "case")] == [
        AuditAction.EVIDENCE_ADDED, AuditAction.EVIDENCE_RETIRED,
        AuditAction.EVIDENCE_ADDED, AuditAction.EVIDENCE_RETIRED,
    ]


def test_records_that_still_name_the_file_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    monkeypatch.chdir(tmp_path)
    licence = "evidence/residents/R01/licence.pdf"
    resident = case / "residents" / "R01.yaml"
    lines = resident.read_text(encoding="utf-8").splitlines()
    line = lines.index(f"    file: {licence}") + 1
    described = lines.index(f"  - file: {licence}") + 1  # the file's own title and dates
    (case / "bundle.yaml").write_text(
        "reference: X\ntitle: Y\nsections:\n  - label: A\n    title: Z\n    documents:\n"
        f"      - file: {licence}\n        title: Licence\n", encoding="utf-8")

    result = run("evidence", "retire", "case", licence, "--reason", "unsigned copy")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: case/residents/R01.yaml:{line}: evidence.occupancy_agreement.file: still "
        f"names {licence}; name the right file there or remove the entry",
        f"warning: case/residents/R01.yaml:{described}: documents[2].file: still names {licence}; "
        "name the right file there or remove the entry",
        f"warning: case/bundle.yaml:7: sections[1].documents[1].file: still names {licence}; "
        "name the right file there or remove the entry",
    ]
    assert (case / "evidence" / ".retired" / "residents" / "R01" / "licence.pdf").is_file()


@pytest.mark.parametrize(
    ("relpath", "reason", "code", "message"),
    [
        ("evidence/provider/nothing.pdf", "x", 3,
         "error: case/evidence/provider/nothing.pdf: file not found"),
        ("provider/licence.pdf", "x", 3,
         "error: provider/licence.pdf: not a file in case/evidence"),
        ("evidence/provider", "x", 4, "error: case/evidence/provider: is a folder or a link, not a file"),
        ("evidence/provider/licence.pdf", "   ", 4,
         "error: --reason: give the reason the file is taken out"),
        ("evidence/provider/licence.pdf", "x" * 201, 4,
         "error: --reason: 201 characters; the audit log keeps at most 200"),
    ],
)
def test_retire_refusals(here: Path, relpath: str, reason: str, code: int, message: str) -> None:
    result = run("evidence", "retire", "case", relpath, "--reason", reason)
    assert result.exit_code == code
    assert result.stderr.splitlines()[0] == message
    assert (here / "case" / "evidence" / "provider" / "licence.pdf").is_file()
    assert len(read_entries(here / "case")) == 1


def test_retired_files_and_links_are_refused(here: Path) -> None:
    assert run("evidence", "retire", "case", "evidence/provider/licence.pdf",
               "--reason", "wrong").exit_code == 0
    result = run("evidence", "retire", "case", "evidence/.retired/provider/licence.pdf",
                 "--reason", "again")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: evidence/.retired/provider/licence.pdf: is already retired",
        "  what to do: Retired files stay where they are, so the record of what was taken out "
        "is kept.",
    ]
    (here / "case" / "evidence" / "link.pdf").symlink_to(here / "in" / "licence.pdf")
    result = run("evidence", "retire", "case", "evidence/link.pdf", "--reason", "a link")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == "error: case/evidence/link.pdf: is a folder or a link, not a file"
    result = run("evidence", "retire", "case", "case/evidence/link.pdf", "--reason", "a link")
    assert result.exit_code == 4
    assert (here / "in" / "licence.pdf").is_file()


def test_no_case_folder(here: Path) -> None:
    result = run("evidence", "retire", "in", "evidence/x.pdf", "--reason", "x")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: in: not a case folder (it has no case.yaml)"
    result = run("evidence", "retire", "case", "evidence/x.pdf")
    assert result.exit_code == 2  # --reason is required


def test_disks_without_hard_links_get_a_verified_copy(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_args: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    digest = sha(here / "case" / "evidence" / "provider" / "licence.pdf")
    # after the fixture's entry: the log never records a time going backwards
    later = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    retired = retire_evidence(here / "case", "evidence/provider/licence.pdf", reason="wrong",
                              now=later)
    assert sha(retired.retired_to) == digest
    assert not (here / "case" / "evidence" / "provider" / "licence.pdf").exists()
    assert retired.entry.time == later and retired.still_named_by == ()


def test_nothing_changes_when_the_log_cannot_be_written(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.audit import log

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OutputFailed("case/audit.jsonl: cannot write to the audit log (disk full)")

    monkeypatch.setattr(log.LogWriter, "record", refuse)
    result = run("evidence", "retire", "case", "evidence/provider/licence.pdf", "--reason", "x")
    assert result.exit_code == 11
    assert (here / "case" / "evidence" / "provider" / "licence.pdf").is_file()
    assert not (here / "case" / "evidence" / ".retired" / "provider" / "licence.pdf").exists()


def test_a_retired_file_can_be_added_again_under_its_old_name(here: Path) -> None:
    assert run("evidence", "retire", "case", "evidence/provider/licence.pdf",
               "--reason", "retired too soon").exit_code == 0
    result = run("evidence", "add", "case", "in/licence.pdf", "--into", "provider")
    assert result.exit_code == 0
    assert result.stdout.startswith("Added case/evidence/provider/licence.pdf ")
