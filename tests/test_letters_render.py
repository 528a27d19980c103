"""Letters render from the sample case, read back with python-docx as a recipient would."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from ruamel.yaml import YAML

from bundler.case.models import Para85Item
from bundler.case.validate import load_valid_case
from bundler.errors import CaseIncomplete, InputNotFound, TemplateError
from bundler.letters.context import (
    LetterKind,
    build_contexts,
    recorded_letter_date,
    uk_date,
)
from bundler.letters.generate import default_templates_dir
from bundler.letters.render import render_letter

from .letters_helpers import (
    DEMO_DATE,
    all_text,
    open_docx,
    paragraph_texts,
    render_sample,
    run_styles,
    table_rows,
)

SANS = {"Arial", "Liberation Sans", "Helvetica", "Verdana", "Calibri"}
CONSENT_DATE = dt.date(2026, 9, 21)


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every letter of every kind from the sample case, by file stem."""
    from .conftest import SAMPLE

    out: dict[str, bytes] = {}
    # Consent forms go out before residents sign them (a later one would ask again).
    dates = {LetterKind.INFORMATION_REMINDER: DEMO_DATE, LetterKind.RESIDENT_CONSENT: CONSENT_DATE}
    for kind in LetterKind:
        when = dates.get(kind)
        for stem, data in render_sample(SAMPLE, kind, when):
            out[stem] = data
    return out


def test_every_kind_renders_without_template_syntax_or_none(rendered: dict[str, bytes]) -> None:
    expected = {
        "information-request", "information-reminder", "findings", "revisit-notice",
        *(f"{kind}-R0{n}" for kind in ("resident-consent", "resident-outcome") for n in (1, 2, 3, 4)),
    }
    assert set(rendered) == expected
    for stem, data in rendered.items():
        text = all_text(open_docx(data))
        assert "{{" not in text and "{%" not in text and "}}" not in text, stem
        assert not re.search(r"\bNone\b", text), stem
        assert " & " not in text.replace("Tarnwell Lettings & Property", ""), stem
        assert "Page " in text and " of " in text, stem


def test_headers_and_footers_are_filled_in(rendered: dict[str, bytes]) -> None:
    doc = open_docx(rendered["findings"])
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == (
        "Wrexley Borough Council. Our reference: WBC-SHR-2026-014"
    )
    for footer in (section.footer, section.first_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "NUMPAGES" in xml
        assert footer.paragraphs[0].text.startswith("Page ")


def test_information_request_names_every_requested_item_and_no_other(
    rendered: dict[str, bytes],
) -> None:
    from .conftest import SAMPLE

    case = load_valid_case(SAMPLE).case
    assert case.information_request is not None
    text = all_text(open_docx(rendered["information-request"]))
    requested = [e.item for e in case.information_request.items if e.requested]
    not_requested = [e.item for e in case.information_request.items if not e.requested]
    assert requested and not_requested
    for item in requested:
        words = item.plain_words[0].upper() + item.plain_words[1:]
        assert f"{words} ({item.paragraph})" in text, item
    for item in not_requested:
        assert item.plain_words[1:] not in text, item
    assert "22 September 2026" in text  # the case's due date
    assert "1 September 2026" in text
    assert (case.review.authority.legal_basis or "")[:60] in text
    assert "Training records for every support worker" in text  # the item's detail


def test_reminder_lists_only_outstanding_items_with_new_due_date(rendered: dict[str, bytes]) -> None:
    text = all_text(open_docx(rendered["information-reminder"]))
    outstanding = [
        Para85Item.F_SATISFACTION_FORMS,
        Para85Item.I_EXAMPLE_SUPPORT_PLANS,
        Para85Item.I_TRAINING_AND_DBS,
        Para85Item.I_CASELOADS,
    ]
    for item in outstanding:
        assert item.plain_words[1:] in text, item
    for item in (Para85Item.H_OCCUPANCY_AGREEMENT, Para85Item.A_ORGANISATIONS,
                 Para85Item.I_MISSION_STATEMENTS):
        assert item.plain_words[1:] not in text, item
    assert "We have received part of this." in text  # i_training_and_dbs is partly received
    assert "4 December 2026" in text  # 20 November 2026 + 10 working days
    assert "1 September 2026" in text and "22 September 2026" in text


def test_reminder_uses_a_recorded_reminders_due_date(sample_case: Path) -> None:
    loaded = load_valid_case(sample_case)
    when = recorded_letter_date(LetterKind.INFORMATION_REMINDER, loaded.case)
    assert when == dt.date(2026, 10, 6)
    (plan,) = build_contexts(LetterKind.INFORMATION_REMINDER, loaded, when)
    assert plan.context.model_dump()["new_due_date"] == "20 October 2026"


def test_findings_letter_has_both_dates_for_each_recommendation(rendered: dict[str, bytes]) -> None:
    from .conftest import SAMPLE

    case = load_valid_case(SAMPLE).case
    doc = open_docx(rendered["findings"])
    rows = table_rows(doc)
    assert rows[0] == ["Recommendation", "Tell us you have received it by",
                       "Complete it and send evidence by"]
    body_rows = rows[1:]
    assert len(body_rows) == len(case.recommendations) == 4
    for rec, row in zip(case.recommendations, body_rows, strict=True):
        assert row[0].startswith(f"{rec.id}: ")
        assert row[1] == uk_date(rec.acknowledge_by)
        assert row[2] == uk_date(rec.complete_by)
        assert re.fullmatch(r"[1-9]\d? [A-Z][a-z]+ \d{4}", row[1])
    text = all_text(doc)
    for question in ("Is the support tailored", "accurately described", "dignity and respect"):
        assert question in text
    # Two schemes: each answer says which scheme(s) it is about, scheme by scheme.
    texts = paragraph_texts(doc)
    headed = [t.split(":")[0] for t in texts if t.endswith("?") and ": " in t]
    assert headed == ["Nettlebank House", "Nettlebank House and Orchard Court", "Nettlebank House",
                      "Orchard Court", "Orchard Court"]
    assert "13 January 2027" in text  # the planned revisit
    assert "Support to make these changes" not in text  # provider_inexperienced is false


def test_findings_offers_support_to_an_inexperienced_provider(sample_case: Path) -> None:
    edit_yaml(sample_case / "case.yaml",
              lambda d: d["findings"].__setitem__("provider_inexperienced", True))
    (_, data), = render_sample(sample_case, LetterKind.FINDINGS)
    assert "Support to make these changes" in all_text(open_docx(data))


def test_address_block_is_the_recipient(rendered: dict[str, bytes]) -> None:
    texts = paragraph_texts(open_docx(rendered["resident-outcome-R01"]))
    start = texts.index("Łukasz Brennan")
    assert texts[start:start + 5] == ["Łukasz Brennan", "Room 5", "14 Nettlebank Road",
                                      "Wrexley", "WX4 2QT"]
    texts = paragraph_texts(open_docx(rendered["resident-consent-R03"]))  # no name recorded
    start = texts.index("Private: to be opened by the addressee only")
    assert texts[start:start + 5] == ["Private: to be opened by the addressee only",
                                      "The resident, Room 7", "14 Nettlebank Road", "Wrexley",
                                      "WX4 2QT"]
    assert "Dear resident," in texts


def test_resident_letters_are_12pt_plain_sans_serif(rendered: dict[str, bytes]) -> None:
    for stem, data in rendered.items():
        if not stem.startswith("resident-"):
            continue
        doc = open_docx(data)
        styles = run_styles(doc)
        assert len(styles) > 40, stem
        for run in styles:
            assert run.size_pt >= 12, (stem, run)
            assert run.font in SANS, (stem, run)
            assert not run.italic, (stem, run)
        for paragraph in doc.paragraphs:
            assert paragraph.alignment in (None, 0), stem  # left


def test_resident_letters_reassure_and_offer_formats_and_confidential_contact(
    rendered: dict[str, bytes],
) -> None:
    for stem in ("resident-consent-R01", "resident-outcome-R02"):
        text = all_text(open_docx(rendered[stem]))
        assert "Your home is not at risk" in text
        assert "large print" in text and "easy read" in text and "another language" in text
        assert "listening@wrexley.example.gov.uk" in text  # authority.complaints (para 141)
        for threat in ("evict", "notice to quit", "possession", "terminate", "will lose your home"):
            assert threat not in text.lower(), (stem, threat)
    consent = all_text(open_docx(rendered["resident-consent-R01"]))
    assert "Your signature" in consent and "stop taking part at any time" in consent


def test_provider_letters_use_uk_long_dates_and_no_ampersand(rendered: dict[str, bytes]) -> None:
    for stem in ("information-request", "findings", "revisit-notice"):
        text = all_text(open_docx(rendered[stem]))
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), stem
        assert not re.search(r"\b0\d [A-Z][a-z]+ \d{4}\b", text), stem
        assert "&" not in text, stem
    assert "Wednesday 13 January 2027" in all_text(open_docx(rendered["revisit-notice"]))


def test_awkward_values_render_exactly(sample_case: Path) -> None:
    provider = 'Smith & Sons <Support> "Ltd" Siân'
    edit_yaml(sample_case / "case.yaml",
              lambda d: d["organisations"][0].__setitem__("name", provider))
    edit_yaml(sample_case / "residents" / "R01.yaml",
              lambda d: d["correspondence"].__setitem__("name", "Zoë O'Brien-Łukasz"))
    stems = dict(render_sample(sample_case, LetterKind.RESIDENT_OUTCOME))
    text = all_text(open_docx(stems["resident-outcome-R01"]))
    assert f"This letter tells you what we have asked {provider} to do." in text
    assert "Zoë O'Brien-Łukasz" in paragraph_texts(open_docx(stems["resident-outcome-R01"]))
    (_, findings), = render_sample(sample_case, LetterKind.FINDINGS)
    assert provider in paragraph_texts(open_docx(findings))  # the address block line


def test_rendering_is_byte_identical(sample_case: Path) -> None:
    first = render_sample(sample_case, LetterKind.FINDINGS)
    second = render_sample(sample_case, LetterKind.FINDINGS)
    assert hashlib.sha256(first[0][1]).digest() == hashlib.sha256(second[0][1]).digest()


def test_document_properties_carry_the_letter_date_not_the_clock(sample_case: Path) -> None:
    """As written in docProps/core.xml (python-docx versions read its dates differently)."""
    ((_, letter),) = render_sample(sample_case, LetterKind.FINDINGS)
    core = zipfile.ZipFile(io.BytesIO(letter)).read("docProps/core.xml").decode("utf-8")
    fields = dict(re.findall(r"<(?:dc|dcterms|cp):(\w+)[^>]*>([^<]*)</", core))
    assert {name: fields[name] for name in ("created", "modified", "lastPrinted", "title",
                                             "revision")} == {
        "created": "2026-10-21T00:00:00Z",
        "modified": "2026-10-21T00:00:00Z",
        "lastPrinted": "2026-10-21T00:00:00Z",
        "title": "Findings and recommendations",
        "revision": "1",
    }


def test_shipped_templates_are_reproducible(tmp_path: Path) -> None:
    import subprocess
    import sys

    from .conftest import ROOT

    script = ROOT / "scripts" / "make_letter_templates.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    for kind in LetterKind:
        assert (tmp_path / kind.template_name).read_bytes() == (
            default_templates_dir() / kind.template_name
        ).read_bytes(), f"{kind.template_name}: run scripts/make_letter_templates.py and commit"


def test_missing_value_stops_with_template_and_variable(sample_case: Path, tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{{ provider.address.postcod }}")
    bad = tmp_path / "bad.docx"
    doc.save(str(bad))
    loaded = load_valid_case(sample_case)
    (plan,) = build_contexts(LetterKind.FINDINGS, loaded, dt.date(2026, 10, 21))
    with pytest.raises(TemplateError) as caught:
        render_letter(bad, plan.context.model_dump(), shown="bad.docx", title="t", author="a",
                      when=dt.date(2026, 10, 21))
    assert "bad.docx" in caught.value.message
    assert "postcod" in caught.value.message


# --------------------------------------------------------------------------- incomplete cases


def _drop(key: str) -> Callable[[Any], None]:
    return lambda data: data.pop(key)


@pytest.mark.parametrize(
    ("kind", "change", "when", "expected"),
    [
        (LetterKind.FINDINGS, lambda d: (d.pop("recommendations"), d.pop("follow_up_visits"),
                                          d.pop("findings")), None, "needs the findings"),
        (LetterKind.FINDINGS, lambda d: (d.pop("recommendations"), d.pop("follow_up_visits")),
         None, "at least one recommendation"),
        (LetterKind.RESIDENT_OUTCOME, lambda d: (d.pop("recommendations"),
                                                  d.pop("follow_up_visits")),
         None, "at least one recommendation"),
        (LetterKind.REVISIT_NOTICE, _drop("follow_up_visits"), DEMO_DATE,
         "planned follow-up visit"),
        (LetterKind.INFORMATION_REQUEST, _drop("information_request"), DEMO_DATE,
         "needs the information request"),
        (LetterKind.INFORMATION_REQUEST,
         lambda d: d["review"]["authority"].pop("legal_basis"), None, "legal basis"),
        (LetterKind.INFORMATION_REMINDER,
         lambda d: [item.__setitem__("status", "received") or item.__setitem__(
             "received_date", "2026-09-20") or item.__setitem__(
             "files", ["evidence/provider/85g-site-description.pdf"])
             for item in d["information_request"]["items"]
             if item["status"] in ("outstanding", "partly_received")],
         DEMO_DATE, "nothing requested was outstanding on 2026-11-20"),
        (LetterKind.FINDINGS, lambda d: None, DEMO_DATE, "acknowledge_by 2026-11-04 is not after"),
        (LetterKind.INFORMATION_REMINDER, lambda d: None, dt.date(2026, 9, 1),
         "is not after the request's date"),
        (LetterKind.INFORMATION_REQUEST, lambda d: None, dt.date(2026, 9, 22),
         "information_request.due_date 2026-09-22 is not after"),
        (LetterKind.REVISIT_NOTICE, lambda d: None, dt.date(2027, 1, 13),
         "planned follow-up visit after 2027-01-13"),
    ],
)
def test_incomplete_case_says_what_to_add(
    sample_case: Path, kind: LetterKind, change: Callable[[Any], None], when: dt.date | None,
    expected: str,
) -> None:
    edit_yaml(sample_case / "case.yaml", change)
    loaded = load_valid_case(sample_case)
    date = when or recorded_letter_date(kind, loaded.case) or DEMO_DATE
    with pytest.raises(CaseIncomplete) as caught:
        build_contexts(kind, loaded, date)
    assert expected in caught.value.message
    assert str(sample_case / "case.yaml") in caught.value.message
    assert "case.yaml" in caught.value.hint


def test_unknown_resident(sample_case: Path) -> None:
    loaded = load_valid_case(sample_case)
    with pytest.raises(InputNotFound) as caught:
        build_contexts(LetterKind.RESIDENT_CONSENT, loaded, DEMO_DATE, "R09")
    assert "R09" in caught.value.message and "R01, R02, R03" in caught.value.hint


def test_resident_option_on_a_provider_letter(sample_case: Path) -> None:
    loaded = load_valid_case(sample_case)
    with pytest.raises(CaseIncomplete):
        build_contexts(LetterKind.FINDINGS, loaded, dt.date(2026, 10, 21), "R01")


def test_long_addresses_are_squeezed_into_the_window(sample_case: Path) -> None:
    edit_yaml(
        sample_case / "case.yaml",
        lambda d: d["organisations"][0]["address"].__setitem__(
            "lines", ["Unit 4, The Old Tannery", "Cable Yard", "Riverside Industrial Estate",
                      "Lower Wrexley"]
        ),
    )
    loaded = load_valid_case(sample_case)
    (plan,) = build_contexts(LetterKind.FINDINGS, loaded, dt.date(2026, 10, 21))
    lines = plan.context.model_dump()["recipient"]["lines"]
    assert len(lines) == 6
    joined = " ".join(lines)
    for part in ("Unit 4, The Old Tannery", "Riverside Industrial Estate", "Lower Wrexley",
                 "WX2 5HN", "Daniel Achterberg", "Brackenfold Support CIC"):
        assert part in joined


def test_context_models_have_no_optional_fields() -> None:
    """No field can be None, so no template can print "None"."""
    import types
    import typing

    from pydantic import BaseModel

    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            annotation = info.annotation
            assert not (typing.get_origin(annotation) in (typing.Union, types.UnionType)
                        and type(None) in typing.get_args(annotation)), f"{model.__name__}.{name}"
            for arg in (annotation, *typing.get_args(annotation)):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    walk(arg)
            assert info.description or isinstance(annotation, type), f"{model.__name__}.{name}"

    for kind in LetterKind:
        walk(kind.context_model)
    assert len(seen) >= 14


def test_due_date_on_a_bank_holiday_is_warned_about(
    sample_case: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edit_yaml(sample_case / "case.yaml",
              lambda d: d["information_request"].__setitem__("due_date", "2026-09-22"))
    loaded = load_valid_case(sample_case)
    with caplog.at_level("WARNING", logger="bundler"):
        build_contexts(LetterKind.INFORMATION_REQUEST, loaded, dt.date(2026, 9, 1))
    assert not caplog.records
    edit_yaml(sample_case / "case.yaml",
              lambda d: d["recommendations"][2].__setitem__("complete_by", "2026-12-28"))
    loaded = load_valid_case(sample_case)
    with caplog.at_level("WARNING", logger="bundler"):
        build_contexts(LetterKind.FINDINGS, loaded, dt.date(2026, 10, 21))
    assert [r.getMessage() for r in caplog.records] == [
        "case.yaml: recommendations[3].complete_by 2026-12-28 is not a working day in England "
        "and Wales (weekend or bank holiday)"
    ]
