"""A curator signs in with their authenticator, adds a resource and takes it through review to
publication, moderates staff comments, and imports resources from a spreadsheet."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from learning.models import Comment, CommentStatus, Resource, ResourceStatus
from portal import roles
from portal.models import User
from tests.browser.conftest import BrowserProblems
from tests.browser.steps import (
    AuthenticatorApp,
    a_second_browser,
    given_the_roles_and_objectives_exist,
    then_the_page_is_accessible,
    then_the_page_with_a_file_upload_is_accessible,
    then_there_is_a_problem,
    then_they_see_the_message,
    when_they_choose_from_the_menu,
    when_they_sign_in,
)
from tests.factories import PASSWORD, StaffProfileFactory, UserFactory, totp_for
from tests.learning.factories import CommentFactory, ResourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "confidential"]),
]

NEW_TITLE = "Sleep, pain and low mood in long-term conditions"
NEW_PROVIDER = "Royal College of Nursing"
COMMENTER = "Alex Morgan"
SPAMMER = "Sam Seller"
IMPORTED = ("Dementia and delirium: spotting the difference", "Eating disorders and diabetes")
CSV_COLUMNS = (
    "title",
    "summary",
    "description",
    "provider",
    "format",
    "level",
    "objectives",
    "duration_minutes",
    "url",
    "cpd_hours",
)
LEVEL_ERROR = "Row 3, column 'level': Select a level"


# --- Steps ------------------------------------------------------------------------------------


def given_a_curator_with_an_authenticator() -> User:
    given_the_roles_and_objectives_exist()
    return UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)


def given_a_member_of_staff_called(name: str) -> User:
    user: User = UserFactory()
    StaffProfileFactory(user=user, display_name=name)
    return user


def when_they_sign_in_with_their_authenticator(page: Page, curator: User) -> None:
    when_they_sign_in(page, email=curator.email, password=PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    then_the_page_is_accessible(page)
    app = AuthenticatorApp(totp_for(curator).secret)
    page.get_by_label("Code from your authenticator app", exact=True).fill(app.fresh_code())
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Hello, {curator.staff_profile.display_name}"
    )
    then_the_page_is_accessible(page)


def then_they_see_the_curator_dashboard(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/learning/curate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Curate learning")
    then_the_page_is_accessible(page)


def when_they_start_adding_a_resource(page: Page) -> None:
    page.get_by_role("link", name="Add a resource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a resource")
    then_the_page_is_accessible(page)


def when_they_save_the_resource(page: Page) -> None:
    page.get_by_role("button", name="Save resource").click()


def then_they_see_what_the_resource_needs(page: Page) -> None:
    errors = [
        (page.get_by_label("Title", exact=True), "Enter a title"),
        (page.get_by_label("Summary", exact=True), "Enter a summary"),
        (page.get_by_label("Description", exact=True), "Enter a description"),
        (page.get_by_role("combobox", name="Provider"), "Select a provider, or add a new one"),
        (page.get_by_role("combobox", name="Format"), "Select a format"),
        (page.get_by_role("group", name="Level"), "Select a level"),
        (
            page.get_by_role("group", name="Which strategic objectives does it support?"),
            "Select at least one objective",
        ),
        (
            page.get_by_label("How long it takes, in minutes", exact=True),
            "Enter how long it takes, in minutes",
        ),
        (page.get_by_label("Web address", exact=True), "Enter a web address"),
    ]
    then_there_is_a_problem(page, *(message for _, message in errors))
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("link")).to_have_count(len(errors))
    for field, message in errors:
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    then_the_page_is_accessible(page)


def when_they_fill_in_the_resource(page: Page) -> None:
    page.get_by_label("Title", exact=True).fill(NEW_TITLE)
    page.get_by_label("Summary", exact=True).fill(
        "How poor sleep, pain and low mood feed each other, and what to try first."
    )
    page.get_by_label("Description", exact=True).fill(
        "A short video for clinical staff.\n\nCovers screening questions and simple steps."
    )
    page.get_by_label("Or add a new provider (optional)").fill(NEW_PROVIDER)
    page.get_by_role("combobox", name="Format").select_option(label="Video")
    page.get_by_role("group", name="Level").get_by_label("Level 2", exact=True).check()
    objectives = page.get_by_role("group", name="Which strategic objectives does it support?")
    objectives.get_by_role("checkbox", name=re.compile(r"^2\. ")).check()
    objectives.get_by_role("checkbox", name=re.compile(r"^3\. ")).check()
    page.get_by_label("How long it takes, in minutes", exact=True).fill("45")
    page.get_by_label("Web address", exact=True).fill("https://learning.example.nhs.uk/sleep-pain")
    page.get_by_label("CPD hours (optional)").fill("1")
    when_they_save_the_resource(page)


def then_it_is_a_draft(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    then_they_see_the_message(page, f"'{NEW_TITLE}' has been added as a draft.")
    expect(page.get_by_role("main")).to_contain_text("This resource is draft")
    expect(page.get_by_role("main")).to_contain_text("Staff cannot see it.")
    then_the_page_is_accessible(page)


def when_they_move_it(page: Page, button: str, *, now: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    then_they_see_the_message(page, f"'{NEW_TITLE}' is now {now}.")
    expect(page.get_by_role("main")).to_contain_text(f"This resource is {now}")
    then_the_page_is_accessible(page)


def when_a_member_of_staff_comments_on_it(page: Page, member: User) -> None:
    when_they_sign_in(page, email=member.email, password=PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {COMMENTER}")
    resource = Resource.objects.get(title=NEW_TITLE)
    page.goto(resource.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    then_the_page_is_accessible(page)
    page.get_by_role("group", name="How useful was it?").get_by_label(
        "4 out of 5", exact=True
    ).check()
    page.get_by_label("Your comment", exact=True).fill("Short and useful for the night shift.")
    page.get_by_role("button", name="Send your comment").click()
    then_they_see_the_message(
        page, "Thank you. Your comment will be published once it has been checked."
    )
    expect(page.get_by_text("Waiting for moderation", exact=True)).to_be_visible()
    then_the_page_is_accessible(page)


def when_they_open_the_moderation_queue(page: Page, waiting: int) -> None:
    when_they_choose_from_the_menu(page, "Curate learning")
    then_they_see_the_curator_dashboard(page)
    page.get_by_role("link", name="Comments to moderate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comments to moderate")
    expect(page.get_by_role("main")).to_contain_text(f"{waiting} comments waiting.")
    then_the_page_is_accessible(page)


def when_they_publish_the_comment_from(page: Page, author: str) -> None:
    page.get_by_role("button", name=f"Publish comment from {author}").click()
    then_they_see_the_message(page, f"The comment on '{NEW_TITLE}' is published.")
    expect(page.get_by_role("main")).to_contain_text("1 comment waiting.")
    then_the_page_is_accessible(page)


def when_they_reject_the_comment_from(page: Page, author: str, reason: str) -> None:
    page.get_by_role("link", name=f"Reject comment from {author}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reject a comment")
    then_the_page_is_accessible(page)
    page.get_by_label("Why are you rejecting this comment?").fill(reason)
    page.get_by_role("button", name="Reject comment").click()
    then_they_see_the_message(page, "is rejected.")
    expect(page.get_by_role("main")).to_contain_text("There are no comments waiting.")
    then_the_page_is_accessible(page)


def a_catalogue_file(path: Path, *, second_level: str) -> Path:
    rows = [
        {
            "title": IMPORTED[0],
            "summary": "Telling dementia from delirium, and why it matters.",
            "description": "For ward staff caring for older people.",
            "provider": "Dementia Learning Network",
            "format": "e_learning",
            "level": "1",
            "objectives": "1;2",
            "duration_minutes": "30",
            "url": "https://learning.example.nhs.uk/dementia-delirium",
            "cpd_hours": "0.5",
        },
        {
            "title": IMPORTED[1],
            "summary": "When diabetes and an eating disorder meet.",
            "description": "For clinical staff in diabetes and mental health services.",
            "provider": "Dementia Learning Network",
            "format": "Virtual classroom or webinar",
            "level": second_level,
            "objectives": "2",
            "duration_minutes": "90",
            "url": "https://learning.example.nhs.uk/eating-disorders-diabetes",
            "cpd_hours": "1.5",
        },
    ]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def the_file_upload(page: Page) -> Locator:
    # NHS.UK's script puts a button labelled by the field's label in place of the file input.
    return page.get_by_role("button", name=re.compile(r"^Upload a CSV file\b"))


def when_they_import(page: Page, file: Path) -> None:
    with page.expect_file_chooser() as chooser:
        the_file_upload(page).click()
    chooser.value.set_files(file)
    expect(the_file_upload(page)).to_contain_text(file.name)
    page.get_by_role("button", name="Check and import").click()


def when_they_open_the_import_page(page: Page) -> None:
    page.get_by_role("link", name="Import resources from a CSV file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import resources from a CSV file")
    then_the_page_with_a_file_upload_is_accessible(page)


def then_they_see_the_row_to_fix_and_nothing_was_imported(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Import resources from a CSV file")
    then_there_is_a_problem(page, LEVEL_ERROR)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text(
        "The file has 1 problem. Nothing was imported: fix them and upload the file again"
    )
    problems = page.get_by_role("table", name="Problems in the file")
    expect(problems.get_by_role("row")).to_have_count(2)
    expect(problems.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        ["3", "level", "Select a level"]
    )
    expect(the_file_upload(page)).to_have_accessible_description(re.compile("Nothing was imported"))
    then_the_page_with_a_file_upload_is_accessible(page)
    # The link in the summary goes to the row in the table.
    summary.get_by_role("link", name=LEVEL_ERROR).click()
    expect(page).to_have_url(re.compile(r"#row-error-1$"))


def then_the_import_succeeded(page: Page) -> None:
    then_the_curator_dashboard_says(page, "Imported the catalogue: 2 added as drafts")
    page.get_by_role("rowheader").get_by_role("link", name="Draft", exact=True).click()
    drafts = page.get_by_role("table", name="Draft resources (2)")
    expect(drafts).to_be_visible()
    for title in IMPORTED:
        row = drafts.get_by_role("row").filter(has=page.get_by_role("link", name=title))
        expect(row).to_contain_text("Draft")
    then_the_page_is_accessible(page)


def then_the_curator_dashboard_says(page: Page, message: str) -> None:
    # A redirect keeps the fragment of the page it came from (#row-error-1, followed earlier).
    expect(page).to_have_url(re.compile(r"/learning/curate/(#[\w-]*)?$"))
    then_they_see_the_message(page, message)
    then_the_page_is_accessible(page)


# --- Journey ----------------------------------------------------------------------------------


def test_a_curator_publishes_a_resource_moderates_comments_and_imports_a_catalogue(
    page: Page,
    browser: Browser,
    live_server,
    browser_problems: BrowserProblems,
    tmp_path: Path,
    settings,
):
    # This curator works alone: their team has turned the two-person rule off (ADR 0035;
    # tests/browser/test_competency_curation_journey.py has a second curator publish).
    settings.LEARNING_SINGLE_CURATOR = True
    curator = given_a_curator_with_an_authenticator()
    member = given_a_member_of_staff_called(COMMENTER)
    spam = CommentFactory(
        resource=ResourceFactory(title="Talking about weight"),
        author=given_a_member_of_staff_called(SPAMMER),
        body="Cheap supplements at example.com",
        rating=5,
    )

    when_they_sign_in_with_their_authenticator(page, curator)
    when_they_choose_from_the_menu(page, "Curate learning")
    then_they_see_the_curator_dashboard(page)

    when_they_start_adding_a_resource(page)
    when_they_save_the_resource(page)
    then_they_see_what_the_resource_needs(page)
    when_they_fill_in_the_resource(page)
    then_it_is_a_draft(page)
    when_they_move_it(page, "Send for review", now="in review")
    when_they_move_it(page, "Publish", now="published")
    assert Resource.objects.get(title=NEW_TITLE).status == ResourceStatus.PUBLISHED

    with a_second_browser(browser, live_server.url, browser_problems) as staff_page:
        when_a_member_of_staff_comments_on_it(staff_page, member)

    when_they_open_the_moderation_queue(page, waiting=2)
    when_they_publish_the_comment_from(page, COMMENTER)
    when_they_reject_the_comment_from(page, SPAMMER, "Advertising, not a comment on the course.")
    assert Comment.objects.get(author=member).status == CommentStatus.PUBLISHED
    spam.refresh_from_db()
    assert (spam.status, spam.rejection_reason) == (
        CommentStatus.REJECTED,
        "Advertising, not a comment on the course.",
    )

    when_they_choose_from_the_menu(page, "Curate learning")
    when_they_open_the_import_page(page)
    resources_before = Resource.objects.count()
    when_they_import(page, a_catalogue_file(tmp_path / "catalogue.csv", second_level="7"))
    then_they_see_the_row_to_fix_and_nothing_was_imported(page)
    assert Resource.objects.count() == resources_before

    when_they_import(page, a_catalogue_file(tmp_path / "catalogue-fixed.csv", second_level="2"))
    then_the_import_succeeded(page)
    assert set(Resource.objects.filter(title__in=IMPORTED).values_list("status", flat=True)) == {
        ResourceStatus.DRAFT
    }
