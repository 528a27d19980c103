"""`bundler bundle verify` through the CLI: exit codes, exact one-line errors with a hint,
the PASS/FAIL lines and verdict, and --json for machines."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.bundle.build import build_bundle
from bundler.cli import cli
from tests import awkward
from tests import bundle_fixtures as fx
from tests.test_verify import DATE, INFO_LINES, SOURCE_CHECKS, make_sources


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify-cli")
    spec = make_sources(root / "case")
    build_bundle(spec, root / "out" / "bundle.pdf", build_date=DATE)
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_intact_bundle_exits_0_with_one_line_per_check(pristine: Path) -> None:
    pdf = pristine / "out" / "bundle.pdf"
    code, out, err = run("bundle", "verify", str(pdf), "--sources", str(pristine / "case"))
    assert code == 0, out + err
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"{'INFO' if name in INFO_LINES else 'PASS'}  {name}" for name in SOURCE_CHECKS]
    counted = len(SOURCE_CHECKS) - len(INFO_LINES)
    assert lines[-1].startswith(f"VERIFIED: {pdf}: all {counted} checks passed: every page is "
                                "what the source files in ")
    assert err == ""


def test_json_output_parses(pristine: Path) -> None:
    pdf = pristine / "out" / "bundle.pdf"
    code, out, _err = run("bundle", "verify", str(pdf), "--json")
    assert code == 0
    data = json.loads(out)
    _code, text, _err = run("bundle", "verify", str(pdf))
    assert data == {
        "bundle": str(pdf), "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
        "reference": "HB-APPEAL-2026-0142", "sources": None, "ok": True,
        "proves": ["itself"], "warnings": [], "checks": data["checks"],
        "verdict": text.splitlines()[-1]}
    assert [check["name"] for check in data["checks"]] == SOURCE_CHECKS[:6]
    assert all(check["passed"] for check in data["checks"])


def test_json_says_what_the_given_hash_and_sources_prove(pristine: Path) -> None:
    pdf, case = pristine / "out" / "bundle.pdf", pristine / "case"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    code, out, _err = run("bundle", "verify", str(pdf), "--sha256", digest, "--sources",
                          str(case), "--json")
    data = json.loads(out)
    assert (code, data["ok"], data["proves"], data["sources"]) == (0, True,
                                                                   ["sha256", "sources"],
                                                                   str(case))
    assert data["verdict"].startswith(f"VERIFIED: {pdf}: all ")
    assert data["verdict"].endswith(
        f"checks passed: it is the file whose SHA-256 you were given (--sha256); every page "
        f"is what the source files in {case} make, as the rebuild shows")
    code, out, _err = run("bundle", "verify", str(pdf), "--sha256", digest)
    assert (code, out.splitlines()[-1]) == (0, (
        f"VERIFIED: {pdf}: all 6 checks passed: it is the file whose SHA-256 you were given "
        "(--sha256); --sources DIR would also prove its pages come from their source files"))


def test_a_failed_check_exits_1_and_json_still_parses(pristine: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(pristine, root)
    source = root / "case" / "evidence" / "form.pdf"
    source.write_bytes(source.read_bytes() + b"\n")
    pdf = root / "out" / "bundle.pdf"
    code, out, _err = run("bundle", "verify", str(pdf), "--sources", str(root / "case"))
    assert code == 1
    assert "FAIL  sources: changed since the bundle was built: evidence/form.pdf" in out
    assert out.splitlines()[-1] == (f"NOT VERIFIED: {pdf}: 2 of 8 checks failed (sources, "
                                    "rebuild): do not rely on it")
    code, out, _err = run("bundle", "verify", str(pdf), "--sources", str(root / "case"),
                          "--json")
    assert code == 1
    data = json.loads(out)
    assert (data["ok"], data["proves"]) == (False, [])  # a failed bundle proves nothing
    assert [c["name"] for c in data["checks"] if not c["passed"]] == ["sources", "rebuild"]


def test_a_bundle_without_its_sidecars_verifies_with_a_warning_for_each(
    pristine: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "bundle.pdf"
    shutil.copy(pristine / "out" / "bundle.pdf", pdf)
    code, out, _err = run("bundle", "verify", str(pdf))
    assert (code, out.splitlines()[-1]) == (0, (
        f"VERIFIED: {pdf}: all 6 checks passed: consistent with itself only: whoever changed it "
        "could have changed the files beside it too, so only a SHA-256 the sender gave you "
        "another way (--sha256 HEX) or its source files (--sources DIR) prove it is the bundle "
        "the sender made; warning: no bundle.pdf.sha256 beside the bundle and no --sha256: its "
        "hash was compared with nothing; warning: no bundle.manifest.json beside the bundle to "
        "compare its manifest with"))


def test_wrong_sha256_exits_1(pristine: Path) -> None:
    code, out, _err = run("bundle", "verify", str(pristine / "out" / "bundle.pdf"),
                          "--sha256", "ab" * 32)
    assert code == 1
    assert out.startswith("FAIL  file hash: differs from --sha256 (given abababababab, ")


def test_plain_pdf_from_another_tool_is_refused_with_exit_4(tmp_path: Path) -> None:
    plain = fx.make_text_pdf(tmp_path / "plain.pdf", "PLAINWORD", 2)
    code, out, err = run("bundle", "verify", str(plain))
    assert code == 4
    assert out == ""
    assert err.splitlines() == [
        f"error: {plain}: not a bundle made by this toolkit (it has no embedded manifest.json)",
        "  what to do: Only bundles made by `bundler bundle build` can be checked this way; "
        "ask the sender for the bundle exactly as built, or compare its SHA-256 (sha256sum) "
        "with theirs.",
    ]


@pytest.mark.parametrize("maker", [awkward.make_garbage, awkward.make_empty, awkward.make_jpeg])
def test_not_a_pdf_is_refused_with_exit_4(tmp_path: Path, maker: object) -> None:
    path = maker(tmp_path / "bundle.pdf")  # type: ignore[operator]
    code, _out, err = run("bundle", "verify", str(path))
    assert code == 4
    assert err.splitlines()[0] == f"error: {path}: is not a PDF file"
    assert "Traceback" not in err


def test_damaged_pdf_is_refused_with_exit_4(tmp_path: Path) -> None:
    path = awkward.make_truncated_pdf(tmp_path / "bundle.pdf")
    code, _out, err = run("bundle", "verify", str(path))
    assert code == 4
    assert err.startswith(f"error: {path}: ")


def test_missing_bundle_exits_3(tmp_path: Path) -> None:
    code, _out, err = run("bundle", "verify", str(tmp_path / "nope.pdf"))
    assert code == 3
    assert err.splitlines() == [
        f"error: {tmp_path / 'nope.pdf'}: bundle not found",
        "  what to do: Check the path is spelt correctly (it names the .pdf file).",
    ]


def test_missing_sources_folder_exits_3(pristine: Path, tmp_path: Path) -> None:
    code, _out, err = run("bundle", "verify", str(pristine / "out" / "bundle.pdf"),
                          "--sources", str(tmp_path / "gone"))
    assert code == 3
    assert err.splitlines()[0] == f"error: {tmp_path / 'gone'}: sources folder not found"


def test_folder_given_as_bundle_exits_4(tmp_path: Path) -> None:
    code, _out, err = run("bundle", "verify", str(tmp_path))
    assert code == 4
    assert err.splitlines()[0] == f"error: {tmp_path}: is a folder, not a bundle PDF"


def test_malformed_sha256_is_a_usage_error(pristine: Path) -> None:
    code, _out, err = run("bundle", "verify", str(pristine / "out" / "bundle.pdf"),
                          "--sha256", "abc")
    assert code == 2
    assert "'abc' is not a SHA-256" in err


# --------------------------------------------------------------------------- hostile JSON


def _with_embedded_manifest(pristine: Path, tmp_path: Path, data: bytes) -> Path:
    """A copy of the bundle whose attached manifest.json holds ``data`` (no sidecars)."""
    from tests.test_verify import _replace_embedded_manifest

    pdf = tmp_path / "bundle.pdf"
    shutil.copyfile(pristine / "out" / "bundle.pdf", pdf)
    _replace_embedded_manifest(pdf, data)
    return pdf


def test_manifest_nested_200000_deep_fails_the_manifest_check(pristine: Path,
                                                               tmp_path: Path) -> None:
    deep = b'{"manifest_version": 1, "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    pdf = _with_embedded_manifest(pristine, tmp_path, deep)
    code, out, err = run("bundle", "verify", str(pdf))
    assert (code, err) == (1, "")
    assert ("FAIL  manifest: the embedded manifest.json is not valid JSON (nested more than "
            "16 levels deep, which no manifest is)") in out.splitlines()
    assert out.splitlines()[-1].startswith(f"NOT VERIFIED: {pdf}: ")


def test_sidecar_manifest_nested_deep_fails_the_manifest_check(pristine: Path,
                                                               tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(pristine / "out", root)
    (root / "bundle.manifest.json").write_bytes(b"[" * 200_000 + b"]" * 200_000)
    code, out, _err = run("bundle", "verify", str(root / "bundle.pdf"))
    assert code == 1
    assert ("FAIL  manifest: the sidecar bundle.manifest.json differs from the manifest "
            "embedded in the bundle: it is not valid JSON (nested more than 16 levels deep, "
            "which no manifest is)") in out.splitlines()


def test_manifest_that_inflates_without_end_is_refused_with_exit_4(pristine: Path,
                                                                   tmp_path: Path) -> None:
    import zlib

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    pdf = tmp_path / "bundle.pdf"
    writer = PdfWriter(clone_from=PdfReader(pristine / "out" / "bundle.pdf"))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    stream._data = zlib.compress(b" " * (40 * 1024 * 1024), 9)  # 40 MB in about 40 kB
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    with pdf.open("wb") as handle:
        writer.write(handle)
    code, out, err = run("bundle", "verify", str(pdf))
    assert (code, out) == (4, "")
    assert err.splitlines()[0] == (f"error: {pdf}: not a bundle made by this toolkit: its "
                                   "manifest.json is larger than 16 MB")
