"""A member of staff rates their confidence, follows the pathway ranked by what they feel least
confident about, completes a resource, rates again, sees the change in My learning, and gets a
certificate that a manager checks at its public page without signing in."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from learning.models import Certificate, CompetencyRating, Level
from portal.models import CaringFrequency, User
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
    when_they_sign_in,
)
from tests.factories import PASSWORD, UserFactory
from tests.learning.factories import ResourceFactory
from tests.learning.rating_factories import StatementFactory

pytestmark = [
    pytest.mark.usefixtures("without_the_starter_framework"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

MOOD = "I can ask about low mood during a physical health review"
PAIN = "I can talk with someone about living with long-term pain"
STIGMA = "I can explain why stigma stops people asking for help"
FOR_MOOD_AND_PAIN = "Mood and pain in long-term conditions"
FOR_MOOD = "Asking about mood: a practical guide"
UNTIED = "The newest module, for no gap"


# --- Steps ------------------------------------------------------------------------------------


def given_a_framework_and_a_catalogue() -> None:
    given_the_roles_and_objectives_exist()
    mood = StatementFactory(level=Level.ONE, text=MOOD)
    pain = StatementFactory(level=Level.ONE, text=PAIN)
    StatementFactory(level=Level.ONE, text=STIGMA)
    now = timezone.now()
    ResourceFactory(title=UNTIED, published_at=now, cpd_hours=1)
    both = ResourceFactory(
        title=FOR_MOOD_AND_PAIN, published_at=now - datetime.timedelta(days=9), cpd_hours=2
    )
    both.competencies.add(mood, pain)
    ResourceFactory(title=FOR_MOOD, published_at=now - datetime.timedelta(days=3)).competencies.add(
        mood
    )


def given_a_non_clinical_member_of_staff() -> User:
    user = UserFactory(with_profile=True)
    user.staff_profile.display_name = "Jo Morgan"
    user.staff_profile.is_clinical = False
    user.staff_profile.cares_for_both = CaringFrequency.NEVER
    user.staff_profile.save()
    return user


def then_they_are_signed_in(page: Page) -> None:
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()


def when_they_start_their_self_assessment(page: Page) -> None:
    page.goto("/learning/")
    card = page.get_by_role("main").locator(".nhsuk-card").filter(has_text="How confident")
    expect(card).to_contain_text("Only you can see your answers")
    then_the_page_is_accessible(page)
    card.get_by_role("link", name="Start your self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How confident do you feel?")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How confident do you feel?")
    expect(page.get_by_text("Level 1: 0 of 3 rated")).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_rate(page: Page, statement: str, answer: str) -> None:
    page.get_by_role("group", name=statement).get_by_label(answer, exact=True).check()


def then_their_answers_are_kept_for_later(page: Page) -> None:
    then_they_see_the_message(page, "Your answers are saved. You have 1 statement left to rate")
    expect(page.get_by_role("table", name=re.compile("level by level"))).to_contain_text("2 of 3")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Carry on where you left off").click()
    group = page.get_by_role("group", name=MOOD)
    expect(group.get_by_label("Not confident", exact=True)).to_be_checked()
    then_the_page_is_accessible(page)


def then_the_pathway_puts_their_gaps_first_and_says_why(page: Page) -> None:
    page.goto("/learning/")
    level = page.get_by_role("region", name="Level 1", exact=True)
    expect(level.get_by_role("heading", level=3)).to_have_text(
        [FOR_MOOD_AND_PAIN, FOR_MOOD, UNTIED]
    )
    first = level.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=FOR_MOOD_AND_PAIN)
    )
    expect(first).to_contain_text(f"Because you rated '{MOOD}' as not confident")
    expect(first).to_contain_text(f"Because you rated '{PAIN}' as slightly confident")
    expect(page.get_by_text("You have rated 2 of 3 statements")).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_complete(page: Page, title: str) -> None:
    page.get_by_role("main").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("button", name="I've completed this").click()
    day = timezone.localdate() - datetime.timedelta(days=1)
    date = page.get_by_role("group", name="When did you complete it?")
    date.get_by_label("Day", exact=True).fill(str(day.day))
    date.get_by_label("Month", exact=True).fill(str(day.month))
    date.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_role("button", name="Save to my learning record").click()


def when_they_rate_again_on_the_completion_page(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Has this changed how confident you feel?"
    )
    then_the_page_is_accessible(page)
    when_they_rate(page, MOOD, "Confident")
    page.get_by_role("button", name="Save your ratings").click()


def then_my_learning_shows_then_and_now(page: Page) -> None:
    then_they_see_the_message(page, "Your ratings are saved.")
    table = page.get_by_role("table", name=re.compile("Your confidence in each statement"))
    row = table.get_by_role("row").filter(has_text=MOOD)
    expect(row.get_by_role("cell").nth(1)).to_contain_text("Not confident")
    expect(row.get_by_role("cell").nth(2)).to_contain_text("Confident")
    pain = table.get_by_role("row").filter(has_text=PAIN)
    expect(pain.get_by_role("cell").nth(2)).to_contain_text("No change yet")
    then_the_page_is_accessible(page)


def when_they_get_a_certificate(page: Page, title: str) -> str:
    page.get_by_role("tab", name="Completed (1)").click()
    page.get_by_role("button", name=f"Certificate for {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of completion")
    certificate = page.locator(".app-certificate")
    expect(certificate).to_contain_text("Jo Morgan")
    expect(certificate).to_contain_text(title)
    expect(certificate).to_contain_text("Level 1")
    then_the_page_is_accessible(page)
    code = page.locator(".app-certificate__code").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", code)
    return code


def then_it_prints_on_one_page(page: Page) -> None:
    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).to_be_hidden()
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def then_a_manager_checks_it_without_signing_in(
    browser: Browser, base_url: str, problems: BrowserProblems, code: str
) -> None:
    with a_second_browser(browser, base_url, problems) as manager:
        manager.goto("/learning/certificates/check/")
        expect(manager.get_by_role("heading", level=1)).to_have_text("Check a certificate")
        then_the_page_is_accessible(manager)
        manager.get_by_label("Verification code").fill("ZZZZ-ZZZZ-ZZZZ")
        manager.get_by_role("button", name="Check the certificate").click()
        then_there_is_a_problem(
            manager,
            "No certificate has this code. Check you have typed it as it is printed; if it is "
            "right, the certificate was not issued by this portal",
        )
        then_the_page_is_accessible(manager)
        manager.get_by_label("Verification code").fill(code.lower().replace("-", " "))
        manager.get_by_role("button", name="Check the certificate").click()
        expect(manager.get_by_role("heading", level=1)).to_have_text("This certificate is genuine")
        main = manager.get_by_role("main")
        expect(main).to_contain_text("Jo Morgan")
        expect(main).to_contain_text(FOR_MOOD_AND_PAIN)
        expect(main).not_to_contain_text("@")
        then_the_page_is_accessible(manager)


# --- Journey ----------------------------------------------------------------------------------


def test_self_assessment_to_a_verified_certificate(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
):
    given_a_framework_and_a_catalogue()
    member = given_a_non_clinical_member_of_staff()
    when_they_sign_in(page, email=member.email, password=PASSWORD)
    then_they_are_signed_in(page)

    when_they_start_their_self_assessment(page)
    when_they_rate(page, MOOD, "Not confident")
    when_they_rate(page, PAIN, "Slightly confident")
    page.get_by_role("button", name="Save and come back later").click()
    then_their_answers_are_kept_for_later(page)

    then_the_pathway_puts_their_gaps_first_and_says_why(page)

    when_they_complete(page, FOR_MOOD_AND_PAIN)
    when_they_rate_again_on_the_completion_page(page)
    then_my_learning_shows_then_and_now(page)
    assert list(
        CompetencyRating.objects.filter(user=member, competency__text=MOOD).values_list(
            "confidence", flat=True
        )
    ) == [1, 4]

    code = when_they_get_a_certificate(page, FOR_MOOD_AND_PAIN)
    then_it_prints_on_one_page(page)
    assert Certificate.objects.get(user=member).code == code.replace("-", "")
    then_a_manager_checks_it_without_signing_in(browser, live_server.url, browser_problems, code)


def test_rating_one_statement_again_a_retired_one_and_too_many_codes_are_clear(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems, settings
):
    given_the_roles_and_objectives_exist()
    member = given_a_non_clinical_member_of_staff()
    mood = StatementFactory(level=Level.ONE, text=MOOD)
    retired = StatementFactory(level=Level.ONE, text=STIGMA, retired_at=timezone.now())
    CompetencyRating.objects.create(user=member, competency=mood, wording_version=1, confidence=2)
    when_they_sign_in(page, email=member.email, password=PASSWORD)
    then_they_are_signed_in(page)

    page.goto("/learning/my-learning/")
    page.get_by_role("link", name=re.compile(rf"^Rate again\W+{re.escape(MOOD)}$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate your confidence again")
    expect(page.get_by_text("Last time you said: Slightly confident")).to_be_visible()
    then_the_page_is_accessible(page)
    when_they_rate(page, MOOD, "Fairly confident")
    page.get_by_role("button", name="Save your rating").click()
    then_they_see_the_message(page, "Your rating is saved.")

    page.goto(f"/learning/self-assessment/statements/{retired.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This statement has been retired")
    then_the_page_is_accessible(page)

    settings.CERTIFICATE_CHECK_RATE_LIMITS = {"certificate_check": "1/m/ip"}
    with a_second_browser(browser, live_server.url, browser_problems) as stranger:
        for _ in range(2):
            stranger.goto("/learning/certificates/check/?code=ZZZZ-ZZZZ-ZZZZ")
        expect(stranger.get_by_role("heading", level=1)).to_have_text("Too many codes tried")
        then_the_page_is_accessible(stranger)
