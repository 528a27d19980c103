"""`bundler case new` and `bundler resident new`: a case that validates, commented section by section."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from bundler.case.models import Case, Resident
from bundler.case.new import (
    CASE_SECTIONS,
    RESIDENT_SECTIONS,
    NewCase,
    create_case,
    create_resident,
    scheme_id,
)
from bundler.cli import cli

from .awkward import pdf_bytes

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def load(path: Path) -> dict[str, object]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_case_new_then_resident_new_then_validate(here: Path) -> None:
    """The whole start of a review, as an officer types it; stays green as the model changes."""
    result = run("case", "new", "wbc-2027-001", "--reference", "WBC-SHR-2027-001",
                 "--authority", "Wrexley Borough Council", "--scheme", "Nettlebank House",
                 "--scheme", "Quarry Lane Flats")
    assert result.exit_code == 0, result.output
    case_file = here / "wbc-2027-001" / "case.yaml"
    assert result.stdout.splitlines()[0] == f"Wrote {Path('wbc-2027-001') / 'case.yaml'}"

    result = run("resident", "new", "wbc-2027-001", "R01", "--scheme", "quarry-lane-flats")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Wrote wbc-2027-001/residents/R01.yaml"

    result = run("validate", "wbc-2027-001")
    assert result.exit_code == 0, result.output
    assert "valid: review WBC-SHR-2027-001, 2 schemes, 1 resident" in result.stdout
    assert "still the placeholder `bundler case new` wrote; fill it in" in result.stdout

    data = load(case_file)
    assert data["review"]["authority"]["name"] == "Wrexley Borough Council"  # type: ignore[index]
    assert [s["id"] for s in data["schemes"]] == ["nettlebank-house", "quarry-lane-flats"]  # type: ignore[attr-defined,index]
    assert load(here / "wbc-2027-001" / "residents" / "R01.yaml")["scheme"] == "quarry-lane-flats"
    assert (here / "wbc-2027-001" / "evidence").is_dir()


def test_every_section_is_there_with_its_comment(here: Path) -> None:
    create_case(here / "c", NewCase(reference="R-1"), today=TODAY)
    text = (here / "c" / "case.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=" + _relative_schema(here / "c", "case")
    assert list(load(here / "c" / "case.yaml")) == list(Case.model_fields)
    for name in Case.model_fields:
        at = lines.index(next(line for line in lines if line.startswith(f"{name}:")))
        assert lines[at - 1].startswith("# "), f"{name} has no comment above it"
        assert name in CASE_SECTIONS, f"write a comment for the new section {name}"
    assert "(paras 76-82)" in text and "(paras 84-85)" in text and "(para 119)" in text


def test_resident_file_sections_and_comments(here: Path) -> None:
    create_case(here / "c", NewCase(reference="R-1", schemes=("Nettlebank House",)), today=TODAY)
    written = create_resident(here / "c", "R07")
    assert written.path == here / "c" / "residents" / "R07.yaml"
    lines = written.path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=" + _relative_schema(
        here / "c" / "residents", "resident")
    data = load(written.path)
    assert list(data) == list(Resident.model_fields)
    assert data["scheme"] == "nettlebank-house"
    for name in Resident.model_fields:
        assert name in RESIDENT_SECTIONS, f"write a comment for the new section {name}"
    assert any("(para 97)" in line for line in lines)


def _relative_schema(folder: Path, kind: str) -> str:
    import os

    from bundler.schemas import default_schema_dir

    return Path(os.path.relpath(default_schema_dir() / f"{kind}.schema.json", folder)).as_posix()


def test_the_schema_named_in_the_first_line_accepts_the_files(here: Path) -> None:
    create_case(here / "c", NewCase(reference="R-1"), today=TODAY)
    create_resident(here / "c", "R01")
    for path in (here / "c" / "case.yaml", here / "c" / "residents" / "R01.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema_path = (path.parent / first.split("$schema=", 1)[1]).resolve()
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        data = json.loads(json.dumps(load(path), default=str))
        jsonschema.validate(data, schema)


def test_placeholders_are_noted_and_go_when_filled_in(here: Path) -> None:
    create_case(here / "c", NewCase(reference="R-1", authority="Wrexley Borough Council",
                                    provider="Brackenfold Support CIC",
                                    lead_officer="Priya Marchetti", schemes=("Nettlebank House",)),
                today=TODAY)
    result = run("validate", "c")
    assert result.exit_code == 0
    notes = [line for line in result.stdout.splitlines() if ": note: " in line]
    fields = [line.split(": note: ")[1].split(":")[0] for line in notes]
    assert fields == [
        "review.authority.team", "review.authority.address.lines[1]",
        "review.authority.address.town", "review.authority.address.postcode",
        "review.authority.complaints", "schemes[1].address.lines[1]", "schemes[1].address.town",
        "schemes[1].address.postcode", "schemes[1].area",
    ]
    text = (here / "c" / "case.yaml").read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("    team: "))
    assert notes[0] == (f"c/case.yaml:{line}: note: review.authority.team: still the placeholder "
                        "`bundler case new` wrote; fill it in")
    text = text.replace('"FILL IN: the team\'s name as letters show it"',
                        "Supported Housing Review Team")
    (here / "c" / "case.yaml").write_text(text, encoding="utf-8")
    assert "review.authority.team" not in run("validate", "c").stdout


def test_comments_survive_a_round_trip_edit(here: Path) -> None:
    """The web app and `case upgrade` edit with ruamel's round-trip writer: comments stay."""
    create_case(here / "c", NewCase(reference="R-1"), today=TODAY)
    path = here / "c" / "case.yaml"
    yaml = YAML(typ="rt")
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["review"]["authority"]["team"] = "Supported Housing Review Team"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    text = path.read_text(encoding="utf-8")
    assert "(paras 84-85)" in text and text.startswith("# yaml-language-server: $schema=")


def test_case_new_refusals(here: Path) -> None:
    assert run("case", "new", "c", "--reference", "R-1").exit_code == 0
    before = (here / "c" / "case.yaml").read_bytes()
    result = run("case", "new", "c", "--reference", "R-2")
    assert result.exit_code == 6
    assert result.stderr.splitlines() == [
        "error: c/case.yaml: already exists; nothing was changed",
        "  what to do: Choose a new folder for the new case.",
    ]
    assert (here / "c" / "case.yaml").read_bytes() == before
    result = run("case", "new", "d", "--reference", "has spaces")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0].startswith('error: review.reference: "has spaces" is not '
                                                   "in the right format")
    assert not (here / "d").exists()
    assert run("case", "new", "e").exit_code == 2  # --reference is required
    (here / "file").write_text("x", encoding="utf-8")
    result = run("case", "new", "file", "--reference", "R-1")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == "error: file: is a file, not a folder"


def test_case_new_in_a_folder_that_already_holds_files(here: Path) -> None:
    (here / "c" / "received").mkdir(parents=True)
    (here / "c" / "received" / "a.pdf").write_bytes(pdf_bytes(1))
    assert run("case", "new", "c", "--reference", "R-1").exit_code == 0
    assert (here / "c" / "received" / "a.pdf").is_file()
    assert run("evidence", "add", "c", "c/received").exit_code == 0


def test_resident_new_refusals(here: Path) -> None:
    assert run("case", "new", "c", "--reference", "R-1", "--scheme", "A House",
               "--scheme", "B House").exit_code == 0
    result = run("resident", "new", "c", "R01")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: c: the case has 2 schemes; say which the resident lives in",
        "  what to do: Add --scheme ID, one of: a-house, b-house.",
    ]
    result = run("resident", "new", "c", "R01", "--scheme", "c-house")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: --scheme c-house: no scheme with that id in c/case.yaml",
        "  what to do: Use one of: a-house, b-house.",
    ]
    result = run("resident", "new", "c", "Jane Smith", "--scheme", "a-house")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: Jane Smith: not a resident reference",
        "  what to do: Residents are known by a reference such as R01 (R and two to four "
        "digits), never by name.",
    ]
    assert run("resident", "new", "c", "R01", "--scheme", "a-house").exit_code == 0
    result = run("resident", "new", "c", "R01", "--scheme", "b-house")
    assert result.exit_code == 6
    assert load(here / "c" / "residents" / "R01.yaml")["scheme"] == "a-house"
    result = run("resident", "new", "nowhere", "R01")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: nowhere: case folder not found"


@pytest.mark.parametrize(
    ("name", "ident"),
    [("Nettlebank House", "nettlebank-house"), ("St. Ann's Court (Block B)", "st-ann-s-court-block-b"),
     ("Zoë's Place", "zoe-s-place"), ("!!!", "scheme"), ("12 Mill Road", "12-mill-road")],
)
def test_scheme_ids_from_names(name: str, ident: str) -> None:
    assert scheme_id(name) == ident


def test_two_schemes_with_one_name_get_two_ids(here: Path) -> None:
    create_case(here / "c", NewCase(reference="R-1", schemes=("Mill House", "Mill House")),
                today=TODAY)
    assert [s["id"] for s in load(here / "c" / "case.yaml")["schemes"]] == [  # type: ignore[attr-defined]
        "mill-house", "mill-house-2"]


def test_a_resident_not_asked_yet_is_chased_for_consent_and_nothing_else(here: Path) -> None:
    from bundler.case.consent import may_disclose
    from bundler.case.models import DataKind
    from bundler.case.validate import load_valid_case

    create_case(here / "c", NewCase(reference="R-1"), today=dt.date.today())
    create_resident(here / "c", "R01")
    result = run("checklist", "c", "--json")
    assert result.exit_code == 0, result.output
    items = [i for i in json.loads(result.stdout)["outstanding"] if i["subject"] == "R01"]
    assert [(i["category"], i["item"]) for i in items] == [("consent", "consent not asked yet")]
    resident = load_valid_case(here / "c").residents["R01"]
    decision = may_disclose(resident, DataKind.RECORDS, "provider", dt.date.today())
    assert not decision.allowed
    assert decision.reason == "R01 has not been asked for consent yet"


def test_not_asked_with_statements_agreed_is_an_error(here: Path) -> None:
    create_case(here / "c", NewCase(reference="R-1"), today=dt.date.today())
    path = create_resident(here / "c", "R01").path
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(
        "  method: not_asked",
        "  method: not_asked\n  statements: {interview: true, records: false, "
        "share_with_provider: false, use_in_proceedings: false}"), encoding="utf-8")
    result = run("validate", "c")
    assert result.exit_code == 1
    assert "consent.statements: consent is recorded as not asked, yet statements are agreed; " \
        "set method: written or verbal, or set every statement to false" in result.stdout
