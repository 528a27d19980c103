"""Every bundle built from a case folder is on the case's tamper-evident record."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from bundler.audit import head_hash, read_entries, verify_log
from bundler.cli import cli


def build(case: Path, out: Path) -> None:
    result = CliRunner().invoke(
        cli, ["bundle", "build", str(case), "-o", str(out), "--date", "2026-11-20", "--force"]
    )
    assert result.exit_code == 0, result.stderr


def test_bundle_built_entry_and_head_in_manifest(sample_case: Path, tmp_path: Path) -> None:
    assert head_hash(sample_case) is None
    out = tmp_path / "bundle.pdf"
    build(sample_case, out)

    entries = read_entries(sample_case)
    assert [e.action.value for e in entries] == ["bundle_built"]
    entry = entries[0]
    outputs = {Path(o.path).name: o.sha256 for o in entry.outputs}
    assert outputs == {
        name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        for name in ("bundle.pdf", "bundle.manifest.json", "bundle.pdf.sha256")
    }
    inputs = {i.path: i.sha256 for i in entry.inputs}
    manifest = json.loads((tmp_path / "bundle.manifest.json").read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        assert inputs[doc["source"]] == doc["source_sha256"]
    # the first bundle was built before anything was recorded
    assert manifest["audit_head"] is None

    second = tmp_path / "second.pdf"
    build(sample_case, second)
    manifest2 = json.loads((tmp_path / "second.manifest.json").read_text(encoding="utf-8"))
    assert manifest2["audit_head"] == entry.hash
    assert verify_log(sample_case).ok
    assert len(read_entries(sample_case)) == 2


def test_spec_outside_a_case_folder_records_nothing(tmp_path: Path, sample_case: Path) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copy(sample_case / "evidence" / "provider" / "85d-cohorts-and-referral-criteria.pdf",
                tmp_path / "cohorts.pdf")
    spec.write_text(
        "reference: HB-APPEAL-2026-0142\ntitle: Test\nsections:\n  - label: A\n    title: S\n"
        "    documents:\n      - file: cohorts.pdf\n        title: Cohorts\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "b.manifest.json", "b.pdf", "b.pdf.sha256", "cohorts.pdf", "nettlebank-road", "spec.yaml"]
    assert not (sample_case / "audit.jsonl").exists()


def test_a_spec_naming_a_file_by_its_absolute_path_is_refused(tmp_path: Path,
                                                               sample_case: Path) -> None:
    """A spec may come from someone else: a file named by an absolute path (anywhere on this
    computer) never goes into a bundle, even when it exists."""
    spec = tmp_path / "spec.yaml"
    pdf = sample_case / "evidence" / "provider" / "85d-cohorts-and-referral-criteria.pdf"
    spec.write_text(
        "reference: HB-APPEAL-2026-0142\ntitle: Test\nsections:\n  - label: A\n    title: S\n"
        f"    documents:\n      - file: {pdf}\n        title: Cohorts\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(tmp_path / "b.pdf")])
    assert (result.exit_code, result.stdout, result.stderr.splitlines()) == (4, "", [
        f"error: {spec}:7: sections[1].documents[1].file: must be relative to the spec's "
        "folder, not an absolute path",
        "  what to do: Correct the lines listed in the bundle spec, then build again."])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["nettlebank-road", "spec.yaml"]
