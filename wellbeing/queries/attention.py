"""What needs the hub's attention: the one place that decides "past target", "target at risk",
"waiting for a reply" and "follow-up due".

The queue's filters, the hub lead's home page and a clinician's caseload all ask these
questions, as filters on referrals, so a figure on the lead's page and the list behind its link
always agree. Each question is a `Q` over plain columns: nothing is decrypted.

An urgent referral's target is its hours, counted from when it arrived. A routine one's is
counted in working days from the day a referral arrived
(`wellbeing.working_days.contact_target_date`), which SQL cannot count across bank holidays. The
target date only moves forward as the day of arrival does, so "past target as of today" is
"arrived before day D" for one day D worked out here in Python, and the same for "at risk".
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.conf import settings
from django.db.models import Case, DateField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from wellbeing.contact_targets import URGENT_WARNING_SHARE
from wellbeing.models import ContactAttempt, ContactOutcome, FollowUp, HubMessage
from wellbeing.working_days import add_working_days, contact_target_date

# A target is at risk on its last working day and the one before: when the hub's nudge to the
# clinician goes out (README, "rapid-assessment target").
AT_RISK_WORKING_DAYS = 1

NEEDS_CHOICES = [
    ("past_target", "Past the rapid-assessment target"),
    ("target_at_risk", "Rapid-assessment target at risk"),
    ("reply", "A message waiting for a reply"),
    ("follow_up", "A follow-up check-in due"),
]


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, in the hub's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@lru_cache(maxsize=512)
def _target(received: datetime.date, target_days: int) -> datetime.date:
    return contact_target_date(received)


def target_date(received: datetime.date) -> datetime.date:
    """The rapid-assessment target of a referral that arrived on `received`."""
    return _target(received, settings.HUB_CONTACT_TARGET_WORKING_DAYS)


def first_arrival_with_target_on_or_after(day: datetime.date) -> datetime.date:
    """The earliest day of arrival whose target is `day` or later: everything that arrived
    before it has a target before `day`."""
    arrival = day
    while target_date(arrival - datetime.timedelta(days=1)) >= day:
        arrival -= datetime.timedelta(days=1)
    return arrival


def _not_past_from(on: datetime.date) -> datetime.datetime:
    return start_of(first_arrival_with_target_on_or_after(on))


def _safe_from(on: datetime.date) -> datetime.datetime:
    last_at_risk = add_working_days(on, AT_RISK_WORKING_DAYS)
    return start_of(
        first_arrival_with_target_on_or_after(last_at_risk + datetime.timedelta(days=1))
    )


def _urgent_target() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.HUB_URGENT_CONTACT_TARGET_HOURS)


def _urgent_clock_started(*, before_or_at: datetime.datetime) -> Q:
    """An urgent referral's clock started by then: marked urgent by then, or urgent from its
    arrival and arrived by then (wellbeing.contact_targets.urgent_from, in SQL)."""
    return Q(urgent_since__lte=before_or_at) | Q(
        urgent_since__isnull=True, created_at__lte=before_or_at
    )


def past_target(on: datetime.date, at: datetime.datetime | None = None) -> Q:
    """Not yet assessed, and the target has gone: the target day for a routine referral, the
    target's hours for an urgent one (wellbeing.contact_targets, ADR 0026)."""
    now = at or timezone.now()
    routine = Q(urgent=False, created_at__lt=_not_past_from(on))
    urgent = Q(urgent=True) & _urgent_clock_started(before_or_at=now - _urgent_target())
    return Q(assessed_at__isnull=True) & (routine | urgent)


def target_at_risk(on: datetime.date, at: datetime.datetime | None = None) -> Q:
    """Not yet assessed, and the target is close: today or the next working day for a routine
    referral; the last quarter of its hours for an urgent one (when the queue's tag turns)."""
    now = at or timezone.now()
    routine = Q(urgent=False, created_at__gte=_not_past_from(on), created_at__lt=_safe_from(on))
    urgent = (
        Q(urgent=True)
        & ~_urgent_clock_started(before_or_at=now - _urgent_target())
        & _urgent_clock_started(before_or_at=now - _urgent_target() * URGENT_WARNING_SHARE)
    )
    return Q(assessed_at__isnull=True) & (routine | urgent)


def waiting_for_reply() -> Q:
    """The last word is theirs: a message from the member of staff with no hub message since."""
    answered = HubMessage.objects.filter(
        referral=OuterRef("referral"), from_hub=True, sent_at__gte=OuterRef("sent_at")
    )
    unanswered = HubMessage.objects.filter(referral=OuterRef("pk"), from_hub=False).exclude(
        Exists(answered)
    )
    return Q(Exists(unanswered))


def pending_follow_ups() -> Q:
    """Follow-ups not completed and not cancelled, as a filter on FollowUp."""
    return Q(completed_at__isnull=True, cancelled_at__isnull=True)


def follow_up_due(on: datetime.date) -> Q:
    """A follow-up check-in due on or before `on` that has not been completed or cancelled."""
    due = FollowUp.objects.filter(pending_follow_ups(), referral=OuterRef("pk"), due_on__lte=on)
    return Q(Exists(due))


def reached() -> Exists:
    """Whether a clinician has reached them (then the assessment, not contact, is next)."""
    return Exists(
        ContactAttempt.objects.filter(referral=OuterRef("pk"), outcome=ContactOutcome.REACHED)
    )


def needs(kind: str, on: datetime.date, at: datetime.datetime | None = None) -> Q:
    """The filter for one of NEEDS_CHOICES; anything else filters nothing out."""
    if kind == "past_target":
        return past_target(on, at)
    if kind == "target_at_risk":
        return target_at_risk(on, at)
    if kind == "reply":
        return waiting_for_reply()
    if kind == "follow_up":
        return follow_up_due(on)
    return Q()


def target_date_expression(on: datetime.date) -> Case:
    """A referral's target date in SQL, for referrals not past their target as of `on` (older
    ones get NULL: they sort by how long they have waited instead).

    One WHEN for each day of arrival from the first not past target to `on`: a handful, since
    targets are a few working days long.
    """
    first = first_arrival_with_target_on_or_after(on)
    whens = []
    day = on
    while day >= first:
        whens.append(When(created_at__gte=start_of(day), then=Value(target_date(day))))
        day -= datetime.timedelta(days=1)
    return Case(*whens, default=Value(None), output_field=DateField())
