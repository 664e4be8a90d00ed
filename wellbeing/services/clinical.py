"""What hub clinicians record on a referral besides moving it: support added after the
assessment (resources, team-based support, therapy, onward referral), therapy sessions, and
what the other service did with an onward referral.

None of these changes the referral's status: that is the lifecycle's
(wellbeing.services.referrals), whose one locking idiom every `do_*` here uses (`changing`: the
row locked, the action checked against wellbeing.referral_states, the audit entry written in
the same transaction). A refusal is `NotAllowed`, with a message for the clinician.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone

from portal.models import User
from wellbeing import audit
from wellbeing.models import (
    DATABASE,
    MAX_ID,
    Attendance,
    AuditAction,
    OnwardReferral,
    OnwardStatus,
    Referral,
    ReferralEventKind,
    Service,
    TeamRequest,
    TherapyPlan,
    TherapySession,
)
from wellbeing.referral_states import NotAllowed
from wellbeing.services import session_measures, support
from wellbeing.services.referrals import LOCKED_FIELDS, audit_change, changing, record_events, save

_Record = TypeVar("_Record", bound=Model)


# --- Reading ------------------------------------------------------------------------------------


def _one_or_404(records: QuerySet[_Record], record_id: int, not_found: str) -> _Record:
    """The record with this id among `records`; an id out of range, or none, is a 404."""
    found = records.filter(pk=record_id).first() if 0 < record_id <= MAX_ID else None
    if found is None:
        raise Http404(not_found)
    return found


def referral_or_404(referral_id: int) -> Referral:
    """A referral by id, plain fields only (a hub clinician may act on any referral)."""
    return _one_or_404(
        Referral.objects.using(DATABASE).only(*LOCKED_FIELDS), referral_id, "No such referral"
    )


def referral_for_action(user: User, referral_id: int, *, reason: str) -> Referral:
    """The referral a clinician opened an action page for; the look is audited."""
    with transaction.atomic(using=DATABASE):
        referral = referral_or_404(referral_id)
        audit.record(
            actor=audit.actor_for(user), action=AuditAction.READ, obj=referral, reason=reason
        )
    return referral


def therapy_plan_or_404(referral: Referral, plan_id: int) -> TherapyPlan:
    return _one_or_404(
        TherapyPlan.objects.using(DATABASE).filter(referral=referral),
        plan_id,
        "No such therapy plan",
    )


def onward_or_404(referral: Referral, onward_id: int) -> OnwardReferral:
    return _one_or_404(
        OnwardReferral.objects.using(DATABASE).select_related("service").filter(referral=referral),
        onward_id,
        "No such onward referral",
    )


# --- More support, after the assessment ---------------------------------------------------------


def do_signpost_resources(
    *, referral: Referral, acting_user: User, resource_ids: Sequence[int]
) -> int:
    """Signpost more learning resources to someone already in support; returns how many were
    new (one already signposted is not added twice)."""
    with changing(referral, "add support") as locked:
        added = support.signpost(locked, resource_ids, timezone.now())
        audit_change(acting_user, locked, "Signposted self-help resources")
    return added


def do_link_team_support(
    *, referral: Referral, acting_user: User, team_request: TeamRequest
) -> Referral:
    """Make this person's support part of a team request the hub has accepted."""
    with changing(referral, "add support") as locked:
        now = timezone.now()
        support.link_team(locked, team_request)
        save(locked, now)
        record_events(locked, [ReferralEventKind.SUPPORT_STARTED], now)
        audit_change(acting_user, locked, "Linked to team-based support")
    return locked


def do_start_therapy(
    *, referral: Referral, acting_user: User, modality: str, planned_sessions: int
) -> TherapyPlan:
    """Start direct therapy at the hub for someone already in support."""
    with changing(referral, "add support") as locked:
        plan = support.start_therapy(locked, acting_user, modality, planned_sessions)
        record_events(locked, [ReferralEventKind.SUPPORT_STARTED], timezone.now())
        audit_change(acting_user, locked, "Started direct therapy")
    return plan


def do_refer_onward(
    *,
    referral: Referral,
    acting_user: User,
    service: Service,
    sent_on: datetime.date,
    note: str = "",
) -> OnwardReferral:
    """Refer someone already in support on to a service from the directory."""
    with changing(referral, "add support") as locked:
        onward = support.refer_onward(locked, service, sent_on, note)
        record_events(locked, [ReferralEventKind.REFERRED_ON], timezone.now())
        audit_change(acting_user, locked, f"Referred on to {service.name}"[:120])
    return onward


def do_log_therapy_session(
    *,
    referral: Referral,
    acting_user: User,
    plan: TherapyPlan,
    on: datetime.date,
    attendance: str,
    note: str = "",
    measures: session_measures.SessionTotals | None = None,
) -> TherapySession:
    """Log one therapy session and whether it was attended, with the PHQ-9 and GAD-7 taken at
    it if any (ADR 0039; a risk answer marks the referral urgent, hazard log H15)."""
    if on > timezone.localdate():
        raise NotAllowed("A session cannot be logged for a date in the future.")
    if attendance not in Attendance.values:
        raise NotAllowed("Choose whether the session was attended.")
    measures = measures or session_measures.SessionTotals()
    if not measures.empty and attendance != Attendance.ATTENDED:
        raise NotAllowed("Scores can be recorded only for a session that was attended.")
    with changing(referral, "log a therapy session") as locked:
        if plan.referral_id != locked.pk:
            raise Http404("No such therapy plan")
        if on < plan.started_on:
            raise NotAllowed(
                f"The session date cannot be before the therapy started ({_day(plan.started_on)})."
            )
        session = TherapySession.objects.using(DATABASE).create(
            plan=plan, on=on, attendance=attendance, note=note
        )
        session_measures.record_at_session(locked, session, measures, taken_at=_taken_on(on))
        audit_change(acting_user, locked, "Logged a therapy session")
    return session


def do_update_onward(
    *,
    referral: Referral,
    acting_user: User,
    onward: OnwardReferral,
    status: str,
    status_on: datetime.date,
) -> OnwardReferral:
    """Record what the other service did (accepted, declined, seen) and when."""
    if status not in OnwardStatus.values:
        raise NotAllowed("Choose the status of the onward referral.")
    if status_on > timezone.localdate():
        raise NotAllowed("The date cannot be in the future.")
    if status_on < onward.sent_on:
        raise NotAllowed(
            f"The date cannot be before the referral was sent ({_day(onward.sent_on)})."
        )
    with changing(referral, "update an onward referral") as locked:
        updated = OnwardReferral.objects.using(DATABASE).filter(pk=onward.pk, referral=locked)
        if not updated.update(status=status, status_on=status_on):
            raise Http404("No such onward referral")
        audit_change(acting_user, locked, "Updated an onward referral's status")
    onward.status, onward.status_on = status, status_on
    return onward


def _taken_on(day: datetime.date) -> datetime.datetime:
    """When a logged session's measures were taken: now for today's, midday of an earlier
    day's (the session's time is not recorded, only its date)."""
    if day >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"
