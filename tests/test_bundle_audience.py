"""Editions of a bundle spec for each audience, read back the way their readers would.

One spec over the sample case's evidence names R03 ("Dmitri") and R02 ("Zoë Adebayo-Marsh")
as names the parties and the provider must not see, keeps the staff member Zoë Lindqvist and
the provider's published contact details, withholds R03's licence from everyone but the
tribunal and the review team, and marks a region over R03's signature. Each edition is built
once per module; the tests read text (pdftotext, OCR layers included), the raw decompressed
objects (qpdf --qdf), page labels, the redaction log and the manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bundler.bundle.build import build_bundle
from bundler.bundle.verify import verify_bundle
from bundler.cli import cli
from bundler.errors import BadInput, ConversionFailed
from tests.conftest import SAMPLE
from tests.redact_fixtures import pdftotext, raw_objects

SPEC = """\
reference: SC123/26/00456
title: Housing Benefit appeal, Nettlebank House
date: 2026-11-20
authority: Wrexley Borough Council
sections:
  - label: A
    title: Scheme evidence
    documents:
      - {file: evidence/provider/85a-organisations-and-responsibilities.pdf, title: Organisations}
  - label: B
    title: Resident R01
    documents:
      - {file: evidence/residents/R01/consent-form.pdf, title: Consent form}
      - {file: evidence/residents/R01/licence.pdf, title: Licence}
  - label: C
    title: Resident R03
    documents:
      - {file: evidence/residents/R03/licence.pdf, title: Licence, audiences: [tribunal, internal]}
      - {file: evidence/residents/R03/risk-assessment.pdf, title: Risk assessment}
redactions:
  terms:
    - {text: Dmitri, kind: name}
    - {text: Zoë Adebayo-Marsh, kind: name}
    - {text: Zoë, kind: name}
    - {text: Łukasz, kind: name, audiences: [provider]}
  patterns:
    - {pattern: room_number}
    - {pattern: phone}
    - {pattern: email}
  keep: ["01632 960 418", "hello@brackenfoldsupport.example", "Zoë Lindqvist"]
  regions:
    - file: evidence/residents/R03/risk-assessment.pdf
      page: 1
      box: {left: 14, top: 240, width: 70, height: 25}
      reason: SC
"""
FORBIDDEN = {
    "appeal:R01": re.compile(r"dmitri|adebayo|room [0-9]", re.IGNORECASE),
    "provider": re.compile(r"dmitri|adebayo|łukasz|lukasz|room [0-9]", re.IGNORECASE),
}
AUDIENCES = ("internal", "tribunal", "appeal:R01", "provider")


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's evidence with the spec, and no case records: the spec alone decides
    (beside a case.yaml, the residents' consent would decide too: test_bundle_case_audience)."""
    folder = tmp_path_factory.mktemp("audience") / "case"
    shutil.copytree(SAMPLE / "evidence", folder / "evidence")
    (folder / "appeal.yaml").write_text(SPEC, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def editions(case: Path) -> dict[str, Path]:
    built = {}
    for audience in AUDIENCES:
        out = case / "out" / f"{audience.replace(':', '-')}.pdf"
        build_bundle(case / "appeal.yaml", out, audience=audience, ocr=audience == "provider")
        built[audience] = out
    return built


def manifest_of(pdf: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(pdf.with_name(pdf.stem + ".manifest.json").read_text("utf-8"))


@pytest.mark.parametrize("audience", ["appeal:R01", "provider"])
def test_edited_bundles_hold_nothing_their_reader_must_not_see(
        editions: dict[str, Path], case: Path, audience: str) -> None:
    pdf = editions[audience]
    forbidden = FORBIDDEN[audience]
    assert forbidden.search(pdftotext(pdf)) is None
    assert forbidden.search(pdftotext(pdf, "-raw")) is None
    raw = raw_objects(pdf, case / "out").decode("latin-1")
    assert re.search(r"dmitri|adebayo", raw, re.IGNORECASE) is None
    text = pdftotext(pdf)
    assert "Zoë Lindqvist" in text  # the staff member who shares R02's first name stays
    assert "01632 960 418" in text  # so does the provider's published number


def test_the_internal_bundle_holds_them_so_the_check_can_fail(
        editions: dict[str, Path], case: Path) -> None:
    text = pdftotext(editions["internal"])
    assert FORBIDDEN["provider"].search(text) is not None
    assert "Dmitri" in text
    raw = raw_objects(editions["internal"], case / "out").decode("latin-1")
    assert "Dmitri" in raw


def test_the_providers_ocr_layer_of_a_scan_does_not_read_the_name(
        editions: dict[str, Path]) -> None:
    pdf = editions["provider"]
    manifest = manifest_of(pdf)
    assert manifest["options"]["ocr"] is True
    consent = next(d for d in manifest["documents"] if d["source"].endswith("consent-form.pdf"))
    text = pdftotext(pdf, "-f", str(consent["first_page"]), "-l", str(consent["last_page"]))
    assert "consent form" in text.lower()  # the invisible OCR layer is there
    assert re.search(r"[łl]ukasz", text, re.IGNORECASE) is None


def test_twins_share_page_labels(editions: dict[str, Path]) -> None:
    documents = {audience: [(d["number"], d["first_label"], d["last_label"])
                            for d in manifest_of(pdf)["documents"]]
                 for audience, pdf in editions.items()}
    unedited = documents["internal"]
    assert documents["tribunal"] == unedited
    for audience in ("appeal:R01", "provider"):
        for mine, theirs in zip(documents[audience], unedited, strict=True):
            if mine[1] == mine[2] and "–" in mine[1]:  # a placeholder carries the range
                assert mine[1] == f"{theirs[1]}–{theirs[2]}"
            else:
                assert mine == theirs
    labels = {audience: list(PdfReader(pdf).page_labels) for audience, pdf in editions.items()}
    edited = labels["appeal:R01"]
    assert "9–11" in edited
    kept = [label for label in edited if not label.startswith("log-") and "–" not in label]
    assert set(kept) <= set(labels["internal"])
    assert edited[edited.index("9–11") + 1] == "12"  # later pages keep their numbers


def test_a_withheld_document_leaves_one_page_saying_why(editions: dict[str, Path]) -> None:
    pdf = editions["appeal:R01"]
    manifest = manifest_of(pdf)
    withheld = manifest["audience"]["withheld"]
    assert [(w["source"], w["pages"], w["reason"]) for w in withheld] == [
        ("evidence/residents/R03/licence.pdf", "9–11", "NC")]
    placeholder = next(d for d in manifest["documents"] if d["first_label"] == "9–11")
    assert placeholder["pages"] == 1
    text = " ".join(pdftotext(pdf, "-f", str(placeholder["first_page"]), "-l",
                              str(placeholder["first_page"])).split())
    assert "Document 4: withheld from this bundle" in text
    assert "Pages 9–11 of the unedited bundle" in text
    assert "SC123/26/00456 doc 4 sha256:de207f53514b 9–11" in text  # stamped with the range


def test_the_redaction_log_lists_kinds_and_reasons_never_the_text(
        editions: dict[str, Path]) -> None:
    pdf = editions["appeal:R01"]
    manifest = manifest_of(pdf)
    audience = manifest["audience"]
    assert audience["audience"] == "appeal:R01" and audience["edition"] == "edited"
    assert manifest["manifest_version"] == 3
    log_page = manifest["certificate_first_page"] - audience["log_pages"]
    log = " ".join(pdftotext(pdf, "-f", str(log_page), "-l", str(log_page)).split())
    assert log.startswith("Redaction log")
    assert "TP third-party personal data" in log and "SC special category" in log
    assert "whole document withheld" in log and "3 names" in log
    assert FORBIDDEN["appeal:R01"].search(log) is None
    kinds = {(r["document"], r["kind"], r["reason"]) for r in audience["redactions"]}
    assert (5, "name", "TP") in kinds and (5, "marked region", "SC") in kinds
    flat = json.dumps(manifest, ensure_ascii=False)
    assert "Dmitri" not in flat and "Adebayo" not in flat
    assert any("names from the bundle spec" in rule for rule in audience["rules"])
    assert "log-1" in PdfReader(pdf).page_labels


def test_the_tribunal_edition_marks_what_the_parties_do_not_see(
        editions: dict[str, Path]) -> None:
    pdf = editions["tribunal"]
    manifest = manifest_of(pdf)
    audience = manifest["audience"]
    assert audience["edition"] == "unedited" and audience["parties_withheld"] == [4]
    assert {r["method"] for r in audience["redactions"]} == {"marked"}
    text = pdftotext(pdf)
    assert "Dmitri" in text  # nothing removed
    assert "NOT IN THE PARTIES' BUNDLES (rule 14)" in text
    assert "PARTS WITHHELD FROM THE PARTIES: OUTLINED" in text
    assert "Material withheld from the parties" in text
    cover = pdftotext(pdf, "-f", "1", "-l", "1")
    assert "Prepared for" in cover and "the tribunal (unedited" in " ".join(cover.split())


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_edition_verifies_against_its_sources(
        editions: dict[str, Path], case: Path, audience: str) -> None:
    report = verify_bundle(editions[audience], sources=case)
    assert report.ok, report.lines()
    names = [check.name for check in report.checks]
    assert "edition" in names
    rebuild = next(c for c in report.checks if c.name == "rebuild")
    assert "byte-for-byte identical" in rebuild.detail
    if audience in ("appeal:R01", "provider"):
        redaction = next(c for c in report.checks if c.name == "redaction")
        assert redaction.passed and f"nothing {audience} must not see" in redaction.detail


def test_verify_finds_a_term_the_rules_now_forbid(editions: dict[str, Path], case: Path,
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(case, copy, ignore=shutil.ignore_patterns("out"))
    spec = copy / "appeal.yaml"
    spec.write_text(SPEC.replace("  terms:\n", "  terms:\n    - {text: Nettlebank}\n"),
                    encoding="utf-8")
    report = verify_bundle(editions["appeal:R01"], sources=copy)
    redaction = next(c for c in report.checks if c.name == "redaction")
    assert not redaction.passed
    assert "listed term (TP)" in redaction.detail and "Nettlebank" not in redaction.detail
    assert not report.ok


def test_nothing_is_written_when_a_marked_term_survives(case: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import bundler.bundle.edition as edition

    monkeypatch.setattr(edition, "redact_pdf", lambda *args, **kwargs: None)  # a blind engine
    out = tmp_path / "out.pdf"
    with pytest.raises(ConversionFailed) as raised:
        build_bundle(case / "appeal.yaml", out, audience="appeal:R01")
    assert "can still be read at page" in raised.value.message
    assert "Dmitri" not in raised.value.message
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_file_name_holding_a_name_is_refused_without_repeating_it(
        case: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case"
    shutil.copytree(case, copy, ignore=shutil.ignore_patterns("out"))
    named = copy / "evidence" / "residents" / "R03" / "dmitri-licence.pdf"
    shutil.copy(copy / "evidence" / "residents" / "R03" / "licence.pdf", named)
    spec = copy / "appeal.yaml"
    spec.write_text(SPEC.replace("R03/licence.pdf", "R03/dmitri-licence.pdf"), encoding="utf-8")
    with pytest.raises(BadInput) as raised:
        build_bundle(spec, tmp_path / "out.pdf", audience="provider")
    assert "evidence/residents/R03/" in raised.value.message
    assert "dmitri" not in raised.value.message.lower()


def test_cli_prints_one_line_per_document_left_out_or_redacted(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "appeal.pdf"
    result = CliRunner().invoke(cli, ["bundle", "build", str(case / "appeal.yaml"), "-o",
                                      str(out), "--audience", "appeal:R01"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("left out: document 4 (evidence/residents/R03/licence.pdf, pages "
                        "9–11): NC, not for appeal:R01 (bundle spec)")
    assert any(line.startswith("redacted: document 5 (evidence/residents/R03/risk-assessment"
                               ".pdf): 1 marked region, 3 names, 2 room numbers") for line in lines)
    assert lines[-1].startswith("Wrote ") and "for appeal:R01" in lines[-1]


def test_cli_refuses_an_unknown_audience(case: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["bundle", "build", str(case / "appeal.yaml"), "-o",
                                      str(tmp_path / "x.pdf"), "--audience", "public"])
    assert result.exit_code == 2
    assert "'public' is not an audience: use tribunal, provider, internal, appeal:REF" in (
        result.output)


@pytest.mark.parametrize(("change", "to", "message"), [
    ("reason: SC\n", "reason: XX\n",
     "reason code XX is not known: add it under redactions.reasons with what it means"),
    ("file: evidence/residents/R03/risk-assessment.pdf\n      page: 1",
     "file: evidence/residents/R03/other.pdf\n      page: 1",
     "a redaction region names evidence/residents/R03/other.pdf, which is not among the "
     "documents"),
])
def test_spec_rules_are_checked(case: Path, tmp_path: Path, change: str, to: str,
                                message: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace(change, to), encoding="utf-8")
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o",
                                      str(tmp_path / "x.pdf"), "--audience", "provider"])
    assert (result.exit_code, result.stdout, result.stderr.splitlines()[0]) == (
        4, "", f"error: {spec}:1: {message}")


def test_without_an_audience_nothing_changes(case: Path, tmp_path: Path) -> None:
    plain = build_bundle(case / "appeal.yaml", tmp_path / "plain.pdf",
                         build_date=dt.date(2026, 11, 20))
    manifest = json.loads(plain.manifest.read_text("utf-8"))
    assert "audience" not in manifest and manifest["manifest_version"] == 1
    assert plain.edition == ()
    assert subprocess.run(["pdftotext", str(plain.pdf), "-"], capture_output=True,
                          check=True).stdout.count(b"Dmitri") >= 2
