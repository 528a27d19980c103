"""`bundler validate`'s rules across record files, read back as the officer sees them: a
resident named with no file, one appeal on two claims, a document described twice, a
disclosure to an appeal nobody has, a letter to nobody or changed since it was written; and
how the other commands refuse records with problems."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.case.validate import load_valid_case
from bundler.cli import cli
from bundler.errors import ChecksFailed

BASIS = ("    basis: UK GDPR Art. 9(2)(f) (legal claims)\n"
         "    decided_by: Data Protection Officer\n    decided_on: 2026-11-02\n")


def validate(case: Path, *args: str) -> tuple[int, list[str]]:
    """The exit code and the lines that are not notes (the problems; the summary goes to
    stderr)."""
    result = CliRunner().invoke(cli, ["validate", str(case), *args])
    return result.exit_code, [line for line in result.stdout.splitlines()
                              if ": note: " not in line]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(path: Path, text: str, after: int = 0) -> int:
    """The 1-based number of the first line at or after line ``after`` holding ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1)
                if number >= after and text in line)


def test_residents_named_without_a_file_are_problems_at_their_place(sample_case: Path) -> None:
    case = sample_case / "case.yaml"
    text = case.read_text(encoding="utf-8")
    assert text.count("residents: [R01]\n") == 2  # a finding's answer, then referral RF-4
    case.write_text(text.replace("residents: [R01]\n", "residents: [R01, R09]\n"),
                    encoding="utf-8")
    answer = line_of(case, "residents: [R01, R09]")
    referral = line_of(case, "residents: [R01, R09]", answer + 1)
    code, lines = validate(sample_case)
    assert code == 1
    assert lines[:2] == [
        f"{case}:{answer}: findings.answers[3].residents[2]: no resident R09 (no file "
        "residents/R09.yaml)",
        f"{case}:{referral}: referrals[4].residents[2]: no resident R09 (no file "
        "residents/R09.yaml)",
    ]


def test_a_resident_file_ending_in_yml_counts(sample_case: Path) -> None:
    """R03 is named in case.yaml's findings; its file may be R03.yml."""
    residents = sample_case / "residents"
    (residents / "R03.yaml").rename(residents / "R03.yml")
    code, lines = validate(sample_case, "--json")
    assert code == 0, lines


APPEAL = """housing_benefit:
  claim_reference: HB-204418
  appeal:
    reference: SC068/26/01234
    appellant: resident
    lodged: 2026-11-12
"""


def test_one_appeal_recorded_on_two_claims_is_a_problem(sample_case: Path) -> None:
    """R01 records appeal SC068/26/01234; R03 (after R02, who has no claim) records it too."""
    append(sample_case / "residents" / "R03.yaml", APPEAL)
    code, lines = validate(sample_case)
    assert code == 1
    assert lines == [
        f"{sample_case / 'residents' / 'R03.yaml'}:1: housing_benefit.appeal.reference: R03 "
        "and R01 both record appeal SC068/26/01234; an appeal belongs to one resident's claim",
    ]


def test_a_document_described_twice_is_a_problem(sample_case: Path) -> None:
    append(sample_case / "residents" / "R02.yaml",
           "  - file: evidence/residents/R01/licence.pdf\n    title: Licence\n"
           "    date: 2025-11-03\n    received: 2026-09-29\n")
    code, lines = validate(sample_case)
    assert code == 1
    assert lines == [
        f"{sample_case / 'residents' / 'R02.yaml'}:1: documents: "
        "evidence/residents/R01/licence.pdf is also described in case.yaml or another "
        "resident's file; describe each document once"]


def test_a_disclosure_to_an_appeal_nobody_has_is_a_problem(sample_case: Path) -> None:
    """An appeal audience names a resident (appeal:R01) or a recorded appeal's reference;
    the tribunal is no appeal. Only the second disclosure, to no such appeal, is refused."""
    append(sample_case / "residents" / "R03.yaml", "disclosures:\n"
           + "".join(f"  - audience: {audience}\n{BASIS}" for audience in (
               "appeal:R01", "appeal:SC999/99", "tribunal", "appeal:SC068/26/01234")))
    code, lines = validate(sample_case)
    assert code == 1
    assert lines == [
        f"{sample_case / 'residents' / 'R03.yaml'}:1: disclosures[2].audience: "
        "appeal:SC999/99: no resident or Housing Benefit appeal has that reference"]


def test_disclosures_to_known_appeals_and_the_tribunal_are_valid(sample_case: Path) -> None:
    append(sample_case / "residents" / "R03.yaml", "disclosures:\n"
           + "".join(f"  - audience: {audience}\n{BASIS}" for audience in (
               "appeal:R01", "tribunal", "appeal:SC068/26/01234")))
    code, lines = validate(sample_case)
    assert code == 0, lines


def test_a_letter_to_a_resident_without_a_file_is_a_problem(sample_case: Path) -> None:
    letters = sample_case / "letters.yaml"
    text = letters.read_text(encoding="utf-8")
    letters.write_text(text.replace("recipient: R02\n", "recipient: R09\n", 1),
                       encoding="utf-8")
    where = line_of(letters, "recipient: R09")
    index = text[:text.index("recipient: R02\n")].count("  - kind: ")
    code, lines = validate(sample_case)
    assert code == 1
    assert lines[0] == (f"{letters}:{where}: letters[{index}].recipient: no resident R09 "
                        "(no file residents/R09.yaml)")


def test_a_letter_changed_since_it_was_written_is_a_note_in_letters_yaml(
    sample_case: Path,
) -> None:
    letters = sample_case / "letters.yaml"
    written = sample_case / "letters" / "information-request.pdf"
    recorded = hashlib.sha256(written.read_bytes()).hexdigest()
    assert recorded in letters.read_text(encoding="utf-8")
    written.write_bytes(written.read_bytes() + b"\n% changed\n")
    result = CliRunner().invoke(cli, ["validate", str(sample_case)])
    assert result.exit_code == 0
    where = line_of(letters, "file: letters/information-request.pdf")
    assert (f"{letters}:{where}: note: letters[1].files[2].file: letters/information-request.pdf "
            f"has changed since the information-request letter was written (SHA-256 "
            f"{recorded[:12]}... recorded)") in result.stdout.splitlines()


def test_json_report_of_a_problem(sample_case: Path) -> None:
    append(sample_case / "residents" / "R03.yaml", APPEAL)
    result = CliRunner().invoke(cli, ["validate", str(sample_case), "--json"])
    report = json.loads(result.stdout)
    assert (result.exit_code, report["case_dir"], report["valid"], report["files_checked"]) == (
        1, str(sample_case), False, 6)
    assert report["problems"] == [{
        "file": str(sample_case / "residents" / "R03.yaml"), "line": 1,
        "field": "housing_benefit.appeal.reference",
        "message": "R03 and R01 both record appeal SC068/26/01234; an appeal belongs to one "
                   "resident's claim"}]
    assert report["notes"] and all(set(note) == {"file", "line", "field", "message"}
                                   for note in report["notes"])


@pytest.mark.parametrize(("appeals", "counted"), [(1, "1 problem"), (2, "2 problems")])
def test_other_commands_refuse_records_with_problems_naming_the_first(
    sample_case: Path, appeals: int, counted: str
) -> None:
    append(sample_case / "residents" / "R03.yaml", APPEAL)
    if appeals == 2:
        append(sample_case / "residents" / "R04.yaml", APPEAL)
    result = CliRunner().invoke(cli, ["checklist", str(sample_case)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {sample_case}: the case records have {counted}, first: "
        f"{sample_case / 'residents' / 'R03.yaml'}:1: housing_benefit.appeal.reference: R03 "
        "and R01 both record appeal SC068/26/01234; an appeal belongs to one resident's claim",
        f"  what to do: Run `bundler validate {sample_case}` to see every problem, fix them, "
        "then try again.",
    ]


def test_other_commands_refuse_a_record_file_that_cannot_be_read(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R03.yaml"
    append(resident, "consent: [unclosed\n")
    result = CliRunner().invoke(cli, ["checklist", str(sample_case)])
    first, hint = result.stderr.splitlines()
    assert result.exit_code == 4
    assert re.fullmatch(rf"error: {re.escape(str(resident))}:\d+: .+", first), first
    assert hint == (f"  what to do: Correct that line, then run `bundler validate "
                    f"{sample_case}`.")


def test_loading_a_case_checks_its_dates_against_the_day_given(sample_case: Path) -> None:
    """The sample's review is dated 20 November 2026: on the 19th it has not happened yet."""
    assert load_valid_case(sample_case, today=dt.date(2026, 11, 20)).case.review.reference
    with pytest.raises(ChecksFailed, match=r"review\.review_date"):
        load_valid_case(sample_case, today=dt.date(2026, 11, 19))


@pytest.mark.parametrize("where", ["missing", "absolute"])
def test_a_letter_file_not_in_the_case_folder_is_a_note_and_never_read(
    sample_case: Path, where: str
) -> None:
    """A letter's file that is gone, or that letters.yaml names by an absolute path outside
    the case folder (even a file there holding the very bytes recorded), is noted as not in
    the case folder (a name climbing out with '..' is an error in the record itself)."""
    letters = sample_case / "letters.yaml"
    written = sample_case / "letters" / "resident-consent-R01.pdf"
    outside = sample_case.parent / "resident-consent-R01.pdf"
    outside.write_bytes(written.read_bytes())
    named = {"missing": "letters/resident-consent-R01.pdf", "absolute": str(outside)}[where]
    if where == "missing":
        written.unlink()
    else:
        text = letters.read_text(encoding="utf-8")
        letters.write_text(text.replace("file: letters/resident-consent-R01.pdf",
                                        f"file: {named}"), encoding="utf-8")
    line = line_of(letters, f"file: {named}")
    result = CliRunner().invoke(cli, ["validate", str(sample_case)])
    assert result.exit_code == 0
    assert (f"{letters}:{line}: note: letters[2].files[2].file: {named} is not in the case "
            "folder; the record keeps the SHA-256 of the letter as written"
            ) in result.stdout.splitlines()
