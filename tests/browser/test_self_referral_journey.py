"""A member of staff refers themselves to the Resilience Hub, page by page, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import then_the_page_is_accessible, when_they_sign_in
from tests.factories import PASSWORD, UserFactory
from wellbeing.models import Referral, ReferralDraft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

RISK_ITEM = "9. Thoughts that you would be better off dead or of hurting yourself in some way"
CRISIS_HEADING = "If you are thinking about ending your life, get help now"


# --- Steps ------------------------------------------------------------------------------------


def given_a_signed_in_member_of_staff(page: Page) -> None:
    user = UserFactory(with_profile=True)
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def when_they_open_the_hub_and_start(page: Page) -> None:
    page.goto("/hub/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Resilience Hub")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"contact you by \w+day \d+ \w+"))
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Refer yourself").click()


def when_they_continue(page: Page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


def when_they_give_their_contact_details(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("How can the hub contact you?")
    when_they_continue(page)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("link", name="Enter your full name")).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_label("Full name").fill("Robin Example")
    page.get_by_label("Phone number").fill("07700 900 982")
    expect(page.get_by_label("Email address")).not_to_have_value("")
    page.get_by_role("group", name="Can the hub leave you a voicemail?").get_by_label("No").check()
    when_they_continue(page)


def when_they_skip_their_work_and_say_what_is_happening(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your work")
    then_the_page_is_accessible(page)
    when_they_continue(page)
    then_the_page_is_accessible(page)
    page.get_by_label("What has been happening?").fill("Long shifts, and I cannot switch off.")
    when_they_continue(page)


def when_they_answer_the_questionnaire(page: Page, *, risk: bool = False) -> None:
    """The first answer in every question's group; the risk item answered if asked."""
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questionnaire")
    for group in page.get_by_role("group").all():
        group.get_by_role("radio").first.check()
    if risk and page.get_by_role("group", name=RISK_ITEM).count():
        page.get_by_role("group", name=RISK_ITEM).get_by_label("Several days").check()
    when_they_continue(page)


def when_they_answer_the_questionnaires(
    page: Page, *, risk: bool = False, something_traumatic: str = "Yes"
) -> None:
    # The first questionnaire is checked for accessibility, with and without errors.
    then_the_page_is_accessible(page)
    page.get_by_role("group").first.get_by_role("radio").first.check()
    when_they_continue(page)
    expect(
        page.get_by_role("alert").get_by_role("link", name="Select an answer for question 2")
    ).to_be_visible()
    expect(page.get_by_role("group").first.get_by_role("radio").first).to_be_checked()
    then_the_page_is_accessible(page)
    when_they_answer_the_questionnaire(page, risk=risk)
    if risk:
        then_they_are_shown_crisis_contacts(page)
        page.get_by_role("button", name="Continue your referral").click()
    when_they_answer_the_questionnaire(page)
    when_they_say_whether_something_traumatic_happened(page, something_traumatic)
    # The PCL-5 is asked only after "Yes" or "Prefer not to say"; then AUDIT-C and WSAS.
    for _ in range(2 if something_traumatic == "No" else 3):
        when_they_answer_the_questionnaire(page)


def when_they_say_whether_something_traumatic_happened(page: Page, answer: str) -> None:
    question = "Has something traumatic or very distressing ever happened to you?"
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    when_they_continue(page)
    expect(
        page.get_by_role("alert").get_by_role("link", name="Select yes, no or prefer not to say")
    ).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    when_they_continue(page)


def then_they_are_shown_crisis_contacts(page: Page) -> None:
    expect(page.get_by_role("heading", name=CRISIS_HEADING)).to_be_visible()
    card = page.get_by_role("main")
    for contact in ("116 123", "NHS 111", "999"):
        expect(card.get_by_role("link", name=contact)).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_finish_the_last_pages(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How did you hear about the Resilience Hub?"
    )
    then_the_page_is_accessible(page)
    page.get_by_label("A colleague").check()
    when_they_continue(page)
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="What is your sex? (optional)").get_by_label(
        "Prefer not to say"
    ).check()
    when_they_continue(page)
    then_the_page_is_accessible(page)
    page.get_by_role("checkbox").check()
    when_they_continue(page)


def then_they_check_and_change_their_answers(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Change team or department").click()
    page.get_by_label("Team or department (optional)").fill("Ward 7")
    page.get_by_role("button", name="Save and return to check your answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.get_by_role("main")).to_contain_text("Ward 7")


def when_they_send_it(page: Page, *, double_click: bool = False) -> str:
    button = page.get_by_role("button", name="Send referral")
    # An impatient double click still sends one referral.
    if double_click:
        button.dblclick()
    else:
        button.click()
    # Sending writes the referral, its scores, timeline and audit entry in one transaction, and
    # the double click's second request waits for the first: allow for a busy CI machine.
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent", timeout=20_000)
    reference = page.locator(".nhsuk-panel__body strong").inner_text()
    assert re.fullmatch(r"RH-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    # A routine referral is promised a working day; an urgent one, hours (ADR 0026).
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(r"by \w+day \d+ \w+|within \d+ hours")
    )
    then_the_page_is_accessible(page)
    return reference


# --- Journeys ---------------------------------------------------------------------------------


def test_a_member_of_staff_refers_themselves(page: Page):
    given_a_signed_in_member_of_staff(page)
    when_they_open_the_hub_and_start(page)
    when_they_give_their_contact_details(page)
    when_they_skip_their_work_and_say_what_is_happening(page)
    when_they_answer_the_questionnaires(page, something_traumatic="No")
    when_they_finish_the_last_pages(page)
    then_they_check_and_change_their_answers(page)
    expect(page.get_by_role("main")).to_contain_text("Not asked: said no traumatic event")
    reference = when_they_send_it(page, double_click=True)

    referral = Referral.objects.using("confidential").get()
    assert (referral.reference, referral.urgent, referral.team) == (reference, False, "Ward 7")
    assert not referral.screenings.filter(instrument="PCL-5").exists()
    assert not ReferralDraft.objects.using("confidential").exists()


def test_a_risk_answer_shows_crisis_contacts_at_once_and_marks_the_referral_urgent(page: Page):
    given_a_signed_in_member_of_staff(page)
    when_they_open_the_hub_and_start(page)
    when_they_give_their_contact_details(page)
    when_they_skip_their_work_and_say_what_is_happening(page)
    when_they_answer_the_questionnaires(page, risk=True)
    when_they_finish_the_last_pages(page)
    expect(page.get_by_role("heading", name=CRISIS_HEADING)).to_be_visible()
    when_they_send_it(page)
    then_they_are_shown_crisis_contacts(page)
    expect(page.get_by_role("main")).to_contain_text("treat your referral as urgent")

    referral = Referral.objects.using("confidential").get()
    assert referral.urgent
    assert referral.screenings.get(instrument="PHQ-9").risk
