"""The hub lead's home page: today's picture in figures, each one the count of the list its link
opens, so the two never disagree.

Counts only: nobody is named and nothing is decrypted, so the page is not audited. The same
queries however big the hub grows: one aggregate over open referrals' own columns, a count each
for messages waiting and follow-ups due (each figure filtered by the same rule the queue's
filter uses, from wellbeing.queries.attention), failed emails, team requests waiting and today's
appointments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from portal.outbox.models import Status
from wellbeing.models import (
    DATABASE,
    Appointment,
    OutboxMessage,
    Referral,
    RiskLevel,
    TeamRequest,
    TeamRequestStatus,
)
from wellbeing.queries import attention, queue


def unassigned_urgent() -> Q:
    """The queue's "nobody's yet" and "urgent or high risk only" filters together."""
    return Q(assigned_ref="") & (Q(urgent=True) | Q(risk_level=RiskLevel.HIGH))


@dataclass(frozen=True)
class LeadFigures:
    open_referrals: int
    unassigned_urgent: int
    past_target: int
    target_at_risk: int
    waiting_for_reply: int
    follow_ups_due: int
    failed_emails: int
    team_requests_waiting: int
    appointments_today: int


def lead_figures() -> LeadFigures:
    on, at = queue.today(), queue.now()
    open_referrals = Referral.objects.using(DATABASE).open()
    # The figures from the referral's own columns in one pass over the open referrals' covering
    # index (referral_open_figures): no referral row is read.
    plain = open_referrals.aggregate(
        open_referrals=Count("pk"),
        unassigned_urgent=Count("pk", filter=unassigned_urgent()),
        past_target=Count("pk", filter=attention.past_target(on, at)),
        target_at_risk=Count("pk", filter=attention.target_at_risk(on, at)),
    )
    # The figures that ask about messages and follow-ups each as a count of their own, so
    # PostgreSQL joins the few messages and follow-ups once rather than asking, referral by
    # referral, whether each has any (ADR 0031).
    waiting_for_reply = open_referrals.filter(attention.waiting_for_reply()).count()
    follow_ups_due = open_referrals.filter(attention.follow_up_due(on)).count()
    failed_emails = OutboxMessage.objects.using(DATABASE).filter(status=Status.FAILED).count()
    team_requests_waiting = (
        TeamRequest.objects.using(DATABASE).filter(status=TeamRequestStatus.REQUESTED).count()
    )
    start = attention.start_of(on)
    appointments_today = (
        Appointment.objects.using(DATABASE)
        .booked()
        .filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
        .count()
    )
    return LeadFigures(
        **plain,
        waiting_for_reply=waiting_for_reply,
        follow_ups_due=follow_ups_due,
        appointments_today=appointments_today,
        failed_emails=failed_emails,
        team_requests_waiting=team_requests_waiting,
    )
