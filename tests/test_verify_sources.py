"""`verify --sources` accounts for every file: a renamed source is found under its new
name, files in the folder the bundle does not use are listed, and in a case folder every
file the records name that the bundle leaves out is named (information, never a failure)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from bundler.bundle.build import build_bundle
from bundler.bundle.verify import VerifyReport, verify_bundle
from tests import awkward
from tests.test_verify import DATE, _replace_embedded_manifest, make_sources


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sources")
    build_bundle(make_sources(root / "case"), root / "out" / "bundle.pdf", build_date=DATE)
    return root


@pytest.fixture
def root(pristine: Path, tmp_path: Path) -> Path:
    shutil.copytree(pristine, tmp_path / "copy")
    return tmp_path / "copy"


def lines_of(report: VerifyReport) -> dict[str, str]:
    return {line.split(":")[0]: line for line in report.lines()[:-1]}


def test_a_renamed_source_is_found_under_its_new_name(root: Path) -> None:
    case = root / "case"
    (case / "evidence" / "photo.jpg").rename(case / "evidence" / "kitchen-photo.jpg")
    report = verify_bundle(root / "out" / "bundle.pdf", sources=case, record_audit=False)
    assert [check.name for check in report.failed] == ["sources", "rebuild"]
    lines = lines_of(report)
    assert lines["FAIL  sources"] == (
        f"FAIL  sources: missing from {case}: evidence/photo.jpg (found as "
        "evidence/kitchen-photo.jpg, with the same SHA-256: put it back under its old name)")
    assert lines["INFO  other files"] == (
        f"INFO  other files: every file in {case} is in the bundle (apart from its spec, case "
        "records and outputs)")


def test_a_changed_copy_under_another_name_is_not_taken_for_the_source(root: Path) -> None:
    case = root / "case"
    photo = case / "evidence" / "photo.jpg"
    photo.rename(case / "evidence" / "kitchen-photo.jpg")
    data = bytearray((case / "evidence" / "kitchen-photo.jpg").read_bytes())
    data[-3] ^= 1  # same size, other bytes
    (case / "evidence" / "kitchen-photo.jpg").write_bytes(bytes(data))
    report = verify_bundle(root / "out" / "bundle.pdf", sources=case, record_audit=False)
    lines = lines_of(report)
    assert lines["FAIL  sources"] == f"FAIL  sources: missing from {case}: evidence/photo.jpg"
    assert "evidence/kitchen-photo.jpg" in lines["INFO  other files"]


def test_files_the_bundle_does_not_use_are_listed_and_verification_still_passes(
    root: Path,
) -> None:
    case = root / "case"
    awkward.make_pdf(case / "evidence" / "later-letter.pdf")
    (case / "notes").mkdir()
    (case / "notes" / "call.txt").write_text("Phoned the provider.\n", encoding="utf-8")
    (case / "evidence" / ".DS_Store").write_bytes(b"\0\0")  # hidden: not listed
    report = verify_bundle(root / "out" / "bundle.pdf", sources=case, record_audit=False)
    assert report.ok, report.lines()
    assert lines_of(report)["INFO  other files"] == (
        f"INFO  other files: 2 file(s) in {case} are not in the bundle: "
        "evidence/later-letter.pdf, notes/call.txt")


def test_long_lists_are_cut_with_a_count(root: Path) -> None:
    case = root / "case"
    for number in range(14):
        (case / f"extra-{number:02d}.txt").write_text("x", encoding="utf-8")
    report = verify_bundle(root / "out" / "bundle.pdf", sources=case, record_audit=False)
    line = lines_of(report)["INFO  other files"]
    assert line.startswith(f"INFO  other files: 14 file(s) in {case} are not in the bundle: "
                           "extra-00.txt, extra-01.txt, ")
    assert line.endswith("extra-09.txt and 4 more")


def _named_in_records(case: Path) -> set[str]:
    """Every existing file a record names, found by reading the YAML as text."""
    found: set[str] = set()
    for record in [case / "case.yaml", *sorted((case / "residents").glob("*.yaml"))]:
        for name in re.findall(r"(?:evidence|out)/[\w./-]+", record.read_text(encoding="utf-8")):
            if (case / name).is_file():
                found.add(name)
    return found


def test_a_case_bundle_names_every_recorded_file_it_leaves_out(sample_case: Path) -> None:
    kept = ["evidence/provider/85a-organisations-and-responsibilities.pdf",
            "evidence/site-visit/visit-notes.txt"]
    (sample_case / "bundle.yaml").write_text(
        "reference: WBC-SHR-2026-014\ntitle: Two documents\nsections:\n"
        "  - label: A\n    title: Chosen\n    documents:\n"
        + "".join(f"      - file: {name}\n        title: Document {i}\n"
                  for i, name in enumerate(kept, start=1)), encoding="utf-8")
    (sample_case / "evidence" / "notes-for-the-file.txt").write_text("Named by no record.\n",
                                                                     encoding="utf-8")
    built = build_bundle(sample_case, sample_case / "out" / "bundle.pdf",
                         build_date=dt.date(2026, 11, 20))
    report = verify_bundle(built.pdf, sources=sample_case, record_audit=False)
    assert report.ok, report.lines()
    left_out = sorted(_named_in_records(sample_case) - set(kept))
    assert len(left_out) > 10
    shown = ", ".join(left_out[:10])
    assert lines_of(report)["INFO  case records"] == (
        f"INFO  case records: the case records name {len(left_out)} file(s) the bundle leaves "
        f"out: {shown} and {len(left_out) - 10} more")
    # in the folder but named by no record (the case records, audit log and out/ aside)
    unnamed = sorted(
        path.relative_to(sample_case).as_posix() for path in sample_case.rglob("*")
        if path.is_file() and path.parts[len(sample_case.parts)] not in ("out", "residents")
        and path.parts[len(sample_case.parts)] != "letters"  # the letters letters.yaml records
        and path.name not in ("case.yaml", "letters.yaml", "bundle.yaml", "audit.jsonl")
        and path.relative_to(sample_case).as_posix() not in _named_in_records(sample_case))
    assert "evidence/notes-for-the-file.txt" in unnamed
    assert lines_of(report)["INFO  other files"] == (
        f"INFO  other files: {len(unnamed)} file(s) in {sample_case} are not in the bundle or "
        f"named by the case records: {', '.join(unnamed)}")


def test_a_derived_case_bundle_leaves_out_only_what_it_must(sample_case: Path) -> None:
    built = build_bundle(sample_case, sample_case / "out" / "bundle.pdf",
                         build_date=dt.date(2026, 11, 20))
    report = verify_bundle(built.pdf, sources=sample_case, record_audit=False)
    assert report.ok, report.lines()
    assert lines_of(report)["INFO  case records"] == (
        "INFO  case records: the bundle holds every file the case records name")


def test_sources_behind_a_symlinked_folder_leading_out_are_refused(root: Path) -> None:
    case = root / "case"
    shutil.move(case / "evidence", root / "elsewhere")
    (case / "evidence").symlink_to(root / "elsewhere", target_is_directory=True)
    report = verify_bundle(root / "out" / "bundle.pdf", sources=case, record_audit=False)
    assert [check.name for check in report.failed] == ["sources", "rebuild"]
    assert lines_of(report)["FAIL  sources"].startswith(
        "FAIL  sources: named outside the sources folder (refused): evidence/text.pdf, ")


def _forge_source(root: Path, old: str, new: str) -> None:
    """Rename a source inside the manifest, embedded and beside the bundle, and make the
    bundle's sidecar hash match again (as a forger would)."""
    pdf = root / "out" / "bundle.pdf"
    sidecar = root / "out" / "bundle.manifest.json"
    forged = sidecar.read_bytes().replace(json.dumps(old).encode(), json.dumps(new).encode())
    assert forged != sidecar.read_bytes()
    _replace_embedded_manifest(pdf, forged)
    sidecar.write_bytes(forged)
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    (root / "out" / "bundle.pdf.sha256").write_text(f"{digest}  bundle.pdf\n", encoding="utf-8")


@pytest.mark.parametrize("where", ["up", "absolute"])
def test_a_forged_manifest_cannot_have_a_file_outside_the_sources_hashed(
    root: Path, where: str
) -> None:
    """A manifest naming a source by '..' or an absolute path is refused, even when the file
    there is exactly the one the bundle holds."""
    case = root / "case"
    outside = root / "secret" / "visit-note.txt"
    outside.parent.mkdir()
    shutil.copy(case / "evidence" / "visit-note.txt", outside)
    named = "../secret/visit-note.txt" if where == "up" else outside.as_posix()
    _forge_source(root, "evidence/visit-note.txt", named)
    report = verify_bundle(root / "out" / "bundle.pdf", sources=case, record_audit=False)
    assert lines_of(report)["FAIL  sources"] == (
        f"FAIL  sources: named outside the sources folder (refused): {named}")
