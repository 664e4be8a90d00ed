"""Every page the other journeys do not reach, opened by the person it is for and checked with axe:
the hub lead's home page, caseload, outreach (started, paused, resumed and stopped), directory,
team requests, audit trail and failed emails; the team lead's
request for support; a member of staff's email preferences, sessions, check-in and unsubscribe;
and the curator's failed emails and withdrawing a certificate (with what a manager checking its
code then sees)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from learning import certificate_codes
from learning.models import LearningStatus
from learning.services.certificates import do_issue_resource_certificate
from portal import roles
from portal.models import User
from portal.outbox.unsubscribe import token_for
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    AuthenticatorApp,
    a_second_browser,
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
from tests.factories import PASSWORD, UserFactory, totp_for
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.wellbeing.clinical_helpers import a_referral_from, a_service, a_team_request
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import (
    Campaign,
    FollowUp,
    OutboxMessage,
    Referral,
    ReferralStatus,
    Service,
    TeamRequest,
    TeamRequestStatus,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services.outreach import FOLLOW_UP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

DB = "confidential"
CAMPAIGN = "Winter check-in"


# --- Steps: people and records ----------------------------------------------------------------


def given_someone_with_the_role(role: str) -> User:
    # The roles come from a data migration, which the flush after a transactional test empties.
    Group.objects.get_or_create(name=role)
    user: User = UserFactory(with_profile=True, roles=[role])
    return user


def given_someone_with_an_authenticator(role: str) -> tuple[User, AuthenticatorApp]:
    Group.objects.get_or_create(name=role)
    user = UserFactory(with_profile=True, roles=[role], with_totp=True)
    return user, AuthenticatorApp(totp_for(user).secret)


def given_a_member_of_staff() -> User:
    user: User = UserFactory(with_profile=True)
    return user


def given_a_failed_hub_email() -> OutboxMessage:
    message: OutboxMessage = OutboxMessage.objects.using(DB).create(
        idempotency_key="browser-test-failed-email",
        category=FOLLOW_UP,
        template="wellbeing/follow_up_invite",
        recipient_ref=staff_ref_for(999_999),
        status="failed",
        attempts=3,
        last_error="SMTPRecipientsRefused 451",  # as rows keep it: type and code
    )
    return message


def given_a_check_in_due_today_for(user: User) -> FollowUp:
    referral = a_referral_from(user, status=ReferralStatus.IN_SUPPORT)
    follow_up: FollowUp = FollowUp.objects.using(DB).create(
        referral=referral, label="4 weeks", due_on=timezone.localdate()
    )
    return follow_up


def given_a_follow_up_email_to(user: User) -> OutboxMessage:
    message: OutboxMessage = OutboxMessage.objects.using(DB).create(
        idempotency_key=f"browser-test-follow-up-{user.pk}",
        category=FOLLOW_UP,
        template="wellbeing/follow_up_invite",
        recipient_ref=staff_ref_for(user.pk),
        status="sent",
        sent_at=timezone.now(),
    )
    return message


# --- Steps: signing in ------------------------------------------------------------------------


def when_they_sign_in_with_their_authenticator(
    page: Page, user: User, app: AuthenticatorApp
) -> None:
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    then_they_are_asked_for_the_code_from_their_app(page)
    when_they_enter_a_fresh_code(page, app)
    then_they_reach_the_home_page(page, user.staff_profile.display_name)


def when_they_sign_in_with_their_password(page: Page, user: User) -> None:
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    then_they_reach_the_home_page(page, user.staff_profile.display_name)


# --- Steps: any page --------------------------------------------------------------------------


def when_they_open(page: Page, name: str, *args: object) -> None:
    page.goto(reverse(name, args=args))


def then_they_see_the_page(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    then_the_page_is_accessible(page)


def when_they_press(page: Page, button: str) -> None:
    page.get_by_role("main").get_by_role("button", name=button).click()


# --- Steps: the hub lead ----------------------------------------------------------------------


def when_they_create_a_campaign_empty_then_filled(page: Page) -> None:
    when_they_open(page, "wellbeing:campaign_create")
    then_they_see_the_page(page, "Create a campaign")
    when_they_press(page, "Save campaign")
    then_there_is_a_problem(page, "Enter a campaign name", "Select who should get the invitation")
    then_the_page_is_accessible(page)
    page.get_by_label("Campaign name", exact=True).fill(CAMPAIGN)
    page.get_by_role("group", name="Who should get the invitation?").get_by_label(
        "Everyone with an account"
    ).check()
    when_they_press(page, "Save campaign")
    then_they_see_the_page(page, CAMPAIGN)


def when_they_open_the_campaigns_start_page(page: Page) -> None:
    campaign = Campaign.objects.using(DB).get(name=CAMPAIGN)
    when_they_open(page, "wellbeing:campaign_start", campaign.pk)
    then_they_see_the_page(page, "Start sending the invitation")


def when_they_start_pause_resume_and_stop_the_campaign(page: Page) -> None:
    when_they_press(page, "Start sending")
    then_they_see_the_page(page, CAMPAIGN)
    when_they_press(page, "Pause sending")
    then_they_see_the_message(page, "Sending is paused")
    then_the_page_is_accessible(page)
    when_they_press(page, "Resume sending")
    then_they_see_the_message(page, "Sending has resumed")
    page.get_by_role("main").get_by_role("button", name="Stop the campaign").click()
    then_they_see_the_page(page, "Stop the campaign")
    when_they_press(page, "Stop the campaign")
    then_they_see_the_message(page, "The campaign is stopped")
    then_they_see_the_page(page, CAMPAIGN)


def when_they_open_their_home_page_and_follow_a_figure_by_keyboard(page: Page) -> None:
    when_they_choose_from_the_menu(page, "Hub lead")
    then_they_see_the_page(page, "The hub today")
    expect(page.locator("#figure-past-target")).to_have_text("1")
    link = page.get_by_role("link", name=re.compile("referrals past the rapid-assessment target"))
    link.focus()
    page.keyboard.press("Enter")
    then_they_see_the_page(page, "Triage queue")
    expect(page.get_by_label("Needing")).to_have_value("past_target")


def when_they_open_their_caseload(page: Page) -> None:
    when_they_choose_from_the_menu(page, "My caseload")
    then_they_see_the_page(page, "My caseload")
    expect(page.get_by_role("table")).to_contain_text("Contact due")


# --- Steps: each person's pages ---------------------------------------------------------------


def the_hub_lead_visits_their_pages(page: Page, lead: User, app: AuthenticatorApp) -> None:
    service: Service = a_service()
    requested: TeamRequest = a_team_request(TeamRequestStatus.REQUESTED)
    accepted: TeamRequest = a_team_request(TeamRequestStatus.ACCEPTED)
    referral: Referral = ReferralFactory(
        created_at=timezone.now() - datetime.timedelta(days=14),
        assigned_ref=staff_ref_for(lead.pk),
        assigned_name="Lee Lead",
    )
    given_a_failed_hub_email()

    when_they_sign_in_with_their_authenticator(page, lead, app)
    when_they_open_their_home_page_and_follow_a_figure_by_keyboard(page)
    when_they_open_their_caseload(page)

    when_they_open(page, "wellbeing:campaigns")
    then_they_see_the_page(page, "Outreach campaigns")
    when_they_create_a_campaign_empty_then_filled(page)
    when_they_open_the_campaigns_start_page(page)
    when_they_start_pause_resume_and_stop_the_campaign(page)

    when_they_open(page, "wellbeing:directory")
    then_they_see_the_page(page, "Service directory")
    when_they_open(page, "wellbeing:directory_new")
    then_they_see_the_page(page, "Add a service")
    when_they_open(page, "wellbeing:directory_edit", service.pk)
    then_they_see_the_page(page, f"Edit {service.name}")

    when_they_open(page, "wellbeing:team_requests")
    then_they_see_the_page(page, "Team requests")
    when_they_open(page, "wellbeing:team_request", requested.pk)
    then_they_see_the_page(page, "Workshop for Ward 7")
    when_they_open(page, "wellbeing:team_request_decide", requested.pk)
    then_they_see_the_page(page, "Accept or decline the request")
    when_they_open(page, "wellbeing:team_session_new", accepted.pk)
    then_they_see_the_page(page, "Book a session")

    when_they_open(page, "wellbeing:referral_audit", referral.pk)
    then_they_see_the_page(page, "Who opened this record")

    when_they_open(page, "wellbeing:outbox_failed")
    then_they_see_the_page(page, "Emails that could not be sent")

    when_they_give_a_newcomer_a_hub_role_empty_then_filled(page)


def when_they_give_a_newcomer_a_hub_role_empty_then_filled(page: Page) -> None:
    newcomer = given_a_member_of_staff()
    when_they_open(page, "wellbeing:hub_team")
    then_they_see_the_page(page, "The hub's team")
    when_they_press(page, "Give the role")
    then_there_is_a_problem(page, "Enter their work email address", "Select the hub role to give")
    then_the_page_is_accessible(page)
    page.get_by_label("Their work email address", exact=True).fill(newcomer.email)
    page.get_by_role("group", name="Which hub role?").get_by_label("Hub clinician").check()
    when_they_press(page, "Give the role")
    then_they_see_the_page(page, f"Enrolment code for {newcomer.email}")
    expect(page.locator("#enrolment-code")).to_have_text(
        re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$")
    )


def when_they_ask_for_support_empty_then_filled(page: Page) -> None:
    when_they_open(page, "wellbeing:team_request_new")
    then_they_see_the_page(page, "Ask for support for your team")
    when_they_press(page, "Send the request")
    then_there_is_a_problem(
        page,
        "Enter the team's name",
        "Enter how many people are in the team",
        "Select the kind of support that would help",
    )
    then_the_page_is_accessible(page)
    page.get_by_label("Team name", exact=True).fill("Ward 9")
    page.get_by_label("Organisation", exact=True).fill("Test Hospital NHS Foundation Trust")
    page.get_by_label("How many people are in the team?", exact=True).fill("15")
    page.get_by_role("group", name="What kind of support would help?").get_by_label(
        "Workshop"
    ).check()
    page.get_by_label("What would you like it to cover?", exact=True).fill("Handling stress")
    page.get_by_label("What prompted this request?", exact=True).fill("A very busy winter.")
    when_they_press(page, "Send the request")


def the_team_lead_visits_their_pages(page: Page, lead: User) -> None:
    when_they_sign_in_with_their_password(page, lead)
    when_they_ask_for_support_empty_then_filled(page)
    when_they_open(page, "wellbeing:my_team_requests")
    then_they_see_the_page(page, "Team support")


def when_they_unsubscribe(page: Page, email: OutboxMessage) -> None:
    page.goto(reverse("unsubscribe", args=[token_for("wellbeing", email.pk)]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stop emails about")
    then_the_page_is_accessible(page)
    when_they_press(page, "Stop these emails")
    then_they_see_the_page(page, "You have unsubscribed")


def the_member_of_staff_visits_their_pages(page: Page, member: User) -> None:
    check_in = given_a_check_in_due_today_for(member)
    email = given_a_follow_up_email_to(member)

    when_they_sign_in_with_their_password(page, member)
    when_they_open(page, "email_preferences")
    then_they_see_the_page(page, "Email preferences")
    when_they_open(page, "your_sessions")
    then_they_see_the_page(page, "Your sessions")
    when_they_open(page, "wellbeing:my_hub_check_in", check_in.pk)
    then_they_see_the_page(page, "Your 4 weeks check-in")
    when_they_unsubscribe(page, email)


def given_a_certificate_issued_to(member: User) -> str:
    resource = ResourceFactory(title="Seeing the whole person")
    LearningRecordFactory(
        user=member,
        resource=resource,
        status=LearningStatus.COMPLETED,
        completed_on=datetime.date(2026, 2, 3),
    )
    certificate = do_issue_resource_certificate(user=member, resource=resource)
    return certificate_codes.display(certificate.code)


def when_they_withdraw_the_certificate(page: Page, code: str) -> None:
    page.goto("/learning/curate/")
    page.get_by_role("link", name="Find or withdraw a certificate").click()
    then_they_see_the_page(page, "Find a certificate")
    page.get_by_label("Verification code").fill(code)
    when_they_press(page, "Find the certificate")
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=re.compile("^Withdraw this certificate")).click()
    then_they_see_the_page(page, f"Withdraw certificate {code}")
    when_they_press(page, "Withdraw certificate")
    then_there_is_a_problem(page, "Enter why you are withdrawing this certificate")
    then_the_page_is_accessible(page)
    page.get_by_label("Why are you withdrawing this certificate?").fill("Recorded in error")
    when_they_press(page, "Withdraw certificate")
    then_they_see_the_message(page, f"The certificate {code} is withdrawn.")
    expect(page.get_by_text("Reason: Recorded in error")).to_be_visible()
    then_the_page_is_accessible(page)


def then_checking_the_code_says_it_is_withdrawn(page: Page, code: str) -> None:
    page.goto(f"/learning/certificates/check/?code={code}")
    then_they_see_the_page(page, "This certificate has been withdrawn")
    expect(page.get_by_text("It is no longer valid.")).to_be_visible()


def the_curator_visits_their_pages(
    page: Page, curator: User, app: AuthenticatorApp, code: str
) -> None:
    when_they_sign_in_with_their_authenticator(page, curator, app)
    when_they_open(page, "learning:curate_emails_failed")
    then_they_see_the_page(page, "Emails that could not be sent")
    when_they_withdraw_the_certificate(page, code)


# --- The journey ------------------------------------------------------------------------------


def test_the_pages_no_other_journey_reaches_are_accessible(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
) -> None:
    hub_lead, hub_lead_app = given_someone_with_an_authenticator(roles.HUB_LEAD)
    team_lead = given_someone_with_the_role(roles.TEAM_LEAD)
    member = given_a_member_of_staff()
    curator, curator_app = given_someone_with_an_authenticator(roles.CURATOR)
    code = given_a_certificate_issued_to(member)

    the_hub_lead_visits_their_pages(page, hub_lead, hub_lead_app)
    with a_second_browser(browser, live_server.url, browser_problems) as team_lead_page:
        the_team_lead_visits_their_pages(team_lead_page, team_lead)
    with a_second_browser(browser, live_server.url, browser_problems) as member_page:
        the_member_of_staff_visits_their_pages(member_page, member)
    with a_second_browser(browser, live_server.url, browser_problems) as curator_page:
        the_curator_visits_their_pages(curator_page, curator, curator_app, code)
    with a_second_browser(browser, live_server.url, browser_problems) as manager_page:
        then_checking_the_code_says_it_is_withdrawn(manager_page, code)
