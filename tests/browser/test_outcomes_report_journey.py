"""The hub lead signs in with their authenticator, reads the Outcomes section of the hub
reports (what the rates rest on, a small component shown as "<5" with its rate hidden),
downloads the CSV of suppressed figures, and opens the follow-up console; axe checks each page."""

from __future__ import annotations

import csv
import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from portal import roles
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    when_they_choose_from_the_menu,
)
from tests.browser.test_hub_clinician_journey import (
    given_a_hub_member_with_an_authenticator,
    when_they_sign_in_with_their_authenticator,
)
from tests.wellbeing.test_outcomes_report import three_components_one_small
from wellbeing.models import FollowUp, Referral
from wellbeing.queries import reports

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def given_referrals_with_paired_scores_a_year_ago() -> None:
    first_month = reports.last_twelve_months().first
    created = datetime.datetime.combine(first_month, datetime.time(10), tzinfo=LONDON)
    three_components_one_small(created=created)
    # Their first check-ins, four weeks on: the ones with a later measure answered them.
    for referral in Referral.objects.using("confidential").prefetch_related("screenings"):
        answered = len(referral.screenings.all()) > 2
        FollowUp.objects.using("confidential").create(
            referral=referral,
            label="4 weeks",
            due_on=first_month + datetime.timedelta(weeks=4),
            invited_at=created + datetime.timedelta(weeks=4),
            completed_at=created + datetime.timedelta(weeks=5) if answered else None,
        )


def when_they_open_the_hub_reports(page: Page) -> None:
    when_they_choose_from_the_menu(page, "Hub queue")
    page.get_by_role("link", name="Hub reports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hub reports")


def then_they_read_the_outcomes_with_what_they_rest_on(page: Page) -> None:
    page.get_by_role("navigation", name="Hub reports pages").get_by_role(
        "link", name="Outcomes: recovery and reliable change"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Outcomes: recovery and reliable change"
    )
    expect(page.locator("#outcomes-rest-on")).to_contain_text(
        "rest on 13 referrals with paired scores, of 35 eligible"
    )
    by_component = page.get_by_role(
        "table", name=re.compile(r"^Figures: outcomes by service component")
    )
    therapy = by_component.get_by_role("row").filter(has_text="Direct therapy")
    expect(therapy.get_by_role("cell").nth(2)).to_have_text("5 (83%, 44% to 97%)")
    team = by_component.get_by_role("row").filter(has_text="Team-based support")
    expect(team.get_by_role("cell").nth(0)).to_have_text("<5")
    expect(team.get_by_role("cell").nth(2)).to_have_text("<5 (*)")
    completeness = page.get_by_role(
        "table", name=re.compile(r"^Figures: completeness: referrals with paired scores")
    )
    expect(
        completeness.get_by_role("row").filter(has_text="All eligible referrals")
    ).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_download_the_csv(page: Page, tmp_path: Path) -> list[list[str]]:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download these figures \(CSV\)")).click()
    download = download_info.value
    assert re.fullmatch(r"hub-report-\d{4}-\d{2}-to-\d{4}-\d{2}\.csv", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def then_the_csv_holds_the_outcomes_suppressed(rows: list[list[str]]) -> None:
    assert ["Outcomes by service component"] in rows
    team = next(r for r in rows if r[:1] == ["Team-based support"] and len(r) == 7)
    assert team[1:3] == ["<5", "<5"]
    counts = [
        int(match.group(1))
        for row in rows
        for cell in row
        if (match := re.fullmatch(r"(\d+)(?: \(.*\))?", cell))
    ]
    assert counts
    assert not [n for n in counts if 1 <= n <= 4]


def when_they_open_the_follow_up_console(page: Page) -> None:
    page.get_by_role("navigation", name="Hub reports pages").get_by_role(
        "link", name="Follow-up check-ins"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Follow-up check-ins")
    expect(
        page.get_by_role("table", name=re.compile(r"^Figures: check-ins by round"))
    ).to_be_visible()
    then_the_page_is_accessible(page)


def test_the_hub_lead_reads_the_outcomes_downloads_them_and_opens_the_follow_up_console(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems, tmp_path: Path
) -> None:
    given_the_roles_and_objectives_exist()
    given_referrals_with_paired_scores_a_year_ago()
    lead, app = given_a_hub_member_with_an_authenticator(roles.HUB_LEAD, "Lee Hub-Lead")

    with a_second_browser(browser, live_server.url, browser_problems) as lead_page:
        when_they_sign_in_with_their_authenticator(lead_page, lead, app)
        when_they_open_the_hub_reports(lead_page)
        then_they_read_the_outcomes_with_what_they_rest_on(lead_page)
        rows = when_they_download_the_csv(lead_page, tmp_path)
        then_the_csv_holds_the_outcomes_suppressed(rows)
        when_they_open_the_follow_up_console(lead_page)
