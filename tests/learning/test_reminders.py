"""The learning reminders: a monthly nudge to staff with recommended learning in progress (and an
invitation to rate their confidence again after learning), and a weekly reminder to curators of
reviews due and broken links, through the portal's outbox."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import reminders
from learning.models import LearningRecord, LearningStatus, ResourceStatus
from learning.tasks import nudge_unfinished_learning, remind_curators_of_reviews
from portal.models import CaringFrequency, OutboxMessage, StaffGroup, StaffProfile, User
from portal.outbox import preferences, registry
from portal.outbox.delivery import deliver
from portal.roles import CURATOR
from tests.factories import StaffProfileFactory, UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.learning.rating_factories import RatingFactory, StatementFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)  # a Monday, ISO week 10
MY_LEARNING = "http://localhost:8000" + reverse("learning:my_learning")


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = "http://localhost:8000"


def in_progress(user, **resource_fields):
    return LearningRecordFactory(
        user=user, status=LearningStatus.IN_PROGRESS, resource=ResourceFactory(**resource_fields)
    )


def clinician(cares_for_both=CaringFrequency.SOMETIMES, **fields):
    user = UserFactory(**fields)
    StaffProfileFactory(user=user, is_clinical=True, cares_for_both=cares_for_both)
    return user


def rows():
    return list(OutboxMessage.objects.order_by("pk"))


# --- Who is nudged -------------------------------------------------------------------------


def test_staff_are_nudged_about_recommended_learning_they_started_and_did_not_finish():
    nurse = clinician()  # Levels 1 and 2 are recommended
    in_progress(nurse, level=1)
    in_progress(nurse, level=2)
    in_progress(nurse, level=3)  # not recommended for someone who only sometimes cares for both
    in_progress(nurse, level=1, status=ResourceStatus.ARCHIVED)  # no longer in the catalogue
    LearningRecordFactory(user=nurse, status=LearningStatus.SAVED)  # never started
    LearningRecordFactory(user=nurse, status=LearningStatus.COMPLETED)

    (nudge,) = reminders.unfinished_learning_nudges(TODAY)

    assert nudge.recipient_ref == str(nurse.pk)
    assert nudge.idempotency_key == f"learning-nudge:{nurse.pk}:2026-03"
    assert (nudge.category, nudge.template) == (
        "learning_reminders",
        "learning/unfinished_learning",
    )
    assert nudge.context == {"path": reverse("learning:my_learning"), "count": 2}


def test_level_three_counts_for_clinicians_who_regularly_care_for_both():
    specialist = clinician(cares_for_both=CaringFrequency.REGULARLY)
    in_progress(specialist, level=3)
    (nudge,) = reminders.unfinished_learning_nudges(TODAY)
    assert (nudge.recipient_ref, nudge.context["count"]) == (str(specialist.pk), 1)


def test_nobody_is_nudged_without_unfinished_recommended_learning():
    administrator = UserFactory()
    StaffProfileFactory(
        user=administrator, is_clinical=False, staff_group=StaffGroup.ADMINISTRATIVE_CLERICAL
    )
    in_progress(administrator, level=2)  # only Level 1 is recommended for non-clinical roles
    finished = clinician()
    LearningRecordFactory(user=finished, status=LearningStatus.COMPLETED)
    in_progress(UserFactory(), level=1)  # no staff profile: not staff yet
    in_progress(clinician(is_active=False), level=1)  # a closed account

    assert reminders.unfinished_learning_nudges(TODAY) == []
    assert nudge_unfinished_learning() == 0
    assert rows() == []


def test_a_month_s_nudge_is_queued_once_however_often_the_task_runs():
    nurse = clinician()
    in_progress(nurse, level=1)

    assert nudge_unfinished_learning() == 1
    nudge_unfinished_learning()

    (row,) = rows()
    assert row.idempotency_key == (f"learning-nudge:{nurse.pk}:{timezone.localdate():%Y-%m}")
    assert row.status == "pending"


def test_the_next_month_brings_a_new_nudge():
    nurse = clinician()
    in_progress(nurse, level=1)
    march = reminders.unfinished_learning_nudges(TODAY)
    april = reminders.unfinished_learning_nudges(datetime.date(2026, 4, 1))
    assert {m.idempotency_key for m in march + april} == {
        f"learning-nudge:{nurse.pk}:2026-03",
        f"learning-nudge:{nurse.pk}:2026-04",
    }


# --- What is sent ----------------------------------------------------------------------------


def test_the_nudge_email_gives_a_count_and_a_link_and_no_titles(mailoutbox):
    nurse = clinician()
    in_progress(nurse, level=1, title="Diabetes and depression: a primer")
    in_progress(nurse, level=2)
    nudge_unfinished_learning()

    assert deliver("portal", [r.pk for r in rows()]) == {"sent": 1}

    (email,) = mailoutbox
    assert email.to == [nurse.email]
    assert email.subject == "Your recommended learning is waiting for you"
    assert "You have 2 recommended resources in progress." in email.body
    assert MY_LEARNING in email.body
    assert "Diabetes and depression" not in email.body
    assert nurse.staff_profile.display_name not in email.body
    assert "To stop emails about recommended learning you have not finished" in email.body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http://localhost:8000/")


def test_someone_who_opted_out_is_skipped_when_the_nudge_would_be_sent(mailoutbox):
    keen, opted_out = clinician(), clinician()
    in_progress(keen, level=1)
    in_progress(opted_out, level=1)
    preferences.opt_out("portal", str(opted_out.pk), "learning_reminders")
    nudge_unfinished_learning()

    outcome = deliver("portal", [r.pk for r in rows()])

    assert outcome == {"sent": 1, "opted_out": 1}
    assert [email.to for email in mailoutbox] == [[keen.email]]
    skipped = OutboxMessage.objects.get(recipient_ref=str(opted_out.pk))
    assert (skipped.status, skipped.skip_reason) == ("skipped", "opted_out")


def test_the_learning_categories_join_the_portal_outbox():
    outbox = registry.get("portal")
    assert outbox.category("learning_reminders").capped is True
    assert outbox.category("learning_reminders").opt_out is True
    assert outbox.category("curator_reminders").capped is False
    assert outbox.category("curator_reminders").label == (
        "resources due for review and broken links"
    )


# --- Query counts -----------------------------------------------------------------------------


def staff_with_unfinished_learning(count):
    """`count` clinicians, each with two recommended resources in progress, made in bulk."""
    first, second = ResourceFactory(level=1), ResourceFactory(level=2)
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@test.nhs.net", password="!") for n in range(count)
    )
    StaffProfile.objects.bulk_create(
        StaffProfileFactory.build(user=user, cares_for_both=CaringFrequency.SOMETIMES)
        for user in users
    )
    LearningRecord.objects.bulk_create(
        LearningRecord(user=user, resource=resource, status=LearningStatus.IN_PROGRESS)
        for user in users
        for resource in (first, second)
    )


@pytest.mark.parametrize("staff", [1, 200])
def test_the_nudges_take_the_same_queries_for_one_person_or_two_hundred(
    staff, django_assert_num_queries
):
    staff_with_unfinished_learning(staff)
    # Two reads: unfinished learning, and statements to rate again.
    with django_assert_num_queries(2):
        nudges = reminders.unfinished_learning_nudges(TODAY)
    assert len(nudges) == staff
    assert {n.context["count"] for n in nudges} == {2}
    # The task: the two reads, a savepoint pair, the insert and reading back the new rows' ids.
    with django_assert_num_queries(6):
        assert nudge_unfinished_learning() == staff


# --- Curators ----------------------------------------------------------------------------------


def test_curators_are_not_reminded_when_nothing_is_due():
    UserFactory(roles=[CURATOR])
    ResourceFactory(review_due=TODAY + datetime.timedelta(days=1))
    ResourceFactory(review_due=TODAY - datetime.timedelta(days=5), status=ResourceStatus.ARCHIVED)
    ResourceFactory(link_broken=True, status=ResourceStatus.DRAFT)

    assert reminders.curator_review_reminders(TODAY) == []


def test_each_active_curator_is_reminded_of_reviews_due_and_broken_links():
    curator, other_curator = UserFactory(roles=[CURATOR]), UserFactory(roles=[CURATOR])
    UserFactory(roles=[CURATOR], is_active=False)
    UserFactory(with_profile=True)  # not a curator
    ResourceFactory(review_due=TODAY)
    ResourceFactory(review_due=TODAY - datetime.timedelta(days=40), status=ResourceStatus.DRAFT)
    ResourceFactory(link_broken=True, link_status=404)

    queued = reminders.curator_review_reminders(TODAY)

    assert [r.recipient_ref for r in queued] == [str(curator.pk), str(other_curator.pk)]
    assert queued[0].idempotency_key == f"curator-reviews:{curator.pk}:2026-W10"
    assert queued[0].context == {
        "path": reverse("learning:curate_index"),
        "review_due": 2,
        "broken_links": 1,
    }


def test_a_broken_link_alone_is_worth_a_reminder():
    curator = UserFactory(roles=[CURATOR])
    ResourceFactory(link_broken=True)
    (reminder,) = reminders.curator_review_reminders(TODAY)
    assert reminder.recipient_ref == str(curator.pk)
    assert (reminder.context["review_due"], reminder.context["broken_links"]) == (0, 1)


def test_curators_are_reminded_once_a_week_however_often_the_task_runs():
    UserFactory(roles=[CURATOR])
    ResourceFactory(review_due=timezone.localdate())
    assert remind_curators_of_reviews() == 1
    remind_curators_of_reviews()
    assert len(rows()) == 1
    next_week = reminders.curator_review_reminders(
        timezone.localdate() + datetime.timedelta(days=7)
    )
    assert next_week[0].idempotency_key != rows()[0].idempotency_key


def test_the_curator_email_says_what_needs_doing_with_a_link(mailoutbox):
    curator = UserFactory(roles=[CURATOR])
    ResourceFactory(review_due=timezone.localdate(), title="Physical health checks in SMI")
    remind_curators_of_reviews()

    deliver("portal", [r.pk for r in rows()])

    (email,) = mailoutbox
    assert email.to == [curator.email]
    assert email.subject == "Learning resources need your attention"
    assert "- 1 resource due or overdue for review" in email.body
    assert "link that does not work" not in email.body
    assert "http://localhost:8000" + reverse("learning:curate_index") in email.body
    assert "Physical health checks" not in email.body


def test_the_curator_reminder_takes_the_same_queries_for_any_number_of_curators(
    django_assert_num_queries,
):
    ResourceFactory(review_due=TODAY)
    UserFactory(roles=[CURATOR])
    with django_assert_num_queries(2):
        assert len(reminders.curator_review_reminders(TODAY)) == 1
    for _ in range(5):
        UserFactory(roles=[CURATOR])
    with django_assert_num_queries(2):
        assert len(reminders.curator_review_reminders(TODAY)) == 6


def test_the_reminder_tasks_are_registered_under_their_scheduled_names():
    from portal.celery import app

    app.loader.import_default_modules()
    assert "learning.nudge_unfinished_learning" in app.tasks
    assert "learning.remind_curators_of_reviews" in app.tasks


# --- Rating again after learning (issue 15) --------------------------------------------------


def completed_developing(user, statement, on: datetime.date):
    resource = ResourceFactory()
    resource.competencies.add(statement)
    return LearningRecordFactory(
        user=user, resource=resource, status=LearningStatus.COMPLETED, completed_on=on
    )


def rated(user, statement, on: datetime.date, confidence=2):
    return RatingFactory(
        user=user,
        competency=statement,
        confidence=confidence,
        rated_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(9))),
    )


def test_the_monthly_reminder_invites_a_rerating_after_learning_that_develops_a_statement(
    mailoutbox,
):
    nurse = clinician()
    statement = StatementFactory(text="I can ask about mood")
    rated(nurse, statement, datetime.date(2026, 1, 5))
    completed_developing(nurse, statement, datetime.date(2026, 2, 1))

    (nudge,) = reminders.unfinished_learning_nudges(TODAY)

    assert nudge.recipient_ref == str(nurse.pk)
    assert nudge.context == {"path": reverse("learning:my_learning"), "count": 0, "rerate": 1}
    queue_and_send = nudge_unfinished_learning()
    assert queue_and_send == 1
    deliver("portal", [r.pk for r in rows()])
    (email,) = mailoutbox
    assert "how confident you feel about 1 statement" in email.body
    assert "I can ask about mood" not in email.body
    assert "recommended resource" not in email.body


@pytest.mark.usefixtures("without_the_starter_framework")
def test_no_rerating_is_asked_before_learning_or_after_rating_again_or_for_a_retired_statement():
    nurse, other, third = clinician(), clinician(), clinician()
    statement = StatementFactory()
    # Rated after completing: nothing new to say.
    completed_developing(nurse, statement, datetime.date(2026, 1, 5))
    rated(nurse, statement, datetime.date(2026, 2, 1))
    # Rated, learnt, rated again.
    rated(other, statement, datetime.date(2026, 1, 1))
    completed_developing(other, statement, datetime.date(2026, 1, 10))
    rated(other, statement, datetime.date(2026, 1, 20), confidence=4)
    # A retired statement.
    retired = StatementFactory(retired_at=timezone.now())
    rated(third, retired, datetime.date(2026, 1, 1))
    completed_developing(third, retired, datetime.date(2026, 2, 1))

    assert reminders.rerating_due_counts() == {}
    assert reminders.unfinished_learning_nudges(TODAY) == []


def test_an_opted_out_person_gets_no_rerating_invitation(mailoutbox):
    nurse = clinician()
    statement = StatementFactory()
    rated(nurse, statement, datetime.date(2026, 1, 5))
    completed_developing(nurse, statement, datetime.date(2026, 2, 1))
    preferences.opt_out("portal", str(nurse.pk), "learning_reminders")
    nudge_unfinished_learning()

    assert deliver("portal", [r.pk for r in rows()]) == {"opted_out": 1}
    assert mailoutbox == []
