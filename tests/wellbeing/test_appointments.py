"""Appointments for direct therapy: booking, moving, cancelling, the reminder, recording
attendance, the two-missed flag, the member of staff's request and "My appointments"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.outbox import delivery
from portal.outbox.models import SkipReason, Status
from portal.outbox.queueing import queue
from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import DB, a_hub_member, a_referral_from, entries_by
from wellbeing import tasks
from wellbeing.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    AuditEntry,
    OptOut,
    OutboxMessage,
    ReferralStatus,
    TherapyPlan,
    TherapySession,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import appointments as appointment_queries
from wellbeing.referral_states import NotAllowed
from wellbeing.services import appointments, outreach, referrals
from wellbeing.working_days import add_working_days, is_working_day

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


@pytest.fixture
def staff_member():
    return UserFactory(with_profile=True)


@pytest.fixture
def referral(staff_member):
    return a_referral_from(
        staff_member,
        status=ReferralStatus.IN_SUPPORT,
        created_at=timezone.now() - datetime.timedelta(days=30),
    )


@pytest.fixture
def plan(referral):
    return TherapyPlan.objects.using(DB).create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="t" * 64,
        started_on=timezone.localdate() - datetime.timedelta(days=20),
    )


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def booking(day: datetime.date, **more: str) -> dict[str, str]:
    return {
        **date_fields("on", day),
        "start_time": "14:30",
        "minutes": "50",
        "mode": "video",
        "place": "",
        **more,
    }


def an_appointment(referral, plan, clinician=None, *, starts_at=None, **fields) -> Appointment:
    return Appointment.objects.using(DB).create(
        referral=referral,
        plan=plan,
        clinician_ref=staff_ref_for(clinician.pk) if clinician else "c" * 64,
        clinician_name="Casey Clinician",
        starts_at=starts_at or timezone.now() + datetime.timedelta(days=3),
        minutes=50,
        mode=fields.pop("mode", "in_person"),
        place=fields.pop("place", "Wellbeing Centre, room 4"),
        **fields,
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def next_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


# --- Booking ------------------------------------------------------------------------------------


def test_a_clinician_books_an_appointment_and_sees_it_on_the_referral(
    client, clinician, referral, plan
):
    url = reverse("wellbeing:referral_appointment_new", args=[referral.pk])
    response = client.post(
        url, booking(next_week(), mode="in_person", place="Wellbeing Centre, room 4"), follow=True
    )
    assert f"Appointment booked for referral {referral.reference}." in said(response)
    appointment = Appointment.objects.using(DB).get()
    assert appointment.plan == plan
    assert appointment.clinician_ref == staff_ref_for(clinician.pk)
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "14:30"
    page = response.content.decode()
    assert "Wellbeing Centre, room 4" in page
    assert "(50 minutes), in person" in page
    assert ("update", "referral", referral.pk, "Booked a therapy appointment") in entries_by(
        clinician
    )


def test_the_place_is_encrypted_in_the_database(referral, plan):
    appointment = an_appointment(referral, plan, place="Wellbeing Centre, room 4")
    with connections[DB].cursor() as cursor:
        cursor.execute("SELECT place FROM wellbeing_appointment WHERE id = %s", [appointment.pk])
        (stored,) = cursor.fetchone()
    assert "Wellbeing Centre" not in stored


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.timedelta(days=-1), "The appointment must be in the future"),
        (datetime.timedelta(days=400), "The appointment must be within a year from today"),
    ],
)
def test_an_appointment_cannot_be_booked_in_the_past_or_more_than_a_year_ahead(
    client, clinician, referral, plan, day, message
):
    url = reverse("wellbeing:referral_appointment_new", args=[referral.pk])
    response = client.post(url, booking(timezone.localdate() + day))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appointment.objects.using(DB).exists()


def test_an_appointment_cannot_be_before_the_referral_was_received():
    now = timezone.now()
    problem = appointments.start_problem(
        now + datetime.timedelta(days=1),
        referral_created=now + datetime.timedelta(days=2),
        now=now,
    )
    assert problem is not None
    assert problem.startswith("The appointment cannot be before the referral was received")


def test_an_appointment_in_person_needs_a_place(client, clinician, referral, plan):
    url = reverse("wellbeing:referral_appointment_new", args=[referral.pk])
    response = client.post(url, booking(next_week(), mode="in_person"))
    assert response.status_code == 400
    assert "Enter where the appointment will be" in response.content.decode()


def test_booking_needs_a_running_therapy_plan(client, clinician, referral):
    url = reverse("wellbeing:referral_appointment_new", args=[referral.pk])
    response = client.post(url, booking(next_week()))
    assert "Start direct therapy before booking an appointment." in response.content.decode()
    assert not Appointment.objects.using(DB).exists()


def test_a_double_post_books_one_appointment(client, clinician, referral, plan):
    url = reverse("wellbeing:referral_appointment_new", args=[referral.pk])
    data = {**booking(next_week()), "submission_key": "0d5d0cbb-8f63-4a4d-9a3f-1c1d2b0e6f11"}
    client.post(url, data)
    client.post(url, data)
    assert Appointment.objects.using(DB).count() == 1


# --- Moving and cancelling ----------------------------------------------------------------------


def test_moving_an_appointment_withdraws_the_old_reminder_and_the_new_time_gets_its_own(
    client, clinician, referral, plan
):
    appointment = an_appointment(referral, plan, clinician)
    old_key = outreach.appointment_reminder_key(appointment)
    OutboxMessage.objects.using(DB).create(
        idempotency_key=old_key, category=outreach.APPOINTMENTS, template="t", recipient_ref="r"
    )
    url = reverse("wellbeing:referral_appointment_move", args=[referral.pk, appointment.pk])
    response = client.post(url, booking(next_week(), start_time="09:15"), follow=True)
    assert f"Appointment moved for referral {referral.reference}." in said(response)
    appointment.refresh_from_db(using=DB)
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "09:15"
    old = OutboxMessage.objects.using(DB).get(idempotency_key=old_key)
    assert (old.status, old.skip_reason) == (Status.SKIPPED, SkipReason.WITHDRAWN)
    assert outreach.appointment_reminder_key(appointment) != old_key


def test_cancelling_an_appointment_says_who_cancelled_and_makes_no_session(
    client, clinician, referral, plan
):
    appointment = an_appointment(referral, plan, clinician)
    url = reverse("wellbeing:referral_appointment_cancel", args=[referral.pk, appointment.pk])
    client.post(url, {"cancelled_by": Attendance.CANCELLED_BY_STAFF})
    appointment.refresh_from_db(using=DB)
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.attendance == Attendance.CANCELLED_BY_STAFF
    assert not TherapySession.objects.using(DB).exists()


def test_closing_the_referral_cancels_appointments_still_to_come(clinician, referral, plan):
    upcoming = an_appointment(referral, plan, clinician)
    referrals.do_close(referral=referral, acting_user=clinician, reason="support_completed")
    upcoming.refresh_from_db(using=DB)
    assert (upcoming.status, upcoming.attendance) == (
        AppointmentStatus.CANCELLED,
        Attendance.CANCELLED_BY_HUB,
    )


# --- Recording attendance -----------------------------------------------------------------------


def test_recording_attendance_completes_the_appointment_as_a_therapy_session(
    client, clinician, referral, plan
):
    appointment = an_appointment(
        referral, plan, clinician, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    url = reverse("wellbeing:referral_appointment_attendance", args=[referral.pk, appointment.pk])
    response = client.post(url, {"attendance": "attended", "note": "Worked on sleep."}, follow=True)
    assert f"Attendance recorded for referral {referral.reference}." in said(response)
    appointment.refresh_from_db(using=DB)
    assert appointment.status == AppointmentStatus.COMPLETED
    session = appointment.session
    assert session is not None
    assert (session.plan_id, session.attendance, session.note) == (
        plan.pk,
        "attended",
        "Worked on sleep.",
    )
    assert session.on == timezone.localdate(appointment.starts_at)


def test_attendance_cannot_be_recorded_for_a_future_appointment(client, clinician, referral, plan):
    appointment = an_appointment(referral, plan, clinician)
    url = reverse("wellbeing:referral_appointment_attendance", args=[referral.pk, appointment.pk])
    response = client.post(url, {"attendance": "did_not_attend"})
    assert response.status_code == 400
    assert "Attendance cannot be recorded before the appointment" in response.content.decode()
    assert not TherapySession.objects.using(DB).exists()


def test_attendance_is_recorded_once(clinician, referral, plan):
    appointment = an_appointment(
        referral, plan, clinician, starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    appointments.do_record_attendance(
        referral=referral, acting_user=clinician, appointment=appointment, attendance="attended"
    )
    with pytest.raises(NotAllowed, match="already been recorded"):
        appointments.do_record_attendance(
            referral=referral, acting_user=clinician, appointment=appointment, attendance="attended"
        )
    assert TherapySession.objects.using(DB).count() == 1


def missed(clinician, referral, plan, days_ago: int, attendance: str = "did_not_attend") -> None:
    appointment = an_appointment(
        referral, plan, clinician, starts_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    appointments.do_record_attendance(
        referral=referral, acting_user=clinician, appointment=appointment, attendance=attendance
    )


def test_two_missed_appointments_in_a_row_flag_the_referral_and_the_queue(
    client, clinician, referral, plan
):
    missed(clinician, referral, plan, 14)
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    assert "Two missed appointments in a row" not in page
    missed(clinician, referral, plan, 7)
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    assert "Two missed appointments in a row" in page
    queue = client.get(reverse("wellbeing:queue")).content.decode()
    assert "Missed 2 appointments in a row" in queue


def test_attending_after_a_missed_one_clears_the_flag_and_cancellations_do_not_count(
    clinician, referral, plan
):
    missed(clinician, referral, plan, 21)
    missed(clinician, referral, plan, 14, "cancelled_by_staff")
    missed(clinician, referral, plan, 7)
    assert appointment_queries.missed_in_a_row([referral.pk]) == {referral.pk}
    missed(clinician, referral, plan, 1, "attended")
    assert appointment_queries.missed_in_a_row([referral.pk]) == set()


# --- The reminder -------------------------------------------------------------------------------


def a_working_day_before(day: datetime.date) -> datetime.date:
    before = day - datetime.timedelta(days=1)
    while not is_working_day(before):
        before -= datetime.timedelta(days=1)
    return before


def test_the_reminder_goes_once_the_working_day_before_and_says_only_that_there_is_one(
    referral, plan
):
    today = timezone.localdate() + datetime.timedelta(days=10)
    while not is_working_day(today):
        today += datetime.timedelta(days=1)
    tomorrow_working = add_working_days(today, 1)
    appointment = an_appointment(
        referral,
        plan,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(tomorrow_working, datetime.time(11))
        ),
    )
    (reminder,) = outreach.appointment_reminders(today)
    assert reminder.category == outreach.APPOINTMENTS
    assert reminder.context == {"path": reverse("wellbeing:my_hub")}
    assert str(appointment.pk) in reminder.idempotency_key
    assert outreach.appointment_reminders(a_working_day_before(today)) == []


def test_queueing_the_reminders_twice_makes_one_email(referral, plan):
    today = timezone.localdate() + datetime.timedelta(days=10)
    while not is_working_day(today):
        today += datetime.timedelta(days=1)
    an_appointment(
        referral,
        plan,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(add_working_days(today, 1), datetime.time(11))
        ),
    )
    for _run in range(2):
        with transaction.atomic(using=DB):
            queue(outreach.appointment_reminders(today))
    assert OutboxMessage.objects.using(DB).filter(category=outreach.APPOINTMENTS).count() == 1


def test_the_beat_task_queues_tomorrows_reminder_on_a_working_day(referral, plan):
    today = timezone.localdate()
    an_appointment(
        referral,
        plan,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(add_working_days(today, 1), datetime.time(23, 30))
        ),
    )
    expected = 1 if is_working_day(today) else 0
    assert tasks.remind_appointments() == expected
    assert tasks.remind_appointments() == expected  # built again, but the key is taken
    assert OutboxMessage.objects.using(DB).filter(category=outreach.APPOINTMENTS).count() == (
        expected
    )


def test_no_reminder_for_a_cancelled_or_completed_appointment(referral, plan):
    today = timezone.localdate() + datetime.timedelta(days=10)
    while not is_working_day(today):
        today += datetime.timedelta(days=1)
    starts_at = timezone.make_aware(
        datetime.datetime.combine(add_working_days(today, 1), datetime.time(11))
    )
    an_appointment(referral, plan, starts_at=starts_at, status=AppointmentStatus.CANCELLED)
    an_appointment(referral, plan, starts_at=starts_at, status=AppointmentStatus.COMPLETED)
    assert outreach.appointment_reminders(today) == []


# --- The member of staff ------------------------------------------------------------------------


def test_my_hub_shows_my_upcoming_appointment_and_i_can_ask_to_rearrange_it(
    client, sign_in, staff_member, referral, plan
):
    appointment = an_appointment(referral, plan, mode="video", place="")
    sign_in(staff_member)
    page = client.get(reverse("wellbeing:my_hub")).content.decode()
    assert "Your appointments" in page
    assert "The hub will send you the link to join" in page
    url = reverse("wellbeing:my_hub_appointment_change", args=[appointment.pk])
    response = client.post(url, {"change": "rearrange", "note": "Mornings suit me better."})
    assert response.status_code == 302
    appointment.refresh_from_db(using=DB)
    assert appointment.change_requested == "rearrange"
    assert appointment.change_request_note == "Mornings suit me better."


def test_the_clinician_sees_the_request_on_the_appointment(client, clinician, referral, plan):
    an_appointment(
        referral,
        plan,
        clinician,
        change_requested="cancel",
        change_requested_at=timezone.now(),
        change_request_note="I am on leave that week.",
    )
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    assert "They asked to cancel it" in page
    assert "I am on leave that week." in page
    mine = client.get(reverse("wellbeing:my_appointments")).content.decode()
    assert "They asked to cancel it" in mine


def test_nobody_can_ask_to_change_someone_elses_appointment(client, sign_in, referral, plan):
    appointment = an_appointment(referral, plan)
    sign_in(UserFactory(with_profile=True))
    url = reverse("wellbeing:my_hub_appointment_change", args=[appointment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"change": "cancel"}).status_code == 404
    appointment.refresh_from_db(using=DB)
    assert appointment.change_requested == ""


def test_asking_without_choosing_says_what_to_do(client, sign_in, staff_member, referral, plan):
    appointment = an_appointment(referral, plan)
    sign_in(staff_member)
    url = reverse("wellbeing:my_hub_appointment_change", args=[appointment.pk])
    response = client.post(url, {"change": ""})
    assert response.status_code == 400
    assert "Select whether you want to cancel or rearrange the appointment" in (
        response.content.decode()
    )


# --- My appointments and the next appointment of each referral ----------------------------------


def test_my_appointments_lists_those_awaiting_attendance_and_those_to_come(
    client, clinician, referral, plan
):
    an_appointment(referral, plan, clinician, starts_at=timezone.now() - datetime.timedelta(days=2))
    an_appointment(referral, plan, clinician)
    an_appointment(referral, plan)  # someone else's
    found = appointment_queries.my_appointments(clinician)
    assert len(found.awaiting_attendance.rows) == 1
    assert len(found.upcoming.rows) == 1
    page = client.get(reverse("wellbeing:my_appointments")).content.decode()
    assert referral.reference in page


def test_my_appointments_pages_by_key(clinician, referral, plan):
    start = timezone.now() + datetime.timedelta(days=1)
    Appointment.objects.using(DB).bulk_create(
        Appointment(
            referral=referral,
            plan=plan,
            clinician_ref=staff_ref_for(clinician.pk),
            starts_at=start + datetime.timedelta(hours=i),
            minutes=50,
            mode="phone",
        )
        for i in range(30)
    )
    first = appointment_queries.my_appointments(clinician).upcoming
    assert len(first.rows) == appointment_queries.MY_APPOINTMENTS_PAGE_SIZE
    second = appointment_queries.my_appointments(clinician, upcoming_after=first.next_cursor)
    assert len(second.upcoming.rows) == 5
    assert second.upcoming.rows[0].starts_at > first.rows[-1].starts_at
    assert second.upcoming.next_cursor == ""


def seed_appointments(clinician, referral, plan, count: int) -> None:
    now = timezone.now()
    Appointment.objects.using(DB).bulk_create(
        Appointment(
            referral=referral,
            plan=plan,
            clinician_ref=staff_ref_for(clinician.pk),
            starts_at=now + datetime.timedelta(hours=(i - count // 2) * 3 + 1),
            minutes=50,
            mode="video",
        )
        for i in range(count)
    )


def queries_for_my_appointments(client) -> tuple[int, int]:
    url = reverse("wellbeing:my_appointments")
    client.get(url)  # the first request settles the session's MFA and profile checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections[DB]) as confidential,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return len(default), len(confidential)


def test_my_appointments_costs_the_same_queries_for_1_or_500_and_writes_no_audit(
    client, clinician, referral, plan
):
    seed_appointments(clinician, referral, plan, 1)
    few = queries_for_my_appointments(client)
    seed_appointments(clinician, referral, plan, 499)
    many = queries_for_my_appointments(client)
    assert few == many
    assert not AuditEntry.objects.using(DB).exists()


def test_next_appointments_for_gives_each_referral_its_soonest_booked_one_in_one_query(
    staff_member, plan, referral
):
    other = a_referral_from(staff_member, status=ReferralStatus.IN_SUPPORT)
    other_plan = TherapyPlan.objects.using(DB).create(
        referral=other, modality="act", planned_sessions=4, therapist_ref="t" * 64
    )
    soon = an_appointment(referral, plan, starts_at=timezone.now() + datetime.timedelta(days=2))
    an_appointment(referral, plan, starts_at=timezone.now() + datetime.timedelta(days=9))
    an_appointment(
        referral,
        plan,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        status=AppointmentStatus.CANCELLED,
    )
    an_appointment(referral, plan, starts_at=timezone.now() - datetime.timedelta(days=1))
    theirs = an_appointment(
        other, other_plan, starts_at=timezone.now() + datetime.timedelta(days=5)
    )
    nobody = a_referral_from(staff_member, status=ReferralStatus.IN_SUPPORT)
    with CaptureQueriesContext(connections[DB]) as confidential:
        found = appointment_queries.next_appointments_for([referral.pk, other.pk, nobody.pk])
    assert len(confidential) == 1
    assert {pk: a.pk for pk, a in found.items()} == {referral.pk: soon.pk, other.pk: theirs.pk}


def test_the_place_is_asked_under_in_person_as_a_conditional_reveal(client, clinician, referral):
    page = client.get(reverse("wellbeing:referral_appointment_new", args=[referral.pk]))
    html = page.content.decode()
    # NHS.UK's conditional reveal: the radio controls the box; nhsuk-frontend hides it until
    # "In person" is chosen, and without JavaScript it shows.
    assert 'data-aria-controls="conditional-id_mode_0"' in html
    assert re.search(r'class="nhsuk-radios__conditional[^"]*" id="conditional-id_mode_0"', html)
    reveal = html[html.index('id="conditional-id_mode_0"') :]
    assert reveal.index('name="place"') < reveal.index('value="video"')


def test_someone_who_opted_out_of_appointment_reminders_is_not_emailed(
    referral, plan, staff_member, mailoutbox, settings
):
    settings.OUTREACH_QUIET_HOURS = (0, 0)
    OptOut.objects.using(DB).create(
        recipient_ref=staff_ref_for(staff_member.pk), category=outreach.APPOINTMENTS
    )
    today = timezone.localdate() + datetime.timedelta(days=10)
    while not is_working_day(today):
        today += datetime.timedelta(days=1)
    an_appointment(
        referral,
        plan,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(add_working_days(today, 1), datetime.time(11))
        ),
    )
    with transaction.atomic(using=DB):
        queue(outreach.appointment_reminders(today))
    row = OutboxMessage.objects.using(DB).get()
    delivery.deliver("wellbeing", [row.pk])
    row.refresh_from_db(using=DB)
    assert (row.status, row.skip_reason) == (Status.SKIPPED, SkipReason.OPTED_OUT)
    assert mailoutbox == []
