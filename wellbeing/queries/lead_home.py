"""The hub lead's home page: today's picture in figures, each one the count of the list its link
opens, so the two never disagree.

Counts only: nobody is named and nothing is decrypted, so the page is not audited. Three queries
however big the hub grows: one aggregate over open referrals (each figure filtered by the same
rule the queue's filter uses, from wellbeing.queries.attention), failed emails and team requests
waiting.
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
    on = queue.today()
    referrals = (
        Referral.objects.using(DATABASE)
        .open()
        .aggregate(
            open_referrals=Count("pk"),
            unassigned_urgent=Count("pk", filter=unassigned_urgent()),
            past_target=Count("pk", filter=attention.past_target(on, queue.now())),
            target_at_risk=Count("pk", filter=attention.target_at_risk(on, queue.now())),
            waiting_for_reply=Count("pk", filter=attention.waiting_for_reply()),
            follow_ups_due=Count("pk", filter=attention.follow_up_due(on)),
        )
    )
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
        **referrals,
        appointments_today=appointments_today,
        failed_emails=failed_emails,
        team_requests_waiting=team_requests_waiting,
    )
