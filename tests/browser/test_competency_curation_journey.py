"""A curator adds a competency statement, ties resources to it, has a second curator publish
one, and reads the impact report once staff have rated themselves before and after learning; a
team lead reads their team's totals; publishing an overdue resource asks for a review date."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from learning.models import Competency, LearningRecord, LearningStatus, Resource, ResourceStatus
from portal import roles
from portal.models import StaffGroup, User
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    a_second_browser,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
    when_they_choose_from_the_menu,
    when_they_sign_in,
)
from tests.browser.test_learning_curator_journey import (
    given_a_curator_with_an_authenticator,
    when_they_sign_in_with_their_authenticator,
)
from tests.factories import PASSWORD, StaffProfileFactory, UserFactory
from tests.learning.factories import ResourceFactory
from tests.learning.framework_factories import rate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

STATEMENT = "I can ask about low mood at every diabetes review"
COURSE = "Diabetes and depression: recognising and responding"
FILM = "Supporting someone with diabetes and depression: a short film"


def when_they_open_the_framework(page: Page) -> None:
    when_they_choose_from_the_menu(page, "Curate learning")
    page.get_by_role("link", name="Competency framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Competency framework")
    then_the_page_is_accessible(page)


def when_they_add_a_statement_with_nothing_in_it(page: Page) -> None:
    page.get_by_role("link", name="Add a statement").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a statement")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Add statement").click()
    then_there_is_a_problem(
        page,
        "Select a level",
        "Enter the statement, starting with 'I can'",
        "Select at least one objective",
    )
    then_the_page_is_accessible(page)


def when_they_add_the_statement(page: Page) -> Competency:
    page.get_by_role("group", name="Level").get_by_label("Level 2", exact=True).check()
    page.get_by_label("Statement", exact=True).fill(STATEMENT)
    objectives = page.get_by_role("group", name="Which strategic objectives does it serve?")
    objectives.get_by_role("checkbox", name=re.compile(r"^2\. ")).check()
    page.get_by_role("button", name="Add statement").click()
    statement = Competency.objects.get(text=STATEMENT)
    then_they_see_the_message(page, f"{statement.code} has been added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(STATEMENT)
    expect(page.get_by_role("main")).to_contain_text("Content gap")
    then_the_page_is_accessible(page)
    return statement


def when_they_tie_the_resource_to_it(page: Page, resource: Resource, statement: Competency) -> None:
    page.goto(page.url.split("/learning/")[0] + f"/learning/curate/resources/{resource.pk}/edit/")
    then_the_page_is_accessible(page)
    competencies = page.get_by_role("group", name="Which competencies does it develop? (optional)")
    competencies.get_by_label(f"{statement.code} (Level 2): {STATEMENT}", exact=True).check()
    page.get_by_role("button", name="Save resource").click()
    then_they_see_the_message(page, "You changed the competencies.")
    expect(page.get_by_role("main")).to_contain_text(f"{statement.code} {STATEMENT}")
    then_the_page_is_accessible(page)


def then_the_statement_is_no_longer_a_content_gap(page: Page, statement: Competency) -> None:
    page.get_by_role("link", name=statement.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STATEMENT)
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=COURSE)).to_be_visible()
    expect(main).not_to_contain_text("Content gap")
    then_the_page_is_accessible(page)


def when_a_second_curator_publishes_the_film(browser: Browser, live_server, problems) -> None:
    film = Resource.objects.get(title=FILM)
    second = given_a_curator_with_an_authenticator()
    with a_second_browser(browser, live_server.url, problems) as other:
        when_they_sign_in_with_their_authenticator(other, second)
        other.goto(f"{live_server.url}/learning/curate/resources/{film.pk}/")
        other.get_by_role("button", name="Publish", exact=True).click()
        then_they_see_the_message(other, f"'{FILM}' is now published.")
        then_the_page_is_accessible(other)


def given_staff_rated_it_before_and_after_the_course(statement: Competency) -> None:
    course = Resource.objects.get(title=COURSE)
    today = timezone.localdate()
    for n in range(6):
        user: User = UserFactory()
        StaffProfileFactory(user=user, staff_group=StaffGroup.NURSING_MIDWIFERY_REGISTERED)
        rate(user, statement, 1 + n % 2, days_ago=30)
        LearningRecord.objects.create(
            user=user,
            resource=course,
            status=LearningStatus.COMPLETED,
            completed_on=today - datetime.timedelta(days=10),
        )
        rate(user, statement, 3 + n % 2, days_ago=2)


def when_they_read_the_impact_report(page: Page, statement: Competency) -> None:
    when_they_choose_from_the_menu(page, "Curate learning")
    page.get_by_role("link", name="Impact report: confidence before and after learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact report")
    table = page.get_by_role("table", name="Figures: confidence by statement")
    row = table.get_by_role("row").filter(has_text=statement.code)
    expect(row).to_contain_text("+2.0")
    expect(row.get_by_role("cell").first).to_have_text(re.compile(r"(^|\s)6$"))
    expect(
        page.get_by_role("img", name=re.compile("Bar chart: Confidence by level"))
    ).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Download this table \\(CSV\\)")).first
    ).to_be_visible()
    then_the_page_is_accessible(page)


def test_a_curator_adds_a_statement_ties_resources_and_reads_the_impact_report(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
):
    curator = given_a_curator_with_an_authenticator()
    course = ResourceFactory(title=COURSE, level=2, objectives=[2])
    film = ResourceFactory(title=FILM, level=2, objectives=[2], status=ResourceStatus.IN_REVIEW)

    when_they_sign_in_with_their_authenticator(page, curator)
    when_they_open_the_framework(page)
    when_they_add_a_statement_with_nothing_in_it(page)
    statement = when_they_add_the_statement(page)
    when_they_tie_the_resource_to_it(page, course, statement)
    when_they_tie_the_resource_to_it(page, film, statement)
    assert set(statement.resources.all()) == {course, film}
    then_the_statement_is_no_longer_a_content_gap(page, statement)

    # Having changed the film, they cannot publish it: a second curator does.
    page.goto(f"{live_server.url}/learning/curate/resources/{film.pk}/")
    expect(page.get_by_role("main")).to_contain_text("You made the last change to this resource")
    expect(page.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
    when_a_second_curator_publishes_the_film(browser, live_server, browser_problems)
    film.refresh_from_db()
    assert film.status == ResourceStatus.PUBLISHED
    assert "approved by a second curator" in film.changes.first().summary

    given_staff_rated_it_before_and_after_the_course(statement)
    when_they_read_the_impact_report(page, statement)


def test_a_team_lead_reads_their_teams_totals_and_an_overdue_resource_asks_for_a_review_date(
    page: Page, browser: Browser, live_server, browser_problems: BrowserProblems
):
    curator = given_a_curator_with_an_authenticator()
    lead: User = UserFactory(roles=[roles.TEAM_LEAD])
    StaffProfileFactory(user=lead, team="Ward 5", display_name="Lee Lead")
    course = ResourceFactory(title=COURSE, level=2)
    for n in range(5):
        member: User = UserFactory()
        StaffProfileFactory(user=member, team="ward 5", display_name=f"Team member {n}")
        LearningRecord.objects.create(user=member, resource=course, status=LearningStatus.COMPLETED)
    overdue = ResourceFactory(
        title=FILM,
        status=ResourceStatus.IN_REVIEW,
        review_due=timezone.localdate() - datetime.timedelta(days=3),
    )

    when_they_sign_in(page, email=lead.email, password=PASSWORD)
    page.get_by_role("link", name="Your team's learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team's learning")
    expect(page.get_by_role("main")).to_contain_text("Resources completed, by level")
    expect(page.get_by_role("main")).not_to_contain_text("Team member")
    then_the_page_is_accessible(page)

    with a_second_browser(browser, live_server.url, browser_problems) as other:
        when_they_sign_in_with_their_authenticator(other, curator)
        other.goto(f"{live_server.url}/learning/curate/resources/{overdue.pk}/")
        expect(other.get_by_role("main")).to_contain_text("publishing it asks for a new one")
        other.get_by_role("button", name="Publish", exact=True).click()
        expect(other.get_by_role("heading", level=1)).to_have_text(
            "Set a new review date to publish"
        )
        then_the_page_is_accessible(other)
        other.get_by_role("button", name="Set the review date and publish").click()
        then_there_is_a_problem(other, "Enter the next review date")
        then_the_page_is_accessible(other)
        next_year = timezone.localdate() + datetime.timedelta(days=365)
        dates = other.get_by_role("group", name="When should it next be reviewed?")
        dates.get_by_label("Day").fill(str(next_year.day))
        dates.get_by_label("Month").fill(str(next_year.month))
        dates.get_by_label("Year").fill(str(next_year.year))
        other.get_by_role("button", name="Set the review date and publish").click()
        then_they_see_the_message(other, f"'{FILM}' is now published.")
        then_the_page_is_accessible(other)
    overdue.refresh_from_db()
    assert overdue.review_due == next_year
