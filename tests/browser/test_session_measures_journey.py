"""Measures at every session (issue 14): a hub clinician records attendance at an appointment
with that day's PHQ-9 and GAD-7 (refused without PHQ-9 question 9), and the referral page shows
the reliable improvement in words beside the chart; the member of staff answers the questions
before their next session in my hub and reads their own scores in plain language. Every page is
checked with axe."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from portal.models import User
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
)
from tests.browser.test_appointments_journey import given_a_clinician
from tests.browser.test_new_pages_are_accessible import (
    when_they_sign_in_with_their_authenticator,
    when_they_sign_in_with_their_password,
)
from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import a_referral_from
from tests.wellbeing.factories import ScreeningResultFactory
from wellbeing.models import (
    Appointment,
    Referral,
    ReferralStatus,
    ScoreSource,
    TherapyPlan,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

DB = "confidential"


# --- Steps ------------------------------------------------------------------------------------


def given_someone_in_therapy_with_a_session_past_and_one_tomorrow() -> tuple[User, Referral]:
    member: User = UserFactory(with_profile=True)
    referral = a_referral_from(
        member,
        status=ReferralStatus.IN_SUPPORT,
        created_at=timezone.now() - datetime.timedelta(days=30),
    )
    for code, total, band in (("PHQ-9", 15, "moderately severe"), ("GAD-7", 12, "moderate")):
        ScreeningResultFactory(
            referral=referral,
            instrument=code,
            answers=[],
            total=total,
            band=band,
            taken_at=referral.created_at,
            source=ScoreSource.SELF_REFERRAL,
        )
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="t" * 64,
        started_on=timezone.localdate() - datetime.timedelta(days=14),
    )
    for hours in (-1, 20):
        Appointment.objects.using(DB).create(
            referral=referral,
            plan=plan,
            clinician_ref="c" * 64,
            clinician_name="Casey Clinician",
            starts_at=timezone.now() + datetime.timedelta(hours=hours),
            minutes=50,
            mode="video",
        )
    return member, referral


def when_they_record_attendance_with_the_sessions_scores(page: Page, referral: Referral) -> None:
    page.goto(reverse("wellbeing:referral", args=[referral.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(referral.reference)
    page.get_by_role("link", name=re.compile("^Record attendance")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record attendance at an appointment")
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="What happened?").get_by_label("Attended").check()
    page.get_by_label("PHQ-9 total (optional)").fill("8")
    page.get_by_label("GAD-7 total (optional)").fill("22")
    page.get_by_role("button", name="Record attendance").click()
    then_there_is_a_problem(
        page,
        "Select the answer to PHQ-9 question 9: a total alone cannot show risk",
        "The GAD-7 total must be a whole number from 0 to 21",
    )
    then_the_page_is_accessible(page)
    page.get_by_role("group", name=re.compile("^PHQ-9 question 9")).get_by_label(
        "Not at all"
    ).check()
    page.get_by_label("GAD-7 total (optional)").fill("6")
    page.get_by_role("button", name="Record attendance").click()
    then_they_see_the_message(page, f"Attendance recorded for referral {referral.reference}.")


def then_the_referral_page_shows_reliable_improvement(page: Page) -> None:
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Outcome so far")).to_be_visible()
    expect(
        main.get_by_text("Reliable improvement on PHQ-9 (15 to 8) and GAD-7 (12 to 6)")
    ).to_be_visible()
    expect(main.get_by_text("Recovered (reliable recovery)")).to_be_visible()
    expect(main.get_by_role("table", name=re.compile("^Therapy session"))).to_be_visible()
    then_the_page_is_accessible(page)


def when_the_member_of_staff_answers_before_their_session(page: Page, member: User) -> None:
    when_they_sign_in_with_their_password(page, member)
    page.goto(reverse("wellbeing:my_hub"))
    expect(page.get_by_role("heading", name=re.compile("^Before your session on"))).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=re.compile("^Answer the questions before your session")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Before your session on")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Send my answers").click()
    then_there_is_a_problem(page, "Low mood (PHQ-9): Select an answer for question 1")
    then_the_page_is_accessible(page)
    # Several days to the first four PHQ-9 questions, not at all to the rest (question 9 too);
    # several days to every GAD-7 question.
    for number in range(1, 10):
        value = "1" if number <= 4 else "0"
        page.locator(f'input[name="phq-9-item_{number}"][value="{value}"]').check()
    for number in range(1, 8):
        page.locator(f'input[name="gad-7-item_{number}"][value="1"]').check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answers sent")
    expect(page.get_by_text("If you are thinking about ending your life")).to_have_count(0)
    then_the_page_is_accessible(page)


def then_they_read_their_scores_in_plain_words(page: Page) -> None:
    page.get_by_role("link", name="Go to my hub").click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Your questionnaire scores")).to_be_visible()
    expect(
        main.get_by_text(
            "Your low mood score has gone down from 15 when you referred yourself to 4."
        )
    ).to_be_visible()
    expect(
        main.get_by_text(
            "Your anxiety score has gone down from 12 when you referred yourself to 7."
        )
    ).to_be_visible()
    table = main.get_by_role("table", name=re.compile("^Your scores over time"))
    expect(table).to_contain_text("15 out of 27")
    for label in ("moderately severe", "Recovered", "Reliable", "caseness"):
        expect(main.get_by_text(label)).to_have_count(0)
    expect(main.get_by_role("heading", name=re.compile("^Before your session on"))).to_have_count(0)
    then_the_page_is_accessible(page)


# --- The journey ------------------------------------------------------------------------------


def test_session_scores_show_as_reliable_improvement_and_in_plain_words_in_my_hub(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
) -> None:
    given_the_roles_and_objectives_exist()
    clinician, app = given_a_clinician()
    member, referral = given_someone_in_therapy_with_a_session_past_and_one_tomorrow()

    when_they_sign_in_with_their_authenticator(page, clinician, app)
    when_they_record_attendance_with_the_sessions_scores(page, referral)
    then_the_referral_page_shows_reliable_improvement(page)

    with a_second_browser(browser, live_server.url, browser_problems) as member_page:
        when_the_member_of_staff_answers_before_their_session(member_page, member)
        then_they_read_their_scores_in_plain_words(member_page)
