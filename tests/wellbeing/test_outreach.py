"""The hub's reminders: who is told what, when, and only once (wellbeing/outreach.py)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal import roles
from portal.outbox import delivery
from portal.outbox.queueing import queue
from tests.factories import UserFactory
from tests.wellbeing.factories import HubMessageFactory, a_referral_for, a_staff_member
from wellbeing import tasks
from wellbeing.models import (
    FollowUp,
    OutboxMessage,
    ReferralStatus,
    TeamRequest,
    TeamRequestStatus,
    TeamSession,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
LONDON = ZoneInfo("Europe/London")
# Monday 16 November 2026: a referral that day has a 2-working-day target of Wednesday 18th.
MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)


def rows():
    return list(OutboxMessage.objects.using("confidential").order_by("pk"))


def send_all(mailoutbox):
    delivery.deliver("wellbeing", [m.pk for m in rows()])
    return mailoutbox


def a_clinician():
    return UserFactory(roles=[roles.HUB_CLINICIAN], with_totp=True)


def a_hub_lead():
    return UserFactory(roles=[roles.HUB_LEAD], with_totp=True)


# --- Rapid-assessment target nudges --------------------------------------------------------------


def test_the_clinician_holding_a_referral_is_nudged_the_working_day_before_the_target():
    clinician = a_clinician()
    a_hub_lead()
    referral = a_referral_for(
        a_staff_member(), created_at=MONDAY, assigned_ref=staff_ref_for(clinician.pk)
    )
    (nudge,) = outreach.assessment_target_nudges(today=datetime.date(2026, 11, 17))
    assert nudge.recipient_user_id() == clinician.pk
    assert nudge.template == "wellbeing/target_before"
    assert str(referral.pk) in nudge.idempotency_key
    assert outreach.assessment_target_nudges(today=datetime.date(2026, 11, 16)) == []
    assert outreach.assessment_target_nudges(today=datetime.date(2026, 11, 18)) == []


def test_on_breach_the_hub_leads_are_told_when_nobody_holds_the_referral():
    leads = {a_hub_lead().pk, a_hub_lead().pk}
    a_clinician()
    a_referral_for(a_staff_member(), created_at=MONDAY)
    nudges = outreach.assessment_target_nudges(today=datetime.date(2026, 11, 19))
    assert {n.recipient_user_id() for n in nudges} == leads
    assert {n.template for n in nudges} == {"wellbeing/target_breach"}


def test_no_nudge_once_assessed_withdrawn_or_on_a_weekend():
    a_hub_lead()
    staff = a_staff_member()
    a_referral_for(staff, created_at=MONDAY, assessed_at=MONDAY)
    a_referral_for(staff, created_at=MONDAY, status=ReferralStatus.WITHDRAWN)
    assert outreach.assessment_target_nudges(today=datetime.date(2026, 11, 19)) == []
    a_referral_for(staff, created_at=MONDAY)
    assert outreach.assessment_target_nudges(today=datetime.date(2026, 11, 21)) == []  # Saturday


def test_the_nudge_task_queues_each_stage_once_and_the_email_names_nothing(mailoutbox):
    lead = a_hub_lead()
    referral = a_referral_for(
        a_staff_member(), created_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert tasks.nudge_assessment_targets() == 1
    assert tasks.nudge_assessment_targets() == 1  # built again, but the key is already there
    assert len(rows()) == 1
    (email,) = send_all(mailoutbox)
    assert email.to == [lead.email]
    assert email.subject == "A referral is past its rapid-assessment target"
    assert "nobody holds yet" in email.body
    for detail in (referral.reference, referral.name, referral.whats_happening):
        assert detail not in email.body


# --- Urgent referrals: a target in hours, chased on every day ----------------------------------

# Friday 20 November 2026, 18:00: an urgent referral then is due at 18:00 on Saturday.
FRIDAY_EVENING = datetime.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON)


def test_an_urgent_referral_is_not_nudged_on_the_working_day_clock():
    a_hub_lead()
    a_referral_for(a_staff_member(), created_at=MONDAY, urgent=True)
    assert outreach.assessment_target_nudges(today=datetime.date(2026, 11, 17)) == []
    assert outreach.assessment_target_nudges(today=datetime.date(2026, 11, 19)) == []


def test_the_holder_of_an_urgent_referral_is_nudged_in_the_last_quarter_of_its_hours():
    clinician = a_clinician()
    a_hub_lead()
    a_referral_for(
        a_staff_member(),
        created_at=FRIDAY_EVENING,
        urgent=True,
        assigned_ref=staff_ref_for(clinician.pk),
    )
    saturday = FRIDAY_EVENING + datetime.timedelta(hours=17)
    assert outreach.urgent_target_chases(saturday) == []
    (nudge,) = outreach.urgent_target_chases(saturday + datetime.timedelta(hours=1))
    assert nudge.recipient_user_id() == clinician.pk
    assert nudge.template == "wellbeing/urgent_target_before"


def test_an_urgent_referral_past_its_hours_on_a_saturday_night_alerts_the_duty_inbox(
    settings, mailoutbox
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    lead = a_hub_lead()
    referral = a_referral_for(a_staff_member(), created_at=FRIDAY_EVENING, urgent=True)
    saturday_night = FRIDAY_EVENING + datetime.timedelta(hours=28)  # 22:00, in quiet hours
    chases = outreach.urgent_target_chases(saturday_night)
    assert {(c.template, c.recipient_address or c.recipient_user_id()) for c in chases} == {
        ("wellbeing/urgent_target_breach", lead.pk),
        ("wellbeing/urgent_target_duty", "duty@hub.test.nhs.net"),
    }
    (duty,) = [c for c in chases if c.template == "wellbeing/urgent_target_duty"]
    assert duty.urgent  # sent at once, whatever the hour
    assert str(referral.pk) in duty.idempotency_key
    # Once assessed, nothing more.
    referral.assessed_at = saturday_night
    referral.save(using="confidential")
    assert outreach.urgent_target_chases(saturday_night) == []


def test_the_urgent_chase_task_queues_each_alert_once_and_the_email_names_nothing(
    settings, mailoutbox
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    a_hub_lead()
    referral = a_referral_for(
        a_staff_member(), created_at=timezone.now() - datetime.timedelta(hours=30), urgent=True
    )
    assert tasks.chase_urgent_targets() == 2  # the lead's nudge and the duty alert
    assert tasks.chase_urgent_targets() == 2  # built again, but the keys are already there
    assert len(rows()) == 2
    duty = [email for email in send_all(mailoutbox) if email.to == ["duty@hub.test.nhs.net"]]
    (email,) = duty
    assert (
        email.subject == "An urgent referral in the Resilience Hub queue is past its contact target"
    )
    for detail in (referral.reference, referral.name, referral.whats_happening):
        assert detail not in email.body


# --- Follow-up invitations ---------------------------------------------------------------------


def a_follow_up(referral, **fields):
    fields.setdefault("due_on", datetime.date(2026, 12, 14))
    return FollowUp.objects.using("confidential").create(
        referral=referral, label="4 weeks", **fields
    )


def test_a_due_follow_up_is_invited_once_then_reminded_once_a_week_later(mailoutbox):
    staff = a_staff_member()
    follow_up = a_follow_up(a_referral_for(staff))
    day = datetime.datetime(2026, 12, 14, 9, 30, tzinfo=LONDON)
    assert outreach.follow_up_invitations(now=day - datetime.timedelta(days=1)) == []
    (invite,) = outreach.follow_up_invitations(now=day)
    assert invite.template == "wellbeing/follow_up_invite"
    assert outreach.follow_up_invitations(now=day + datetime.timedelta(days=3)) == []
    (reminder,) = outreach.follow_up_invitations(now=day + datetime.timedelta(days=7))
    assert reminder.template == "wellbeing/follow_up_reminder"
    # Then stop.
    assert outreach.follow_up_invitations(now=day + datetime.timedelta(days=30)) == []
    follow_up.refresh_from_db()
    assert follow_up.invited_at is not None
    assert follow_up.reminded_at is not None
    queue([invite, reminder])
    emails = send_all(mailoutbox)
    assert [e.to for e in emails] == [[staff.email], [staff.email]]
    assert all("unsubscribe" in e.extra_headers["List-Unsubscribe"] for e in emails)


def test_completed_cancelled_and_withdrawn_follow_ups_get_nothing():
    staff = a_staff_member()
    a_follow_up(a_referral_for(staff), completed_at=timezone.now())
    a_follow_up(a_referral_for(staff), cancelled_at=timezone.now())
    a_follow_up(a_referral_for(staff, status=ReferralStatus.WITHDRAWN))
    day = datetime.datetime(2026, 12, 20, 9, 30, tzinfo=LONDON)
    assert outreach.follow_up_invitations(now=day) == []


def test_someone_who_opted_out_of_check_ins_is_not_emailed(mailoutbox):
    from portal.outbox import preferences

    staff = a_staff_member()
    a_follow_up(a_referral_for(staff), due_on=timezone.localdate())
    preferences.opt_out("wellbeing", staff_ref_for(staff.pk), outreach.FOLLOW_UP)
    assert tasks.invite_follow_ups() == 1
    assert send_all(mailoutbox) == []
    (row,) = rows()
    assert (row.status, row.skip_reason) == ("skipped", "opted_out")


# --- Team sessions -----------------------------------------------------------------------------


def a_team_session(team_lead, starts_at, **request_fields):
    request = TeamRequest.objects.using("confidential").create(
        requester_ref=staff_ref_for(team_lead.pk),
        requester_key=str(team_lead.pk),
        team="Ward 7",
        organisation="Test Hospital NHS Foundation Trust",
        team_size=12,
        support_type="workshop",
        topic="Coping after a difficult shift",
        status=request_fields.pop("status", TeamRequestStatus.SCHEDULED),
    )
    return TeamSession.objects.using("confidential").create(
        request=request, starts_at=starts_at, facilitator="Casey", place="Room 2"
    )


def test_the_team_lead_is_reminded_on_the_working_day_before_a_session(mailoutbox):
    team_lead = UserFactory(roles=[roles.TEAM_LEAD])
    monday_session = a_team_session(
        team_lead, datetime.datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)
    )
    a_team_session(team_lead, datetime.datetime(2026, 11, 24, 14, 0, tzinfo=LONDON))
    # Friday reminds Monday's session (not Tuesday's); Saturday reminds nothing.
    (reminder,) = outreach.team_session_reminders(today=datetime.date(2026, 11, 20))
    assert str(monday_session.pk) in reminder.idempotency_key
    assert outreach.team_session_reminders(today=datetime.date(2026, 11, 21)) == []
    queue([reminder])
    (email,) = send_all(mailoutbox)
    assert email.to == [team_lead.email]
    assert "Ward 7" not in email.body


def test_cancelled_sessions_and_declined_requests_are_not_reminded():
    team_lead = UserFactory(roles=[roles.TEAM_LEAD])
    session = a_team_session(team_lead, datetime.datetime(2026, 11, 23, 14, 0, tzinfo=LONDON))
    TeamSession.objects.using("confidential").filter(pk=session.pk).update(
        cancelled_at=timezone.now()
    )
    a_team_session(
        team_lead,
        datetime.datetime(2026, 11, 23, 15, 0, tzinfo=LONDON),
        status=TeamRequestStatus.DECLINED,
    )
    assert outreach.team_session_reminders(today=datetime.date(2026, 11, 20)) == []


# --- Messages from the hub ---------------------------------------------------------------------


def test_a_message_from_the_hub_is_announced_without_its_words(mailoutbox):
    staff = a_staff_member()
    message = HubMessageFactory(referral=a_referral_for(staff))
    queue(outreach.new_hub_message(message))
    queue(outreach.new_hub_message(message))  # the same event twice: one email
    (email,) = send_all(mailoutbox)
    assert email.to == [staff.email]
    assert email.subject == "You have a new message from the Resilience Hub"
    assert message.body not in email.body
    assert "Casey" not in email.body


def test_a_reply_from_staff_is_not_announced_to_them():
    staff = a_staff_member()
    reply = HubMessageFactory(
        referral=a_referral_for(staff), from_hub=False, author_ref=staff_ref_for(staff.pk)
    )
    assert outreach.new_hub_message(reply) == []


def test_the_outbox_holds_no_user_id_in_clear():
    staff = a_staff_member()
    queue(outreach.new_hub_message(HubMessageFactory(referral=a_referral_for(staff))))
    from django.db import connections

    with connections["confidential"].cursor() as cursor:
        cursor.execute(
            "SELECT idempotency_key, recipient_ref, recipient_user, context::text "
            "FROM wellbeing_outboxmessage"
        )
        (row,) = cursor.fetchall()
    assert row[2].startswith("gAAAAA")  # Fernet
    assert row[1] == staff_ref_for(staff.pk)
    assert str(staff.pk) not in row[0] + row[3]
