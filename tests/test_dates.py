"""Dates written the way officers write them: what the toolkit says back."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.cli import cli
from bundler.dates import date_message

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
