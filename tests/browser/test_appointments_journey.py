"""A hub clinician books a therapy appointment for someone in direct therapy; the beat task
queues the reminder the working day before and the email says only that there is an
appointment; the member of staff sees it in my hub and asks to rearrange it; the clinician sees
the request; after the appointment the clinician finds it in "My appointments" and records
that it was attended. Every page is checked with axe."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from portal import roles
from portal.models import User
from portal.outbox import delivery
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    AuthenticatorApp,
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
)
from tests.browser.test_new_pages_are_accessible import (
    when_they_sign_in_with_their_authenticator,
    when_they_sign_in_with_their_password,
)
from tests.factories import UserFactory, totp_for
from tests.wellbeing.clinical_helpers import a_referral_from
from wellbeing import tasks
from wellbeing.models import (
    Appointment,
    AppointmentStatus,
    OutboxMessage,
    Referral,
    ReferralStatus,
    TherapyPlan,
)
from wellbeing.working_days import add_working_days, is_working_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

DB = "confidential"


def a_working_day_next_week() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=7)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


# --- Steps ------------------------------------------------------------------------------------


def given_a_clinician() -> tuple[User, AuthenticatorApp]:
    user: User = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    user.staff_profile.display_name = "Casey Clinician"
    user.staff_profile.save()
    return user, AuthenticatorApp(totp_for(user).secret)


def given_someone_in_direct_therapy() -> tuple[User, Referral]:
    member: User = UserFactory(with_profile=True)
    referral = a_referral_from(
        member,
        status=ReferralStatus.IN_SUPPORT,
        created_at=timezone.now() - datetime.timedelta(days=21),
    )
    TherapyPlan.objects.using(DB).create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="t" * 64,
        started_on=timezone.localdate() - datetime.timedelta(days=14),
    )
    return member, referral


def when_they_open_the_referral(page: Page, referral: Referral) -> None:
    page.goto(reverse("wellbeing:referral", args=[referral.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)


def when_they_book_an_appointment_empty_then_filled(page: Page, day: datetime.date) -> None:
    page.get_by_role("link", name="Book a therapy appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a therapy appointment")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Book the appointment").click()
    then_there_is_a_problem(
        page,
        "Enter the date of the appointment",
        "Enter the start time, for example 14:30",
        "Select how long the appointment is",
        "Select how the appointment will happen",
    )
    then_the_page_is_accessible(page)
    date = page.get_by_role("group", name="Date", exact=True)
    date.get_by_label("Day", exact=True).fill(str(day.day))
    date.get_by_label("Month", exact=True).fill(str(day.month))
    date.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Start time", exact=True).fill("10:00")
    page.get_by_role("group", name="Length").get_by_label("50 minutes").check()
    page.get_by_role("group", name="How will it happen?").get_by_label("In person").check()
    page.get_by_label("Where", exact=True).fill("Wellbeing Centre, room 4")
    page.get_by_role("button", name="Book the appointment").click()


def then_the_appointment_is_on_the_referral(page: Page, referral: Referral) -> None:
    then_they_see_the_message(page, f"Appointment booked for referral {referral.reference}.")
    appointments = page.get_by_role("main")
    expect(appointments.get_by_text("(50 minutes), in person")).to_be_visible()
    expect(appointments.get_by_text("Wellbeing Centre, room 4")).to_be_visible()
    then_the_page_is_accessible(page)


def then_the_reminder_email_says_only_that_there_is_an_appointment(day: datetime.date) -> None:
    reminder_day = day - datetime.timedelta(days=1)
    while not is_working_day(reminder_day):
        reminder_day -= datetime.timedelta(days=1)
    assert add_working_days(reminder_day, 1) == day
    assert tasks.remind_appointments(on=reminder_day.isoformat()) == 1
    assert tasks.remind_appointments(on=reminder_day.isoformat()) == 1  # built, not queued again
    rows = list(OutboxMessage.objects.using(DB).filter(category="hub_appointments"))
    assert len(rows) == 1
    delivery.deliver("wellbeing", [row.pk for row in rows])
    (email,) = mail.outbox
    assert email.subject == "Reminder: your appointment with the Resilience Hub"
    assert reverse("wellbeing:my_hub") in email.body
    for detail in ("Wellbeing Centre", "10:00", "Casey", "50 minutes", f"{day:%B}"):
        assert detail not in email.body


def when_the_member_of_staff_asks_to_rearrange_it(page: Page, member: User) -> None:
    when_they_sign_in_with_their_password(page, member)
    page.goto(reverse("wellbeing:my_hub"))
    expect(page.get_by_role("heading", name="Your appointments")).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=re.compile("^Ask to cancel or rearrange")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel or rearrange an appointment")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Send my request").click()
    then_there_is_a_problem(page, "Select whether you want to cancel or rearrange the appointment")
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="What would you like to do?").get_by_label(
        "Rearrange it"
    ).check()
    page.get_by_label("Anything the hub should know (optional)").fill("Afternoons suit me.")
    page.get_by_role("button", name="Send my request").click()
    then_they_see_the_message(page, "Your request was sent to the Resilience Hub.")


def then_the_clinician_sees_the_request(page: Page, referral: Referral) -> None:
    when_they_open_the_referral(page, referral)
    expect(page.get_by_text("They asked to rearrange it")).to_be_visible()
    expect(page.get_by_text("Afternoons suit me.")).to_be_visible()


def then_the_move_and_cancel_pages_are_accessible(page: Page, referral: Referral) -> None:
    appointment = Appointment.objects.using(DB).get()
    page.goto(reverse("wellbeing:referral_appointment_move", args=[referral.pk, appointment.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Move a therapy appointment")
    expect(page.get_by_label("Start time", exact=True)).to_have_value("10:00")
    then_the_page_is_accessible(page)
    page.goto(reverse("wellbeing:referral_appointment_cancel", args=[referral.pk, appointment.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel a therapy appointment")
    then_the_page_is_accessible(page)


def given_the_appointment_has_happened() -> None:
    # Time passes: the appointment was an hour ago.
    Appointment.objects.using(DB).update(starts_at=timezone.now() - datetime.timedelta(hours=1))


def when_they_record_attendance_from_my_appointments(page: Page, referral: Referral) -> None:
    page.goto(reverse("wellbeing:my_appointments"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My appointments")
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=referral.reference).click()
    page.get_by_role("link", name=re.compile("^Record attendance")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance at an appointment")
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="What happened?").get_by_label("Attended").check()
    page.get_by_role("button", name="Record attendance").click()
    then_they_see_the_message(page, f"Attendance recorded for referral {referral.reference}.")
    then_the_page_is_accessible(page)


# --- The journey ------------------------------------------------------------------------------


def test_booking_a_reminder_a_request_to_rearrange_and_recording_attendance(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems, settings
) -> None:
    settings.OUTREACH_QUIET_HOURS = (0, 0)  # the test may run at night
    given_the_roles_and_objectives_exist()
    clinician, app = given_a_clinician()
    member, referral = given_someone_in_direct_therapy()
    day = a_working_day_next_week()

    when_they_sign_in_with_their_authenticator(page, clinician, app)
    when_they_open_the_referral(page, referral)
    when_they_book_an_appointment_empty_then_filled(page, day)
    then_the_appointment_is_on_the_referral(page, referral)

    then_the_reminder_email_says_only_that_there_is_an_appointment(day)

    with a_second_browser(browser, live_server.url, browser_problems) as member_page:
        when_the_member_of_staff_asks_to_rearrange_it(member_page, member)
    then_the_clinician_sees_the_request(page, referral)
    then_the_move_and_cancel_pages_are_accessible(page, referral)

    given_the_appointment_has_happened()
    when_they_record_attendance_from_my_appointments(page, referral)
    appointment = Appointment.objects.using(DB).get()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert appointment.session is not None
