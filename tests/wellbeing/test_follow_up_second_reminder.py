"""A check-in's second and last reminder: a week after the first, in other words, once, never
to someone who opted out, answered or withdrew, and on the beat schedule."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.outbox import delivery, preferences, registry
from portal.outbox.queueing import queue
from tests.wellbeing.factories import a_referral_for, a_staff_member
from wellbeing import tasks
from wellbeing.models import FollowUp, OutboxMessage, ReferralStatus
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
LONDON = ZoneInfo("Europe/London")
INVITED = datetime.datetime(2026, 12, 14, 9, 30, tzinfo=LONDON)


def rows() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.using("confidential").order_by("pk"))


def a_follow_up(referral, **fields) -> FollowUp:
    fields.setdefault("due_on", INVITED.date())
    return FollowUp.objects.using("confidential").create(
        referral=referral, label="4 weeks", **fields
    )


def invited_and_reminded(staff, **fields) -> FollowUp:
    """A check-in invited on INVITED and reminded a week later, not yet answered."""
    return a_follow_up(
        a_referral_for(staff, **fields.pop("referral", {})),
        invited_at=INVITED,
        reminded_at=INVITED + datetime.timedelta(days=7),
        **fields,
    )


def test_the_second_reminder_goes_once_a_week_after_the_first_in_other_words(mailoutbox):
    staff = a_staff_member()
    follow_up = invited_and_reminded(staff)
    first_reminder = INVITED + datetime.timedelta(days=7)

    assert outreach.follow_up_second_reminders(first_reminder + datetime.timedelta(days=6)) == []
    (second,) = outreach.follow_up_second_reminders(first_reminder + datetime.timedelta(days=7))
    assert outreach.follow_up_second_reminders(first_reminder + datetime.timedelta(days=30)) == []

    assert second.template == "wellbeing/follow_up_second_reminder"
    assert second.idempotency_key == f"follow-up:{follow_up.pk}:second-reminder"
    follow_up.refresh_from_db()
    assert follow_up.second_reminded_at == first_reminder + datetime.timedelta(days=7)
    # The first reminder, built again for the same check-in, to compare the words.
    first = outreach.to_user(
        staff.pk,
        idempotency_key="compare",
        category=outreach.FOLLOW_UP,
        template="wellbeing/follow_up_reminder",
        context={"path": "/hub/my/"},
    )
    queue([second, first])
    delivery.deliver("wellbeing", [m.pk for m in rows()])
    by_subject = {email.subject: email for email in mailoutbox}
    assert len(by_subject) == 2  # different subjects
    second_email = by_subject[
        "Last reminder: would you still like to check in with the Resilience Hub?"
    ]
    first_email = by_subject["A reminder: your Resilience Hub check-in"]
    assert second_email.to == [staff.email]
    assert second_email.body != first_email.body
    assert "This is the last reminder" in second_email.body
    assert "last reminder" not in first_email.body
    assert "only reminder" not in first_email.body  # there is a second one now


def test_the_task_queues_the_second_reminder_once_however_often_it_runs(mailoutbox):
    staff = a_staff_member()
    follow_up = invited_and_reminded(staff)
    follow_up.reminded_at = timezone.now() - datetime.timedelta(days=8)
    follow_up.save(update_fields=["reminded_at"])

    assert tasks.remind_follow_ups_again() == 1
    assert tasks.remind_follow_ups_again() == 0
    # Even if the mark were lost, the idempotency key keeps it to one email.
    FollowUp.objects.using("confidential").update(second_reminded_at=None)
    assert tasks.remind_follow_ups_again() == 1
    assert len(rows()) == 1


def test_nothing_for_an_answered_cancelled_or_withdrawn_check_in_or_one_never_reminded():
    staff = a_staff_member()
    invited_and_reminded(staff, completed_at=INVITED + datetime.timedelta(days=8))
    invited_and_reminded(staff, cancelled_at=INVITED + datetime.timedelta(days=8))
    invited_and_reminded(staff, referral={"status": ReferralStatus.WITHDRAWN})
    a_follow_up(a_referral_for(staff), invited_at=INVITED)  # no first reminder yet

    assert outreach.follow_up_second_reminders(INVITED + datetime.timedelta(days=60)) == []


def test_someone_who_opted_out_of_check_ins_gets_no_second_reminder(mailoutbox):
    staff = a_staff_member()
    follow_up = invited_and_reminded(staff)
    follow_up.reminded_at = timezone.now() - datetime.timedelta(days=8)
    follow_up.save(update_fields=["reminded_at"])
    preferences.opt_out("wellbeing", staff_ref_for(staff.pk), outreach.FOLLOW_UP)

    assert tasks.remind_follow_ups_again() == 1
    delivery.deliver("wellbeing", [m.pk for m in rows()])

    assert mailoutbox == []
    (row,) = rows()
    assert (row.status, row.skip_reason) == ("skipped", "opted_out")


def test_the_second_reminder_counts_towards_the_daily_cap_and_waits_out_quiet_hours():
    # Both are the outbox's, for every capped category: the reminder is in one.
    assert registry.get("wellbeing").category(outreach.FOLLOW_UP).capped


@pytest.mark.django_db
def test_beat_sends_the_second_reminders_every_morning():
    task = PeriodicTask.objects.get(task="wellbeing.remind_follow_ups_again")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("9", "45")
