"""Core bundles (`bundle build ... --core`): a bundle of the documents a hearing turns on,
whose every page carries its own number and its page in the main bundle; read back as a
judge would (pdftotext of each page, the index's links, `bundle check`, `bundle verify`)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from ruamel.yaml import YAML

from bundler.bundle.build import build_bundle
from bundler.cli import cli
from tests import bundle_fixtures as fx
from tests.conftest import SAMPLE
from tests.test_bundle_cli import write_spec


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], check=True, capture_output=True, text=True).stdout


def link_targets(pdf: Path) -> list[int]:
    """1-based pages the front matter's links land on, in order."""
    reader = PdfReader(pdf)
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}
    found = []
    for page in reader.pages[:3]:
        for annotation in page.get("/Annots", []) or []:
            link = annotation.get_object()
            if "/Dest" in link:
                found.append(pages[link["/Dest"][0].idnum])
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("core")
    for name, word, pages in (("a.pdf", "ALPHA", 2), ("b.pdf", "BRAVO", 3), ("c.pdf", "CHARLIE", 1),
                              ("d.pdf", "DELTA", 4), ("e.pdf", "ECHO", 2)):
        fx.make_text_pdf(folder / name, word, pages)
    spec = write_spec(folder, [("a.pdf", "Alpha"), ("b.pdf", "Bravo"), ("c.pdf", "Charlie"),
                               ("d.pdf", "Delta"), ("e.pdf", "Echo")])
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o",
                                      str(folder / "out" / "bundle.pdf"), "--date",
                                      "2026-11-30", "--core", "2,d.pdf"])
    assert result.exit_code == 0, result.output + result.stderr
    return folder / "out" / "bundle.pdf", result.stdout


def test_core_pages_carry_both_numbers(built: tuple[Path, str]) -> None:
    main_pdf, stdout = built
    core = main_pdf.with_name("bundle-core.pdf")
    assert "core bundle" in stdout and str(core) in stdout
    main = json.loads(main_pdf.with_name("bundle.manifest.json").read_text())
    manifest = json.loads(main_pdf.with_name("bundle-core.manifest.json").read_text())
    assert [d["source"] for d in manifest["documents"]] == ["b.pdf", "d.pdf"]
    assert manifest["title"] == "Test bundle: core bundle"
    in_main = {d["source"]: d for d in main["documents"]}
    for doc in manifest["documents"]:
        there = in_main[doc["source"]]
        for offset in range(doc["pages"]):
            text = page_text(core, doc["first_page"] + offset)
            # the document's own words, its core number and its number in the main bundle
            word = "BRAVO" if doc["source"] == "b.pdf" else "DELTA"
            assert word in text
            assert f"{doc['first_page'] + offset} (main {there['first_page'] + offset})" in text
            # and the main bundle's page of that number shows the same document page
            assert word in page_text(main_pdf, there["first_page"] + offset)
    assert manifest["core"]["main_file"] == "bundle.pdf"
    assert manifest["core"]["documents"][1]["main_number"] == in_main["d.pdf"]["number"]


def test_core_index_says_where_each_document_is_in_the_main_bundle(
        built: tuple[Path, str]) -> None:
    main_pdf, _stdout = built
    core = main_pdf.with_name("bundle-core.pdf")
    main = {d["source"]: d for d in
            json.loads(main_pdf.with_name("bundle.manifest.json").read_text())["documents"]}
    manifest = json.loads(main_pdf.with_name("bundle-core.manifest.json").read_text())
    index = page_text(core, 2)
    bravo = main["b.pdf"]
    assert (f"in the main bundle: doc {bravo['number']}, pages {bravo['first_page']}\u2013"
            f"{bravo['last_page']}") in index
    assert "Alpha" not in index and "Echo" not in index
    # each document, then the integrity certificate, which the index lists too
    assert link_targets(core) == [d["first_page"] for d in manifest["documents"]] + [
        manifest["certificate_first_page"]]


def test_core_bundle_meets_the_judiciary_profile_and_verifies(built: tuple[Path, str],
                                                              tmp_path: Path) -> None:
    main_pdf, _stdout = built
    core = main_pdf.with_name("bundle-core.pdf")
    check = CliRunner().invoke(cli, ["bundle", "check", str(core), "--profile",
                                     "judiciary-2021", "--json"])
    rules = {rule["rule"]: rule["result"] for rule in json.loads(check.stdout)["rules"]}
    assert rules["page numbers"] == "PASS" and rules["index"] == "PASS"
    verified = CliRunner().invoke(cli, ["bundle", "verify", str(core)])
    assert verified.exit_code == 0, verified.output
    assert "PASS  core" in verified.output and "main bundle numbers" in verified.output
    # without its main bundle beside it: said, not held against it
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("bundle-core.pdf", "bundle-core.manifest.json", "bundle-core.pdf.sha256"):
        shutil.copy(main_pdf.with_name(name), alone / name)
    verified = CliRunner().invoke(cli, ["bundle", "verify", str(alone / "bundle-core.pdf")])
    assert verified.exit_code == 0, verified.output
    assert "INFO  core" in verified.output
    # beside another bundle of the same name: FAIL
    fx.make_text_pdf(alone / "bundle.pdf", "OTHER", 1)
    verified = CliRunner().invoke(cli, ["bundle", "verify", str(alone / "bundle-core.pdf")])
    assert verified.exit_code != 0
    assert "FAIL  core" in verified.output and "not the main bundle" in verified.output


def test_core_bundle_rebuilds_from_its_sources(built: tuple[Path, str]) -> None:
    main_pdf, _stdout = built
    verified = CliRunner().invoke(cli, ["bundle", "verify",
                                        str(main_pdf.with_name("bundle-core.pdf")),
                                        "--sources", str(main_pdf.parent.parent)])
    assert verified.exit_code == 0, verified.output


def test_core_choices_refused_in_one_line(tmp_path: Path) -> None:
    fx.make_text_pdf(tmp_path / "a.pdf", "ALPHA", 1)
    spec = write_spec(tmp_path, [("a.pdf", "Alpha")])
    out = tmp_path / "out" / "b.pdf"
    for core, says in (("9", "--core '9' is neither a document number"),
                       ("", "not built from a case folder")):
        result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(out),
                                          "--core", core])
        assert result.exit_code != 0
        assert says in result.stderr and "Traceback" not in result.output + result.stderr
        assert not out.parent.exists() or not any(out.parent.iterdir())  # nothing written


def test_core_of_a_case_holds_what_the_findings_cite(tmp_path: Path) -> None:
    case = tmp_path / "nettlebank-road"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    result = build_bundle(case, case / "out" / "bundle.pdf", build_date=dt.date(2026, 11, 20),
                          core="")
    assert result.core is not None
    manifest = json.loads(result.core.manifest.read_text())
    # what the records cite, read here from the YAML as an officer wrote it
    review = YAML(typ="safe").load((case / "case.yaml").read_text())
    cited: set[str] = set()
    for entry in [*review["findings"]["answers"], *review.get("recommendations", [])]:
        cited |= {item if isinstance(item, str) else item["file"]
                  for item in entry.get("evidence", [])}
    assert {d["source"] for d in manifest["documents"]} == cited
    main = json.loads(result.manifest.read_text())
    order = [d["source"] for d in main["documents"] if d["source"] in cited]
    assert [d["source"] for d in manifest["documents"]] == order  # the main bundle's order
