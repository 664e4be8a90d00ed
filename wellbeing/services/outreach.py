"""The hub's emails: its outbox categories, and what each event queues.

Every function here builds outbox rows for `portal.outbox.queueing.queue`, to be called inside the
transaction of the change that causes them. The rows carry links and nothing else: an email says
that there is something to see and asks the person to sign in (ARCHITECTURE.md, rule 1).
Idempotency keys name records by id and people by pseudonym, never by user id.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.outbox import registry
from wellbeing.contact_targets import ContactTarget, contact_target_for
from wellbeing.models import (
    DATABASE,
    Appointment,
    FollowUp,
    HubMembership,
    HubMessage,
    HubRole,
    OptOut,
    OutboxMessage,
    Referral,
    ReferralStatus,
    TeamRequestStatus,
    TeamSession,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.working_days import add_working_days, is_working_day

DUTY = "hub_duty"
UPDATES = "hub_updates"
FOLLOW_UP = "hub_follow_up"
OUTREACH = "hub_outreach"
WORK = "hub_work"
TEAM_SUPPORT = "team_support"
HUB_TEAM = "hub_team"
APPOINTMENTS = "hub_appointments"

CATEGORIES = (
    registry.Category(DUTY, "urgent referrals waiting in the hub queue", opt_out=False),
    registry.Category(UPDATES, "your referral to the Resilience Hub and new messages from it"),
    registry.Category(FOLLOW_UP, "invitations to repeat the wellbeing questionnaires", capped=True),
    registry.Category(OUTREACH, "wellbeing check-ins from the Resilience Hub", capped=True),
    registry.Category(WORK, "referrals near or past their rapid-assessment target"),
    registry.Category(TEAM_SUPPORT, "your team's sessions with the Resilience Hub"),
    registry.Category(HUB_TEAM, "changes to who works in the Resilience Hub", opt_out=False),
    registry.Category(APPOINTMENTS, "reminders of your appointments with the Resilience Hub"),
)


def register() -> None:
    registry.register(
        registry.Outbox(
            label="wellbeing",
            database=DATABASE,
            message_model=OutboxMessage,
            opt_out_model=OptOut,
            ref_for_user=staff_ref_for,
            categories={category.key: category for category in CATEGORIES},
        )
    )


def to_user(user_id: int, **fields: object) -> OutboxMessage:
    """A row addressed to an account, named by pseudonym with the id encrypted."""
    return OutboxMessage(
        recipient_ref=staff_ref_for(user_id), recipient_user=str(user_id), **fields
    )


def owner_id(referral: Referral) -> int | None:
    return int(referral.owner_key) if referral.owner_key else None


# --- Referrals and messages ------------------------------------------------------------------


def referral_received(referral: Referral) -> list[OutboxMessage]:
    """Tell the staff member we have it, and, if it is urgent, the duty inbox at once."""
    messages = []
    user_id = owner_id(referral)
    if user_id is not None:
        messages.append(
            to_user(
                user_id,
                idempotency_key=f"referral:{referral.pk}:received",
                category=UPDATES,
                template="wellbeing/referral_received",
                context={"path": reverse("wellbeing:my_hub")},
            )
        )
    if referral.urgent:
        messages += duty_alert(f"referral:{referral.pk}:urgent-alert", "wellbeing/urgent_referral")
    return messages


def risk_at_check_in(follow_up: FollowUp) -> list[OutboxMessage]:
    """A risk answer at a follow-up check-in: the duty inbox is told at once, as for a referral."""
    return duty_alert(f"follow-up:{follow_up.pk}:risk-alert", "wellbeing/urgent_check_in")


def risk_at_session(key: str) -> list[OutboxMessage]:
    """A risk answer in a therapy session's measures (at the session, or in my hub before it):
    the duty inbox is told at once. `key` names the appointment or session, never the person."""
    return duty_alert(f"{key}:risk-alert", "wellbeing/urgent_session_measure")


def duty_alert(key: str, template: str) -> list[OutboxMessage]:
    """An alert to the hub's duty inbox, sent at once whatever the hour; none without an inbox."""
    if not settings.HUB_DUTY_EMAIL:
        return []
    return [
        OutboxMessage(
            idempotency_key=key,
            category=DUTY,
            template=template,
            recipient_address=settings.HUB_DUTY_EMAIL,
            urgent=True,
            context={"path": reverse("wellbeing:queue")},
        )
    ]


def new_hub_message(message: HubMessage) -> list[OutboxMessage]:
    """A message from the hub: the email says only that there is one."""
    user_id = owner_id(message.referral)
    if user_id is None or not message.from_hub:
        return []
    return [
        to_user(
            user_id,
            idempotency_key=f"hub-message:{message.pk}:notice",
            category=UPDATES,
            template="wellbeing/new_message",
            context={"path": reverse("wellbeing:my_hub")},
        )
    ]


# --- Hub staff ---------------------------------------------------------------------------------


def hub_members() -> dict[str, int]:
    """Active hub clinicians and leads, by the pseudonym the confidential store knows them by."""
    ids = HubMembership.objects.holder_ids(HubRole.CLINICIAN, HubRole.LEAD)
    return {staff_ref_for(user_id): user_id for user_id in ids}


def hub_leads() -> list[int]:
    return HubMembership.objects.holder_ids(HubRole.LEAD)


def hub_team_changed(
    membership: HubMembership, change: str, by_id: int | None
) -> list[OutboxMessage]:
    """Tell every hub lead but the one who did it that a hub role was given or removed: the
    email names nobody and asks them to sign in and look (ADR 0023)."""
    return [
        to_user(
            lead_id,
            idempotency_key=f"hub-team:{membership.pk}:{change}:{staff_ref_for(lead_id)[:16]}",
            category=HUB_TEAM,
            template="wellbeing/hub_team_changed",
            context={"path": reverse("wellbeing:hub_team"), "change": change},
        )
        for lead_id in hub_leads()
        if lead_id != by_id
    ]


def _nudge_stage(target: ContactTarget, today: datetime.date) -> str | None:
    """A routine referral: "before" on the working day before the target, "breach" once it has
    passed."""
    if today > target.due_on:
        return "breach"
    if today < target.due_on and add_working_days(today, 1) >= target.due_on:
        return "before"
    return None


def _urgent_stage(target: ContactTarget, now: datetime.datetime) -> str | None:
    """An urgent referral: "before" in the last quarter of its hours, "breach" once past."""
    if target.passed(now):
        return "breach"
    if now >= target.warn_from:
        return "before"
    return None


def _waiting_for_assessment(*, urgent: bool) -> list[Referral]:
    return list(
        Referral.objects.using(DATABASE)
        .filter(
            assessed_at__isnull=True,
            urgent=urgent,
            status__in=[ReferralStatus.NEW, ReferralStatus.IN_ASSESSMENT],
        )
        .only("pk", "created_at", "assigned_ref", "urgent", "urgent_since")
    )


def _nudges(
    referral: Referral, stage: str, *, kind: str, members: dict[str, int], leads: list[int]
) -> list[OutboxMessage]:
    """A nudge to the clinician who holds the referral, or to the hub leads when nobody does.
    `kind` ("target" or "urgent-target") names the template and the key: once per stage and
    person."""
    holder = members.get(referral.assigned_ref) if referral.assigned_ref else None
    return [
        to_user(
            user_id,
            idempotency_key=f"referral:{referral.pk}:{kind}-{stage}:{staff_ref_for(user_id)[:16]}",
            category=WORK,
            template=f"wellbeing/{kind.replace('-', '_')}_{stage}",
            context={"path": reverse("wellbeing:queue"), "assigned": bool(holder)},
        )
        for user_id in ([holder] if holder else leads)
    ]


def assessment_target_nudges(today: datetime.date | None = None) -> list[OutboxMessage]:
    """Nudges for routine referrals still waiting for a rapid assessment near or past the
    target, on working days. Urgent referrals are chased by `urgent_target_chases`."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return []
    members = hub_members()
    leads = hub_leads()
    messages = []
    for referral in _waiting_for_assessment(urgent=False):
        stage = _nudge_stage(contact_target_for(referral), today)
        if stage is not None:
            messages += _nudges(referral, stage, kind="target", members=members, leads=leads)
    return messages


def urgent_target_chases(now: datetime.datetime | None = None) -> list[OutboxMessage]:
    """Urgent referrals still waiting for a rapid assessment, chased on every day at any hour:
    a nudge to whoever holds each (or the hub leads) in the last quarter of its target and
    again once it has passed, and, once it has passed, an alert to the duty inbox, which is
    sent at once whatever the hour. Once per referral, stage and person."""
    now = now or timezone.now()
    members = hub_members()
    leads = hub_leads()
    messages = []
    for referral in _waiting_for_assessment(urgent=True):
        stage = _urgent_stage(contact_target_for(referral), now)
        if stage is None:
            continue
        messages += _nudges(referral, stage, kind="urgent-target", members=members, leads=leads)
        if stage == "breach":
            messages += duty_alert(
                f"referral:{referral.pk}:urgent-target-breach", "wellbeing/urgent_target_duty"
            )
    return messages


# --- Follow-up ---------------------------------------------------------------------------------

REMIND_AFTER = datetime.timedelta(days=7)


def follow_up_invitations(now: datetime.datetime | None = None) -> list[OutboxMessage]:
    """Invitations for follow-ups due today or earlier, and the first reminder a week later
    (the second is `follow_up_second_reminders`).

    Marks each follow-up invited or reminded, so call it inside the transaction that queues the
    rows. A referral that was withdrawn gets nothing more.
    """
    now = now or timezone.now()
    due = (
        FollowUp.objects.using(DATABASE)
        .select_related("referral")
        .filter(completed_at__isnull=True, cancelled_at__isnull=True)
        .exclude(referral__status=ReferralStatus.WITHDRAWN)
    )
    messages = []
    to_invite = list(due.filter(invited_at__isnull=True, due_on__lte=timezone.localdate(now)))
    to_remind = list(due.filter(reminded_at__isnull=True, invited_at__lte=now - REMIND_AFTER))
    for follow_up, step in [(f, "invite") for f in to_invite] + [
        (f, "reminder") for f in to_remind
    ]:
        user_id = owner_id(follow_up.referral)
        if user_id is None:
            continue
        messages.append(
            to_user(
                user_id,
                idempotency_key=f"follow-up:{follow_up.pk}:{step}",
                category=FOLLOW_UP,
                template=f"wellbeing/follow_up_{step}",
                context={"path": reverse("wellbeing:my_hub")},
            )
        )
    FollowUp.objects.using(DATABASE).filter(pk__in=[f.pk for f in to_invite]).update(invited_at=now)
    FollowUp.objects.using(DATABASE).filter(pk__in=[f.pk for f in to_remind]).update(
        reminded_at=now
    )
    return messages


SECOND_REMINDER_AFTER = datetime.timedelta(days=7)


def follow_up_second_reminders(now: datetime.datetime | None = None) -> list[OutboxMessage]:
    """A second and last reminder, in other words than the first, to those who have not
    answered a check-in a week after its first reminder.

    Marks each follow-up as reminded a second time, so call it inside the transaction that
    queues the rows; the idempotency key makes a second run (or a lost mark) send nothing more.
    Nothing for a check-in answered or cancelled, or a referral withdrawn. Opt-outs, the daily
    cap and quiet hours are the outbox's, honoured at sending.
    """
    now = now or timezone.now()
    to_remind = list(
        FollowUp.objects.using(DATABASE)
        .select_related("referral")
        .only("pk", "referral__id", "referral__owner_key")
        .filter(
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            second_reminded_at__isnull=True,
            reminded_at__lte=now - SECOND_REMINDER_AFTER,
        )
        .exclude(referral__status=ReferralStatus.WITHDRAWN)
    )
    messages = []
    for follow_up in to_remind:
        user_id = owner_id(follow_up.referral)
        if user_id is None:
            continue
        messages.append(
            to_user(
                user_id,
                idempotency_key=f"follow-up:{follow_up.pk}:second-reminder",
                category=FOLLOW_UP,
                template="wellbeing/follow_up_second_reminder",
                context={"path": reverse("wellbeing:my_hub")},
            )
        )
    FollowUp.objects.using(DATABASE).filter(pk__in=[f.pk for f in to_remind]).update(
        second_reminded_at=now
    )
    return messages


# --- Appointments --------------------------------------------------------------------------------


def _next_working_day_window(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """From the start of tomorrow to the end of the next working day: on Friday, the weekend's
    and Monday's."""
    start = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    )
    end = timezone.make_aware(
        datetime.datetime.combine(
            add_working_days(today, 1) + datetime.timedelta(days=1), datetime.time()
        )
    )
    return start, end


def appointment_reminder_key(appointment: Appointment) -> str:
    """One reminder per appointment and time, ever: a moved appointment's new time is a new key,
    and running the task again finds the key taken (portal.outbox.queueing.queue)."""
    return f"appointment:{appointment.pk}:reminder:{appointment.starts_at:%Y%m%dT%H%M%z}"


def appointment_reminders(today: datetime.date | None = None) -> list[OutboxMessage]:
    """On the working day before an appointment, remind the member of staff that there is one.

    The email names no time, place or clinician: it says there is an appointment and links to my
    hub. Booked appointments only: one cancelled, or completed, gets nothing; one moved is
    reminded for its new time. Quiet hours and opt-outs are the outbox's, at sending.
    """
    today = today or timezone.localdate()
    if not is_working_day(today):
        return []
    start, end = _next_working_day_window(today)
    appointments = (
        Appointment.objects.using(DATABASE)
        .booked()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("referral")
        .only("pk", "starts_at", "referral__id", "referral__owner_key")
    )
    messages = []
    for appointment in appointments:
        user_id = owner_id(appointment.referral)
        if user_id is None:
            continue
        messages.append(
            to_user(
                user_id,
                idempotency_key=appointment_reminder_key(appointment),
                category=APPOINTMENTS,
                template="wellbeing/appointment_reminder",
                context={"path": reverse("wellbeing:my_hub")},
            )
        )
    return messages


# --- Team support ------------------------------------------------------------------------------


def team_session_reminders(today: datetime.date | None = None) -> list[OutboxMessage]:
    """On the working day before a team session, remind the team lead who asked for it."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return []
    next_working_day = add_working_days(today, 1)
    # Sessions after today up to the next working day: Monday's are reminded on Friday.
    start = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    )
    end = timezone.make_aware(
        datetime.datetime.combine(next_working_day + datetime.timedelta(days=1), datetime.time())
    )
    sessions = (
        TeamSession.objects.using(DATABASE)
        .select_related("request")
        .filter(starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True)
        .filter(request__status__in=[TeamRequestStatus.SCHEDULED, TeamRequestStatus.ACCEPTED])
    )
    return [
        to_user(
            int(session.request.requester_key),
            idempotency_key=(
                f"team-session:{session.pk}:reminder:{timezone.localdate(session.starts_at)}"
            ),
            category=TEAM_SUPPORT,
            template="wellbeing/team_session_reminder",
            context={"path": reverse("wellbeing:team_request", args=[session.request_id])},
        )
        for session in sessions
    ]
