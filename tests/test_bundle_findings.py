"""The findings table and the chronology, read back as a judge would: after the index, each
finding with the pages it rests on, each page number a link that lands on the page carrying
that number; the chronology's dates in order; both in the index, the bookmarks and on the
cover; citations of nothing, or of documents the bundle does not hold, warned about and
refused with --strict."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import NullObject
from ruamel.yaml import YAML

from bundler.bundle.build import build_bundle
from bundler.cli import cli
from tests import bundle_fixtures as fx
from tests.conftest import SAMPLE

DATE = dt.date(2026, 11, 20)
POLICY = "evidence/provider/85i-safeguarding-policy.pdf"  # three pages
NOTES = "evidence/site-visit/visit-notes.txt"


def copy_sample(folder: Path) -> Path:
    case = folder / "nettlebank-road"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return case


def edit_case(case: Path, change: object) -> None:
    """Change case.yaml through a round trip (comments and layout kept)."""
    yaml = YAML()
    path = case / "case.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    out = io.StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def cite_pages(data: dict) -> None:  # type: ignore[type-arg]
    """F1 rests on pages 2-3 of the policy (with a quote) and the visit notes; every
    recommendation cites page 3 of the policy."""
    answers = data["findings"]["answers"]
    answers[0]["evidence"] = [
        {"file": POLICY, "pages": "2-3", "quote": "staff are trained every year"},
        NOTES,
    ]
    for rec in data["recommendations"]:
        rec["evidence"] = [{"file": POLICY, "pages": "3"}]


@dataclass(frozen=True)
class Built:
    pdf: Path
    manifest: dict  # type: ignore[type-arg]
    words: list[fx.PageWords]
    warnings: list[str]
    texts: list[str]  # each page as pdftotext -layout reads it, spaces squashed



def build(case: Path, **options: object) -> Built:
    with fx.warnings_logged() as warnings:
        result = build_bundle(case, case / "out" / "bundle.pdf", build_date=DATE,
                              force=True, **options)  # type: ignore[arg-type]
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    texts = [" ".join(text.split()) for text in fx.page_texts(result.pdf)]
    return Built(result.pdf, manifest, fx.words_by_page(result.pdf), warnings, texts)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    case = copy_sample(tmp_path_factory.mktemp("findings"))
    edit_case(case, cite_pages)
    return build(case)


def part_pages(built: Built, title: str) -> list[int]:
    """1-based pages whose text starts with ``title`` (its first page and continuations)."""
    return [number for number, text in enumerate(built.texts, start=1)
            if text.startswith(title)]


def test_the_index_then_the_findings_then_the_chronology(built: Built) -> None:
    findings = part_pages(built, "Findings and the evidence they rest on")
    chronology = part_pages(built, "Chronology")
    assert built.texts[1].startswith("Index")
    assert findings and chronology and findings[0] < chronology[0]
    assert findings[0] > 2 and chronology[-1] <= built.manifest["front_matter_pages"]
    index = " ".join(built.texts[1:findings[0] - 1])
    assert f"Findings and the evidence they rest on {findings[0]}" in index
    assert "Chronology" in index and "Integrity certificate" in index


def test_each_citation_links_to_the_page_carrying_its_number(built: Built) -> None:
    """The page numbers printed in the table are links; each lands on the page whose
    footer shows that number, and that page comes from the cited file and page."""
    reader = PdfReader(built.pdf)
    findings = part_pages(built, "Findings and the evidence they rest on")
    by_source = {doc["source"]: doc for doc in built.manifest["documents"]}
    links = fx.front_links(reader, built.manifest["front_matter_pages"])
    cited_targets = {target for target, _dest in links}
    rows = built.manifest["findings"]
    f1 = next(row for row in rows if row["id"] == "F1")
    policy = by_source[POLICY]
    assert f1["evidence"][0]["bundle_pages"] == (
        f"{int(policy['first_label']) + 1}\u2013{int(policy['first_label']) + 2}")
    table_text = " ".join(built.texts[number - 1] for number in findings)
    for row in rows:
        assert row["evidence"], row["id"]
        for cited in row["evidence"]:
            doc = by_source[cited["source"]]
            first = int(cited["pages"].split("-")[0]) if cited["pages"] else 1
            target = doc["first_page"] + first - 1
            assert target in cited_targets, (row["id"], cited)
            page_label = fx.footer(built.words[target - 1]).label.text
            assert cited["bundle_pages"].split("\u2013")[0] == page_label
            assert f"{cited['bundle_pages']} doc {doc['number']}" in table_text
    assert "\u201cstaff are trained every year\u201d" in table_text
    for _target, dest in links:
        assert dest[1] == "/XYZ" and isinstance(dest[4], NullObject)


def test_the_chronology_runs_in_date_order_and_links_its_evidence(built: Built) -> None:
    events = built.manifest["chronology"]
    dates = [dt.date.fromisoformat(event["date"]) for event in events]
    assert dates == sorted(dates) and dates[-1] <= DATE
    texts = [event["event"] for event in events]
    assert any(text.startswith("Information request sent to") for text in texts)
    assert any(text.startswith("Site visit to Nettlebank House") for text in texts)
    assert any(text.startswith("Findings made") for text in texts)
    visit = next(event for event in events if event["event"].startswith("Site visit"))
    assert visit["evidence"][0]["source"] == NOTES and visit["evidence"][0]["bundle_pages"]
    as_dates = []  # the Date column as printed, top to bottom, page after page
    for number in part_pages(built, "Chronology"):
        rows: dict[int, list[str]] = {}
        for word in built.words[number - 1].words:
            if word.x0 < 110:
                rows.setdefault(round(word.y0), []).append(word.text)
        for _y, parts in sorted(rows.items()):
            if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", " ".join(parts)):
                as_dates.append(dt.datetime.strptime(" ".join(parts), "%d %b %Y").date())
    assert as_dates == dates


def test_bookmarks_and_cover_name_every_part_truly(built: Built) -> None:
    reader = PdfReader(built.pdf)
    marks = {item.title.rsplit(" (", 1)[0]: reader.get_destination_page_number(item) + 1
             for item in reader.outline if not isinstance(item, list)}
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    events = part_pages(built, "Chronology")  # each part's bookmark gives its pages
    assert f"Chronology ({events[0]}{'' if len(events) == 1 else f'–{events[-1]}'})" in titles
    findings = part_pages(built, "Findings and the evidence they rest on")
    assert marks["Findings and the evidence they rest on"] == findings[0]
    assert marks["Chronology"] == part_pages(built, "Chronology")[0]
    certificate = built.manifest["certificate_first_page"]
    assert marks["Integrity certificate"] == certificate
    cover = built.texts[0]
    last = built.manifest["pages"]
    where = (f"on page {certificate}," if certificate == last
             else f"on pages {certificate}\u2013{last},")
    assert f"The integrity certificate, {where}" in cover
    assert f"the findings and the evidence they rest on is on page {findings[0]}" in cover \
        or f"the findings and the evidence they rest on is on pages {findings[0]}" in cover


def test_a_recommendation_citing_nothing_is_warned_about(tmp_path: Path) -> None:
    case = copy_sample(tmp_path)

    def strip(data: dict) -> None:  # type: ignore[type-arg]
        cite_pages(data)
        data["recommendations"][0]["evidence"] = []
        data["findings"]["answers"][1]["evidence"] = ["evidence/residents/R01/consent-form.pdf",
                                                      {"file": POLICY, "pages": "7"}]

    edit_case(case, strip)
    (case / "bundle.yaml").write_text(
        "reference: WBC-SHR-2026-014\ntitle: Findings only\nfindings: true\nsections:\n"
        "  - label: A\n    title: Policy\n    documents:\n"
        f"      - file: {POLICY}\n        title: Safeguarding policy\n", encoding="utf-8")
    out = build(case)
    assert "case.yaml: recommendation REC-1 cites no evidence (para 146)" in out.warnings
    assert ("case.yaml: finding F2 cites evidence/residents/R01/consent-form.pdf, which is not "
            "in this bundle") in out.warnings
    assert f"case.yaml: finding F2 cites pages 7 of {POLICY}, which has 3 pages" in out.warnings
    row = next(row for row in out.manifest["findings"] if row["id"] == "F2")
    assert row["evidence"][0]["bundle_pages"] == ""
    assert "not in this bundle" in " ".join(out.texts[:4])
    runner = CliRunner()
    result = runner.invoke(cli, ["bundle", "build", str(case), "-o",
                                 str(tmp_path / "strict.pdf"), "--strict", "--date",
                                 "2026-11-20"])
    assert result.exit_code == 10
    assert "recommendation REC-1 cites no evidence (para 146)" in result.stderr
    assert not (tmp_path / "strict.pdf").exists()


def test_a_spec_outside_a_case_folder_cannot_ask_for_findings(tmp_path: Path) -> None:
    fx.make_text_pdf(tmp_path / "a.pdf", "AWORD", 1)
    spec = tmp_path / "bundle.yaml"
    spec.write_text("reference: HB-1\ntitle: T\nfindings: true\nsections:\n  - label: A\n"
                    "    title: S\n    documents:\n      - file: a.pdf\n        title: A\n",
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o",
                                      str(tmp_path / "b.pdf")])
    assert result.exit_code == 4
    assert "findings: true, but there is no case.yaml beside the spec" in result.stderr


def test_verify_rebuilds_the_findings_and_chronology(built: Built) -> None:
    from bundler.bundle.verify import verify_bundle

    report = verify_bundle(built.pdf, sources=built.pdf.parent.parent)
    assert report.ok, report.lines()


def test_the_findings_letter_cites_the_bundle_pages(built: Built, tmp_path: Path) -> None:
    from tests.letters_helpers import all_text, open_docx

    case = built.pdf.parent.parent
    out = tmp_path / "letters"
    result = CliRunner().invoke(cli, ["letter", "findings", str(case), "-o", str(out),
                                      "--bundle", str(built.pdf)])
    assert result.exit_code == 0, result.output
    text = all_text(open_docx((out / "findings.docx").read_bytes()))
    assert ("The page numbers below are those of the evidence bundle WBC-SHR-2026-014 of 20 "
            "November 2026 (bundle.pdf)") in text
    f1 = next(row for row in built.manifest["findings"] if row["id"] == "F1")
    pages = ", ".join(cited["bundle_pages"] for cited in f1["evidence"])
    assert f"Evidence: bundle pages {pages}." in text
    rec = next(row for row in built.manifest["findings"] if row["id"] == "REC-1")
    assert f"(evidence: bundle page {rec['evidence'][0]['bundle_pages']})" in text

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(built.pdf.read_bytes() + b"\n% appended")
    (tmp_path / "changed.pdf.sha256").write_text(
        (built.pdf.parent / "bundle.pdf.sha256").read_text().replace("bundle.pdf", "changed.pdf"))
    result = CliRunner().invoke(cli, ["letter", "findings", str(case), "-o",
                                      str(tmp_path / "again"), "--bundle", str(changed)])
    assert result.exit_code == 4
    assert f"{changed}: the bundle differs from the sidecar" in result.stderr
