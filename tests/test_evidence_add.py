"""`bundler evidence add`: many files and folders, checked by content before anything is copied.

Read back as an officer would: the files in evidence/ (their SHA-256 by hashlib), the
audit log's entries, the exact lines printed and the exit status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bundler.audit import (
    AddInterrupted,
    AuditAction,
    add_evidence,
    read_entries,
    verify_log,
)
from bundler.cli import cli
from bundler.errors import BadInput, OutputExists, OutputFailed

from .awkward import make_cp1252_text, make_docx, make_jpeg, make_utf8_text, pdf_bytes

T0 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, with an empty case folder, so messages show short relative paths."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "case.yaml").write_text("review: {}\n", encoding="utf-8")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def put(path: Path, maker: Callable[[Path], Path] | bytes | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if maker is None:
        path.write_bytes(pdf_bytes(1, f"Fictional {path.name}"))
    elif isinstance(maker, bytes):
        path.write_bytes(maker)
    else:
        maker(path)
    return path


def evidence_listing(case: Path) -> list[str]:
    root = case / "evidence"
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def added_paths(case: Path) -> list[str]:
    if not (case / "audit.jsonl").exists():
        return []
    return [o.path for e in read_entries(case) for o in e.outputs]


# --------------------------------------------------------------------------- folders


def test_a_folder_is_added_recursively_in_name_order(here: Path) -> None:
    received = here / "received"
    put(received / "b-licence.pdf")
    put(received / "a-letter.pdf")
    put(received / "R01" / "support-plan.docx", make_docx)
    put(received / "R01" / "photo.jpg", make_jpeg)
    put(received / "notes.txt", make_utf8_text)
    put(received / "Z-upper.pdf")

    result = run("evidence", "add", "case", "received")

    assert result.exit_code == 0, result.output
    order = ["a-letter.pdf", "b-licence.pdf", "notes.txt", "R01/photo.jpg",
             "R01/support-plan.docx", "Z-upper.pdf"]
    assert added_paths(here / "case") == [f"evidence/received/{name}" for name in order]
    for name in order:  # byte for byte
        assert sha(here / "case" / "evidence" / "received" / name) == sha(received / name)
    entries = read_entries(here / "case")
    assert [e.action for e in entries] == [AuditAction.EVIDENCE_ADDED] * 6
    assert [e.inputs[0].path for e in entries] == [f"received/{name}" for name in order]
    assert entries[0].details == {"media_type": "application/pdf"}
    assert entries[4].details == {
        "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    }
    lines = result.stdout.splitlines()
    target = here / "case" / "evidence" / "received" / "b-licence.pdf"
    assert lines[1] == (
        f"Added case/evidence/received/b-licence.pdf ({target.stat().st_size} bytes, "
        f"sha256 {sha(target)}); audit entry 2"
    )
    assert lines[-1] == "6 files added, 0 already in the case, 0 left out"
    assert verify_log(here / "case").ok


def test_hidden_files_links_and_lock_files_are_left_out_and_listed(here: Path) -> None:
    received = here / "received"
    put(received / "licence.pdf")
    put(received / ".DS_Store", b"\x00\x00\x00\x01Bud1")
    put(received / ".git" / "config", b"[core]\n")
    put(received / "~$pport-plan.docx", b"\x0bowner")
    put(received / "Thumbs.db", b"\xd0\xcf\x11\xe0")
    outside = put(here / "elsewhere" / "secret.pdf")
    (received / "link.pdf").symlink_to(outside)
    (received / "linked-folder").symlink_to(here / "elsewhere")

    result = run("evidence", "add", "case", "received", "--as", "provider")

    assert result.exit_code == 0, result.output
    assert evidence_listing(here / "case") == ["provider/licence.pdf"]
    assert result.stdout.splitlines()[1:] == [
        "Left out received/.DS_Store: a hidden file (add it by its own path with --as NAME if "
        "it is evidence)",
        "Left out received/.git: a hidden folder (add it by its own path with --as NAME if it "
        "is evidence)",
        "Left out received/link.pdf: a link, not followed (add the file it points to by its "
        "own path if it is evidence)",
        "Left out received/linked-folder: a link, not followed (add the file it points to by "
        "its own path if it is evidence)",
        "Left out received/Thumbs.db: a Windows picture-preview file",
        "Left out received/~$pport-plan.docx: an Office lock file (made while the document is "
        "open)",
        "1 file added, 0 already in the case, 6 left out",
    ]


def test_several_paths_and_into(here: Path) -> None:
    put(here / "in" / "licence.pdf")
    put(here / "scans" / "consent.pdf")
    put(here / "scans" / "more" / "form.pdf")
    result = run("evidence", "add", "case", "in/licence.pdf", "scans", "--into", "residents/R01")
    assert result.exit_code == 0, result.output
    assert evidence_listing(here / "case") == [
        "residents/R01/licence.pdf",
        "residents/R01/scans/consent.pdf",
        "residents/R01/scans/more/form.pdf",
    ]


def test_a_folder_with_as_takes_the_new_name(here: Path) -> None:
    put(here / "Downloads" / "R01 docs" / "licence.pdf")
    result = run("evidence", "add", "case", "Downloads/R01 docs", "--as", "residents/R01")
    assert result.exit_code == 0, result.output
    assert evidence_listing(here / "case") == ["residents/R01/licence.pdf"]


def test_empty_folder_adds_nothing(here: Path) -> None:
    (here / "empty").mkdir()
    put(here / "only-hidden" / ".DS_Store", b"x")
    result = run("evidence", "add", "case", "empty")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == "error: nothing to add: no file was found"
    result = run("evidence", "add", "case", "only-hidden")
    assert result.stderr.splitlines()[0] == (
        "error: nothing to add: no file was found (left out: only-hidden/.DS_Store: a hidden "
        "file (add it by its own path with --as NAME if it is evidence))"
    )
    assert not (here / "case" / "audit.jsonl").exists()


# --------------------------------------------------------------------------- content checked at add time


def test_a_pdf_that_is_really_a_word_file_is_refused_naming_it(here: Path) -> None:
    put(here / "in" / "good.pdf")
    put(here / "in" / "licence.pdf", make_docx)

    result = run("evidence", "add", "case", "in")

    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == (
        "error: in/licence.pdf: named .pdf but its content is a Word document (.docx)\n"
        "  what to do: Ask the sender for the real file, or rename it to match what it is "
        "(check it opens correctly first).\n"
    )
    assert evidence_listing(here / "case") == []  # all or nothing: good.pdf was not added
    assert not (here / "case" / "audit.jsonl").exists()


def test_every_refused_file_is_named_and_nothing_is_added(here: Path) -> None:
    put(here / "in" / "a-good.pdf")
    put(here / "in" / "b-licence.pdf", make_docx)
    put(here / "in" / "c-note.txt", make_cp1252_text)
    put(here / "in" / "d-empty.pdf", b"")
    put(here / "in" / "e-photo.pdf", make_jpeg)

    result = run("evidence", "add", "case", "in")

    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: in/b-licence.pdf: named .pdf but its content is a Word document (.docx)",
        "  what to do: Ask the sender for the real file, or rename it to match what it is "
        "(check it opens correctly first).",
        "error: in/c-note.txt: is text but not in UTF-8 (probably an older Windows encoding)",
        "  what to do: Open it in Notepad, choose Save As with Encoding 'UTF-8', and list that "
        "copy.",
        "error: in/d-empty.pdf: the file is empty (0 bytes)",
        "  what to do: The copy was probably interrupted; ask the sender for the file again.",
        "error: in/e-photo.pdf: named .pdf but its content is a JPEG picture",
        "error: 4 of 5 files cannot be added; nothing was added",
        "  what to do: Fix or leave out each file named above, then run the same command again.",
    ]
    assert evidence_listing(here / "case") == []


def test_the_content_is_checked_against_the_name_it_will_have(here: Path) -> None:
    put(here / "in" / "scan.docx", make_docx)
    result = run("evidence", "add", "case", "in/scan.docx", "--as", "R01/scan.pdf")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "error: in/scan.docx (as evidence/R01/scan.pdf): named .pdf but its content is a Word "
        "document (.docx)"
    )
    assert run("evidence", "add", "case", "in/scan.docx", "--as", "R01/scan.docx").exit_code == 0


def test_a_file_that_changes_between_check_and_copy_is_not_kept(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.evidence import sniff

    source = put(here / "in" / "licence.pdf")
    real_identify = sniff.identify

    def identify_then_change(path: Path, shown: str, *, name: str):  # type: ignore[no-untyped-def]
        found = real_identify(path, shown, name=name)
        path.write_bytes(pdf_bytes(1, "Changed after the check"))
        return found

    monkeypatch.setattr(sniff, "identify", identify_then_change)
    with pytest.raises(AddInterrupted) as caught:
        add_evidence(here / "case", [source], now=T0)
    assert caught.value.message == (
        f"{source}: changed while it was being added; nothing was copied; no file was added"
    )
    assert evidence_listing(here / "case") == []
    assert added_paths(here / "case") == []


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("option", ["--as", "--into"])
def test_a_name_starting_with_evidence_is_refused_with_a_hint(here: Path, option: str) -> None:
    put(here / "x.pdf")
    result = run("evidence", "add", "case", "x.pdf", option, "evidence/residents/R01/x.pdf")
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {option} evidence/residents/R01/x.pdf: starts with evidence/, but {option} "
        "already names a place inside the case's evidence folder\n"
        f"  what to do: Leave out the evidence/ at the start, e.g. {option} "
        "residents/R01/x.pdf.\n"
    )
    assert not (here / "case" / "evidence").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "../x.pdf"], "error: ../x.pdf: not a name inside the case's evidence folder"),
        (["--as", "/etc/x.pdf"], "error: /etc/x.pdf: not a name inside the case's evidence folder"),
        (["--as", "a/../../b.pdf"],
         "error: a/../../b.pdf: not a name inside the case's evidence folder"),
        (["--as", ".retired/x.pdf"],
         "error: .retired/x.pdf: a name starting with '.' is hidden on most computers"),
        (["--as", "provider/"], "error: --as provider/: ends with '/', so it names a folder"),
        (["--as", "a.pdf", "--into", "b"], "error: --as and --into cannot be used together"),
    ],
)
def test_bad_names_are_refused(here: Path, args: list[str], message: str) -> None:
    put(here / "x.pdf")
    result = run("evidence", "add", "case", "x.pdf", *args)
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == message
    assert not (here / "case" / "evidence").exists()


def test_as_names_one_path_only(here: Path) -> None:
    put(here / "a.pdf")
    put(here / "b.pdf")
    result = run("evidence", "add", "case", "a.pdf", "b.pdf", "--as", "x.pdf")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: --as x.pdf: names one file or folder, but 2 were given",
        "  what to do: Use --into FOLDER to put several files in one folder inside evidence/.",
    ]


def test_a_hidden_file_named_explicitly_needs_a_visible_name(here: Path) -> None:
    put(here / ".scan.pdf")
    result = run("evidence", "add", "case", ".scan.pdf")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: .scan.pdf: cannot be named evidence/.scan.pdf (a name starting with '.' is "
        "hidden on most computers)",
        "  what to do: Rename the file (or give it another name with --as), then add it again.",
    ]
    assert run("evidence", "add", "case", ".scan.pdf", "--as", "scan.pdf").exit_code == 0


def test_two_files_that_would_share_a_name_are_refused(here: Path) -> None:
    put(here / "R01" / "licence.pdf")
    put(here / "R02" / "licence.pdf")
    put(here / "R02" / "Consent.pdf")
    put(here / "R03" / "consent.pdf")
    result = run("evidence", "add", "case", "R01/licence.pdf", "R02/licence.pdf",
                 "R02/Consent.pdf", "R03/consent.pdf", "--into", "residents")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: R02/licence.pdf: would be named evidence/residents/licence.pdf, like "
        "R01/licence.pdf",
        "  what to do: Add one of them with --as and a different name.",
        "error: R03/consent.pdf: would be named evidence/residents/consent.pdf, like "
        "R02/Consent.pdf",
        "error: 2 of 4 files cannot be added; nothing was added",
        "  what to do: Fix or leave out each file named above, then run the same command again.",
    ]
    assert evidence_listing(here / "case") == []


def test_the_same_file_named_twice_is_added_once(here: Path) -> None:
    put(here / "in" / "a.pdf")
    result = run("evidence", "add", "case", "in", "in/a.pdf", "--into", "x")
    assert result.exit_code == 0
    assert evidence_listing(here / "case") == ["x/a.pdf", "x/in/a.pdf"]
    result = run("evidence", "add", "case", "in", "./in")
    assert result.exit_code == 0, result.output
    assert evidence_listing(here / "case") == ["in/a.pdf", "x/a.pdf", "x/in/a.pdf"]
    assert len(added_paths(here / "case")) == 3


def test_a_folder_holding_the_case_folder_is_refused(here: Path) -> None:
    result = run("evidence", "add", "case", ".")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == "error: .: this folder holds the case folder itself"


def test_missing_paths_and_case_folders(here: Path) -> None:
    put(here / "x.pdf")
    result = run("evidence", "add", "case", "missing.pdf")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: missing.pdf: file or folder not found"
    result = run("evidence", "add", "nocase", "x.pdf")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: nocase: case folder not found"
    (here / "notacase").mkdir()
    result = run("evidence", "add", "notacase", "x.pdf")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: notacase: not a case folder (it has no case.yaml)",
        "  what to do: Check the folder's name, or start a case there with `bundler case new`.",
    ]
    assert not (here / "nocase").exists()
    assert not (here / "notacase" / "evidence").exists()
    assert not (here / "notacase" / "audit.jsonl").exists()
    assert run("evidence", "add", "case").exit_code == 2  # no PATH: click's usage error


# --------------------------------------------------------------------------- existing files


def test_an_existing_name_is_replaced_only_with_force(here: Path) -> None:
    old = put(here / "a" / "letter.pdf")
    new = put(here / "b" / "letter.pdf", pdf_bytes(2, "Second version"))
    target = here / "case" / "evidence" / "letter.pdf"
    assert run("evidence", "add", "case", "a/letter.pdf").exit_code == 0

    result = run("evidence", "add", "case", "b/letter.pdf")
    assert result.exit_code == 6
    assert result.stderr == (
        "error: case/evidence/letter.pdf: already exists; nothing was changed\n"
        "  what to do: Give the copy another name with --as, or add --force to replace it "
        "(the audit log keeps the replaced file's SHA-256).\n"
    )
    assert sha(target) == sha(old)

    result = run("evidence", "add", "case", "b/letter.pdf", "--force")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == f"  replaced the earlier file (sha256 {sha(old)})"
    assert sha(target) == sha(new)
    last = read_entries(here / "case")[-1]
    assert last.details["replaced_sha256"] == sha(old)
    assert last.outputs[0].sha256 == sha(new)
    assert verify_log(here / "case").ok


def test_adding_again_copies_nothing_twice(here: Path) -> None:
    put(here / "in" / "a.pdf")
    put(here / "in" / "b.pdf")
    assert run("evidence", "add", "case", "in").exit_code == 0
    result = run("evidence", "add", "case", "in")
    assert result.exit_code == 0
    target = here / "case" / "evidence" / "in" / "a.pdf"
    assert result.stdout.splitlines() == [
        f"Already added case/evidence/in/a.pdf (same sha256 {sha(target)}, audit entry 1); "
        "nothing to do",
        f"Already added case/evidence/in/b.pdf (same sha256 {sha(target.with_name('b.pdf'))}, "
        "audit entry 2); nothing to do",
        "0 files added, 2 already in the case, 0 left out",
    ]
    assert len(read_entries(here / "case")) == 2


def test_files_put_into_evidence_by_hand_are_recorded_where_they_are(here: Path) -> None:
    by_hand = put(here / "case" / "evidence" / "provider" / "85h-licence.pdf")
    before = sha(by_hand)
    result = run("evidence", "add", "case", "case/evidence")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Recorded (already in place) case/evidence/provider/85h-licence.pdf "
        f"({by_hand.stat().st_size} bytes, sha256 {before}); audit entry 1\n"
    )
    [entry] = read_entries(here / "case")
    assert entry.inputs == ()
    assert [(o.path, o.sha256) for o in entry.outputs] == [
        ("evidence/provider/85h-licence.pdf", before)
    ]
    assert entry.details == {"media_type": "application/pdf", "in_place": "true"}
    assert sha(by_hand) == before and evidence_listing(here / "case") == ["provider/85h-licence.pdf"]

    result = run("evidence", "add", "case", "case/evidence/provider/85h-licence.pdf",
                 "--as", "x.pdf")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "error: case/evidence/provider/85h-licence.pdf: is already in the case's evidence "
        "folder, so it is recorded where it is; --as and --into are for files from outside "
        "the case"
    )

    by_hand.write_bytes(pdf_bytes(3, "Edited by hand"))
    result = run("evidence", "add", "case", "case/evidence")
    assert result.exit_code == 6
    assert result.stderr.splitlines() == [
        "error: case/evidence/provider/85h-licence.pdf: has changed since it was added "
        "(audit entry 1)",
        "  what to do: Add --force to record its present content (the log keeps the earlier "
        "SHA-256), or retire it with `bundler evidence retire` and add the right file.",
    ]
    result = run("evidence", "add", "case", "case/evidence", "--force")
    assert result.exit_code == 0
    last = read_entries(here / "case")[-1]
    assert last.details["replaced_sha256"] == before
    assert last.outputs[0].sha256 == sha(by_hand)


def test_a_file_the_case_already_holds_unrecorded_is_recorded_not_copied(here: Path) -> None:
    source = put(here / "in" / "a.pdf")
    put(here / "case" / "evidence" / "a.pdf", source.read_bytes())
    result = run("evidence", "add", "case", "in/a.pdf")
    assert result.exit_code == 0
    assert result.stdout.startswith("Recorded (already in place) case/evidence/a.pdf ")
    [entry] = read_entries(here / "case")
    assert entry.inputs[0].path == "in/a.pdf" and entry.details["in_place"] == "true"


def test_retired_files_are_not_added_in_place(here: Path) -> None:
    put(here / "case" / "evidence" / ".retired" / "old.pdf")
    result = run("evidence", "add", "case", "case/evidence/.retired/old.pdf")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "error: case/evidence/.retired/old.pdf: is a retired file (in evidence/.retired/)"
    )
    result = run("evidence", "add", "case", "case/evidence")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "error: nothing to add: no file was found (left out: case/evidence/.retired: a hidden "
        "folder (add it by its own path with --as NAME if it is evidence))"
    )


def test_a_file_where_a_folder_should_be_is_refused(here: Path) -> None:
    put(here / "case" / "evidence" / "provider", b"not a folder")
    put(here / "x.pdf")
    result = run("evidence", "add", "case", "x.pdf", "--into", "provider")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "error: x.pdf: cannot go into case/evidence/provider, which is a file, not a folder"
    )


# --------------------------------------------------------------------------- failures part-way


def test_a_failure_part_way_says_what_was_added_and_a_rerun_finishes(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.audit import intake

    for name in ("a.pdf", "b.pdf", "c.pdf"):
        put(here / "in" / name)
    real_copy = intake._copy
    calls = []

    def copy_failing_third(source: Path, destination: Path, item: object, staged: object) -> None:
        calls.append(destination)
        if len(calls) == 3:
            raise OutputFailed(f"{destination}: cannot write here (No space left on device)",
                               "Free some disk space, then try again.")
        real_copy(source, destination, item, staged)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "_copy", copy_failing_third)
    result = run("evidence", "add", "case", "in")
    assert result.exit_code == 11
    assert result.stderr == (
        "error: case/evidence/in/c.pdf: cannot write here (No space left on device); 2 of 3 "
        "files were added before this (audit entries 1-2)\n"
        "  what to do: Free some disk space, then try again. Then run the same command again: "
        "files already added are not copied twice.\n"
    )
    assert evidence_listing(here / "case") == ["in/a.pdf", "in/b.pdf"]

    monkeypatch.setattr(intake, "_copy", real_copy)
    result = run("evidence", "add", "case", "in")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "1 file added, 2 already in the case, 0 left out"
    assert added_paths(here / "case") == ["evidence/in/a.pdf", "evidence/in/b.pdf",
                                          "evidence/in/c.pdf"]


def test_a_copy_whose_entry_cannot_be_written_is_removed(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.audit import log

    source = put(here / "in" / "a.pdf")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OutputFailed("case/audit.jsonl: cannot write to the audit log (disk full)")

    monkeypatch.setattr(log, "_append", refuse)
    with pytest.raises(AddInterrupted, match="no file was added"):
        add_evidence(here / "case", [source])
    assert evidence_listing(here / "case") == []


def test_library_form_for_the_web_app(here: Path) -> None:
    """Uploaded files: the web app plans with its own names; the result says what happened."""
    from bundler.audit import IntakeFile, IntakePlan, add_planned

    upload = put(here / "tmp-upload-1")
    plan = IntakePlan((IntakeFile(upload, "licence.pdf", "residents/R01/licence.pdf"),), ())
    result = add_planned(here / "case", plan, now=T0)
    [added] = result.added
    assert added.path == here / "case" / "evidence" / "residents" / "R01" / "licence.pdf"
    assert added.sha256 == sha(upload) and added.media_type == "application/pdf"
    assert added.entry.time == T0
    with pytest.raises(OutputExists):
        add_planned(here / "case", IntakePlan((IntakeFile(
            put(here / "tmp-upload-2", pdf_bytes(1, "other")), "licence.pdf",
            "residents/R01/licence.pdf"),), ()))
    bad = put(here / "tmp-upload-3", make_docx)
    with pytest.raises(BadInput, match=r"^photo\.pdf: named \.pdf but its content is a Word"):
        add_planned(here / "case", IntakePlan((IntakeFile(bad, "photo.pdf", "photo.pdf"),), ()))


def test_unreadable_source_is_refused(here: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    source = put(here / "locked.pdf")
    source.chmod(0)
    result = run("evidence", "add", "case", "locked.pdf")
    assert result.exit_code == 4
    assert "locked.pdf: cannot be read (permission denied)" in result.stderr


def test_a_linked_folder_inside_evidence_cannot_carry_a_copy_out(here: Path) -> None:
    (here / "outside").mkdir()
    (here / "case" / "evidence").mkdir()
    (here / "case" / "evidence" / "provider").symlink_to(here / "outside")
    put(here / "x.pdf")
    result = run("evidence", "add", "case", "x.pdf", "--into", "provider")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "error: x.pdf: cannot go into case/evidence/provider, which is a link, not a folder"
    )
    assert list((here / "outside").iterdir()) == []
