"""A second referral while one is open (issue 13), in Chromium: the member of staff is told of
their open referral before they start and offered a message instead; going on anyway, every
page says how far along it is, and the new referral is linked. A hub clinician sees "Also has
open referral" in the queue and on the referral, and joins the two."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import User
from tests.browser.steps import (
    AuthenticatorApp,
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
    when_they_answer_the_questionnaires,
    when_they_finish_the_last_pages,
    when_they_give_their_contact_details,
    when_they_send_it,
    when_they_skip_their_work_and_say_what_is_happening,
)
from tests.factories import PASSWORD, UserFactory, totp_for
from tests.wellbeing.clinical_helpers import a_referral_from
from wellbeing.models import CloseReason, Referral, ReferralStatus
from wellbeing.services.self_referral import STEPS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

DB = "confidential"
OPEN = "RH-OPEN-2345"
LATER = "RH-LATE-6789"


# --- Steps: the member of staff ---------------------------------------------------------------


def given_a_member_of_staff_with_an_open_referral() -> User:
    user: User = UserFactory(with_profile=True)
    a_referral_from(user, reference=OPEN, status=ReferralStatus.IN_ASSESSMENT)
    return user


def when_they_start_a_referral_from_the_hub_page(page: Page) -> None:
    page.goto("/hub/")
    page.get_by_role("button", name="Refer yourself").click()


def then_they_are_told_of_their_open_referral(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "You already have an open referral"
    )
    main = page.get_by_role("main")
    expect(main).to_contain_text(OPEN)
    expect(main).to_contain_text("Being assessed")
    then_the_page_is_accessible(page)


def when_they_choose_to_message_the_hub_instead(page: Page) -> None:
    page.get_by_role("button", name=f"Send the hub a message about {OPEN}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    expect(page.get_by_role("main")).to_contain_text(f"Referral {OPEN}")


def when_they_go_on_because_things_have_changed(page: Page) -> None:
    page.get_by_role("link", name="Refer yourself again").click()


def then_the_first_page_says_step_1_of_all(page: Page) -> None:
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"Step 1 of {len(STEPS)}")
    expect(heading).to_contain_text("How can the hub contact you?")


# --- Steps: the clinician ---------------------------------------------------------------------


def given_a_pair_of_referrals_from_one_person() -> tuple[Referral, Referral]:
    owner = UserFactory(with_profile=True)
    earlier = a_referral_from(owner, reference=OPEN, status=ReferralStatus.IN_SUPPORT)
    later = a_referral_from(
        owner,
        reference=LATER,
        earlier_open_referral=earlier,
        whats_happening="My partner is now very ill as well.",
    )
    return earlier, later


def given_a_hub_clinician() -> tuple[User, AuthenticatorApp]:
    # The roles come from a data migration, which the flush after a transactional test empties.
    Group.objects.get_or_create(name=roles.HUB_CLINICIAN)
    user = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    return user, AuthenticatorApp(totp_for(user).secret)


def when_they_sign_in_with_their_authenticator(
    page: Page, user: User, app: AuthenticatorApp
) -> None:
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    then_they_are_asked_for_the_code_from_their_app(page)
    when_they_enter_a_fresh_code(page, app)
    then_they_reach_the_home_page(page, user.staff_profile.display_name)


def then_the_queue_flags_the_later_referral(page: Page) -> None:
    when_they_choose_from_the_menu(page, "Hub queue")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=LATER))
    expect(row).to_contain_text(f"Also has open referral {OPEN}")
    then_the_page_is_accessible(page)


def when_they_open_the_later_referral_and_ask_to_join_it(page: Page) -> None:
    page.get_by_role("link", name=LATER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LATER)
    expect(page.get_by_role("main")).to_contain_text(f"Also has open referral {OPEN}")
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=f"Join this referral with {OPEN}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join with the open referral")
    then_the_page_is_accessible(page)


def when_they_join_without_confirming_then_confirm(page: Page) -> None:
    button = page.get_by_role("button", name="Join and close this referral")
    button.click()
    then_there_is_a_problem(
        page, "Confirm that both referrals are about the same need before joining them"
    )
    then_the_page_is_accessible(page)
    page.get_by_role("checkbox").check()
    button.click()
    then_they_see_the_message(page, f"Referral {LATER} was joined with the open referral")


def then_the_open_referral_shows_the_joined_answers(page: Page) -> None:
    page.get_by_role("main").get_by_role("link", name=OPEN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN)
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"Joined with later referral {LATER}")
    expect(main).to_contain_text("My partner is now very ill as well.")
    then_the_page_is_accessible(page)


# --- Journeys ---------------------------------------------------------------------------------


def test_someone_with_an_open_referral_is_told_before_they_start_and_can_still_go_on(
    page: Page,
):
    user = given_a_member_of_staff_with_an_open_referral()
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    when_they_start_a_referral_from_the_hub_page(page)
    then_they_are_told_of_their_open_referral(page)
    when_they_choose_to_message_the_hub_instead(page)

    when_they_start_a_referral_from_the_hub_page(page)
    then_they_are_told_of_their_open_referral(page)
    when_they_go_on_because_things_have_changed(page)
    then_the_first_page_says_step_1_of_all(page)
    when_they_give_their_contact_details(page)
    when_they_skip_their_work_and_say_what_is_happening(page)
    when_they_answer_the_questionnaires(page)
    when_they_finish_the_last_pages(page)
    when_they_send_it(page)

    sent = Referral.objects.using(DB).exclude(reference=OPEN).get()
    assert sent.earlier_open_referral_id == Referral.objects.using(DB).get(reference=OPEN).pk


def test_a_clinician_sees_the_pair_flagged_and_joins_them(page: Page):
    _earlier, later = given_a_pair_of_referrals_from_one_person()
    clinician, app = given_a_hub_clinician()
    when_they_sign_in_with_their_authenticator(page, clinician, app)
    then_the_queue_flags_the_later_referral(page)
    when_they_open_the_later_referral_and_ask_to_join_it(page)
    when_they_join_without_confirming_then_confirm(page)
    then_the_open_referral_shows_the_joined_answers(page)

    later.refresh_from_db(using=DB)
    assert (later.status, later.close_reason) == (ReferralStatus.CLOSED, CloseReason.JOINED)
