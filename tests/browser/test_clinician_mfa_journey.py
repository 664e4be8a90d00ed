"""A Hub clinician sets up an authenticator app before the portal opens, then signs in with it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import User
from tests.browser.steps import (
    AuthenticatorApp,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_are_signed_out,
    when_they_sign_in,
    when_they_sign_out,
)
from tests.factories import PASSWORD, UserFactory
from wellbeing.services import hub_team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

# allauth shows the secret in base32 for typing into an app: 32 characters for its 20 bytes.
BASE32_SECRET = re.compile(r"^[A-Z2-7]{16,}=*$")
RECOVERY_CODE = re.compile(r"^[0-9A-Za-z]{6,}$")


# --- Steps ------------------------------------------------------------------------------------


def _staff_member(*role_names: str) -> User:
    # The roles come from a data migration, which the flush after a transactional test empties.
    for name in role_names:
        Group.objects.get_or_create(name=name)
    return UserFactory(with_profile=True, roles=list(role_names))


def given_a_hub_clinician_without_an_authenticator() -> User:
    return _staff_member(roles.HUB_CLINICIAN)


def given_an_enrolment_code_from_their_hub_lead(clinician: User) -> str:
    lead = _staff_member(roles.HUB_LEAD)
    return hub_team.issue_enrolment_code(by=lead, user=clinician)


def given_a_member_of_staff_without_a_role() -> User:
    return _staff_member()


def then_they_are_sent_to_set_up_an_authenticator_app(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    then_the_page_is_accessible(page)


def when_they_read_the_secret_from_the_page(page: Page) -> AuthenticatorApp:
    secret_field = page.get_by_label("Secret key", exact=True)
    expect(secret_field).to_be_visible()
    secret = secret_field.input_value().strip()
    assert BASE32_SECRET.match(secret), f"the page shows {secret!r}, not a base32 secret"
    return AuthenticatorApp(secret)


def when_they_enter_a_code_from_the_app(
    page: Page, app: AuthenticatorApp, enrolment_code: str | None = None
) -> None:
    page.get_by_label("Code from your authenticator app", exact=True).fill(app.fresh_code())
    if enrolment_code is not None:
        page.get_by_label("Enrolment code from your hub lead", exact=True).fill(enrolment_code)
    page.get_by_role("button", name="Continue").click()


def then_they_are_told_they_need_the_enrolment_code(page: Page) -> None:
    then_there_is_a_problem(page, "Enter the enrolment code from your hub lead")
    then_the_page_is_accessible(page)


def when_they_try_to_open_the_hub_first(page: Page) -> None:
    page.goto("/hub/")


def then_they_keep_their_recovery_codes_if_shown(page: Page) -> list[str]:
    page.wait_for_load_state()
    codes: list[str] = []
    if "/accounts/2fa/recovery-codes/" in page.url:
        expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
        codes = page.get_by_role("main").get_by_role("code").inner_text().split()
        assert codes, "no recovery codes shown"
        assert all(RECOVERY_CODE.match(code) for code in codes), codes
    then_the_page_is_accessible(page)
    return codes


def then_they_can_open_the_home_page_and_the_hub(page: Page, display_name: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {display_name}")
    expect(page.get_by_role("main")).to_contain_text("Hub clinician")
    then_the_page_is_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Resilience Hub").click()
    expect(page).to_have_url(re.compile(r"/hub/$"))
    expect(page.get_by_role("heading", level=1, name="The Resilience Hub")).to_be_visible()
    then_the_page_is_accessible(page)


def then_they_are_asked_for_the_code_from_their_app(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    then_the_page_is_accessible(page)


def when_they_enter_a_fresh_code(page: Page, app: AuthenticatorApp) -> None:
    page.get_by_label("Code from your authenticator app", exact=True).fill(app.fresh_code())
    page.get_by_role("main").get_by_role("button", name="Sign in").click()


def then_they_reach_the_home_page(page: Page, display_name: str) -> None:
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {display_name}")
    then_the_page_is_accessible(page)


# --- Journeys ---------------------------------------------------------------------------------


def test_a_hub_clinician_sets_up_an_authenticator_before_the_portal_opens(page: Page):
    clinician = given_a_hub_clinician_without_an_authenticator()
    enrolment_code = given_an_enrolment_code_from_their_hub_lead(clinician)
    name = clinician.staff_profile.display_name

    when_they_sign_in(page, email=clinician.email, password=PASSWORD)
    then_they_are_sent_to_set_up_an_authenticator_app(page)
    when_they_try_to_open_the_hub_first(page)
    then_they_are_sent_to_set_up_an_authenticator_app(page)

    app = when_they_read_the_secret_from_the_page(page)
    when_they_enter_a_code_from_the_app(page, app)
    then_they_are_told_they_need_the_enrolment_code(page)
    when_they_enter_a_code_from_the_app(page, app, enrolment_code)
    then_they_keep_their_recovery_codes_if_shown(page)
    then_they_can_open_the_home_page_and_the_hub(page, name)

    when_they_sign_out(page)
    then_they_are_signed_out(page)

    when_they_sign_in(page, email=clinician.email, password=PASSWORD)
    then_they_are_asked_for_the_code_from_their_app(page)
    when_they_enter_a_fresh_code(page, app)
    then_they_reach_the_home_page(page, name)


def test_a_member_of_staff_without_a_role_is_not_asked_to_set_up_an_authenticator(page: Page):
    member = given_a_member_of_staff_without_a_role()

    when_they_sign_in(page, email=member.email, password=PASSWORD)

    then_they_reach_the_home_page(page, member.staff_profile.display_name)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Resilience Hub").click()
    expect(page).to_have_url(re.compile(r"/hub/$"))
    then_the_page_is_accessible(page)
