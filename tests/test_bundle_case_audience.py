"""Editions of the sample case's derived bundle: consent decides what goes in (para 97).

In the sample, R01 agreed to everything; R02 to all but passing things to the provider; R03
(verbal consent) to neither that nor use in proceedings. So the provider's bundle holds R01's
records with his name removed, nothing of R02's or R03's, and no interview notes; the bundle
for R01's appeal holds R01's and R02's records (R02's name removed), nothing of R03's. The
tests read what a recipient could: text with the OCR layers (pdftotext), the raw decompressed
objects, a scanned page read again by OCR, page labels, the log and the manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from bundler.bundle.build import build_bundle
from bundler.bundle.caseaudience import case_edition
from bundler.bundle.casebundle import derive_case_spec
from bundler.bundle.verify import verify_bundle
from tests.conftest import SAMPLE
from tests.redact_fixtures import pdftotext, raw_objects, render_grey

DAY = dt.date(2026, 11, 20)
AUDIENCES = ("internal", "tribunal", "appeal:R01", "provider")
# Other residents' names (R01 Łukasz Brennan, R02 Ellen Adebayo-Marsh, R03 Dmitri, who gave no
# surname). Zoë Lindqvist, the scheme manager, is staff and may appear.
NAMES = {
    "provider": re.compile(r"łukasz|lukasz|brennan|ellen|adebayo|dmitri", re.IGNORECASE),
    "appeal:R01": re.compile(r"ellen|adebayo|dmitri", re.IGNORECASE),
}
R03_FILES = {"evidence/residents/R03/licence.pdf", "evidence/residents/R03/risk-assessment.pdf",
             "evidence/residents/R03/interview-notes.txt"}


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("case-audience") / "nettlebank-road"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return folder


@pytest.fixture(scope="module")
def editions(case: Path) -> dict[str, Path]:
    built = {}
    for audience in AUDIENCES:
        out = case / "out" / f"{audience.replace(':', '-')}.pdf"
        build_bundle(case, out, audience=audience, build_date=DAY, ocr=audience != "tribunal")
        built[audience] = out
    return built


def manifest_of(pdf: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(pdf.with_name(pdf.stem + ".manifest.json").read_text("utf-8"))


@pytest.mark.parametrize("audience", ["provider", "appeal:R01"])
def test_no_other_residents_name_in_text_ocr_layers_or_raw_objects(
        editions: dict[str, Path], case: Path, audience: str) -> None:
    pdf = editions[audience]
    assert NAMES[audience].search(" ".join(pdftotext(pdf).split())) is None
    raw = raw_objects(pdf, case / "out").decode("latin-1")
    assert re.search(r"adebayo|dmitri|brennan", raw, re.IGNORECASE) is None


def test_the_internal_bundle_holds_every_name(editions: dict[str, Path], case: Path) -> None:
    text = pdftotext(editions["internal"])
    assert NAMES["provider"].search(" ".join(text.split())) is not None
    assert "Dmitri" in text and "Łukasz" in text
    consent = next(d for d in manifest_of(editions["internal"])["documents"]
                   if d["source"] == "evidence/residents/R01/consent-form.pdf")
    scanned = pdftotext(editions["internal"], "-f", str(consent["first_page"]), "-l",
                        str(consent["first_page"]))
    assert re.search(r"[łl]ukasz", scanned, re.IGNORECASE)  # read by OCR from the scan
    assert "Dmitri" in raw_objects(editions["internal"], case / "out").decode("latin-1")


@pytest.mark.parametrize("audience", ["provider", "appeal:R01"])
def test_the_records_of_the_resident_without_consent_are_left_out(
        editions: dict[str, Path], audience: str) -> None:
    manifest = manifest_of(editions[audience])
    withheld = {w["source"]: w for w in manifest["audience"]["withheld"]}
    assert set(withheld) >= R03_FILES
    assert all(w["reason"] == "NC" and w["why"].startswith("R03") for source, w in
               withheld.items() if source in R03_FILES)
    text = pdftotext(editions[audience])
    assert "Conviction for assault" not in text and "Released on licence" not in text


def test_the_provider_gets_no_interview_notes_and_nothing_r02_kept_back(
        editions: dict[str, Path]) -> None:
    withheld = {w["source"]: w["why"] for w in
                manifest_of(editions["provider"])["audience"]["withheld"]}
    for reference in ("R01", "R02", "R03"):
        assert f"evidence/residents/{reference}/interview-notes.txt" in withheld
    assert withheld["evidence/residents/R02/licence.pdf"] == (
        "R02 did not agree to share_with_provider")
    included = {d["source"] for d in manifest_of(editions["provider"])["documents"]} - set(
        withheld)
    assert "evidence/residents/R01/licence.pdf" in included  # R01 agreed: by reference only


def test_a_redacted_scan_shows_no_trace_of_the_name(editions: dict[str, Path],
                                                    tmp_path: Path) -> None:
    pdf = editions["provider"]
    consent = next(d for d in manifest_of(pdf)["documents"]
                   if d["source"] == "evidence/residents/R01/consent-form.pdf")
    page = render_grey(pdf, consent["first_page"], 300, tmp_path)
    image = tmp_path / "page.png"
    page.save(image)
    read = subprocess.run(["tesseract", str(image), "-", "-l", "eng"], capture_output=True,
                          check=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    seen = read.stdout.decode("utf-8", "replace")
    assert "consent" in seen.lower()  # the page is read...
    assert re.search(r"[łl]ukasz|ukasz", seen, re.IGNORECASE) is None  # ...but not the name


def test_editions_share_their_page_labels(editions: dict[str, Path]) -> None:
    numbered = {a: [(d["number"], d["first_label"], d["last_label"]) for d in
                    manifest_of(pdf)["documents"]] for a, pdf in editions.items()}
    full = numbered["internal"]
    for audience in ("tribunal", "appeal:R01", "provider"):
        for mine, theirs in zip(numbered[audience], full, strict=True):
            if "–" in mine[1] and mine[1] == mine[2] and theirs[1] != theirs[2]:
                assert mine[1] == f"{theirs[1]}–{theirs[2]}"
            elif mine[1] == mine[2] == theirs[1] == theirs[2]:
                continue
            else:
                assert mine == theirs, audience
    internal_labels = list(PdfReader(editions["internal"]).page_labels)
    for audience in ("appeal:R01", "provider"):
        labels = list(PdfReader(editions[audience]).page_labels)
        plain = [label for label in labels if "–" not in label and not label.startswith("log")]
        assert set(plain) <= set(internal_labels)


def test_the_log_names_kinds_reasons_and_decisions(editions: dict[str, Path]) -> None:
    pdf = editions["appeal:R01"]
    manifest = manifest_of(pdf)
    audience = manifest["audience"]
    log_page = manifest["certificate_first_page"] - audience["log_pages"]
    log = " ".join(pdftotext(pdf, "-f", str(log_page), "-l",
                             str(manifest["certificate_first_page"] - 1)).split())
    assert "Redaction log" in log and "This bundle is for the parties to appeal R01" in log
    assert "R03 did not agree to use_in_proceedings" in log
    assert "TP third-party personal data" in log and "NC not covered" in log
    assert NAMES["appeal:R01"].search(" ".join(log.split())) is None
    assert any("R02" in rule for rule in audience["rules"])
    kinds = {(r["source"], r["kind"]) for r in audience["redactions"]}
    assert ("evidence/residents/R02/licence.pdf", "name") in kinds


@pytest.mark.parametrize("audience", ["provider", "appeal:R01"])
def test_verify_rebuilds_each_edition_from_the_case(editions: dict[str, Path], case: Path,
                                                    audience: str) -> None:
    report = verify_bundle(editions[audience], sources=case)
    assert report.ok, report.lines()
    checks = {check.name: check for check in report.checks}
    assert "byte-for-byte identical" in checks["rebuild"].detail
    assert f"nothing {audience} must not see can be extracted" in checks["redaction"].detail


def test_the_audit_log_records_the_audience(editions: dict[str, Path], case: Path) -> None:
    entries = [json.loads(line) for line in (case / "audit.jsonl").read_text().splitlines()]
    built = [e for e in entries if e["action"] == "bundle_built"]
    assert [e["details"].get("audience") for e in built[-4:]] == list(AUDIENCES)
    assert "Dmitri" not in (case / "audit.jsonl").read_text("utf-8")


# ----------------------------------------------------------------------- decisions only


def _resident_file(case: Path, reference: str, addition: str) -> None:
    path = case / "residents" / f"{reference}.yaml"
    path.write_text(path.read_text("utf-8") + addition, encoding="utf-8")


def _fates(case: Path, audience: str, on: dt.date = DAY) -> dict[str, object]:
    loaded, _authority, _officer = derive_case_spec(case)
    documents = [doc for section in loaded.spec.sections for doc in section.documents]
    edition = case_edition(case, documents, audience, on)
    return {doc.file: fate for doc, fate in zip(documents, edition.documents, strict=True)}


def test_a_recorded_legal_basis_lets_records_in_and_is_cited(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    case = tmp_path / "case"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    _resident_file(case, "R03", """disclosures:
  - audience: appeal:R01
    kinds: [records]
    basis: UK GDPR Art. 9(2)(f) (legal claims)
    decided_by: the council's data protection officer
    decided_on: 2026-11-02
""")
    fates = _fates(case, "appeal:R01")
    licence = fates["evidence/residents/R03/licence.pdf"]
    assert licence.withheld is None  # type: ignore[attr-defined]
    assert licence.basis == ("UK GDPR Art. 9(2)(f) (legal claims), decided by the council's "  # type: ignore[attr-defined]
                             "data protection officer on 2026-11-02")
    assert fates["evidence/residents/R03/interview-notes.txt"].withheld is not None  # type: ignore[attr-defined]
    assert fates["evidence/residents/R03/licence.pdf"].basis is not None  # type: ignore[attr-defined]
    assert _fates(case, "appeal:R01", dt.date(2026, 11, 1))[
        "evidence/residents/R03/licence.pdf"].withheld is not None  # type: ignore[attr-defined]
    assert ("R03's documents go into the appeal:R01 bundle, but the case records hold no name"
            in caplog.text)


def test_withdrawn_consent_withholds_from_that_day(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    path = case / "residents" / "R02.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "    use_in_proceedings: true\n",
        "    use_in_proceedings: true\n  withdrawn:\n    date: 2026-11-10\n"
        "    statements: [use_in_proceedings]\n"), encoding="utf-8")
    before = _fates(case, "appeal:R01", dt.date(2026, 11, 9))
    after = _fates(case, "appeal:R01", dt.date(2026, 11, 10))
    assert before["evidence/residents/R02/licence.pdf"].withheld is None  # type: ignore[attr-defined]
    withheld = after["evidence/residents/R02/licence.pdf"].withheld  # type: ignore[attr-defined]
    assert withheld is not None
    assert withheld.why == "R02 withdrew consent to use_in_proceedings on 2026-11-10"


def test_the_bundle_for_no_audience_keeps_the_editions_page_numbers(
        editions: dict[str, Path], case: Path, tmp_path: Path) -> None:
    """Its findings table and chronology cite pages the editions withhold; the front matter
    every one pads to leaves room for either form, so a page cited in one is the same page
    in every other."""
    plain = build_bundle(case, tmp_path / "plain.pdf", build_date=DAY).pdf
    mine = manifest_of(plain)
    internal = manifest_of(editions["internal"])
    assert mine["front_matter_pages"] == internal["front_matter_pages"]
    assert [d["first_label"] for d in mine["documents"]] == [
        d["first_label"] for d in internal["documents"]]
    for audience in ("appeal:R01", "provider"):
        assert manifest_of(editions[audience])["front_matter_pages"] == mine["front_matter_pages"]


def test_internal_withholds_nothing_and_removes_nothing(case: Path) -> None:
    fates = _fates(case, "internal")
    assert all(f.withheld is None and f.rules.empty for f in fates.values())  # type: ignore[attr-defined]


def test_redactions_yaml_adds_a_name_the_records_do_not_hold(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    (case / "redactions.yaml").write_text(
        "terms:\n  - {text: Dmitri, kind: name, audiences: [tribunal, provider, 'appeal:*']}\n",
        encoding="utf-8")
    fates = _fates(case, "tribunal")
    scheme = fates["evidence/site-visit/visit-notes.txt"]
    assert any(term.text == "Dmitri" for term in scheme.rules.matcher.terms)  # type: ignore[attr-defined]
    (case / "redactions.yaml").write_text("terms:\n  - {txt: Dmitri}\n", encoding="utf-8")
    from bundler.errors import BadInput

    with pytest.raises(BadInput) as raised:
        _fates(case, "tribunal")
    assert "redactions.yaml:2: terms[1].txt" in raised.value.message
