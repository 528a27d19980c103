"""Working days in England and Wales, for the default due dates letters give.

A working day is Monday to Friday and not a bank holiday in England and Wales.
Bank holidays come from the maintained ``holidays`` package (substitute days,
such as Boxing Day moved to a Monday, and one-off days, such as a coronation,
included), never from a hand-typed list. England and Wales share their bank
holidays, so the England list serves both.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

_COUNTRY = "GB"
_SUBDIVISION = "ENG"  # England and Wales share bank holidays; "WLS" gives the same days


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    calendar = holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION, years=year)
    return frozenset(calendar.keys())


def bank_holidays(year: int) -> list[dt.date]:
    """The bank holidays of England and Wales in ``year``, in date order."""
    return sorted(_bank_holidays(year))


def is_working_day(day: dt.date) -> bool:
    """True for Monday to Friday when the day is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    ``add_working_days(friday, 1)`` is the next Monday unless that is a bank holiday.
    ``days`` must be zero or more; zero gives ``start`` unchanged.
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
