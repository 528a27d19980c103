"""Dates as officers write them, and what to write instead.

Records and options take dates as YYYY-MM-DD only: one form that sorts, that
no reader misreads, and that editors check against the schema. A date written
another common way (``03/11/2026``, ``3 Nov 2026``, ``2026-11-3``) is not
guessed at silently: the message says which date it would be, read in the UK
order (day, month, year), and how to write it. Only when the UK reading is
impossible and the US one is not (``11/23/2026``) is the US reading offered.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month_name>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+)?"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"

_YEAR_FIRST = re.compile(rf"^(?P<year>\d{{4}})[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}}){_TIME}$")
_DAY_FIRST = re.compile(r"^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-]" + _YEAR + "$")
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
_WORDS_DAY_FIRST = re.compile(
    rf"^{_WEEKDAY}{_DAY}(?:\s+|-){_MONTH}(?:,?\s+|-){_YEAR}$", re.IGNORECASE
)
_WORDS_MONTH_FIRST = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}$", re.IGNORECASE)


def _make(year: str, month: int, day: str) -> dt.date | None:
    number = int(year)
    if len(year) == 2:
        number += 2000
    try:
        return dt.date(number, month, int(day))
    except ValueError:
        return None


def _month_number(name: str) -> int | None:
    return _MONTHS.get(name.lower())


def read_loosely(text: str) -> tuple[dt.date | None, bool]:
    """(the date ``text`` would be, whether it looks like a date at all).

    ``(None, True)``: written like a date but no such day (31/02/2026).
    """
    value = " ".join(text.split())
    if match := _YEAR_FIRST.match(value) or _COMPACT.match(value):
        return _make(match["year"], int(match["month"]), match["day"]), True
    if match := _DAY_FIRST.match(value):
        uk = _make(match["year"], int(match["month"]), match["day"])
        if uk is None and int(match["month"]) > 12:  # only the US reading is a real date
            return _make(match["year"], int(match["day"]), match["month"]), True
        return uk, True
    for pattern in (_WORDS_DAY_FIRST, _WORDS_MONTH_FIRST):
        if match := pattern.match(value):
            month = _month_number(match["month_name"])
            if month is None:
                return None, False
            return _make(match["year"], month, match["day"]), True
    return None, False


def spoken(value: dt.date) -> str:
    """3 November 2026."""
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def date_message(value: object) -> str:
    """What to tell an officer who wrote ``value`` where a date belongs."""
    shown = f'"{value}"' if isinstance(value, str) else str(value) if value is not None else "this"
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    found, looks_like_a_date = read_loosely(text) if text else (None, False)
    if found is not None:
        return (
            f"{shown} is not written as YYYY-MM-DD; if you mean {spoken(found)}, write it as "
            f"{found.isoformat()} (YYYY-MM-DD)"
        )
    if looks_like_a_date:
        return f"{shown} is not a real date; write it as YYYY-MM-DD, e.g. 2026-03-01"
    return f"{shown} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01"


def parse_iso(text: str) -> dt.date:
    """A YYYY-MM-DD date; ValueError carrying ``date_message`` otherwise."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise ValueError(date_message(text))
