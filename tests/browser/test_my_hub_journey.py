"""A member of staff who referred themselves opens my hub: reads the hub's message and replies,
sees who has opened their record, downloads their data, prints a copy and withdraws."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.steps import (
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_they_see_the_message,
    when_they_sign_in,
)
from tests.factories import PASSWORD
from tests.wellbeing.factories import (
    HubMessageFactory,
    ReferralEventFactory,
    a_hub_member_opens,
    a_referral_for,
    a_staff_member,
)
from wellbeing.models import Referral, ReferralEventKind, ReferralStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

NAME = "Sam Staff-Member"
HUB_MESSAGE = "Hello Sam, I am Casey from the Resilience Hub. When is a good time to call you?"
REPLY = "Weekday mornings before 10am are best, thank you."


# --- Steps ------------------------------------------------------------------------------------


def given_a_member_of_staff_with_a_referral() -> tuple[User, Referral]:
    given_the_roles_and_objectives_exist()
    user = a_staff_member()
    referral = a_referral_for(
        user, name=NAME, created_at=timezone.now() - timedelta(days=2), urgent=True
    )
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.RECEIVED, at=referral.created_at)
    ReferralEventFactory(
        referral=referral,
        kind=ReferralEventKind.CONTACT_ATTEMPTED,
        at=timezone.now() - timedelta(days=1),
    )
    HubMessageFactory(
        referral=referral, body=HUB_MESSAGE, sent_at=timezone.now() - timedelta(hours=20)
    )
    a_hub_member_opens(referral, reason="Rapid assessment")
    return user, referral


def given_their_sign_in_was_an_hour_ago() -> None:
    for session in Session.objects.all():
        data = session.get_decoded()
        for record in data.get(AUTHENTICATION_METHODS_SESSION_KEY, []):
            record["at"] = time.time() - 3600
        Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))


def when_they_open_my_hub(page: Page) -> None:
    page.goto("/hub/my-hub/")


def then_they_confirm_it_is_them(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    then_the_page_is_accessible(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Continue").click()


def then_they_see_their_referral(page: Page, referral: Referral, status: str) -> None:
    expect(page).to_have_url(re.compile(r"/hub/my-hub/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My hub")
    card = page.get_by_role("region", name=f"Referral {referral.reference}")
    expect(card).to_contain_text(status)
    expect(card).to_contain_text("We received your referral")
    expect(card).to_contain_text("The hub tried to contact you")
    expect(card).not_to_contain_text("Urgent")
    then_the_page_is_accessible(page)


def when_they_read_the_message_and_reply(page: Page, referral: Referral) -> None:
    page.get_by_role("link", name=f"1 new message about referral {referral.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    message = page.get_by_role("article", name=re.compile("Casey Clinician, Resilience Hub"))
    expect(message).to_contain_text(HUB_MESSAGE)
    then_the_page_is_accessible(page)
    page.get_by_label("Your message", exact=True).fill(REPLY)
    page.get_by_role("button", name="Send message").click()
    then_they_see_the_message(page, "Your message was sent to the Resilience Hub.")
    expect(page.get_by_role("article", name="You")).to_contain_text(REPLY)
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Back to My hub").click()


def when_they_see_who_has_opened_their_record(page: Page, referral: Referral) -> None:
    page.get_by_role(
        "link", name=f"Who has opened my record for referral {referral.reference}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has opened my record")
    # One line per person and sitting; its entries open from the keyboard, without JavaScript.
    main = page.get_by_role("main")
    expect(main).to_contain_text(
        re.compile(r"Casey Clinician, hub clinician, looked at your record \w+")
    )
    then_the_page_is_accessible(page)
    page.locator("summary").filter(has_text="Casey Clinician").first.focus()
    page.keyboard.press("Enter")
    row = page.get_by_role("row").filter(has_text="Casey Clinician")
    expect(row).to_contain_text("Hub clinician")
    expect(row).to_contain_text("Opened your referral")
    expect(row).to_contain_text("Rapid assessment")
    expect(page.get_by_role("main")).not_to_contain_text("Staff member")
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Back to My hub").click()


def when_they_download_their_data(page: Page, referral: Referral, tmp_path: Path) -> None:
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (JSON file)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-resilience-hub-data-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    [exported] = data["referrals"]
    assert exported["reference"] == referral.reference
    assert exported["name"] == NAME
    assert [m["body"] for m in exported["messages"]] == [HUB_MESSAGE, REPLY]
    assert data["who_has_opened_your_record"][0]["name"] == "Casey Clinician"


def when_they_open_the_printable_copy(page: Page, referral: Referral) -> None:
    page.get_by_role("link", name="Printable copy of my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data from the Resilience Hub")
    main = page.get_by_role("main")
    expect(main).to_contain_text(NAME)
    expect(main).to_contain_text(referral.reference)
    expect(main).to_contain_text(REPLY)
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Back to my hub").click()


def when_they_withdraw_their_referral(page: Page, referral: Referral) -> None:
    page.get_by_role("link", name=f"Withdraw this referral ({referral.reference})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to withdraw your referral?"
    )
    expect(page.get_by_role("main")).to_contain_text(
        "The hub will not contact you about this referral"
    )
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Withdraw my referral").click()
    then_they_see_the_message(page, f"You withdrew referral {referral.reference}.")


# --- The journey ------------------------------------------------------------------------------


def test_a_member_of_staff_follows_replies_to_downloads_and_withdraws_their_referral(
    page: Page, tmp_path: Path
) -> None:
    user, referral = given_a_member_of_staff_with_a_referral()

    when_they_sign_in(page, email=user.email, password=PASSWORD)
    when_they_open_my_hub(page)
    if page.get_by_role("heading", name="Confirm it is you").is_visible():
        then_they_confirm_it_is_them(page)
    then_they_see_their_referral(page, referral, "Waiting for a rapid assessment")

    when_they_read_the_message_and_reply(page, referral)
    when_they_see_who_has_opened_their_record(page, referral)
    when_they_download_their_data(page, referral, tmp_path)
    when_they_open_the_printable_copy(page, referral)
    when_they_withdraw_their_referral(page, referral)

    then_they_see_their_referral(page, referral, "Withdrawn")
    expect(page.get_by_role("main")).to_contain_text("You withdrew your referral")
    expect(page.get_by_role("link", name=re.compile("^Withdraw this referral"))).to_have_count(0)
    assert Referral.objects.using("confidential").get().status == ReferralStatus.WITHDRAWN


def test_my_hub_asks_for_the_password_again_after_an_old_sign_in(page: Page) -> None:
    user, referral = given_a_member_of_staff_with_a_referral()
    when_they_sign_in(page, email=user.email, password=PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    given_their_sign_in_was_an_hour_ago()

    when_they_open_my_hub(page)

    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Fhub%2Fmy-hub%2F$"))
    then_they_confirm_it_is_them(page)
    then_they_see_their_referral(page, referral, "Waiting for a rapid assessment")
