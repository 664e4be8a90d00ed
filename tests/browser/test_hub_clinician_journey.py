"""A member of staff refers themselves with the risk item answered; a hub clinician signs in with
their authenticator app, finds the referral first in the queue, takes it, records a contact
attempt and the rapid assessment with an onward referral, and sends a message; the member of
staff sees it all in my hub; the hub lead sees the referral counted in the hub reports."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from portal import roles
from portal.models import User
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    AuthenticatorApp,
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
    when_they_choose_from_the_menu,
    when_they_sign_in,
)
from tests.browser.test_clinician_mfa_journey import (
    then_they_are_asked_for_the_code_from_their_app,
    then_they_reach_the_home_page,
    when_they_enter_a_fresh_code,
)
from tests.browser.test_self_referral_journey import (
    given_a_signed_in_member_of_staff,
    then_they_are_shown_crisis_contacts,
    when_they_answer_the_questionnaires,
    when_they_finish_the_last_pages,
    when_they_give_their_contact_details,
    when_they_open_the_hub_and_start,
    when_they_send_it,
    when_they_skip_their_work_and_say_what_is_happening,
)
from tests.factories import PASSWORD, UserFactory, totp_for
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import OnwardStatus, Referral, ReferralStatus, Service

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

# The directory as wellbeing's data migration seeds it (the flush after a transactional test
# empties it, so the journey puts it back).
SEEDED_DIRECTORY = importlib.import_module("wellbeing.migrations.0007_seed_service_directory")
SERVICE = "NHS Talking Therapies"
CLINICIAN = "Casey Clinician"
LEAD = "Lee Hub-Lead"
HUB_MESSAGE = "Hello Robin, I am Casey from the Resilience Hub. I have referred you on today."


# --- Steps: the hub ---------------------------------------------------------------------------


def given_the_hub_and_its_service_directory() -> None:
    given_the_roles_and_objectives_exist()
    for fields in SEEDED_DIRECTORY.SERVICES:
        Service.objects.using("confidential").get_or_create(
            name=fields["name"], defaults={**fields, "active": True}
        )


def given_an_older_referral_that_is_not_urgent() -> Referral:
    referral: Referral = ReferralFactory(
        created_at=timezone.now() - timedelta(days=3), urgent=False
    )
    return referral


def given_a_hub_member_with_an_authenticator(role: str, name: str) -> tuple[User, AuthenticatorApp]:
    user = UserFactory(with_profile=True, roles=[role], with_totp=True)
    user.staff_profile.display_name = name
    user.staff_profile.save(update_fields=["display_name"])
    return user, AuthenticatorApp(totp_for(user).secret)


def when_they_sign_in_with_their_authenticator(
    page: Page, user: User, app: AuthenticatorApp
) -> None:
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    then_they_are_asked_for_the_code_from_their_app(page)
    when_they_enter_a_fresh_code(page, app)
    then_they_reach_the_home_page(page, user.staff_profile.display_name)


@contextmanager
def the_same_browser_without_javascript(
    browser: Browser, base_url: str, page: Page, problems: BrowserProblems
) -> Iterator[Page]:
    """The clinician's own session (its cookies), in a browser with JavaScript turned off."""
    with a_second_browser(
        browser,
        base_url,
        problems,
        java_script_enabled=False,
        storage_state=page.context.storage_state(),
    ) as without_javascript:
        yield without_javascript


# --- Steps: the clinician ---------------------------------------------------------------------


def when_they_open_the_queue(page: Page) -> None:
    when_they_choose_from_the_menu(page, "Hub queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    then_the_page_is_accessible(page)


def queue_rows(page: Page) -> Locator:
    """The queue's referrals: every row of its table but the header."""
    return page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("cell"))


def then_the_referral_is_first_and_marked_urgent(page: Page, reference: str, older: str) -> None:
    rows = queue_rows(page)
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(reference)
    expect(rows.first).to_contain_text("Urgent")
    expect(rows.first).to_contain_text("Nobody yet")
    expect(rows.nth(1)).to_contain_text(older)
    expect(rows.nth(1)).to_contain_text("No flag")


def when_they_open_the_referral_and_take_it(page: Page, reference: str) -> None:
    queue_rows(page).first.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Urgent: a questionnaire answer showed risk")
    expect(main).to_contain_text("Long shifts, and I cannot switch off.")
    then_the_page_is_accessible(page)
    main.get_by_role("button", name="Assign to me").click()
    then_they_see_the_message(page, f"You now hold referral {reference}.")
    held_by = page.get_by_role("definition").filter(has_text=re.compile(r"^You"))
    expect(held_by).to_have_count(1)
    expect(main.get_by_role("button", name="Assign to me")).to_have_count(0)
    then_the_page_is_accessible(page)


def when_they_record_that_they_reached_them_by_phone(page: Page, reference: str) -> None:
    page.get_by_role("link", name="A contact attempt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact attempt")
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="How did you try to contact them?").get_by_label(
        "Phone call"
    ).check()
    page.get_by_role("group", name="What happened?").get_by_label("Reached them").check()
    page.get_by_role("button", name="Record the attempt").click()
    then_they_see_the_message(page, f"Contact attempt recorded for referral {reference}.")
    expect(page.get_by_role("main")).to_contain_text("Being assessed")
    expect(page.get_by_role("main")).to_contain_text("Phone call")
    then_the_page_is_accessible(page)


def when_they_send_the_assessment_empty(page: Page) -> None:
    page.get_by_role("link", name="The rapid assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the rapid assessment")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Save the assessment").click()
    then_there_is_a_problem(
        page,
        "Enter your assessment notes",
        "Select the risk level",
        "Enter a formulation",
        "Select the outcome",
    )
    then_the_page_is_accessible(page)


def then_the_same_page_is_accessible(plain: Page, hub: Page) -> None:
    """axe for a page seen without JavaScript, run where JavaScript works.

    axe cannot run in a context with JavaScript turned off (its queue waits on timers that never
    fire there), so the same address is opened in the clinician's other browser and checked.
    """
    hub.goto(plain.url)
    then_the_page_is_accessible(hub)


def when_they_filter_the_queue_to_urgent_only(
    plain: Page, hub: Page, reference: str, older: str
) -> None:
    plain.goto("/hub/queue/")
    expect(plain.get_by_role("heading", level=1)).to_have_text("Triage queue")
    expect(queue_rows(plain)).to_have_count(2)
    plain.get_by_label("Risk", exact=True).select_option(label="Urgent or high risk only")
    plain.get_by_role("button", name="Show referrals").click()
    expect(plain).to_have_url(re.compile(r"[?&]risk=high(&|$)"))
    expect(plain.get_by_label("Risk", exact=True)).to_have_value("high")
    rows = queue_rows(plain)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    expect(plain.get_by_role("main")).not_to_contain_text(older)
    then_the_same_page_is_accessible(plain, hub)


def when_they_record_the_assessment_with_an_onward_referral(
    plain: Page, hub: Page, reference: str
) -> None:
    """Sent without JavaScript: every outcome's questions are on the page, and the server says
    what is missing. (The error state was checked with axe when it was sent empty.)"""
    plain.get_by_role("link", name=reference).click()
    plain.get_by_role("link", name="The rapid assessment").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Record the rapid assessment")
    plain.get_by_role("group", name="Outcome").get_by_label(
        "Onward referral to another service"
    ).check()
    plain.get_by_role("group", name="Risk level").get_by_label("Moderate").check()
    plain.get_by_role("button", name="Save the assessment").click()
    expect(plain).to_have_title(re.compile(r"^Error: "))
    summary = plain.get_by_role("alert").filter(has_text="There is a problem")
    for error in (
        "Enter your assessment notes",
        "Enter a safety plan: it is needed when risk is moderate or high",
        "Enter a formulation",
        "Select the service to refer to",
    ):
        expect(summary.get_by_role("link", name=error, exact=True)).to_be_visible()
    expect(plain.get_by_role("group", name="Risk level").get_by_label("Moderate")).to_be_checked()

    plain.get_by_label("Assessment notes", exact=True).fill("Low mood after night shifts.")
    plain.get_by_label("Safety plan", exact=True).fill("Calls her sister; knows 116 123 and 111.")
    plain.get_by_label("Formulation", exact=True).fill("Burnout with low mood; no active plans.")
    plain.get_by_label("Service", exact=True).select_option(label=SERVICE)
    plain.get_by_role("button", name="Save the assessment").click()
    then_they_see_the_message(plain, f"Rapid assessment saved for referral {reference}.")
    main = plain.get_by_role("main")
    expect(main).to_contain_text("Receiving support")
    expect(main).to_contain_text("Assessed risk: moderate")
    expect(main).to_contain_text(f"Referred to {SERVICE}: sent")
    then_the_same_page_is_accessible(plain, hub)


def when_they_update_the_onward_referral(page: Page, reference: str) -> None:
    page.get_by_role("link", name=f"Update the referral to {SERVICE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update an onward referral")
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="Status").get_by_label("Accepted").check()
    page.get_by_role("button", name="Save the status").click()
    then_there_is_a_problem(page, "Enter the date of this status")
    then_the_page_is_accessible(page)
    today = timezone.localdate()
    date = page.get_by_role("group", name="Date of this status")
    date.get_by_label("Day", exact=True).fill(str(today.day))
    date.get_by_label("Month", exact=True).fill(str(today.month))
    date.get_by_label("Year", exact=True).fill(str(today.year))
    page.get_by_role("button", name="Save the status").click()
    then_they_see_the_message(page, f"Onward referral updated for referral {reference}.")
    expect(page.get_by_role("main")).to_contain_text(f"Referred to {SERVICE}: accepted")
    then_the_page_is_accessible(page)


def when_they_send_a_secure_message(page: Page, reference: str) -> None:
    page.get_by_role("link", name="Send a secure message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a secure message")
    then_the_page_is_accessible(page)
    page.get_by_label("Message", exact=True).fill(HUB_MESSAGE)
    page.get_by_role("button", name="Send the message").click()
    then_they_see_the_message(page, f"Message sent for referral {reference}.")
    then_the_page_is_accessible(page)


# --- Steps: the member of staff, and the lead -------------------------------------------------


def then_they_see_their_support_and_the_message_in_my_hub(page: Page, reference: str) -> None:
    when_they_choose_from_the_menu(page, "My hub")
    if page.get_by_role("heading", name="Confirm it is you").is_visible():
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My hub")
    card = page.get_by_role("region", name=f"Referral {reference}")
    expect(card).to_contain_text("Receiving support")
    expect(card).to_contain_text("Rapid assessment completed")
    expect(card).to_contain_text("Referred to another service")
    onward = card.get_by_role("definition").filter(has_text="Accepted")
    expect(onward).to_contain_text("Referral sent on")
    expect(card.get_by_role("term").filter(has_text=SERVICE)).to_be_visible()
    # Nothing the clinician wrote about them is shown, nor that the hub treated it as urgent.
    expect(card).not_to_contain_text("Burnout with low mood")
    expect(card).not_to_contain_text("Urgent")
    then_the_page_is_accessible(page)

    card.get_by_role("link", name=f"1 new message about referral {reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    message = page.get_by_role("article", name=re.compile(f"{CLINICIAN}, Resilience Hub"))
    expect(message).to_contain_text(HUB_MESSAGE)
    then_the_page_is_accessible(page)


def then_the_lead_sees_the_referral_counted_in_the_reports(page: Page) -> None:
    when_they_choose_from_the_menu(page, "Hub queue")
    page.get_by_role("link", name="Hub reports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hub reports")
    then_the_page_is_accessible(page)
    outcomes = page.get_by_role(
        "table", name=re.compile(r"^Figures: outcomes of rapid assessments")
    )
    onward = outcomes.get_by_role("row").filter(has_text="Onward referral")
    # One referral went on to another service: a count under 5 is never shown as itself.
    expect(onward.get_by_role("cell")).to_have_text(["<5"])
    by_month = page.get_by_role("table", name=re.compile(r"^Figures: referrals by month"))
    expect(by_month.get_by_role("row").filter(has_text="Total")).to_contain_text("<5")
    expect(page.get_by_role("main")).not_to_contain_text("Robin Example")


# --- The journey ------------------------------------------------------------------------------


def test_an_urgent_self_referral_is_assessed_referred_on_and_reported(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
) -> None:
    given_the_hub_and_its_service_directory()
    older = given_an_older_referral_that_is_not_urgent()
    clinician, clinician_app = given_a_hub_member_with_an_authenticator(
        roles.HUB_CLINICIAN, CLINICIAN
    )
    lead, lead_app = given_a_hub_member_with_an_authenticator(roles.HUB_LEAD, LEAD)

    # A member of staff refers themselves, answering the questionnaire's risk item.
    given_a_signed_in_member_of_staff(page)
    when_they_open_the_hub_and_start(page)
    when_they_give_their_contact_details(page)
    when_they_skip_their_work_and_say_what_is_happening(page)
    when_they_answer_the_questionnaires(page, risk=True)
    when_they_finish_the_last_pages(page)
    reference = when_they_send_it(page)
    then_they_are_shown_crisis_contacts(page)

    with a_second_browser(browser, live_server.url, browser_problems) as hub:
        when_they_sign_in_with_their_authenticator(hub, clinician, clinician_app)
        when_they_open_the_queue(hub)
        then_the_referral_is_first_and_marked_urgent(hub, reference, older.reference)
        when_they_open_the_referral_and_take_it(hub, reference)
        when_they_record_that_they_reached_them_by_phone(hub, reference)
        when_they_send_the_assessment_empty(hub)
        with the_same_browser_without_javascript(
            browser, live_server.url, hub, browser_problems
        ) as plain:
            when_they_filter_the_queue_to_urgent_only(plain, hub, reference, older.reference)
            when_they_record_the_assessment_with_an_onward_referral(plain, hub, reference)
        when_they_update_the_onward_referral(hub, reference)
        when_they_send_a_secure_message(hub, reference)

    then_they_see_their_support_and_the_message_in_my_hub(page, reference)

    with a_second_browser(browser, live_server.url, browser_problems) as lead_page:
        when_they_sign_in_with_their_authenticator(lead_page, lead, lead_app)
        then_the_lead_sees_the_referral_counted_in_the_reports(lead_page)

    referral = Referral.objects.using("confidential").get(reference=reference)
    assert referral.status == ReferralStatus.IN_SUPPORT
    assert referral.assigned_name == CLINICIAN
    assert referral.onward.get().status == OnwardStatus.ACCEPTED
