"""The rapid assessment page as a clinician uses it, with and without JavaScript: choosing an
outcome reveals only its questions; self-help resources are found by searching the catalogue,
and a search keeps what the clinician has typed. Every state of the page is checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from portal import roles
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_they_see_the_message,
)
from tests.browser.test_hub_clinician_journey import (
    given_a_hub_member_with_an_authenticator,
    the_same_browser_without_javascript,
    when_they_sign_in_with_their_authenticator,
)
from tests.learning.factories import ResourceFactory
from tests.wellbeing.clinical_helpers import a_referral_in
from wellbeing.models import Referral, ReferralStatus, SignpostedResource

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

SECTIONS = (
    "If the outcome is self-help",
    "If the outcome is team-based support",
    "If the outcome is direct therapy",
    "If the outcome is onward referral",
    "If the outcome is to close the referral",
)


def given_a_referral_being_assessed_and_a_catalogue() -> Referral:
    given_the_roles_and_objectives_exist()
    ResourceFactory(title="Sleep after night shifts", topics=["Sleep"])
    ResourceFactory(title="Managing money worries", topics=["Money"])
    for n in range(40):
        ResourceFactory(title=f"Another published module {n}")
    return a_referral_in(ReferralStatus.IN_ASSESSMENT)


def when_they_open_the_rapid_assessment(page: Page, referral: Referral) -> None:
    page.goto(f"/hub/referrals/{referral.pk}/")
    page.get_by_role("link", name="The rapid assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the rapid assessment")


def section(page: Page, legend: str):
    return page.get_by_role("group", name=legend)


def then_only_the_chosen_outcomes_questions_show(page: Page, chosen: str | None) -> None:
    for legend in SECTIONS:
        if legend == chosen:
            expect(section(page, legend)).to_be_visible()
        else:
            expect(section(page, legend)).to_be_hidden()


def outcome(page: Page, label: str):
    return page.get_by_role("group", name="Outcome").get_by_label(label, exact=True)


def when_they_search_for_sleep_resources_after_writing_notes(page: Page) -> None:
    page.get_by_label("Assessment notes", exact=True).fill("Poor sleep after night shifts.")
    outcome(page, "Self-help with signposted resources").check()
    then_only_the_chosen_outcomes_questions_show(page, "If the outcome is self-help")
    # Nothing to tick until they search: not the whole catalogue.
    expect(page.get_by_role("checkbox")).to_have_count(0)
    then_the_page_is_accessible(page)
    page.get_by_label("Search the learning catalogue by topic or title").fill("sleep")
    page.get_by_role("button", name="Search the catalogue").click()


def then_they_are_offered_the_matching_resource_with_their_notes_kept(page: Page) -> None:
    expect(page.get_by_role("checkbox")).to_have_count(1)
    expect(page.get_by_role("checkbox", name="Sleep after night shifts")).to_be_visible()
    expect(page.get_by_label("Assessment notes", exact=True)).to_have_value(
        "Poor sleep after night shifts."
    )
    expect(outcome(page, "Self-help with signposted resources")).to_be_checked()
    then_only_the_chosen_outcomes_questions_show(page, "If the outcome is self-help")
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_have_count(0)
    then_the_page_is_accessible(page)


def when_they_tick_it_and_save(page: Page, referral: Referral) -> None:
    page.get_by_role("checkbox", name="Sleep after night shifts").check()
    page.get_by_role("group", name="Risk level").get_by_label("Low").check()
    page.get_by_label("Formulation", exact=True).fill("Sleep disrupted by shift pattern.")
    page.get_by_role("button", name="Save the assessment").click()
    then_they_see_the_message(page, f"Rapid assessment saved for referral {referral.reference}.")
    then_the_page_is_accessible(page)


def test_choosing_an_outcome_reveals_its_questions_and_self_help_is_found_by_searching(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
) -> None:
    referral = given_a_referral_being_assessed_and_a_catalogue()
    clinician, app = given_a_hub_member_with_an_authenticator(roles.HUB_CLINICIAN, "Casey")
    with a_second_browser(browser, live_server.url, browser_problems) as hub:
        when_they_sign_in_with_their_authenticator(hub, clinician, app)
        when_they_open_the_rapid_assessment(hub, referral)
        then_only_the_chosen_outcomes_questions_show(hub, None)
        then_the_page_is_accessible(hub)

        outcome(hub, "Direct therapy at the hub").check()
        then_only_the_chosen_outcomes_questions_show(hub, "If the outcome is direct therapy")
        expect(hub.get_by_label("Planned sessions")).to_be_visible()
        then_the_page_is_accessible(hub)

        when_they_search_for_sleep_resources_after_writing_notes(hub)
        then_they_are_offered_the_matching_resource_with_their_notes_kept(hub)
        when_they_tick_it_and_save(hub, referral)
        when_they_signpost_another_resource_found_by_topic(hub, referral)

    assert SignpostedResource.objects.using("confidential").filter(referral=referral).count() == 2


def when_they_signpost_another_resource_found_by_topic(page: Page, referral: Referral) -> None:
    # In support now, the referral page offers support to add, and no longer the assessment.
    expect(page.get_by_role("link", name="The rapid assessment")).to_have_count(0)
    page.get_by_role("link", name="Self-help resources to signpost").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signpost self-help resources")
    expect(page.get_by_role("checkbox")).to_have_count(0)
    then_the_page_is_accessible(page)
    page.get_by_label("Search the learning catalogue by topic or title").fill("money")
    page.get_by_role("button", name="Search the catalogue").click()
    page.get_by_role("checkbox", name="Managing money worries").check()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Signpost the resources").click()
    then_they_see_the_message(page, f"Resources signposted for referral {referral.reference}.")


def test_without_javascript_every_outcomes_questions_show_each_labelled(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
) -> None:
    referral = given_a_referral_being_assessed_and_a_catalogue()
    clinician, app = given_a_hub_member_with_an_authenticator(roles.HUB_CLINICIAN, "Casey")
    with a_second_browser(browser, live_server.url, browser_problems) as hub:
        when_they_sign_in_with_their_authenticator(hub, clinician, app)
        with the_same_browser_without_javascript(
            browser, live_server.url, hub, browser_problems
        ) as plain:
            when_they_open_the_rapid_assessment(plain, referral)
            for legend in SECTIONS:
                expect(section(plain, legend)).to_be_visible()
            # axe cannot run without JavaScript: the same address is checked where it runs.
            hub.goto(plain.url)
            then_the_page_is_accessible(hub)

            # Direct therapy chosen, with a stray answer left in another outcome's section.
            outcome(plain, "Direct therapy at the hub").check()
            plain.get_by_label("Planned sessions").fill("6")
            section(plain, "If the outcome is to close the referral").get_by_label(
                "They decided not to go ahead"
            ).check()
            plain.get_by_role("button", name="Save the assessment").click()
            expect(plain).to_have_title(re.compile(r"^Error: "))
            summary = plain.get_by_role("alert").filter(has_text="There is a problem")
            # Only the chosen outcome's questions are checked: the stray answer is ignored.
            expect(summary.get_by_role("link")).to_have_text(
                [
                    "Enter your assessment notes",
                    "Select the risk level",
                    "Enter a formulation",
                    "Select the type of therapy",
                ]
            )

            when_they_search_for_sleep_resources_without_javascript(plain)
            expect(plain.get_by_role("checkbox", name="Sleep after night shifts")).to_be_visible()
            expect(plain.get_by_role("checkbox")).to_have_count(1)
            for legend in SECTIONS:
                expect(section(plain, legend)).to_be_visible()


def when_they_search_for_sleep_resources_without_javascript(plain: Page) -> None:
    outcome(plain, "Self-help with signposted resources").check()
    plain.get_by_label("Search the learning catalogue by topic or title").fill("sleep")
    plain.get_by_role("button", name="Search the catalogue").click()
