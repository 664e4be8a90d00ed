"""What hub clinicians record about a referral: contact attempts, the rapid assessment and its
outcome, support, onward referral, closing, and messages to the member of staff.

Every `do_*` function is one transaction on the confidential database that locks the referral's
row, checks wellbeing.referral_states, writes the change, the timeline event the member of staff
sees in my hub (no clinical detail), and an audit entry. Emails are outbox rows written in the same
transaction and say only that there is something to read. A refusal is `NotAllowed`, with a
message for the clinician; nothing is changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone

from learning.queries import resources_for_signposting
from portal.models import User
from portal.outbox.queueing import queue
from wellbeing import audit, follow_up, outreach
from wellbeing.models import (
    MAX_ID,
    Assessment,
    AssessmentOutcome,
    Attendance,
    AuditAction,
    CloseReason,
    ContactAttempt,
    HubMessage,
    OnwardReferral,
    OnwardStatus,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    RiskLevel,
    Service,
    SignpostedResource,
    TeamRequest,
    TeamRequestStatus,
    TherapyModality,
    TherapyPlan,
    TherapySession,
)
from wellbeing.my_hub import DUPLICATE_REPLY_WINDOW
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import (
    CLOSED,
    IN_ASSESSMENT,
    IN_SUPPORT,
    NEW,
    NotAllowed,
    move,
    require,
)

DATABASE = "confidential"

# A plan, safety plan or formulation is needed before someone at this risk leaves the assessment.
RISK_NEEDING_SAFETY_PLAN = (RiskLevel.MODERATE, RiskLevel.HIGH)
# Team requests a person's support can join: the hub has said yes to them.
JOINABLE_TEAM_REQUESTS = (
    TeamRequestStatus.ACCEPTED,
    TeamRequestStatus.SCHEDULED,
    TeamRequestStatus.DELIVERED,
)
MAX_PLANNED_SESSIONS = 30

_Record = TypeVar("_Record", bound=Model)

# The plain fields a service needs; nothing the clinician did not ask for is decrypted. owner_key
# is how a message's email finds its reader.
_LOCKED_FIELDS = (
    "id",
    "reference",
    "staff_ref",
    "status",
    "urgent",
    "assigned_ref",
    "assigned_name",
    "assigned_at",
    "assessed_at",
    "risk_level",
    "closed_at",
    "close_reason",
    "team_request_id",
    "owner_key",
    "updated_at",
)


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
        Referral.objects.using(DATABASE).only(*_LOCKED_FIELDS), referral_id, "No such referral"
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


def joinable_team_requests() -> QuerySet[TeamRequest]:
    return (
        TeamRequest.objects.using(DATABASE)
        .filter(status__in=JOINABLE_TEAM_REQUESTS)
        .only("id", "team", "organisation", "support_type", "status", "created_at")
        .order_by("team", "organisation", "id")
    )


def signposted_ids(referral: Referral) -> set[int]:
    return set(
        SignpostedResource.objects.using(DATABASE)
        .filter(referral=referral)
        .values_list("resource_id", flat=True)
    )


# --- Helpers for the services -------------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    """The referral's row, locked until the transaction ends: changes are taken one at a time."""
    found = (
        Referral.objects.using(DATABASE)
        .select_for_update()
        .only(*_LOCKED_FIELDS)
        .filter(pk=referral.pk)
        .first()
    )
    if found is None:
        raise Http404("No such referral")
    return found


@contextmanager
def _changing(referral: Referral, action: str) -> Iterator[Referral]:
    """The transaction every `do_*` function works in: the referral's row locked, and the
    action refused (NotAllowed, nothing changed) unless its state allows it."""
    with transaction.atomic(using=DATABASE):
        locked = _lock(referral)
        require(locked, action)
        yield locked


def _take_if_unassigned(referral: Referral, user: User, now: datetime.datetime) -> None:
    """Whoever first works on an unassigned referral holds it, as if they had claimed it."""
    if not referral.assigned_ref:
        referral.assigned_ref = staff_ref_for(user.pk)
        referral.assigned_name = audit.actor_for(user).name[:80]
        referral.assigned_at = now


def _save(referral: Referral, now: datetime.datetime) -> None:
    referral.updated_at = now
    fields = [f for f in _LOCKED_FIELDS if f not in ("id", "reference", "staff_ref", "owner_key")]
    referral.save(using=DATABASE, update_fields=[f.removesuffix("_id") for f in fields])


def _events(referral: Referral, kinds: Sequence[str], now: datetime.datetime) -> None:
    ReferralEvent.objects.using(DATABASE).bulk_create(
        ReferralEvent(referral=referral, kind=kind, at=now) for kind in kinds
    )


def _audit(user: User, referral: Referral, reason: str) -> None:
    audit.record(
        actor=audit.actor_for(user), action=AuditAction.UPDATE, obj=referral, reason=reason
    )


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _close(referral: Referral, reason: str, now: datetime.datetime) -> None:
    """Close in memory and stop what follows a referral: check-ins and open therapy plans."""
    move(referral, CLOSED)
    referral.closed_at = now
    referral.close_reason = reason
    follow_up.cancel_pending(referral, at=now)
    TherapyPlan.objects.using(DATABASE).filter(referral=referral, ended_on__isnull=True).update(
        ended_on=timezone.localdate(now)
    )


# --- Contact attempts ---------------------------------------------------------------------------


def do_record_contact(
    *,
    referral: Referral,
    acting_user: User,
    at: datetime.datetime,
    method: str,
    outcome: str,
    note: str = "",
) -> ContactAttempt:
    """Record an attempt to reach the member of staff. The first one on a new referral moves it
    to assessment and, if nobody holds it yet, gives it to the clinician who made it."""
    if at > timezone.now():
        raise NotAllowed("A contact attempt cannot be in the future.")
    with _changing(referral, "record a contact attempt") as locked:
        now = timezone.now()
        if locked.status == NEW:
            move(locked, IN_ASSESSMENT)
        _take_if_unassigned(locked, acting_user, now)
        _save(locked, now)
        actor = audit.actor_for(acting_user)
        attempt = ContactAttempt.objects.using(DATABASE).create(
            referral=locked,
            at=at,
            method=method,
            outcome=outcome,
            note=note,
            by_ref=actor.ref,
            by_name=actor.name[:80],
        )
        _events(locked, [ReferralEventKind.CONTACT_ATTEMPTED], now)
        _audit(acting_user, locked, "Recorded a contact attempt")
    return attempt


# --- The rapid assessment and its outcome -------------------------------------------------------


@dataclass(frozen=True)
class OutcomeDetail:
    """What the chosen outcome needs: only the fields for that outcome are read."""

    resource_ids: Sequence[int] = ()
    team_request: TeamRequest | None = None
    modality: str = ""
    planned_sessions: int | None = None
    service: Service | None = None
    onward_note: str = ""
    close_reason: str = ""


def _signpost(referral: Referral, resource_ids: Sequence[int], now: datetime.datetime) -> int:
    """Signpost published learning resources; an id that is not published is refused."""
    wanted = sorted(set(resource_ids))
    if not wanted:
        raise NotAllowed("Choose at least one resource to signpost.")
    published = {resource.pk for resource in resources_for_signposting(ids=wanted)}
    if published != set(wanted):
        raise NotAllowed("Choose resources from the published learning catalogue.")
    new = sorted(set(wanted) - signposted_ids(referral))
    SignpostedResource.objects.using(DATABASE).bulk_create(
        SignpostedResource(referral=referral, resource_id=pk, at=now) for pk in new
    )
    return len(new)


def _link_team(referral: Referral, team_request: TeamRequest | None) -> None:
    if team_request is None:
        raise NotAllowed("Choose the team request this person's support is part of.")
    joinable = (
        TeamRequest.objects.using(DATABASE)
        .filter(pk=team_request.pk, status__in=JOINABLE_TEAM_REQUESTS)
        .exists()
    )
    if not joinable:
        raise NotAllowed("Choose a team request the hub has accepted.")
    referral.team_request_id = team_request.pk


def _start_therapy(
    referral: Referral, user: User, modality: str, planned_sessions: int | None
) -> TherapyPlan:
    if modality not in TherapyModality.values:
        raise NotAllowed("Choose the type of therapy.")
    if planned_sessions is None or not 1 <= planned_sessions <= MAX_PLANNED_SESSIONS:
        raise NotAllowed(f"Planned sessions must be between 1 and {MAX_PLANNED_SESSIONS}.")
    actor = audit.actor_for(user)
    return TherapyPlan.objects.using(DATABASE).create(
        referral=referral,
        modality=modality,
        planned_sessions=planned_sessions,
        therapist_ref=actor.ref,
        therapist_name=actor.name[:80],
    )


def _refer_onward(
    referral: Referral, service: Service | None, sent_on: datetime.date, note: str
) -> OnwardReferral:
    if (
        service is None
        or not Service.objects.using(DATABASE).filter(pk=service.pk, active=True).exists()
    ):
        raise NotAllowed("Choose a service from the directory.")
    if sent_on > timezone.localdate():
        raise NotAllowed("The date the referral was sent cannot be in the future.")
    return OnwardReferral.objects.using(DATABASE).create(
        referral=referral, service=service, sent_on=sent_on, status_on=sent_on, note=note
    )


def do_record_assessment(
    *,
    referral: Referral,
    acting_user: User,
    notes: str,
    risk_level: str,
    safety_plan: str,
    formulation: str,
    outcome: str,
    detail: OutcomeDetail,
) -> Assessment:
    """Record the rapid assessment and act on its outcome, all or nothing.

    Self-help signposts learning resources; team-based support links the referral to a team
    request; direct therapy starts a therapy plan; onward referral refers to a service from the
    directory; close closes with a reason. Every outcome but close moves the referral into
    support and plans the follow-up check-ins from today.
    """
    if risk_level not in RiskLevel.values:
        raise NotAllowed("Choose the risk level.")
    if risk_level in RISK_NEEDING_SAFETY_PLAN and not safety_plan.strip():
        raise NotAllowed("A safety plan is needed when risk is moderate or high.")
    if outcome not in AssessmentOutcome.values:
        raise NotAllowed("Choose the outcome of the assessment.")
    with _changing(referral, "record a rapid assessment") as locked:
        now = timezone.now()
        if locked.status == NEW:
            move(locked, IN_ASSESSMENT)
        _take_if_unassigned(locked, acting_user, now)
        actor = audit.actor_for(acting_user)
        assessment = Assessment.objects.using(DATABASE).create(
            referral=locked,
            at=now,
            by_ref=actor.ref,
            by_name=actor.name[:80],
            notes=notes,
            risk_level=risk_level,
            safety_plan=safety_plan,
            formulation=formulation,
            outcome=outcome,
        )
        locked.assessed_at = now
        locked.risk_level = risk_level
        kinds: list[str] = [ReferralEventKind.ASSESSED]
        if outcome == AssessmentOutcome.CLOSE:
            if detail.close_reason not in CloseReason.values:
                raise NotAllowed("Choose why the referral is being closed.")
            _close(locked, detail.close_reason, now)
            kinds.append(ReferralEventKind.CLOSED)
        else:
            move(locked, IN_SUPPORT)
            if outcome == AssessmentOutcome.SELF_HELP:
                _signpost(locked, detail.resource_ids, now)
            elif outcome == AssessmentOutcome.TEAM_SUPPORT:
                _link_team(locked, detail.team_request)
            elif outcome == AssessmentOutcome.DIRECT_THERAPY:
                _start_therapy(locked, acting_user, detail.modality, detail.planned_sessions)
            else:
                _refer_onward(locked, detail.service, timezone.localdate(now), detail.onward_note)
            kinds.append(
                ReferralEventKind.REFERRED_ON
                if outcome == AssessmentOutcome.ONWARD_REFERRAL
                else ReferralEventKind.SUPPORT_STARTED
            )
            follow_up.plan_follow_ups(locked, start=timezone.localdate(now))
        _save(locked, now)
        _events(locked, kinds, now)
        _audit(acting_user, locked, "Recorded the rapid assessment")
    return assessment


# --- More support, after the assessment ---------------------------------------------------------


def do_signpost_resources(
    *, referral: Referral, acting_user: User, resource_ids: Sequence[int]
) -> int:
    """Signpost more learning resources to someone already in support; returns how many were
    new (one already signposted is not added twice)."""
    with _changing(referral, "add support") as locked:
        added = _signpost(locked, resource_ids, timezone.now())
        _audit(acting_user, locked, "Signposted self-help resources")
    return added


def do_link_team_support(
    *, referral: Referral, acting_user: User, team_request: TeamRequest
) -> Referral:
    """Make this person's support part of a team request the hub has accepted."""
    with _changing(referral, "add support") as locked:
        now = timezone.now()
        _link_team(locked, team_request)
        _save(locked, now)
        _events(locked, [ReferralEventKind.SUPPORT_STARTED], now)
        _audit(acting_user, locked, "Linked to team-based support")
    return locked


def do_start_therapy(
    *, referral: Referral, acting_user: User, modality: str, planned_sessions: int
) -> TherapyPlan:
    """Start direct therapy at the hub for someone already in support."""
    with _changing(referral, "add support") as locked:
        plan = _start_therapy(locked, acting_user, modality, planned_sessions)
        _events(locked, [ReferralEventKind.SUPPORT_STARTED], timezone.now())
        _audit(acting_user, locked, "Started direct therapy")
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
    with _changing(referral, "add support") as locked:
        onward = _refer_onward(locked, service, sent_on, note)
        _events(locked, [ReferralEventKind.REFERRED_ON], timezone.now())
        _audit(acting_user, locked, f"Referred on to {service.name}"[:120])
    return onward


def do_log_therapy_session(
    *,
    referral: Referral,
    acting_user: User,
    plan: TherapyPlan,
    on: datetime.date,
    attendance: str,
    note: str = "",
) -> TherapySession:
    """Log one therapy session and whether it was attended."""
    if on > timezone.localdate():
        raise NotAllowed("A session cannot be logged for a date in the future.")
    if attendance not in Attendance.values:
        raise NotAllowed("Choose whether the session was attended.")
    with _changing(referral, "log a therapy session") as locked:
        if plan.referral_id != locked.pk:
            raise Http404("No such therapy plan")
        if on < plan.started_on:
            raise NotAllowed(
                f"The session date cannot be before the therapy started ({_day(plan.started_on)})."
            )
        session = TherapySession.objects.using(DATABASE).create(
            plan=plan, on=on, attendance=attendance, note=note
        )
        _audit(acting_user, locked, "Logged a therapy session")
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
    with _changing(referral, "update an onward referral") as locked:
        updated = OnwardReferral.objects.using(DATABASE).filter(pk=onward.pk, referral=locked)
        if not updated.update(status=status, status_on=status_on):
            raise Http404("No such onward referral")
        _audit(acting_user, locked, "Updated an onward referral's status")
    onward.status, onward.status_on = status, status_on
    return onward


# --- Closing ------------------------------------------------------------------------------------


def do_close(*, referral: Referral, acting_user: User, reason: str) -> Referral:
    """Close the referral with a reason: its pending check-ins are cancelled and any therapy
    plan ends today. A closed referral is not re-opened (wellbeing/referral_states.py)."""
    if reason not in CloseReason.values:
        raise NotAllowed("Choose why the referral is being closed.")
    with _changing(referral, "close") as locked:
        now = timezone.now()
        _close(locked, reason, now)
        _save(locked, now)
        _events(locked, [ReferralEventKind.CLOSED], now)
        _audit(acting_user, locked, "Closed the referral")
    return locked


# --- Messages -----------------------------------------------------------------------------------


def do_send_hub_message(*, referral: Referral, acting_user: User, body: str) -> HubMessage:
    """Send the member of staff a secure message; they read it in my hub.

    The email queued in this transaction says only that there is a message. The same text from
    the same clinician within a few seconds (a double click) returns the message already sent.
    """
    if not body.strip():
        raise NotAllowed("Write a message.")
    with _changing(referral, "send a message") as locked:
        actor = audit.actor_for(acting_user)
        now = timezone.now()
        last = (
            HubMessage.objects.using(DATABASE)
            .filter(
                referral=locked,
                from_hub=True,
                author_ref=actor.ref,
                sent_at__gte=now - DUPLICATE_REPLY_WINDOW,
            )
            .order_by("-sent_at", "-id")
            .first()
        )
        if last is not None and last.body == body:
            return last
        message = HubMessage.objects.using(DATABASE).create(
            referral=locked,
            from_hub=True,
            author_ref=actor.ref,
            author_name=actor.name[:80],
            body=body,
            sent_at=now,
        )
        _audit(acting_user, locked, "Sent a message")
        queue(outreach.new_hub_message(message))
    return message
