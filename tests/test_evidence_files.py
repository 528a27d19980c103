"""Files under evidence/ that no record names, or that were not added through `evidence add`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.case.evidencefiles import EvidenceFile, check_evidence_files, evidence_files
from bundler.case.references import evidence_path, evidence_references
from bundler.cli import cli

from .awkward import pdf_bytes
from .conftest import SAMPLE


@pytest.fixture
def case(tmp_path: Path) -> Path:
    target = tmp_path / "case"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return target


def add(*args: str) -> None:
    result = CliRunner().invoke(cli, ["evidence", "add", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def by_path(case: Path) -> dict[str, EvidenceFile]:
    return {f.path: f for f in check_evidence_files(case).notes()}


def test_every_file_of_the_sample_is_named_but_none_was_added_through_evidence_add(
    case: Path,
) -> None:
    report = check_evidence_files(case)
    files, links = evidence_files(case)
    assert links == [] and len(files) > 30
    assert [f.path for f in report.files] == files
    assert all(f.named for f in report.files), [f.path for f in report.files if not f.named]
    assert all(not f.recorded for f in report.files)
    assert report.log_problem is None and report.retired_named == ()
    assert report.files[0].message(case) == (
        "was not added through `bundler evidence add`, so the audit log does not say what "
        f"arrived; check it, then record it where it is with `bundler evidence add {case} "
        f"{case / 'evidence'}` (which records every such file)"
    )


def test_recording_the_sample_in_place_leaves_nothing_to_note(case: Path) -> None:
    add(str(case), str(case / "evidence"))
    assert check_evidence_files(case).notes() == ()


def test_unnamed_unrecorded_changed_and_linked_files_are_each_noted(case: Path, tmp_path: Path) -> None:
    add(str(case), str(case / "evidence"))
    stray = case / "evidence" / "provider" / "stray scan.pdf"
    stray.write_bytes(pdf_bytes(1, "Dropped in by hand"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "extra.pdf").write_bytes(pdf_bytes(1, "Added, never named"))
    add(str(case), str(tmp_path / "in" / "extra.pdf"), "--into", "provider")
    changed = case / "evidence" / "residents" / "R01" / "licence.pdf"
    changed.write_bytes(pdf_bytes(1, "Edited after it was added"))
    (case / "evidence" / "site-visit" / "link.jpg").symlink_to(tmp_path / "in" / "extra.pdf")
    (case / "evidence" / ".DS_Store").write_bytes(b"Bud1")
    (case / "evidence" / ".retired").mkdir()
    (case / "evidence" / ".retired" / "old.pdf").write_bytes(b"retired earlier")

    notes = by_path(case)

    assert sorted(notes) == [
        "evidence/.DS_Store",
        "evidence/provider/extra.pdf",
        "evidence/provider/stray scan.pdf",
        "evidence/residents/R01/licence.pdf",
        "evidence/site-visit/link.jpg",
    ]
    q = f"'{case}/evidence/provider/stray scan.pdf'" if " " not in str(case) else None
    assert notes["evidence/provider/stray scan.pdf"].message(case) == (
        "no record names this file and it was not added through `bundler evidence add`; if it "
        "belongs to the case, name it in the records and record it with "
        f"`bundler evidence add {case} {q}`, else take it out with "
        f"`bundler evidence retire {case} 'evidence/provider/stray scan.pdf' --reason TEXT`"
    )
    assert notes["evidence/provider/extra.pdf"].message(case) == (
        "no record names this file; name it where it belongs in the records, or take it out "
        f"with `bundler evidence retire {case} evidence/provider/extra.pdf --reason TEXT`"
    )
    licence = notes["evidence/residents/R01/licence.pdf"]
    assert licence.changed_since is not None and licence.named
    assert licence.message(case) == (
        f"has changed since it was added (audit entry {licence.changed_since}); if the change "
        f"is right, record it with `bundler evidence add {case} {changed} --force`, else put "
        "back the file as it was added"
    )
    assert notes["evidence/site-visit/link.jpg"].message(case).startswith(
        "is a link to another file; the toolkit does not follow links in evidence/"
    )


def test_a_record_naming_a_retired_file_is_noted(case: Path) -> None:
    add(str(case), str(case / "evidence"))
    resident = case / "residents" / "R01.yaml"
    text = resident.read_text(encoding="utf-8")
    line = text.splitlines().index("    file: evidence/residents/R01/licence.pdf") + 1
    described = text.splitlines().index("  - file: evidence/residents/R01/licence.pdf") + 1
    CliRunner().invoke(cli, ["evidence", "retire", str(case),
                             "evidence/residents/R01/licence.pdf", "--reason", "unsigned"])
    resident.write_text(text.replace(
        "file: evidence/residents/R01/licence.pdf",
        "file: evidence/.retired/residents/R01/licence.pdf"), encoding="utf-8")
    report = check_evidence_files(case)
    assert [(str(ref), path) for ref, path in report.retired_named] == [
        (f"{resident}:{line}: evidence.occupancy_agreement.file",
         "evidence/.retired/residents/R01/licence.pdf"),
        (f"{resident}:{described}: documents[2].file",  # the file's own title and dates
         "evidence/.retired/residents/R01/licence.pdf"),
    ]
    assert report.notes() == ()


def test_an_unreadable_log_is_one_problem_not_a_note_per_file(case: Path) -> None:
    (case / "audit.jsonl").write_bytes(b"not json\n")
    report = check_evidence_files(case)
    assert report.log_problem is not None
    assert report.log_problem.endswith("line 1: not a readable audit entry (not valid JSON (at character 1))")
    assert report.notes() == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("evidence/a.pdf", "evidence/a.pdf"),
        ("./evidence//a.pdf", "evidence/a.pdf"),
        (" evidence/a b.pdf ", "evidence/a b.pdf"),
        ("evidence/../case.yaml", None),
        ("notes about evidence/a.pdf", None),
        ("evidence/a.pdf\nand more", None),
        ("residents/R01.yaml", None),
    ],
)
def test_what_counts_as_naming_a_file(value: str, expected: str | None) -> None:
    assert evidence_path(value) == expected


def test_references_in_unreadable_records_are_skipped(case: Path) -> None:
    (case / "residents" / "R02.yaml").write_text("reference: [unclosed\n", encoding="utf-8")
    found = evidence_references(case)
    assert "evidence/residents/R01/licence.pdf" in found
    assert not any(ref.file.name == "R02.yaml" for refs in found.values() for ref in refs)


# --------------------------------------------------------------------------- shown by validate


def validate(case: Path, *extra: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["validate", str(case), *extra])
    return result.exit_code, result.stdout.splitlines()


def test_validate_notes_files_that_are_not_vouched_for_and_exits_0(case: Path, tmp_path: Path) -> None:
    code, lines = validate(case)
    assert code == 0
    evidence_notes = [line for line in lines if line.startswith(f"{case}/evidence/")]
    assert len(evidence_notes) == len(evidence_files(case)[0])
    assert evidence_notes[0] == (
        f"{case}/evidence/provider/85a-organisations-and-responsibilities.pdf: note: was not "
        "added through `bundler evidence add`, so the audit log does not say what arrived; "
        f"check it, then record it where it is with `bundler evidence add {case} "
        f"{case}/evidence` (which records every such file)"
    )

    add(str(case), str(case / "evidence"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "extra.pdf").write_bytes(pdf_bytes(1, "Never named"))
    add(str(case), str(tmp_path / "in" / "extra.pdf"), "--into", "provider")
    code, lines = validate(case)
    assert code == 0
    assert [line for line in lines if "/evidence/" in line.split(": note: ")[0]] == [
        f"{case}/evidence/provider/extra.pdf: note: no record names this file; name it where it "
        f"belongs in the records, or take it out with `bundler evidence retire {case} "
        "evidence/provider/extra.pdf --reason TEXT`"
    ]
    assert lines[-1].endswith(f"; {len(lines) - 1} notes above")


def test_validate_notes_a_record_naming_a_retired_file(case: Path) -> None:
    add(str(case), str(case / "evidence"))
    resident = case / "residents" / "R01.yaml"
    text = resident.read_text(encoding="utf-8")
    line = text.splitlines().index("    file: evidence/residents/R01/licence.pdf") + 1
    result = CliRunner().invoke(cli, ["evidence", "retire", str(case),
                                      "evidence/residents/R01/licence.pdf", "--reason", "unsigned"])
    assert result.exit_code == 0
    code, lines = validate(case)
    assert code == 1  # the record names a file that is no longer there: an error, as before
    assert any(item.startswith(f"{resident}:{line}: evidence.occupancy_agreement.file: file not found")
               for item in lines)
    resident.write_text(text.replace("file: evidence/residents/R01/licence.pdf",
                                     "file: evidence/.retired/residents/R01/licence.pdf"),
                        encoding="utf-8")
    code, lines = validate(case)
    assert code == 0
    assert (f"{resident}:{line}: note: evidence.occupancy_agreement.file: names "
            "evidence/.retired/residents/R01/licence.pdf, a retired file (taken out with `bundler "
            "evidence retire`); name the file that replaced it") in lines


def test_validate_json_gives_evidence_notes_without_a_line(case: Path) -> None:
    import json

    (case / "audit.jsonl").write_bytes(b"not json\n")
    result = CliRunner().invoke(cli, ["validate", str(case), "--json"])
    assert result.exit_code == 0
    notes = json.loads(result.stdout)["notes"]
    assert {"file": str(case / "audit.jsonl"), "line": None, "field": "",
            "message": "cannot be read, so which files in evidence/ were added through `bundler "
            f"evidence add` is not known; run `bundler audit verify {case}` to see why"} in notes
    assert not any(n["file"].startswith(f"{case}/evidence/") for n in notes)
