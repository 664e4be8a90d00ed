"""Working days: weekends and England and Wales bank holidays do not count."""

from __future__ import annotations

from datetime import date

import pytest

from wellbeing.working_days import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # An ordinary week: Monday plus 2 is Wednesday.
        (date(2026, 11, 16), 2, date(2026, 11, 18)),
        # Friday plus 2 skips the weekend: Tuesday.
        (date(2026, 11, 20), 2, date(2026, 11, 24)),
        # Saturday and Sunday count from the Monday.
        (date(2026, 11, 21), 2, date(2026, 11, 24)),
        (date(2026, 11, 22), 2, date(2026, 11, 24)),
        # Christmas 2026: Christmas Day is a Friday, Boxing Day a Saturday, substituted Monday 28.
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 23), 2, date(2026, 12, 29)),
        # Christmas 2027 falls at a weekend: both days are substituted (Monday 27, Tuesday 28).
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        # New Year's Day 2027 is a Friday.
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        # Easter 2027: Good Friday 26 March and Easter Monday 29 March.
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        (date(2027, 3, 24), 2, date(2027, 3, 30)),
        # The late summer bank holiday, Monday 31 August 2026.
        (date(2026, 8, 28), 1, date(2026, 9, 1)),
        # Zero working days is the day itself.
        (date(2026, 11, 21), 0, date(2026, 11, 21)),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, n, expected):
    assert add_working_days(start, n) == expected


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(date(2026, 11, 21))  # a Saturday
    assert is_working_day(date(2026, 11, 23))


def test_scottish_bank_holidays_are_not_ours():
    # 2 January and St Andrew's Day are Scottish bank holidays only.
    assert is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 11, 30))


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(date(2026, 11, 23), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 11, 20), date(2026, 11, 24), 2),
        (date(2026, 12, 24), date(2026, 12, 29), 1),
        (date(2027, 3, 25), date(2027, 3, 30), 1),
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 24), date(2026, 11, 20), -2),
        # Across a weekend that starts the range: Saturday to Monday is one working day.
        (date(2026, 11, 21), date(2026, 11, 23), 1),
    ],
)
def test_working_days_between_counts_the_working_days_after_the_first_date(a, b, expected):
    assert working_days_between(a, b) == expected


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10, 30])
def test_working_days_between_undoes_add_working_days_across_christmas(n):
    start = date(2026, 12, 18)
    assert working_days_between(start, add_working_days(start, n)) == n
