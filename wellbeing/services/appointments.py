"""Appointments for direct therapy: a clinician books, moves and cancels them; the member of
staff asks to cancel or rearrange one from my hub; recording attendance completes one.

Every clinician change takes the referral lifecycle's one locking idiom (`changing`: the row
locked, the action checked against wellbeing.referral_states, the audit entry in the same
transaction). Recording attendance writes the TherapySession that is the record of what
happened (ADR 0028). Moving or cancelling an appointment withdraws any reminder still waiting in
the outbox; the reminder of a moved one is keyed by its new time (wellbeing.services.outreach).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from portal.models import User
from portal.outbox.models import SkipReason, Status
from wellbeing import audit
from wellbeing.models import (
    DATABASE,
    MAX_ID,
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    Attendance,
    AuditAction,
    ChangeRequest,
    OutboxMessage,
    Referral,
    TherapyPlan,
    TherapySession,
)
from wellbeing.referral_states import NotAllowed

# The lifecycle imports this module (closing a referral cancels its appointments), so its
# functions are reached through the module, which is whole by the time they are called.
from wellbeing.services import referrals, session_measures

# How far ahead an appointment may be booked: a year covers any course of therapy; a date
# further out is almost certainly a typing slip (2027 for 2026).
BOOKING_HORIZON = datetime.timedelta(days=365)
# The lengths a clinician chooses from, in minutes.
LENGTHS = (30, 45, 50, 60, 90)
# Attendance that may be recorded only once the appointment's time has come.
AFTER_THE_TIME = (Attendance.ATTENDED, Attendance.DID_NOT_ATTEND)
CANCELLED_BY = (Attendance.CANCELLED_BY_STAFF, Attendance.CANCELLED_BY_HUB)


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def start_problem(
    starts_at: datetime.datetime, *, referral_created: datetime.datetime, now: datetime.datetime
) -> str | None:
    """Why an appointment cannot start at `starts_at`, in words; None when it can. The one rule,
    asked by the booking form (beside the date) and by the services."""
    if starts_at <= now:
        return "The appointment must be in the future"
    if starts_at < referral_created:
        return f"The appointment cannot be before the referral was received ({_when(referral_created)})"
    if starts_at > now + BOOKING_HORIZON:
        return "The appointment must be within a year from today"
    return None


def _check_details(minutes: int, mode: str, place: str) -> None:
    if minutes not in LENGTHS:
        raise NotAllowed("Choose how long the appointment is.")
    if mode not in AppointmentMode.values:
        raise NotAllowed("Choose how the appointment will happen.")
    if mode == AppointmentMode.IN_PERSON and not place.strip():
        raise NotAllowed("Enter where the appointment will be.")


def received_at(referral: Referral) -> datetime.datetime:
    created: datetime.datetime = (
        Referral.objects.using(DATABASE).values_list("created_at", flat=True).get(pk=referral.pk)
    )
    return created


def open_plan(referral: Referral) -> TherapyPlan | None:
    """The referral's therapy plan still running, to which new appointments belong."""
    return (
        TherapyPlan.objects.using(DATABASE)
        .filter(referral=referral, ended_on__isnull=True)
        .order_by("-started_on", "-id")
        .first()
    )


def appointment_or_404(referral: Referral, appointment_id: int) -> Appointment:
    found = (
        Appointment.objects.using(DATABASE).filter(referral=referral, pk=appointment_id).first()
        if 0 < appointment_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404("No such appointment")
    return found


def _locked_appointment(referral: Referral, appointment_id: int) -> Appointment:
    found = (
        Appointment.objects.using(DATABASE)
        .select_for_update()
        .filter(referral=referral, pk=appointment_id)
        .first()
    )
    if found is None:
        raise Http404("No such appointment")
    if found.status != AppointmentStatus.BOOKED:
        raise NotAllowed(
            "This appointment has already been "
            + ("cancelled." if found.status == AppointmentStatus.CANCELLED else "recorded.")
        )
    return found


def withdraw_reminders(appointment_ids: list[int]) -> int:
    """Reminders still waiting to go for these appointments are not sent (the appointment was
    moved or cancelled). One already being sent cannot be called back."""
    waiting = OutboxMessage.objects.using(DATABASE).filter(status=Status.PENDING)
    withdrawn = 0
    for appointment_id in appointment_ids:
        withdrawn += waiting.filter(
            idempotency_key__startswith=f"appointment:{appointment_id}:reminder:"
        ).update(status=Status.SKIPPED, skip_reason=SkipReason.WITHDRAWN)
    return withdrawn


# --- The clinician ------------------------------------------------------------------------------


def do_book_appointment(
    *,
    referral: Referral,
    acting_user: User,
    starts_at: datetime.datetime,
    minutes: int,
    mode: str,
    place: str = "",
) -> Appointment:
    """Book a therapy appointment with the acting clinician, on the referral's running plan."""
    _check_details(minutes, mode, place)
    with referrals.changing(referral, "book an appointment") as locked:
        now = timezone.now()
        problem = start_problem(starts_at, referral_created=received_at(locked), now=now)
        if problem:
            raise NotAllowed(f"{problem}.")
        plan = open_plan(locked)
        if plan is None:
            raise NotAllowed("Start direct therapy before booking an appointment.")
        actor = audit.actor_for(acting_user)
        appointment = Appointment.objects.using(DATABASE).create(
            referral=locked,
            plan=plan,
            clinician_ref=actor.ref,
            clinician_name=actor.name[:80],
            starts_at=starts_at,
            minutes=minutes,
            mode=mode,
            place=place.strip() if mode == AppointmentMode.IN_PERSON else "",
            booked_at=now,
        )
        referrals.audit_change(acting_user, locked, "Booked a therapy appointment")
    return appointment


def do_reschedule_appointment(
    *,
    referral: Referral,
    acting_user: User,
    appointment: Appointment,
    starts_at: datetime.datetime,
    minutes: int,
    mode: str,
    place: str = "",
) -> Appointment:
    """Move a booked appointment. A reminder still waiting for the old time is withdrawn; the
    new time gets its own (its key names the time). Answers any request to rearrange it."""
    _check_details(minutes, mode, place)
    with referrals.changing(referral, "change an appointment") as locked:
        now = timezone.now()
        problem = start_problem(starts_at, referral_created=received_at(locked), now=now)
        if problem:
            raise NotAllowed(f"{problem}.")
        found = _locked_appointment(locked, appointment.pk)
        if found.starts_at != starts_at:
            withdraw_reminders([found.pk])
        found.starts_at = starts_at
        found.minutes = minutes
        found.mode = mode
        found.place = place.strip() if mode == AppointmentMode.IN_PERSON else ""
        found.rescheduled_at = now
        found.change_requested, found.change_requested_at, found.change_request_note = "", None, ""
        found.save(using=DATABASE)
        referrals.audit_change(acting_user, locked, "Rescheduled a therapy appointment")
    return found


def do_cancel_appointment(
    *, referral: Referral, acting_user: User, appointment: Appointment, cancelled_by: str
) -> Appointment:
    """Cancel a booked appointment before it happens, saying whether they or the hub cancelled
    it. It never becomes a session; its reminder, if still waiting, is not sent."""
    if cancelled_by not in CANCELLED_BY:
        raise NotAllowed("Choose who cancelled the appointment.")
    with referrals.changing(referral, "change an appointment") as locked:
        found = _locked_appointment(locked, appointment.pk)
        _cancel(found, cancelled_by, timezone.now())
        referrals.audit_change(acting_user, locked, "Cancelled a therapy appointment")
    return found


def _cancel(appointment: Appointment, cancelled_by: str, now: datetime.datetime) -> None:
    appointment.status = AppointmentStatus.CANCELLED
    appointment.attendance = cancelled_by
    appointment.cancelled_at = now
    appointment.save(using=DATABASE, update_fields=["status", "attendance", "cancelled_at"])
    withdraw_reminders([appointment.pk])


def cancel_upcoming(referral: Referral, now: datetime.datetime) -> int:
    """The hub cancels every appointment still to come (closing or withdrawing a referral, in
    that transaction). Past ones still waiting for their attendance stay to be recorded."""
    upcoming = list(
        Appointment.objects.using(DATABASE)
        .booked()
        .filter(referral=referral, starts_at__gt=now)
        .values_list("pk", flat=True)
    )
    Appointment.objects.using(DATABASE).filter(pk__in=upcoming).update(
        status=AppointmentStatus.CANCELLED,
        attendance=Attendance.CANCELLED_BY_HUB,
        cancelled_at=now,
    )
    withdraw_reminders(upcoming)
    return len(upcoming)


def do_record_attendance(
    *,
    referral: Referral,
    acting_user: User,
    appointment: Appointment,
    attendance: str,
    note: str = "",
    measures: session_measures.SessionTotals | None = None,
) -> TherapySession:
    """Record what happened at an appointment: it is completed, and its TherapySession is the
    record of the session (ADR 0028). Attended or not cannot be said before its time.

    `measures`, the PHQ-9 and GAD-7 taken at the session (ADR 0039), only for one attended and
    only when the member of staff did not answer them in my hub before it; those they did are
    linked to the session. A risk answer marks the referral urgent (hazard log H15)."""
    if attendance not in Attendance.values:
        raise NotAllowed("Choose whether the appointment was attended.")
    measures = measures or session_measures.SessionTotals()
    if not measures.empty and attendance != Attendance.ATTENDED:
        raise NotAllowed("Scores can be recorded only for a session that was attended.")
    with referrals.changing(referral, "record attendance") as locked:
        now = timezone.now()
        found = _locked_appointment(locked, appointment.pk)
        if found.starts_at > now:
            raise NotAllowed(
                "Attendance cannot be recorded before the appointment's time "
                f"({_when(found.starts_at)}). To call it off, cancel it."
            )
        session = TherapySession.objects.using(DATABASE).create(
            plan_id=found.plan_id,
            on=timezone.localdate(found.starts_at),
            attendance=attendance,
            note=note,
        )
        found.status = AppointmentStatus.COMPLETED
        found.attendance = attendance
        found.session = session
        found.save(using=DATABASE, update_fields=["status", "attendance", "session"])
        if session_measures.link_to_session(found, session) and not measures.empty:
            raise NotAllowed("The questionnaires for this session were already answered in my hub.")
        session_measures.record_at_session(
            locked, session, measures, taken_at=found.starts_at, appointment=found
        )
        referrals.audit_change(acting_user, locked, "Recorded attendance at a therapy appointment")
    return session


# --- The member of staff ------------------------------------------------------------------------


def do_request_change(
    *, acting_user: User, appointment_id: int, change: str, note: str = ""
) -> Appointment:
    """The member of staff asks the hub to cancel or rearrange one of their own upcoming
    appointments: a flag the clinician sees on it, with their words. Someone else's is not
    found. Asking again replaces the earlier request."""
    if change not in ChangeRequest.values:
        raise NotAllowed("Choose whether you want to cancel or rearrange it.")
    with transaction.atomic(using=DATABASE):
        found = (
            Appointment.objects.using(DATABASE)
            .select_for_update(of=("self",))
            .select_related("referral")
            .filter(
                pk=appointment_id if 0 < appointment_id <= MAX_ID else 0,
                referral__in=Referral.objects.using(DATABASE).owned_by(acting_user),
            )
            .first()
        )
        if found is None:
            raise Http404("No such appointment")
        if found.status != AppointmentStatus.BOOKED or found.starts_at <= timezone.now():
            raise NotAllowed("This appointment has already happened or been cancelled.")
        found.change_requested = change
        found.change_requested_at = timezone.now()
        found.change_request_note = note
        found.save(
            using=DATABASE,
            update_fields=["change_requested", "change_requested_at", "change_request_note"],
        )
        audit.record(
            actor=audit.actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=found.referral,
            reason=f"Asked to {change} an appointment in my hub",
        )
    return found
