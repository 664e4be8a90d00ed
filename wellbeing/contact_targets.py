"""A referral's rapid-assessment target: the one place it is worked out.

The queue shows it, the nudges and the duty alert chase it and the hub lead's report counts who
met it, so all of them ask here (ADR 0026):

- a **routine** referral is due `HUB_CONTACT_TARGET_WORKING_DAYS` working days after the day it
  arrived (wellbeing.working_days), and the target passes when the next working day begins, so
  a referral due on Friday is still within its target on Saturday;
- an **urgent** referral (a risk answer, or marked urgent) is due `HUB_URGENT_CONTACT_TARGET_HOURS`
  hours after it arrived, counted on every day: risk does not wait for Monday.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from wellbeing.working_days import add_working_days

__all__ = ["ContactTarget", "Targeted", "contact_target", "contact_target_for"]

# An urgent referral is "due soon" (an orange tag, a nudge to whoever holds it) once this share
# of its target has gone: 18 hours into a 24-hour target.
URGENT_WARNING_SHARE = 0.75


class Targeted(Protocol):
    """What the target needs of a referral: when it arrived and whether it is urgent."""

    created_at: datetime.datetime
    urgent: bool
    urgent_since: datetime.datetime | None


@dataclass(frozen=True)
class ContactTarget:
    """When a referral must have had its rapid assessment."""

    urgent: bool
    received_at: datetime.datetime
    # The first moment past the target: an assessment before it met the target.
    due_at: datetime.datetime
    # Routine: the last working day of the target. Urgent: the day `due_at` falls on.
    due_on: datetime.date

    @property
    def hours(self) -> int:
        """The urgent target's length, in hours."""
        return round((self.due_at - self.received_at).total_seconds() / 3600)

    def passed(self, now: datetime.datetime) -> bool:
        return now >= self.due_at

    def met_by(self, assessed_at: datetime.datetime) -> bool:
        return assessed_at < self.due_at

    @property
    def warn_from(self) -> datetime.datetime:
        """From when whoever holds an urgent referral is warned that its target is near."""
        return self.received_at + (self.due_at - self.received_at) * URGENT_WARNING_SHARE

    def describe(self) -> str:
        """The target in words, for the queue's and the report's explanations."""
        if self.urgent:
            return f"{self.hours} hours"
        days = settings.HUB_CONTACT_TARGET_WORKING_DAYS
        return f"{days} working day{'s' if days != 1 else ''}"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Walking the calendar for every row of a long queue or a year's report would be slow; the
# answer depends only on the day and the target's length, so it is kept.
@lru_cache(maxsize=4096)
def _routine_due(received: datetime.date, working_days: int) -> tuple[datetime.date, datetime.date]:
    due_on = add_working_days(received, working_days)
    return due_on, add_working_days(due_on, 1)


def contact_target(received_at: datetime.datetime, *, urgent: bool) -> ContactTarget:
    """The target of a referral that arrived at `received_at`."""
    if urgent:
        due_at = received_at + datetime.timedelta(hours=settings.HUB_URGENT_CONTACT_TARGET_HOURS)
        return ContactTarget(True, received_at, due_at, timezone.localdate(due_at))
    due_on, next_working_day = _routine_due(
        timezone.localdate(received_at), settings.HUB_CONTACT_TARGET_WORKING_DAYS
    )
    return ContactTarget(False, received_at, _start_of(next_working_day), due_on)


def contact_target_for(referral: Targeted) -> ContactTarget:
    """The target of a referral (or anything with `created_at`, `urgent` and `urgent_since`):
    an urgent one counts its hours from when it became urgent, arriving or marked so later."""
    return contact_target(
        urgent_from(referral.created_at, referral.urgent_since), urgent=referral.urgent
    )


def urgent_from(
    created_at: datetime.datetime, urgent_since: datetime.datetime | None
) -> datetime.datetime:
    """When an urgent referral's clock started: when a clinician marked it, or its arrival."""
    return urgent_since or created_at
