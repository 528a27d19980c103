"""Every bundle built from a case folder is on the case's tamper-evident record."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bundler.audit import head_hash, read_entries, verify_log
from bundler.cli import cli
from bundler.fileio import sha256_file


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
        "bundle.pdf": sha256_file(out),
        "bundle.manifest.json": sha256_file(tmp_path / "bundle.manifest.json"),
        "bundle.pdf.sha256": sha256_file(tmp_path / "bundle.pdf.sha256"),
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
    pdf = sample_case / "evidence" / "provider" / "85d-cohorts-and-referral-criteria.pdf"
    spec.write_text(
        "reference: HB-APPEAL-2026-0142\ntitle: Test\nsections:\n  - label: A\n    title: S\n"
        f"    documents:\n      - file: {pdf}\n        title: Cohorts\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(tmp_path / "b.pdf")])
    # absolute paths are refused or accepted by the spec rules; either way no log appears
    assert not (tmp_path / "audit.jsonl").exists()
    assert result.exit_code in (0, 4)
