"""Publishing a board can trust: the curator who last changed a resource cannot publish it
(unless LEARNING_SINGLE_CURATOR says the team has one curator), the history says who approved
it, and a resource whose review date has passed is published only with a new, plausible one."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learning.forms.curation import PublishForm
from learning.models import Resource, ResourceStatus
from learning.services import curation
from learning.services.curation import CurationError, ReviewDateNeeded
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def a_curator():
    return UserFactory(with_profile=True, roles=["Curator"], with_totp=True)


@pytest.fixture
def author():
    return a_curator()


@pytest.fixture
def checker():
    return a_curator()


def changed_by(user, **fields) -> Resource:
    """A resource in review whose content `user` last changed, through the service."""
    resource = ResourceFactory(status=ResourceStatus.DRAFT, published_at=None, **fields)
    resource.summary = "Changed by its author."
    curation.do_update_resource(
        resource=resource, objectives=resource.objectives.all(), topics=[], acting_user=user
    )
    curation.do_move_resource(resource=resource, to=ResourceStatus.IN_REVIEW, acting_user=user)
    return resource


def test_the_curator_who_last_changed_a_resource_cannot_publish_it(author):
    resource = changed_by(author)
    with pytest.raises(CurationError, match="another curator must check it and publish it"):
        curation.do_move_resource(
            resource=resource, to=ResourceStatus.PUBLISHED, acting_user=author
        )
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW


def test_another_curator_publishes_it_and_the_history_says_who_approved(author, checker):
    resource = changed_by(author)
    curation.do_move_resource(resource=resource, to=ResourceStatus.PUBLISHED, acting_user=checker)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    approval = resource.changes.all()[0]
    assert approval.changed_by == checker
    assert approval.summary == "Moved from in review to published; approved by a second curator"


def test_whoever_edits_last_is_the_one_who_cannot_publish(author, checker):
    resource = changed_by(author)
    resource.title = "Edited by the checker"
    curation.do_update_resource(
        resource=resource, objectives=resource.objectives.all(), topics=[], acting_user=checker
    )
    with pytest.raises(CurationError):
        curation.do_move_resource(
            resource=resource, to=ResourceStatus.PUBLISHED, acting_user=checker
        )
    curation.do_move_resource(resource=resource, to=ResourceStatus.PUBLISHED, acting_user=author)


def test_sending_for_review_or_archiving_needs_no_second_curator(author):
    resource = changed_by(author)
    curation.do_move_resource(resource=resource, to=ResourceStatus.DRAFT, acting_user=author)
    curation.do_move_resource(resource=resource, to=ResourceStatus.IN_REVIEW, acting_user=author)
    assert resource.status == ResourceStatus.IN_REVIEW


def test_a_team_with_one_curator_can_turn_the_rule_off_and_the_history_says_so(author, settings):
    settings.LEARNING_SINGLE_CURATOR = True
    resource = changed_by(author)
    curation.do_move_resource(resource=resource, to=ResourceStatus.PUBLISHED, acting_user=author)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    assert resource.changes.all()[0].summary.endswith(
        "; published by a single curator (no second check)"
    )


def test_the_resource_page_tells_the_last_changer_why_there_is_no_publish_button(
    client, author, checker
):
    resource = changed_by(author)
    url = reverse("learning:curate_resource", args=[resource.pk])
    client.force_login(author)
    page = client.get(url).content.decode()
    assert "You made the last change to this resource" in page
    assert 'value="published"' not in page
    client.force_login(checker)
    page = client.get(url).content.decode()
    assert f"Last changed by {escape(author.staff_profile.display_name)}" in page
    assert 'value="published"' in page


def test_a_forged_publish_by_the_last_changer_is_refused_with_a_message(client, author):
    resource = changed_by(author)
    client.force_login(author)
    response = client.post(
        reverse("learning:curate_resource_move", args=[resource.pk]),
        {"from": "in_review", "to": "published"},
        follow=True,
    )
    assert "another curator must check it and publish it" in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW


# A review date that has passed.


def overdue(author):
    return changed_by(author, review_due=timezone.localdate() - datetime.timedelta(days=1))


def test_publishing_a_resource_past_its_review_date_needs_a_new_one(author, checker):
    resource = overdue(author)
    with pytest.raises(ReviewDateNeeded):
        curation.do_move_resource(
            resource=resource, to=ResourceStatus.PUBLISHED, acting_user=checker
        )
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    curation.do_move_resource(
        resource=resource, to=ResourceStatus.PUBLISHED, acting_user=checker, review_due=next_year
    )
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    assert resource.review_due == next_year
    assert (
        f"with a new review date of {next_year.day} {next_year:%B %Y}"
        in resource.changes.all()[0].summary
    )


def test_a_review_date_due_today_has_not_passed(author, checker):
    resource = changed_by(author, review_due=timezone.localdate())
    curation.do_move_resource(resource=resource, to=ResourceStatus.PUBLISHED, acting_user=checker)
    assert resource.status == ResourceStatus.PUBLISHED


def test_the_publish_button_leads_to_the_review_date_page_and_publishes_from_there(
    client, author, checker
):
    resource = overdue(author)
    client.force_login(checker)
    response = client.post(
        reverse("learning:curate_resource_move", args=[resource.pk]),
        {"from": "in_review", "to": "published"},
    )
    publish_url = reverse("learning:curate_resource_publish", args=[resource.pk])
    assert response.url == publish_url
    page = client.get(publish_url).content.decode()
    assert "Set a new review date to publish" in page
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    response = client.post(
        publish_url,
        {
            "review_due_day": str(next_year.day),
            "review_due_month": str(next_year.month),
            "review_due_year": str(next_year.year),
        },
        follow=True,
    )
    assert "is now published" in response.content.decode()
    resource.refresh_from_db()
    assert (resource.status, resource.review_due) == (ResourceStatus.PUBLISHED, next_year)


def test_the_review_date_page_still_keeps_the_two_person_rule(client, author):
    resource = overdue(author)
    client.force_login(author)
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    response = client.post(
        reverse("learning:curate_resource_publish", args=[resource.pk]),
        {
            "review_due_day": str(next_year.day),
            "review_due_month": str(next_year.month),
            "review_due_year": str(next_year.year),
        },
        follow=True,
    )
    assert "another curator must check it and publish it" in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.IN_REVIEW


def test_the_review_date_page_is_only_for_an_overdue_resource_in_review(client, checker):
    resource = ResourceFactory(status=ResourceStatus.IN_REVIEW, review_due=None)
    client.force_login(checker)
    response = client.get(reverse("learning:curate_resource_publish", args=[resource.pk]))
    assert response.url == reverse("learning:curate_resource", args=[resource.pk])


TODAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("3", "12", "2026", "Review date must be in the future"),
        ("1", "1", "2020", "Review date must be in the future"),
        ("4", "12", "2031", "Review date must be within 5 years, by 3 December 2031"),
        ("1", "1", "2207", "Review date must be within 5 years, by 3 December 2031"),
        ("31", "2", "2027", "Review date must be a real date"),
        ("", "3", "2027", "Review date must include a day"),
        ("", "", "", "Enter the next review date"),
        ("1", "1", "27", "Year must include 4 numbers"),
    ],
)
def test_a_new_review_date_must_be_plausible(day, month, year, message):
    form = PublishForm(
        {"review_due_day": day, "review_due_month": month, "review_due_year": year}, today=TODAY
    )
    assert not form.is_valid()
    assert form.errors["review_due"] == [message]


@pytest.mark.parametrize("date", [datetime.date(2026, 12, 4), datetime.date(2031, 12, 3)])
def test_a_review_date_from_tomorrow_to_five_years_ahead_will_do(date):
    form = PublishForm(
        {"review_due_day": date.day, "review_due_month": date.month, "review_due_year": date.year},
        today=TODAY,
    )
    assert form.is_valid(), form.errors


def test_five_years_from_a_leap_day_ends_on_the_28th_of_february():
    assert (
        curation.review_date_problem(datetime.date(2033, 2, 28), datetime.date(2028, 2, 29)) is None
    )
    assert curation.review_date_problem(datetime.date(2033, 3, 1), datetime.date(2028, 2, 29))
