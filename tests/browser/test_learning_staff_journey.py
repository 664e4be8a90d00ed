"""A new member of staff tells us about their role, follows their learning pathway, finds a
resource in the catalogue, records that they completed it and takes their record to appraisal."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from learning.models import LearningRecord, LearningStatus, Level, ResourceFormat, ResourceStatus
from portal.models import User
from tests.browser.steps import (
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
    when_they_choose_from_the_menu,
    when_they_sign_in,
)
from tests.factories import PASSWORD, UserFactory
from tests.learning.factories import ProviderFactory, ResourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

CARES_FOR_BOTH = "How often do you care for people with both physical and mental health needs?"
REASON = (
    "Because you told us your role is clinical and you sometimes care for people with both "
    "physical and mental health needs, we recommend Levels 1 and 2."
)
CHOSEN = "Diabetes and depression: an introduction"
OTHER_DIABETES = "Diabetes care for people living with psychosis"
DRAFT = "Diabetes distress: a module still being written"
COMPLETION_DATE = "When did you complete it?"


# --- Steps ------------------------------------------------------------------------------------


def given_a_published_catalogue_and_one_draft() -> dict[int, list[str]]:
    """Eight published resources across the three levels, and a draft staff must not see.

    Returns the published titles by level.
    """
    given_the_roles_and_objectives_exist()
    health_education = ProviderFactory(name="NHS England e-Learning for Healthcare", slug="elfh")
    charity = ProviderFactory(name="Mind and Body Partnership", slug="mind-and-body-partnership")
    published = [
        (CHOSEN, Level.ONE, ResourceFormat.E_LEARNING, [1, 2], Decimal("1.5")),
        ("Seeing the whole person", Level.ONE, ResourceFormat.VIDEO, [1], Decimal("0.5")),
        ("Stigma in everyday care", Level.ONE, ResourceFormat.READING, [1, 7], None),
        ("Physical health in severe mental illness", Level.TWO, ResourceFormat.E_LEARNING, [2], 2),
        (OTHER_DIABETES, Level.TWO, ResourceFormat.VIRTUAL, [2, 3], 3),
        ("Medically unexplained symptoms", Level.TWO, ResourceFormat.PODCAST, [3], 1),
        ("Leading joined-up care", Level.THREE, ResourceFormat.FACE_TO_FACE, [5, 8], 6),
        ("Psychological care after a heart attack", Level.THREE, ResourceFormat.TOOLKIT, [2], 2),
    ]
    titles: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for number, (title, level, format_, objectives, hours) in enumerate(published):
        ResourceFactory(
            title=title,
            level=level,
            format=format_,
            objectives=objectives,
            cpd_hours=hours,
            provider=health_education if number % 2 else charity,
            published_at=timezone.now() - datetime.timedelta(days=number),
        )
        titles[level].append(title)
    ResourceFactory(
        title=DRAFT, level=Level.ONE, status=ResourceStatus.DRAFT, published_at=None, objectives=[2]
    )
    return titles


def given_a_new_member_of_staff() -> User:
    return UserFactory(with_profile=False)


def then_they_are_asked_about_their_role(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/profile/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about your role")
    then_the_page_is_accessible(page)


def when_they_say_they_are_clinical_and_sometimes_care_for_both(page: Page) -> None:
    page.get_by_label("Display name", exact=True).fill("Priya Patel")
    page.get_by_label("Job title", exact=True).fill("Practice nurse")
    page.get_by_role("combobox", name="Staff group").select_option(
        label="Nursing and Midwifery Registered"
    )
    page.get_by_label("Organisation", exact=True).fill("Example Community Health NHS Trust")
    page.get_by_role("group", name="Is your role clinical?").get_by_label("Yes").check()
    page.get_by_role("group", name=CARES_FOR_BOTH).get_by_label("Sometimes").check()
    page.get_by_role("button", name="Save your profile").click()


def then_they_are_greeted(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Patel")
    then_the_page_is_accessible(page)


def then_they_see_their_pathway(page: Page, titles: dict[int, list[str]]) -> None:
    expect(page).to_have_url(re.compile(r"/learning/$"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Your mind and body learning pathway")
    expect(main.get_by_text(REASON)).to_be_visible()
    # The recommended levels, in order, each with its own resources and nothing else.
    expect(main.get_by_role("heading", level=2, name=re.compile(r"^Level \d$"))).to_have_text(
        ["Level 1", "Level 2"]
    )
    for number in (1, 2):
        level = main.get_by_role("region", name=f"Level {number}", exact=True)
        # Newest first within a level; the journey cares which resources, not their order.
        shown = level.get_by_role("heading", level=3).all_inner_texts()
        assert sorted(shown) == sorted(titles[number])
        expect(level.get_by_role("progressbar")).to_be_visible()
        expect(level).to_contain_text(
            f"You have completed 0 of {len(titles[number])} resources at Level {number}."
        )
    for hidden in (*titles[3], DRAFT):
        expect(main.get_by_role("link", name=hidden)).to_have_count(0)
    then_the_page_is_accessible(page)


def when_they_search_the_catalogue_for(page: Page, words: str) -> None:
    page.get_by_role("link", name="Search all learning resources").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find learning")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"resources$"))).to_have_text(
        "8 resources"
    )
    then_the_page_is_accessible(page)
    page.get_by_role("searchbox", name="Search for learning").fill(words)
    page.get_by_role("button", name="Search", exact=True).click()


def then_they_see_results(page: Page, heading: str, titles: list[str]) -> None:
    results = (
        page.get_by_role("main")
        .get_by_role("list")
        .filter(has=page.get_by_role("heading", level=3))
    )
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(results.get_by_role("heading", level=3)).to_have_text(titles, use_inner_text=True)
    expect(page.get_by_role("main").get_by_role("link", name=DRAFT)).to_have_count(0)
    then_the_page_is_accessible(page)


def when_they_filter_by_format(page: Page, format_label: str) -> None:
    formats = page.get_by_role("group", name="Format")
    formats.get_by_role("checkbox", name=re.compile(rf"^{re.escape(format_label)} \(")).check()
    page.get_by_role("button", name="Apply filters").click()


def then_the_filter_is_shown_as_selected(page: Page, shown: str) -> None:
    expect(page.get_by_role("heading", level=3, name="Selected filters")).to_be_visible()
    # The cross after the label is hidden from assistive technology, so the link reads "Remove filter Format: ...".
    expect(page.get_by_role("link", name=f"Remove filter {shown}", exact=True)).to_be_visible()
    expect(
        page.get_by_role("group", name="Format").get_by_role("checkbox", checked=True)
    ).to_have_count(1)


def when_they_open(page: Page, title: str) -> None:
    page.get_by_role("main").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    then_the_page_is_accessible(page)


def when_they_save_it_to_their_learning(page: Page, title: str) -> None:
    page.get_by_role("button", name="Save to my learning").click()
    then_they_see_the_message(page, f"{title} is in your learning.")
    expect(page.get_by_role("main").get_by_role("link", name="your learning")).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_say_they_have_completed_it(page: Page, title: str) -> None:
    page.get_by_role("button", name="I've completed this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record that you completed it")
    expect(page.get_by_role("main")).to_contain_text(title)
    then_the_page_is_accessible(page)


def when_they_enter_the_date_and_hours(
    page: Page, *, day: str, month: str, year: str, hours: str
) -> None:
    date = page.get_by_role("group", name=COMPLETION_DATE)
    date.get_by_label("Day", exact=True).fill(day)
    date.get_by_label("Month", exact=True).fill(month)
    date.get_by_label("Year", exact=True).fill(year)
    page.get_by_label("How many CPD hours? (optional)").fill(hours)
    page.get_by_label("What did you learn, and how will you use it? (optional)").fill(
        "Ask about mood at every diabetes review."
    )
    page.get_by_role("button", name="Save to my learning record").click()


def then_they_are_told_the_date_is_not_real(page: Page) -> None:
    error = "The date you completed it must be a real date"
    then_there_is_a_problem(page, error)
    date = page.get_by_role("group", name=COMPLETION_DATE)
    expect(date).to_have_accessible_description(re.compile(re.escape(error)))
    expect(date.get_by_label("Day", exact=True)).to_have_value("31")
    then_the_page_is_accessible(page)


def then_my_learning_shows_it_completed(page: Page, title: str, hours: str) -> None:
    expect(page).to_have_url(re.compile(r"/learning/my-learning/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    then_they_see_the_message(page, f"{title} is recorded as completed.")
    then_the_page_is_accessible(page)
    page.get_by_role("tab", name="Completed (1)").click()
    completed = page.get_by_role("table", name="Learning you have completed")
    expect(completed).to_be_visible()
    row = completed.get_by_role("row").filter(has_text=title)
    expect(row.get_by_role("cell").nth(2)).to_have_text(hours)
    expect(page.get_by_role("tab", name="Saved (0)")).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_download_their_record(page: Page, tmp_path: Path) -> list[dict[str, str]]:
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your learning record (CSV spreadsheet)").click()
    download = download_info.value
    assert re.fullmatch(r"my-learning-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    return list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))


def when_they_open_the_printable_record(page: Page, title: str, hours: str) -> None:
    page.get_by_role("link", name="View a printable learning record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mind and body learning record")
    main = page.get_by_role("main")
    expect(main.get_by_role("definition").filter(has_text="Priya Patel")).to_be_visible()
    row = main.get_by_role("table", name="Completed learning, most recent first").get_by_role(
        "row", name=re.compile(re.escape(title))
    )
    expect(row).to_contain_text(hours)
    then_the_page_is_accessible(page)


# --- Journey ----------------------------------------------------------------------------------


def test_a_new_member_of_staff_follows_their_pathway_and_records_completed_learning(
    page: Page, tmp_path: Path
):
    titles = given_a_published_catalogue_and_one_draft()
    member = given_a_new_member_of_staff()

    when_they_sign_in(page, email=member.email, password=PASSWORD)
    then_they_are_asked_about_their_role(page)
    when_they_say_they_are_clinical_and_sometimes_care_for_both(page)
    then_they_are_greeted(page)

    when_they_choose_from_the_menu(page, "Learning")
    then_they_see_their_pathway(page, titles)

    when_they_search_the_catalogue_for(page, "diabetes")
    then_they_see_results(page, "2 resources matching “diabetes”", [CHOSEN, OTHER_DIABETES])
    when_they_filter_by_format(page, "E-learning")
    then_they_see_results(page, "1 resource matching “diabetes”", [CHOSEN])
    then_the_filter_is_shown_as_selected(page, "Format: E-learning")

    when_they_open(page, CHOSEN)
    when_they_save_it_to_their_learning(page, CHOSEN)
    when_they_say_they_have_completed_it(page, CHOSEN)
    when_they_enter_the_date_and_hours(page, day="31", month="2", year="2026", hours="2.5")
    then_they_are_told_the_date_is_not_real(page)
    completed_on = timezone.localdate() - datetime.timedelta(days=3)
    when_they_enter_the_date_and_hours(
        page,
        day=str(completed_on.day),
        month=str(completed_on.month),
        year=str(completed_on.year),
        hours="2.5",
    )
    then_my_learning_shows_it_completed(page, CHOSEN, "2.5")
    record = LearningRecord.objects.get(user=member)
    assert (record.status, record.completed_on, record.hours) == (
        LearningStatus.COMPLETED,
        completed_on,
        Decimal("2.5"),
    )

    rows = when_they_download_their_record(page, tmp_path)
    assert [(r["Title"], r["Status"], r["Completed on"], r["CPD hours"]) for r in rows] == [
        (CHOSEN, "Completed", completed_on.isoformat(), "2.5")
    ]

    when_they_open_the_printable_record(page, CHOSEN, "2.5")
