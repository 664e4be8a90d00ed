"""A hub lead who also holds the Hub researcher role defines a study (first with an impossible
period, then correctly) and downloads its extract, the data dictionary and the FHIR answers;
a study with no one who agreed gets a message instead of a file. Every page is checked with
axe."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import User
from tests.browser.steps import (
    AuthenticatorApp,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
)
from tests.browser.test_new_pages_are_accessible import (
    when_they_sign_in_with_their_authenticator,
)
from tests.factories import UserFactory, totp_for
from tests.wellbeing.test_research_extract import a_consented_referral
from wellbeing.models import AuditAction, AuditEntry

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

DB = "confidential"


def given_a_hub_lead_with_the_researcher_role() -> tuple[User, AuthenticatorApp]:
    user: User = UserFactory(
        with_profile=True, roles=[roles.HUB_LEAD, roles.HUB_RESEARCHER], with_totp=True
    )
    return user, AuthenticatorApp(totp_for(user).secret)


def given_people_who_agreed_to_research(count: int) -> None:
    for _ in range(count):
        a_consented_referral()


def when_they_open_research_from_the_menu(page: Page) -> None:
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu).to_be_visible()
    link = menu.get_by_role("link", name="Research", exact=True)
    if not link.is_visible():  # a long menu puts its last items under "More"
        menu.get_by_role("button", name="More").click()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Research studies")
    then_the_page_is_accessible(page)


def fill_the_period(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def when_they_define_a_study_with_an_impossible_period_then_a_right_one(page: Page) -> None:
    page.get_by_role("button", name="Define a study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Define a study")
    then_the_page_is_accessible(page)
    page.get_by_label("Study name").fill("Resilience Hub evaluation")
    page.get_by_label("Approval reference").fill("IRAS 314159")
    this_year = str(timezone.localdate().year)
    fill_the_period(page, "Referrals made from", "31", "2", this_year)
    fill_the_period(page, "Referrals made up to and including", "1", "1", "2099")
    page.get_by_role("button", name="Define the study").click()
    today = timezone.localdate()
    then_there_is_a_problem(
        page,
        "The date referrals are taken from must be a real date",
        "The date referrals are taken up to must be before "
        f"{today.replace(year=today.year + 5):%-d %B %Y}",
    )
    then_the_page_is_accessible(page)
    start = timezone.localdate().replace(day=1)
    last_year = start.replace(year=start.year - 1)
    fill_the_period(page, "Referrals made from", "1", str(last_year.month), str(last_year.year))
    today = timezone.localdate()
    fill_the_period(
        page,
        "Referrals made up to and including",
        str(today.day),
        str(today.month),
        str(today.year),
    )
    page.get_by_role("button", name="Define the study").click()
    then_they_see_the_message(page, "Study Resilience Hub evaluation defined.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resilience Hub evaluation")
    then_the_page_is_accessible(page)


def when_they_download(page: Page, button: str) -> str:
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    path = download_info.value.path()
    with open(path, encoding="utf-8") as file:
        return file.read()


def then_the_files_hold_the_rows_and_say_how_they_were_made(page: Page, people: int) -> None:
    rows = list(csv.DictReader(io.StringIO(when_they_download(page, "Download the extract (CSV)"))))
    assert len(rows) == people
    dictionary = when_they_download(page, "Download the data dictionary (Markdown)")
    assert f"- Rows: {people}" in dictionary
    assert "Rows left out because they stayed identifiable: 0" in dictionary
    bundle = json.loads(when_they_download(page, "Download the questionnaire answers (FHIR JSON)"))
    assert bundle["resourceType"] == "Bundle"
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == {"QuestionnaireResponse"}
    entries = AuditEntry.objects.using(DB).filter(action=AuditAction.EXPORT)
    assert entries.count() == 3
    assert all(f"{people} rows" in entry.reason for entry in entries)


def when_they_define_a_study_before_anyone_agreed(page: Page) -> None:
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Research").click()
    page.get_by_role("button", name="Define a study").click()
    page.get_by_label("Study name").fill("An early pilot")
    page.get_by_label("Approval reference").fill("SE-2016-001")
    start = timezone.localdate().replace(day=1, year=timezone.localdate().year - 2)
    fill_the_period(page, "Referrals made from", "1", str(start.month), str(start.year))
    fill_the_period(
        page, "Referrals made up to and including", "28", str(start.month), str(start.year)
    )
    page.get_by_role("button", name="Define the study").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("An early pilot")


def then_they_are_told_there_is_nothing_to_download(page: Page) -> None:
    then_they_see_the_message(page, "there is nothing to download yet")
    expect(page.get_by_role("button", name="Download the extract (CSV)")).to_have_count(0)
    then_the_page_is_accessible(page)


def test_a_hub_lead_defines_a_study_and_downloads_its_extract(page: Page) -> None:
    given_the_roles_and_objectives_exist()
    lead, app = given_a_hub_lead_with_the_researcher_role()
    given_people_who_agreed_to_research(5)

    when_they_sign_in_with_their_authenticator(page, lead, app)
    when_they_open_research_from_the_menu(page)
    when_they_define_a_study_with_an_impossible_period_then_a_right_one(page)
    then_the_files_hold_the_rows_and_say_how_they_were_made(page, people=5)

    when_they_define_a_study_before_anyone_agreed(page)
    then_they_are_told_there_is_nothing_to_download(page)
