"""A new member of staff creates an account with their work email and tells us about their role."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.mail import EmailMessage
from playwright.sync_api import Page, expect

from portal.accounts import signup_refusal_message
from portal.models import StaffProfile, User
from tests.browser.steps import (
    then_the_page_is_accessible,
    then_they_are_signed_out,
    when_they_sign_out,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

WORK_EMAIL = "new.starter@example.nhs.uk"
PERSONAL_EMAIL = "someone@gmail.com"
PASSWORD = "kettle-on-ward-seven-2026"
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
CARES_FOR_BOTH = "How often do you care for people with both physical and mental health needs?"


# --- Steps ------------------------------------------------------------------------------------


def given_a_visitor_on_the_home_page(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mind & Body Staff Portal")
    then_the_page_is_accessible(page)


def when_they_choose_to_create_an_account(page: Page) -> None:
    page.get_by_role("link", name="Create an account with your work email address").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    then_the_page_is_accessible(page)


def when_they_sign_up_with(page: Page, *, email: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def then_they_are_told_to_check_their_email(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    then_the_page_is_accessible(page)


def the_confirmation_link_in_their_mailbox(mailbox: list[EmailMessage], email: str) -> str:
    sent = [message for message in mailbox if email in message.to]
    assert len(sent) == 1, f"expected one email to {email}, found {[m.subject for m in mailbox]}"
    body = str(sent[0].body)
    link = CONFIRMATION_LINK.search(body)
    assert link, f"no confirmation link in the email:\n{body}"
    return link.group(0)


def when_they_open_the_link_and_confirm(page: Page, link: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    expect(page.get_by_role("main")).to_contain_text(WORK_EMAIL)
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Confirm email address").click()


def then_they_are_asked_to_tell_us_about_their_role(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/profile/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about your role")
    # Radios start with nothing chosen, and offer only real answers (no "---------").
    caring = page.get_by_role("group", name=CARES_FOR_BOTH)
    expect(caring.get_by_role("radio")).to_have_count(3)
    for answer in ("Never", "Sometimes", "Regularly"):
        expect(caring.get_by_role("radio", name=answer, exact=True)).not_to_be_checked()
    then_the_page_is_accessible(page)


def when_they_save_their_profile(page: Page) -> None:
    page.get_by_role("button", name="Save your profile").click()


def then_they_see_what_is_missing(page: Page) -> None:
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    # NHS.UK's script moves focus to the summary, so it is read out first.
    expect(page.locator(":focus")).to_contain_text("There is a problem")
    # Each error is in the summary, and next to its field, read out with it.
    fields = [
        (page.get_by_label("Display name", exact=True), "Enter a display name"),
        (page.get_by_label("Job title", exact=True), "Enter your job title"),
        (page.get_by_role("combobox", name="Staff group"), "Select your staff group"),
        (page.get_by_label("Organisation", exact=True), "Enter your organisation"),
        (
            page.get_by_role("group", name="Is your role clinical?"),
            "Select yes if your role is clinical",
        ),
        (
            page.get_by_role("group", name=CARES_FOR_BOTH),
            "Select how often you care for people with both physical and mental health needs",
        ),
    ]
    expect(summary.get_by_role("link")).to_have_count(len(fields))
    for field, error in fields:
        expect(summary.get_by_role("link", name=error)).to_be_visible()
        expect(field).to_have_accessible_description(re.compile(re.escape(error)))
    expect(page.get_by_label("Site or base (optional)")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    then_the_page_is_accessible(page)
    # A link in the summary takes them to the field to fix.
    summary.get_by_role("link", name="Enter a display name").click()
    expect(page.get_by_label("Display name", exact=True)).to_be_focused()


def when_they_complete_their_profile(page: Page) -> None:
    page.get_by_label("Display name", exact=True).fill("Sam Starter")
    page.get_by_label("Job title", exact=True).fill("Healthcare assistant")
    page.get_by_role("combobox", name="Staff group").select_option(
        label="Additional Clinical Services"
    )
    page.get_by_label("Organisation", exact=True).fill("Example Hospital NHS Foundation Trust")
    page.get_by_role("group", name="Is your role clinical?").get_by_label("Yes").check()
    page.get_by_role("group", name=CARES_FOR_BOTH).get_by_label("Regularly").check()
    when_they_save_their_profile(page)


def then_they_are_greeted_on_the_home_page(page: Page, display_name: str) -> None:
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {display_name}")
    then_the_page_is_accessible(page)


def then_they_are_told_to_use_their_work_email(page: Page) -> None:
    message = signup_refusal_message()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("link", name=message)).to_be_visible()
    email_field = page.get_by_label("Email", exact=True)
    expect(email_field).to_have_accessible_description(re.compile(re.escape(message)))
    expect(email_field).to_have_attribute("aria-invalid", "true")
    # Once in the summary, once next to the field.
    expect(page.get_by_role("main").get_by_text(message)).to_have_count(2)
    then_the_page_is_accessible(page)


# --- Journeys ---------------------------------------------------------------------------------


def test_a_member_of_staff_signs_up_with_their_work_email_and_completes_their_profile(
    page: Page, mailoutbox
):
    given_a_visitor_on_the_home_page(page)

    when_they_choose_to_create_an_account(page)
    when_they_sign_up_with(page, email=WORK_EMAIL)
    then_they_are_told_to_check_their_email(page)

    link = the_confirmation_link_in_their_mailbox(mailoutbox, WORK_EMAIL)
    when_they_open_the_link_and_confirm(page, link)
    then_they_are_asked_to_tell_us_about_their_role(page)

    when_they_save_their_profile(page)
    then_they_see_what_is_missing(page)

    when_they_complete_their_profile(page)
    then_they_are_greeted_on_the_home_page(page, "Sam Starter")
    profile = StaffProfile.objects.get(user__email=WORK_EMAIL)
    assert (profile.staff_group, profile.is_clinical, profile.cares_for_both) == (
        "additional_clinical_services",
        True,
        "regularly",
    )

    when_they_sign_out(page)
    then_they_are_signed_out(page)


def test_a_sign_up_from_a_personal_email_address_is_refused(page: Page, mailoutbox):
    given_a_visitor_on_the_home_page(page)

    when_they_choose_to_create_an_account(page)
    when_they_sign_up_with(page, email=PERSONAL_EMAIL)

    then_they_are_told_to_use_their_work_email(page)
    assert not User.objects.filter(email__iexact=PERSONAL_EMAIL).exists()
    assert not EmailAddress.objects.filter(email__iexact=PERSONAL_EMAIL).exists()
    assert mailoutbox == []
