"""Follow-up re-screening: when a referral's check-ins fall due, and completing one from my hub.

After an outcome (anything but close) the hub plans check-ins at the intervals in
HUB_FOLLOW_UP_SCHEDULE, "4w,3m,6m,12m" by default: 4 weeks, then 3, 6 and 12 months after the
outcome, as resilience hubs have done. wellbeing.services.outreach.follow_up_invitations invites and
reminds once; the member of staff answers the same questionnaires as at self-referral, and the
new scores join the referral's history. Closing or withdrawing cancels what is still pending.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from portal.models import User
from portal.outbox.queueing import queue
from wellbeing import audit, outcome_summaries
from wellbeing.instruments import INSTRUMENTS, Score, is_asked, score
from wellbeing.models import (
    DATABASE,
    MAX_ID,
    AuditAction,
    FollowUp,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ScoreSource,
    ScreeningResult,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach

_STEP = re.compile(r"(\d{1,3})([dwm])")
_UNIT_WORDS = {"d": ("day", "days"), "w": ("week", "weeks"), "m": ("month", "months")}


@dataclass(frozen=True)
class Interval:
    """One step of the schedule: an amount of days, weeks or months after the outcome."""

    amount: int
    unit: str  # "d", "w" or "m"

    @property
    def label(self) -> str:
        one, many = _UNIT_WORDS[self.unit]
        return f"{self.amount} {one if self.amount == 1 else many}"

    def after(self, start: datetime.date) -> datetime.date:
        if self.unit == "d":
            return start + datetime.timedelta(days=self.amount)
        if self.unit == "w":
            return start + datetime.timedelta(weeks=self.amount)
        return add_months(start, self.amount)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1m)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def parse_schedule(text: str) -> tuple[Interval, ...]:
    """ "4w,3m,6m,12m" as intervals, in order; ImproperlyConfigured for anything else, so a typo
    in the environment fails loudly rather than quietly dropping someone's follow-up."""
    intervals = []
    for part in (p.strip().lower() for p in text.split(",")):
        match = _STEP.fullmatch(part)
        if not match or int(match[1]) == 0:
            raise ImproperlyConfigured(
                f"HUB_FOLLOW_UP_SCHEDULE: {part!r} is not an interval like 4w, 3m or 10d"
            )
        intervals.append(Interval(int(match[1]), match[2]))
    return tuple(intervals)


def schedule() -> tuple[Interval, ...]:
    return parse_schedule(settings.HUB_FOLLOW_UP_SCHEDULE)


# Read once on import too, so a typo stops the portal starting rather than failing the first
# clinician who records an outcome.
schedule()


# --- Planning and cancelling (inside the caller's transaction) -----------------------------------


def pending(referral: Referral) -> QuerySet[FollowUp]:
    return FollowUp.objects.using(DATABASE).filter(
        referral=referral, completed_at__isnull=True, cancelled_at__isnull=True
    )


def plan_follow_ups(referral: Referral, *, start: datetime.date) -> list[FollowUp]:
    """Plan the re-screening schedule from `start` (the day of the outcome).

    A referral that already has check-ins pending keeps them: a second outcome does not double
    the invitations.
    """
    if pending(referral).exists():
        return []
    return FollowUp.objects.using(DATABASE).bulk_create(
        FollowUp(referral=referral, label=interval.label, due_on=interval.after(start))
        for interval in schedule()
    )


def cancel_pending(referral: Referral, *, at: datetime.datetime) -> int:
    """Cancel every check-in not yet done: no more invitations or reminders."""
    return pending(referral).update(cancelled_at=at)


# --- The check-in in my hub ---------------------------------------------------------------------


class CheckInDone(Exception):
    """The check-in was completed (a second tab, a double click) or cancelled meanwhile."""


def due_check_ins(*, today: datetime.date) -> QuerySet[FollowUp]:
    """Check-ins that are due and not yet done, soonest first."""
    return (
        FollowUp.objects.using(DATABASE)
        .filter(due_on__lte=today, completed_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_on", "id")
    )


def _due_for(user: User, follow_up_id: int) -> FollowUp:
    """One of the user's own check-ins that is due; anything else is a 404."""
    if not 0 < follow_up_id <= MAX_ID:
        raise Http404("No such check-in")
    found = (
        FollowUp.objects.using(DATABASE)
        .select_related("referral")
        .only(
            "id",
            "label",
            "due_on",
            "referral__id",
            "referral__reference",
            "referral__status",
            "referral__traumatic_event",
        )
        .filter(
            pk=follow_up_id,
            referral__staff_ref=staff_ref_for(user.pk),
            due_on__lte=timezone.localdate(),
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .first()
    )
    if found is None:
        raise Http404("No such check-in")
    return found


def check_in_for(user: User, follow_up_id: int) -> FollowUp:
    """The due check-in the user is about to answer; the look is audited like every my-hub page."""
    with transaction.atomic(using=DATABASE):
        follow_up = _due_for(user, follow_up_id)
        audit.record(
            actor=audit.actor_for(user),
            action=AuditAction.READ,
            obj=follow_up.referral,
            reason=f"Opened the {follow_up.label} check-in in my hub",
        )
    return follow_up


def questionnaires_for(follow_up: FollowUp) -> list[str]:
    """The questionnaires a check-in asks: those the referral asked. Someone who said no
    traumatic event was not given the PCL-5, and a check-in does not start now."""
    screening_answers = follow_up.referral.screening_answers
    return [code for code in INSTRUMENTS if is_asked(code, screening_answers)]


def questionnaires_due(user: User, follow_up_id: int) -> list[str]:
    """The questionnaires of one of the user's check-ins, to check what they sent (one plain
    field: no audit entry, as nothing confidential is read; saving the answers is audited and
    checks that the check-in is still due)."""
    if not 0 < follow_up_id <= MAX_ID:
        raise Http404("No such check-in")
    found = (
        FollowUp.objects.using(DATABASE)
        .filter(pk=follow_up_id, referral__staff_ref=staff_ref_for(user.pk))
        .values_list("referral__traumatic_event", flat=True)
        .first()
    )
    if found is None:
        raise Http404("No such check-in")
    return [code for code in INSTRUMENTS if is_asked(code, {"traumatic_event": found})]


@dataclass(frozen=True)
class CheckIn:
    follow_up: FollowUp
    results: dict[str, Score]

    @property
    def risk(self) -> bool:
        return any(result.risk for result in self.results.values())


def _stored(answers: Sequence[int]) -> Any:
    # EncryptedJSONField is typed by its stubs as text; it stores the list as JSON.
    return list(answers)


def raise_risk(referral: Referral, *, at: datetime.datetime, alert: list[Any]) -> None:
    """A risk answer after the self-referral (a check-in, a therapy session's measures): the
    same path as at self-referral. The referral is marked urgent, to the top of the queue, the
    person's timeline says so, and the duty inbox is alerted at once (`alert`, outbox rows).
    Inside the caller's transaction; the page shows crisis contacts at once."""
    Referral.objects.using(DATABASE).filter(pk=referral.pk).update(urgent=True, updated_at=at)
    ReferralEvent.objects.using(DATABASE).create(
        referral=referral, kind=ReferralEventKind.URGENT, at=at
    )
    queue(alert)


def do_complete_check_in(
    *, user: User, follow_up_id: int, answers: Mapping[str, Sequence[int]]
) -> CheckIn:
    """Save the questionnaires of a due check-in as new screening results and mark it done.

    `answers` holds the item answers of every questionnaire the check-in asks
    (`questionnaires_for`), validated by the forms; score() refuses anything else. An answer that meets a risk rule marks the referral urgent, so it rises to
    the top of the hub's queue; the page shows crisis contacts at once. Once only: the row is
    locked, and a second submit finds the check-in done.
    """
    with transaction.atomic(using=DATABASE):
        follow_up = _due_for(user, follow_up_id)
        results = {code: score(code, answers[code]) for code in questionnaires_for(follow_up)}
        locked = (
            FollowUp.objects.using(DATABASE)
            .select_for_update()
            .filter(pk=follow_up.pk, completed_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if locked is None:
            raise CheckInDone(follow_up.label)
        now = timezone.now()
        referral = follow_up.referral
        ScreeningResult.objects.using(DATABASE).bulk_create(
            ScreeningResult(
                referral=referral,
                instrument=code,
                answers=_stored(answers[code]),
                total=result.total,
                band=result.band,
                risk=result.risk,
                taken_at=now,
                source=ScoreSource.CHECK_IN,
            )
            for code, result in results.items()
        )
        outcome_summaries.refresh([referral.pk])  # bulk_create sends no signal (ADR 0042)
        FollowUp.objects.using(DATABASE).filter(pk=follow_up.pk).update(completed_at=now)
        check_in = CheckIn(follow_up, results)
        if check_in.risk:
            raise_risk(referral, at=now, alert=outreach.risk_at_check_in(follow_up))
        audit.record(
            actor=audit.actor_for(user),
            action=AuditAction.CREATE,
            obj=referral,
            reason=f"Completed the {follow_up.label} check-in in my hub",
        )
    follow_up.completed_at = now
    return check_in
