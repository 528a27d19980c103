"""A bundle derived from the sample case folder (no bundle.yaml): sections in the review's
order, residents by reference only, the cover naming the authority and lead officer."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from bundler.bundle.build import build_bundle
from tests import bundle_fixtures as fx
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def case_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[str]]:  # type: ignore[type-arg]
    case = tmp_path_factory.mktemp("case") / "nettlebank-road"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    # Letters written but not recorded as sent never go in.
    letters = case / "out" / "letters"
    letters.mkdir(parents=True)
    fx.make_text_pdf(letters / "revisit-notice.pdf", "UNSENTLETTER", 1)
    result = build_bundle(case, case / "out" / "bundle.pdf", build_date=dt.date(2026, 11, 20))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    return result.pdf, manifest, [p.text for p in fx.words_by_page(result.pdf)]


def test_sections_follow_the_review(case_bundle: tuple[Path, dict, list[str]]) -> None:  # type: ignore[type-arg]
    _pdf, manifest, _texts = case_bundle
    titles = [s["title"] for s in manifest["sections"]]
    assert titles[0] == "Scheme-level review"
    assert titles[1] == "Provider information received against para 85"
    assert titles[2:-1] == ["Resident R01", "Resident R02", "Resident R03", "Resident R04"]
    assert titles[-1] == "Findings and correspondence"
    assert [s["label"] for s in manifest["sections"]] == ["A", "B", "C", "D", "E", "F", "G"]
    sources = [d["source"] for d in manifest["documents"]]
    assert len(sources) == len(set(sources))  # a file is placed once
    # The letters to the provider recorded as sent, in date order (never residents' letters,
    # nor a letter written but not sent).
    letters = [d for d in manifest["documents"] if d["source"].startswith("letters/")]
    assert [d["source"] for d in letters] == [
        "letters/information-request.pdf", "letters/information-reminder.pdf", "letters/findings.pdf"]
    assert letters[1]["title"] == ("Letter: Reminder: information still needed, 6 October 2026 "
                                   "(sent 6 October 2026 by e-mail)")
    assert not any("out/letters" in source for source in sources)
    # The expired licence is kept, and each document carries its own title from the records.
    by_source = {d["source"]: d for d in manifest["documents"]}
    assert by_source["evidence/residents/R02/licence.pdf"]["title"] == "Licence to Occupy: Nettlebank House"
    assert by_source["evidence/referrals/referral-pathway.pdf"]["title"] == "Referral and assessment pathway"
    assert manifest["options"]["source_kind"] == "case-derived"
    kinds = {d["converter"] for d in manifest["documents"]}
    assert {"pdf", "image", "text"} <= kinds


def test_cover_names_authority_and_officer_but_no_resident(
    case_bundle: tuple[Path, dict, list[str]],  # type: ignore[type-arg]
) -> None:
    _pdf, manifest, texts = case_bundle
    assert "Wrexley Borough Council" in texts[0] and "Priya Marchetti" in texts[0]
    assert manifest["authority"] == "Wrexley Borough Council"
    index = " ".join(texts[1 : manifest["front_matter_pages"]])
    for name in ("Łukasz", "Brennan", "Ellen", "Adebayo-Marsh", "Dmitri", "Callum"):
        assert name not in index
        assert name not in json.dumps(manifest, ensure_ascii=False)


def test_bundle_yaml_in_the_case_folder_wins(tmp_path: Path) -> None:
    case = tmp_path / "case"
    (case / "evidence").mkdir(parents=True)
    fx.make_text_pdf(case / "evidence" / "a.pdf", "AWORD", 1)
    (case / "bundle.yaml").write_text(
        "reference: HB-1\ntitle: Own spec\nsections:\n  - label: A\n    title: S\n"
        "    documents:\n      - file: evidence/a.pdf\n        title: A\n", encoding="utf-8")
    result = build_bundle(case, tmp_path / "b.pdf", build_date=dt.date(2026, 1, 1))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["title"] == "Own spec"
    assert manifest["options"]["source_kind"] == "case-bundle-yaml"
