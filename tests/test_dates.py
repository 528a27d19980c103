"""Dates written the way officers write them: what the toolkit says back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.cli import cli
from bundler.dates import date_message, parse_iso

from .conftest import SAMPLE


@pytest.mark.parametrize(
    ("written", "iso", "spoken"),
    [
        ("03/11/2026", "2026-11-03", "3 November 2026"),  # UK order: day, month, year
        ("3/11/2026", "2026-11-03", "3 November 2026"),
        ("03.11.2026", "2026-11-03", "3 November 2026"),
        ("03-11-2026", "2026-11-03", "3 November 2026"),
        ("03/11/26", "2026-11-03", "3 November 2026"),
        ("11/23/2026", "2026-11-23", "23 November 2026"),  # only the US reading is a real date
        ("12/13/2026", "2026-12-13", "13 December 2026"),  # the first month that cannot be
        ("2026-11-3", "2026-11-03", "3 November 2026"),
        ("2026/11/03", "2026-11-03", "3 November 2026"),
        ("20261103", "2026-11-03", "3 November 2026"),
        ("2026-11-03 10:30", "2026-11-03", "3 November 2026"),
        ("2026-11-03T10:30:00Z", "2026-11-03", "3 November 2026"),
        ("3 November 2026", "2026-11-03", "3 November 2026"),
        ("3rd Nov 2026", "2026-11-03", "3 November 2026"),
        ("Tuesday 3 November 2026", "2026-11-03", "3 November 2026"),
        ("Tue, 3 Nov. 2026", "2026-11-03", "3 November 2026"),
        ("3-Nov-26", "2026-11-03", "3 November 2026"),
        ("November 3, 2026", "2026-11-03", "3 November 2026"),
        ("Sept 1 2026", "2026-09-01", "1 September 2026"),
    ],
)
def test_common_forms_get_the_date_to_write(written: str, iso: str, spoken: str) -> None:
    assert date_message(written) == (
        f'"{written}" is not written as YYYY-MM-DD; if you mean {spoken}, write it as '
        f"{iso} (YYYY-MM-DD)"
    )


@pytest.mark.parametrize("written", ["2026-02-30", "31/02/2026", "30 February 2026", "13/13/2026"])
def test_impossible_dates(written: str) -> None:
    assert date_message(written) == (
        f'"{written}" is not a real date; write it as YYYY-MM-DD, e.g. 2026-03-01'
    )


@pytest.mark.parametrize("written", ["soon", "3 Smarch 2026", "tbc", ""])
def test_not_dates(written: str) -> None:
    assert date_message(written) == (
        f'"{written}" is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01'
    )


def test_a_number_where_a_date_belongs() -> None:
    assert date_message(20261103) == (
        "20261103 is not written as YYYY-MM-DD; if you mean 3 November 2026, write it as "
        "2026-11-03 (YYYY-MM-DD)"
    )


def test_nothing_where_a_date_belongs() -> None:
    assert date_message(None) == "this is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"


def test_a_date_and_time_where_a_date_belongs() -> None:
    """YAML reads `2026-03-01 10:00` as a moment, not a day: it is not a date to a record."""
    assert date_message(dt.datetime(2026, 3, 1, 10, 0)) == (
        "2026-03-01 10:00:00 is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01")


def test_options_take_yyyy_mm_dd() -> None:
    assert parse_iso(" 2026-03-01 ") == dt.date(2026, 3, 1)


def test_validate_says_how_to_write_a_uk_date(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R01.yaml"
    text = resident.read_text(encoding="utf-8")
    line = text.splitlines().index("  date: 2026-09-29") + 1
    resident.write_text(text.replace("  date: 2026-09-29", "  date: 29/09/2026", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(sample_case)])
    assert result.exit_code == 1
    errors = [row for row in result.stdout.splitlines() if ": note: " not in row]  # findings apart
    assert errors == [
        f'{resident}:{line}: consent.date: "29/09/2026" is not written as YYYY-MM-DD; if you '
        "mean 29 September 2026, write it as 2026-09-29 (YYYY-MM-DD)"
    ]


def test_date_options_say_how_to_write_the_date() -> None:
    result = CliRunner().invoke(cli, ["checklist", str(SAMPLE), "--as-of", "03/11/2026"])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--as-of': \"03/11/2026\" is not written as YYYY-MM-DD; if you "
        "mean 3 November 2026, write it as 2026-11-03 (YYYY-MM-DD)"
    ) in " ".join(result.stderr.split())


# --------------------------------------------------------------------------- nothing after today


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_date_after_today_is_an_error_whatever_the_review_date_says(sample_case: Path) -> None:
    from bundler.case.validate import validate_case

    case = sample_case / "case.yaml"
    review_line = _edit(case, "  review_date: 2026-11-20", "  review_date: 2027-11-20")
    resident = sample_case / "residents" / "R01.yaml"
    interview_line = _edit(resident, "  date: 2026-09-29\n  officer", "  date: 2027-01-05\n  officer")
    report = validate_case(sample_case, today=dt.date(2026, 12, 1))
    lines = [str(p) for p in report.problems]
    assert f"{case}:{review_line}: review.review_date: the review date 2027-11-20 is after today " \
        "(2026-12-01); it is the date the records are complete to, so it cannot be in the " \
        "future: check the date" in lines
    assert f"{resident}:{interview_line}: interview.date: the interview date 2027-01-05 is " \
        "after today (2026-12-01); record only what has happened: check the date" in lines
    # a day later in the world, the same interview date is fine
    later = validate_case(sample_case, today=dt.date(2027, 11, 20))
    assert not [p for p in later.problems if "interview.date" in p.field]


def test_validate_uses_the_computers_date(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R01.yaml"
    line = _edit(resident, "  date: 2026-09-29\n  officer", "  date: 2099-01-05\n  officer")
    result = CliRunner().invoke(cli, ["validate", str(sample_case)])
    assert result.exit_code == 1
    today = dt.date.today().isoformat()
    assert (f"{resident}:{line}: interview.date: the interview date 2099-01-05 is after "
            f"today ({today}); record only what has happened: check the date") in result.stdout


def test_planned_dates_may_be_in_the_future(sample_case: Path) -> None:
    """Due dates and planned visits are not things that happened."""
    from bundler.case.validate import validate_case

    text = (sample_case / "case.yaml").read_text(encoding="utf-8")
    assert "planned_date: 2027-" in text  # the sample plans a revisit after the review date
    assert validate_case(sample_case, today=dt.date(2026, 11, 20)).ok
