"""A hub clinician opens the triage queue: an urgent referral counts down in hours, on every day,
and says in words when it is past its target; they record a voicemail for someone who asked for
none, are stopped beside the answer, give the reason, and the referral's timeline shows it.
Every page is checked with axe (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import User
from tests.browser.steps import (
    AuthenticatorApp,
    then_the_page_is_accessible,
    then_there_is_a_problem,
)
from tests.browser.test_new_pages_are_accessible import (
    given_someone_with_an_authenticator,
    when_they_sign_in_with_their_authenticator,
)
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import Referral

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

VOICEMAIL_ERROR = (
    "They asked the hub not to leave a voicemail. Select why you left one, or select what else "
    "happened"
)


# --- Steps --------------------------------------------------------------------------------------


def given_an_urgent_referral_waiting_for(hours: float, reference: str) -> Referral:
    referral: Referral = ReferralFactory(
        reference=reference,
        urgent=True,
        voicemail_ok=False,
        created_at=timezone.now() - timedelta(hours=hours),
    )
    return referral


def given_a_routine_referral(reference: str) -> Referral:
    referral: Referral = ReferralFactory(reference=reference, created_at=timezone.now())
    return referral


def when_they_open_the_queue(page: Page) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Hub queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")


def then_the_row_says(page: Page, reference: str, *words: str) -> None:
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    for text in words:
        expect(row).to_contain_text(text)


def when_they_record_a_voicemail(page: Page, referral: Referral) -> None:
    page.goto(reverse("wellbeing:referral_contact", args=[referral.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact attempt")
    page.get_by_role("group", name="How did you try to contact them?").get_by_label(
        "Phone call"
    ).check()
    page.get_by_role("group", name="What happened?").get_by_label("Left a voicemail").check()
    page.get_by_role("main").get_by_role("button", name="Record the attempt").click()


def when_they_give_the_reason_and_send_again(page: Page) -> None:
    page.get_by_role(
        "group", name="They asked the hub not to leave a voicemail. If you left one, why?"
    ).get_by_label("A voicemail was needed for their safety").check()
    page.get_by_role("main").get_by_role("button", name="Record the attempt").click()


# --- The journey ----------------------------------------------------------------------------------


def test_an_urgent_referral_counts_down_in_hours_and_a_voicemail_against_their_wish_needs_a_reason(
    page: Page, live_server
) -> None:
    clinician: User
    app: AuthenticatorApp
    clinician, app = given_someone_with_an_authenticator(roles.HUB_CLINICIAN)
    late = given_an_urgent_referral_waiting_for(30.5, "RH-URG-LATE")
    given_an_urgent_referral_waiting_for(2.5, "RH-URG-NEW")
    given_a_routine_referral("RH-ROUTINE")

    when_they_sign_in_with_their_authenticator(page, clinician, app)
    when_they_open_the_queue(page)
    then_the_row_says(page, "RH-URG-LATE", "Past target by 6 hours", "Urgent: 24-hour target")
    then_the_row_says(page, "RH-URG-NEW", "21 hours left")
    then_the_row_says(page, "RH-ROUTINE", "working days left")
    then_the_page_is_accessible(page)

    when_they_record_a_voicemail(page, late)
    then_there_is_a_problem(page, VOICEMAIL_ERROR)
    then_the_page_is_accessible(page)
    when_they_give_the_reason_and_send_again(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("RH-URG-LATE")
    expect(page.get_by_role("main")).to_contain_text("A voicemail was needed for their safety")
    then_the_page_is_accessible(page)
