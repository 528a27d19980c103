"""Working days in England and Wales: weekends and bank holidays skipped (issue 5 item 6)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bundler.letters.context import LetterKind
from bundler.letters.workdays import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)
from tests.letters_helpers import all_text, open_docx, render_sample

D = dt.date


def test_christmas_2026_with_boxing_day_moved_to_monday() -> None:
    # 25 December 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28th is the holiday.
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)
    assert add_working_days(D(2026, 12, 23), 2) == D(2026, 12, 29)
    assert not is_working_day(D(2026, 12, 28))


def test_christmas_2027_both_days_substituted() -> None:
    # 25 and 26 December 2027 are a weekend: Monday 27th and Tuesday 28th are holidays.
    assert add_working_days(D(2027, 12, 24), 1) == D(2027, 12, 29)


def test_easter_2027() -> None:
    # Good Friday 26 March, Easter Monday 29 March 2027.
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)
    assert working_days_between(D(2027, 3, 25), D(2027, 3, 30)) == 1


def test_may_and_august_bank_holidays_2026() -> None:
    assert not is_working_day(D(2026, 5, 4))
    assert not is_working_day(D(2026, 5, 25))
    assert not is_working_day(D(2026, 8, 31))
    assert add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 1)


def test_ten_working_days_from_the_demo_date() -> None:
    assert add_working_days(D(2026, 11, 20), 10) == D(2026, 12, 4)


def test_zero_days_and_negative() -> None:
    assert add_working_days(D(2026, 11, 21), 0) == D(2026, 11, 21)
    with pytest.raises(ValueError, match=r"^days must be zero or more$"):
        add_working_days(D(2026, 11, 21), -1)


def test_england_and_wales_share_bank_holidays() -> None:
    years = range(2024, 2031)
    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    assert set(england) == set(wales)
    assert set(bank_holidays(2027)) == {day for day in england if day.year == 2027}


def test_scottish_holidays_are_not_used() -> None:
    # 2 January is a bank holiday in Scotland only; St Andrew's Day too.
    assert is_working_day(D(2026, 1, 2))
    assert is_working_day(D(2026, 11, 30))


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
)
def test_result_is_a_working_day_exactly_n_on(start: dt.date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert end.weekday() < 5
    assert working_days_between(start, end) == days
    assert end > start


def test_a_reminder_sent_before_christmas_skips_the_bank_holidays(sample_case: Path) -> None:
    """Ten working days from Friday 18 December 2026, skipping the bank holidays GOV.UK lists
    (Friday 25 December, Monday 28 December as Boxing Day's substitute, Friday 1 January):
    Wednesday 6 January 2027. Weekdays alone would give Friday 1 January, itself a holiday."""
    ((_stem, letter),) = render_sample(sample_case, LetterKind.INFORMATION_REMINDER,
                                       D(2026, 12, 18))
    text = all_text(open_docx(letter))
    assert re.findall(r"\b\d{1,2} (?:December 2026|January 2027)\b", text) == [
        "18 December 2026", "6 January 2027"]
