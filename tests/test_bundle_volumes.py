"""Volumes (--max-pages, --max-mb): a 2,600-page bundle split into volumes of at most 1,000
pages, numbered on across the set, one index in volume 1 linking into the other files, a
certificate and manifest per volume, one manifest for the set; `bundle verify` on one volume
and on the set (a missing or extra volume named), read back as a recipient would."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bundler.bundle.check import check_bundle
from bundler.bundle.profiles import build_choices, get_profile
from bundler.cli import cli
from bundler.errors import BadInput
from tests import bundle_fixtures as fx
from tests.test_bundle_cli import write_spec


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["bundle", *args])
    return result.exit_code, result.stdout, result.stderr


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """26 documents of 100 pages: 2,600 pages of evidence."""
    folder = tmp_path_factory.mktemp("sources")
    files = []
    for number in range(26):
        fx.make_text_pdf(folder / f"d{number:02d}.pdf", f"WORD{number:02d}", 100)
        files.append((f"d{number:02d}.pdf", f"Document {number:02d}"))
    write_spec(folder, files)
    return folder


@pytest.fixture(scope="module")
def built(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("set") / "bundle.pdf"
    code, stdout, err = run("build", str(sources / "bundle.yaml"), "-o", str(out),
                            "--max-pages", "1000", "--date", "2026-03-01")
    assert code == 0, err
    assert stdout.splitlines() == [
        f"Wrote volume 1 of 3: 903 pages from 9 documents to {out.with_name('bundle-vol1.pdf')}",
        f"Wrote volume 2 of 3: 902 pages from 9 documents to {out.with_name('bundle-vol2.pdf')}",
        f"Wrote volume 3 of 3: 802 pages from 8 documents to {out.with_name('bundle-vol3.pdf')}",
    ]
    return out.parent


def test_2600_pages_at_most_1000_a_volume_give_three_volumes_numbered_on(built: Path) -> None:
    names = sorted(path.name for path in built.iterdir())
    assert names == ["bundle-vol1.manifest.json", "bundle-vol1.pdf", "bundle-vol1.pdf.sha256",
                     "bundle-vol2.manifest.json", "bundle-vol2.pdf", "bundle-vol2.pdf.sha256",
                     "bundle-vol3.manifest.json", "bundle-vol3.pdf", "bundle-vol3.pdf.sha256",
                     "bundle.manifest.json", "bundle.sha256"]
    expected = 1
    for number in (1, 2, 3):
        pdf = built / f"bundle-vol{number}.pdf"
        reader = PdfReader(pdf)
        assert len(reader.pages) <= 1000
        labels = list(reader.page_labels)
        assert labels == [str(n) for n in range(expected, expected + len(labels))]
        # the printed numbers run on too: the cover and the last page of each volume end with
        # their bold page label
        assert page_text(pdf, 1).split()[-1] == str(expected)
        assert page_text(pdf, len(labels)).split()[-1] == str(expected + len(labels) - 1)
        expected += len(labels)
    assert expected - 1 == 903 + 902 + 802
    # document numbers run on: volume 2's first document is document 10
    assert "doc 10 " in page_text(built / "bundle-vol2.pdf", 2)


def test_one_index_in_volume_one_linking_into_the_other_files(built: Path) -> None:
    first = built / "bundle-vol1.pdf"
    index = page_text(first, 2)
    assert "Index" in index and "Document 25" in index
    assert "vol 2: 905" in index  # document 10 starts on page 905, after volume 2's cover
    assert "Index" not in page_text(built / "bundle-vol2.pdf", 2)
    assert "the index of every volume is in bundle-vol1.pdf" in " ".join(
        page_text(built / "bundle-vol2.pdf", 1).split())
    reader = PdfReader(first)
    remote = []
    for annotation in reader.pages[1]["/Annots"]:
        action = annotation.get_object().get("/A")
        if action is not None and action["/S"] == "/GoToR":
            remote.append((action["/F"]["/F"], int(action["/D"][0])))
    assert len(remote) == 17
    assert remote[0] == ("bundle-vol2.pdf", 1)  # volume 2's second page: document 10
    target = PdfReader(built / "bundle-vol2.pdf")
    assert "WORD09" in target.pages[remote[0][1]].extract_text()


def test_one_manifest_for_the_set_and_every_hash_checks(built: Path) -> None:
    manifest = json.loads((built / "bundle.manifest.json").read_bytes())
    assert manifest["kind"] == "volume-set"
    assert [(v["file"], v["first_label"], v["last_label"]) for v in manifest["volumes"]] == [
        ("bundle-vol1.pdf", "1", "903"), ("bundle-vol2.pdf", "904", "1805"),
        ("bundle-vol3.pdf", "1806", "2607")]
    for volume in manifest["volumes"]:
        data = (built / volume["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == volume["sha256"]
    assert len(manifest["documents"]) == 26
    check = subprocess.run(["sha256sum", "-c", "bundle.sha256"], cwd=built, check=True,
                           capture_output=True, text=True).stdout
    assert check.count(": OK") == 3
    volume2 = json.loads((built / "bundle-vol2.manifest.json").read_bytes())
    assert volume2["volume"]["number"] == 2 and volume2["volume"]["first_number"] == 904


def test_verify_passes_the_set_and_names_a_missing_or_extra_volume(built: Path,
                                                                   tmp_path: Path) -> None:
    code, out, _err = run("verify", str(built / "bundle-vol2.pdf"))
    assert code == 0
    assert ("INFO  volume: volume 2 of 3 (pages from 904); check the whole set with `bundler "
            "bundle verify") in out
    code, out, _err = run("verify", str(built / "bundle-vol1.pdf"), "--volumes")
    assert code == 0, out
    assert out.splitlines()[0] == ("PASS  volumes: all 3 volumes of HB-TEST-1 are here "
                                   "(bundle-vol1.pdf, bundle-vol2.pdf, bundle-vol3.pdf)")
    assert out.splitlines()[-1].startswith("VERIFIED: the set ")
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "bundle-vol2.pdf").unlink()
    shutil.copy(copy / "bundle-vol3.pdf", copy / "bundle-vol4.pdf")
    code, out, _err = run("verify", str(copy))
    assert code == 1
    assert out.splitlines()[0] == ("FAIL  volumes: missing: bundle-vol2.pdf; not in the set: "
                                   "bundle-vol4.pdf")
    assert out.splitlines()[-1].startswith("NOT VERIFIED: the set ")


def test_each_volume_rebuilds_from_its_sources_byte_for_byte(built: Path,
                                                             sources: Path) -> None:
    code, out, _err = run("verify", str(built / "bundle-vol1.pdf"), "--sources", str(sources))
    assert code == 0, out
    assert "PASS  rebuild: rebuilt from" in out and "byte-for-byte identical" in out


def test_every_volume_meets_the_judiciary_profile(built: Path) -> None:
    for number in (1, 2, 3):
        report = check_bundle(built / f"bundle-vol{number}.pdf", "judiciary-2021")
        assert report.ok, report.lines()
    lines = check_bundle(built / "bundle-vol3.pdf", "judiciary-2021").lines()
    assert ("PASS  page numbers: every page prints its number in the set (a later volume, "
            "numbered on from the one before) near its bottom or top edge (1806 to 2607)") in lines
    index = next(line for line in lines if line.startswith("WARN  index"))
    assert "numbered on from 1806, so it reads as a later volume" in index
    first = check_bundle(built / "bundle-vol1.pdf", "judiciary-2021").lines()
    assert any(line.startswith("PASS  active content:") and "links to the other volumes"
               in line for line in first)


def test_a_document_over_the_limit_alone_is_split_at_page_boundaries(tmp_path: Path) -> None:
    fx.make_text_pdf(tmp_path / "big.pdf", "BIGWORD", 30)
    fx.make_text_pdf(tmp_path / "small.pdf", "SMALLWORD", 2)
    spec = write_spec(tmp_path, [("small.pdf", "Small"), ("big.pdf", "Big")])
    out = tmp_path / "out" / "b.pdf"
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(out),
                                      "--max-pages", "15", "--date", "2026-03-01"])
    assert result.exit_code == 0, result.stderr
    manifest = json.loads(out.with_name("b.manifest.json").read_bytes())
    titles = [doc["title"] for doc in manifest["documents"]]
    assert titles[0] == "Small" and titles[1].startswith("Big (pages 1-")
    assert titles[-1].endswith("of 30)")
    assert all(volume["pages"] <= 15 for volume in manifest["volumes"])
    covered = sum(int(doc["last_label"]) - int(doc["first_label"]) + 1
                  for doc in manifest["documents"])
    assert covered == 32  # every page of both documents, none lost or repeated


def test_max_mb_keeps_every_volume_under_the_size(tmp_path: Path, sources: Path) -> None:
    out = tmp_path / "b.pdf"
    code, _out, err = run("build", str(sources / "bundle.yaml"), "-o", str(out), "--max-mb",
                          "0.5", "--date", "2026-03-01")
    assert code == 0, err
    volumes = sorted(tmp_path.glob("b-vol*.pdf"))
    assert len(volumes) >= 2
    assert all(path.stat().st_size <= 0.5 * 1024 * 1024 for path in volumes)


def test_a_volume_over_max_mb_is_laid_out_again(tmp_path: Path, sources: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """When the estimate proves too small (here: stamps assumed to cost nothing), the set is
    laid out again with a larger one, and every volume still ends under the limit."""
    from bundler.bundle import volumes

    monkeypatch.setattr(volumes, "_STAMP_BYTES", 0)
    monkeypatch.setattr(volumes, "_SIZE_MARGIN", 1.0)
    messages: list[str] = []
    results = volumes.build_set(sources / "bundle.yaml", tmp_path / "b.pdf",
                                volumes.VolumeLimits(max_mb=0.5), progress=messages.append)
    assert any("laying out again" in message for message in messages)
    assert all(result.pdf.stat().st_size <= 0.5 * 1024 * 1024 for result in results)
    code, out, _err = run("verify", str(tmp_path), "--volumes")
    assert code == 0, out


def test_refusals(tmp_path: Path, sources: Path) -> None:
    code, _out, err = run("build", str(sources / "bundle.yaml"), "-o", str(tmp_path / "b.pdf"),
                          "--max-pages", "3")
    assert code == 4 and "a volume needs room for its cover" in err
    code, _out, err = run("build", str(sources / "bundle.yaml"), "-o", str(tmp_path / "b.pdf"),
                          "--max-pages", "100", "--numbering", "sectioned")
    assert code == 4 and "numbered continuously across the set" in err
    with pytest.raises(BadInput, match="contradicts --profile judiciary-2021"):
        build_choices(get_profile("judiciary-2021"), "sectioned", False)
    assert build_choices(get_profile("judiciary-2021"), None, False) == ("continuous", True)
    assert build_choices(get_profile("pd27a"), None, False) == ("sectioned", False)
    assert build_choices(get_profile("general"), None, True) == (None, True)
