"""A clinician's caseload: the open referrals they hold, each with what is next, most pressing
first.

Reads only, plain columns only (nothing is decrypted), so, like the queue, the page is a list of
references, dates and flags and is not audited; opening a referral is. The order is decided in
SQL so that a page costs the same queries however many referrals someone holds: past the
rapid-assessment target first (longest waiting first), then by the date the next thing is due
(the target, or the next follow-up check-in), then referrals with nothing due.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    F,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from portal.models import User
from wellbeing.contact_targets import contact_target_for
from wellbeing.models import DATABASE, FollowUp, Referral
from wellbeing.queries import attention, queue
from wellbeing.queries.appointments import next_appointments_for
from wellbeing.queries.queue import QUEUE_FIELDS, Target, risk_flag, target_for

CASELOAD_PAGE_SIZE = 25


def caseload_order(user: User, on: datetime.date) -> QuerySet[Referral]:
    """The open referrals `user` holds, most pressing first: only what the order needs, all of
    it in the referral_open_by_holder index, so ordering a long caseload reads no wide row."""
    next_follow_up = (
        FollowUp.objects.filter(attention.pending_follow_ups(), referral=OuterRef("pk"))
        .values("referral")
        .annotate(first=Min("due_on"))
        .values("first")
    )
    return (
        Referral.objects.using(DATABASE)
        .open()
        .held_by(user)
        .annotate(
            next_follow_up_on=Subquery(next_follow_up, output_field=DateField()),
            pressing=Case(
                When(attention.past_target(on, queue.now()), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            next_due_on=Case(
                When(assessed_at__isnull=True, then=attention.target_date_expression(on)),
                default=F("next_follow_up_on"),
                output_field=DateField(),
            ),
        )
        .order_by(
            "pressing",
            F("next_due_on").asc(nulls_last=True),
            "created_at",
            "id",
        )
    )


def caseload_queryset(user: User, on: datetime.date) -> QuerySet[Referral]:
    """The open referrals `user` holds, most pressing first, with what each row shows."""
    return (
        caseload_order(user, on)
        .only(*QUEUE_FIELDS)
        .annotate(
            reached=attention.reached(),
            waiting_for_reply=Case(
                When(attention.waiting_for_reply(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


@dataclass(frozen=True)
class CaseloadRow:
    referral: Referral
    target: Target
    next_step: str  # what is next, in words
    due_on: datetime.date | None
    overdue: bool
    waiting_for_reply: bool
    risk_flag: str
    # The next therapy appointment booked, shown under "What is next".
    next_appointment: datetime.datetime | None = None


def row_for(
    referral: Referral, on: datetime.date, next_appointment: datetime.datetime | None = None
) -> CaseloadRow:
    target = target_for(referral, on)
    follow_up_on: datetime.date | None = getattr(referral, "next_follow_up_on", None)
    if referral.assessed_at is None:
        step = "Assessment due" if getattr(referral, "reached", False) else "Contact due"
        due_on: datetime.date | None = contact_target_for(referral).due_on
    else:
        step = "Follow-up check-in due" if follow_up_on else "Nothing due"
        due_on = follow_up_on
    return CaseloadRow(
        referral=referral,
        target=target,
        next_step=step,
        due_on=due_on,
        overdue=target.breached or bool(due_on and due_on < on),
        waiting_for_reply=bool(getattr(referral, "waiting_for_reply", False)),
        risk_flag=risk_flag(referral),
        next_appointment=next_appointment,
    )


@dataclass(frozen=True)
class CaseloadPage:
    page: Page[Referral]
    rows: list[CaseloadRow]


def caseload_page(user: User, page_number: str | None) -> CaseloadPage:
    """One page of a clinician's caseload: a count, a page and the page's next appointments,
    however many they hold."""
    on = queue.today()
    # The page's ids in order from the index alone, then those rows with what they show: the
    # row's columns and its per-row questions are read for 25 referrals, not for the caseload.
    ordered_ids = caseload_order(user, on).values_list("pk", flat=True)
    page = Paginator(ordered_ids, CASELOAD_PAGE_SIZE).get_page(page_number)
    ids = list(page.object_list)
    found = caseload_queryset(user, on).filter(pk__in=ids).in_bulk()
    referrals = [found[pk] for pk in ids if pk in found]
    page.object_list = referrals  # type: ignore[assignment]
    upcoming = next_appointments_for([referral.pk for referral in referrals])
    rows = [
        row_for(
            referral,
            on,
            upcoming[referral.pk].starts_at if referral.pk in upcoming else None,
        )
        for referral in referrals
    ]
    # The page of ids now holds the referrals themselves, as the template reads them.
    return CaseloadPage(cast("Page[Referral]", page), rows)
