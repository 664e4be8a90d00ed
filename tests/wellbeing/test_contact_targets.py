"""A referral's rapid-assessment target, worked out in one place: working days when routine,
hours on every day when urgent (wellbeing/contact_targets.py, ADR 0026)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from wellbeing.contact_targets import contact_target

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _targets(settings):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    settings.HUB_URGENT_CONTACT_TARGET_HOURS = 24


def test_an_urgent_referral_on_friday_evening_is_due_on_saturday_evening_not_on_tuesday():
    target = contact_target(at(11, 20, 18), urgent=True)  # Friday 20 November, 18:00
    assert target.due_at == at(11, 21, 18)
    assert target.due_on == datetime.date(2026, 11, 21)
    routine = contact_target(at(11, 20, 18), urgent=False)
    assert routine.due_on == datetime.date(2026, 11, 24)  # Tuesday


def test_an_urgent_target_counts_christmas_day_like_any_other():
    target = contact_target(at(12, 24, 20), urgent=True)
    assert target.due_at == at(12, 25, 20)


def test_the_urgent_target_follows_the_setting(settings):
    settings.HUB_URGENT_CONTACT_TARGET_HOURS = 4
    target = contact_target(at(11, 16, 10), urgent=True)
    assert target.due_at == at(11, 16, 14)
    assert target.hours == 4
    assert target.describe() == "4 hours"


def test_a_routine_target_due_on_friday_is_still_met_over_the_weekend_and_missed_on_monday():
    target = contact_target(at(11, 18, 15), urgent=False)  # Wednesday: due Friday 20
    assert target.due_on == datetime.date(2026, 11, 20)
    assert target.met_by(at(11, 20, 23, 59))
    assert target.met_by(at(11, 22, 12))  # Sunday: no working day has passed the target
    assert not target.met_by(at(11, 23, 0, 0))  # Monday: the next working day has begun
    assert not target.passed(at(11, 22, 12))
    assert target.passed(at(11, 23, 9))


def test_an_urgent_target_is_met_up_to_its_last_minute_and_warned_in_its_last_quarter():
    target = contact_target(at(11, 16, 10), urgent=True)
    assert target.met_by(at(11, 17, 9, 59))
    assert not target.met_by(at(11, 17, 10))
    assert target.warn_from == at(11, 17, 4)  # 18 of the 24 hours gone
