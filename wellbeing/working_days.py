"""Working days for the hub's targets: Monday to Friday, except bank holidays in England and Wales.

The hub promises to contact people within a number of working days, and clinicians see the time
left to that target, so both read the same calendar from here. Bank holidays come from the
`holidays` package (the UK calendar with subdivision "ENG", whose dates England and Wales
share), including substitute days ("Boxing Day (observed)") and one-off holidays.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

__all__ = [
    "add_working_days",
    "contact_target_date",
    "is_working_day",
    "working_days_between",
]


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    """Whether the hub works on `day`: a weekday that is not a bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The date `n` working days after `start` (`start` itself is not counted).

    A referral on Friday with a target of 2 working days is due on Tuesday; one on Christmas Eve
    2026 (a Thursday) with a target of 1 is due on Tuesday 29 December, after Christmas Day and
    the substitute Boxing Day. `n` of 0 gives `start` back.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    day = start
    remaining = n
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """How many working days fall after `a`, up to and including `b`; negative if `b` is earlier.

    The inverse of `add_working_days`: ``working_days_between(a, add_working_days(a, n)) == n``.
    A clinician's "working days left to the target" is ``working_days_between(today, target)``.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def contact_target_date(received: datetime.date | None = None) -> datetime.date:
    """The day by which the hub aims to contact someone who refers themselves on `received`: the
    rapid-assessment target clinicians work to."""
    start = received or timezone.localdate()
    return add_working_days(start, settings.HUB_CONTACT_TARGET_WORKING_DAYS)
