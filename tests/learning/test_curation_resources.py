"""Curator pages for resources: add, edit, preview, move, the lists and their query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learning.models import Resource, ResourceChange, ResourceStatus
from tests.factories import UserFactory
from tests.learning.factories import ProviderFactory, ResourceFactory
from tests.submission_keys import a_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return UserFactory(with_profile=True, roles=["Curator"], with_totp=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def valid_data():
    provider = ProviderFactory(name="Health Education England")
    return {
        "title": "Physical health checks in serious mental illness",
        "summary": "Why the annual check matters and how to do it well.",
        "description": "Covers the six checks.\n\nWith case studies.",
        "provider": str(provider.pk),
        "new_provider": "",
        "format": "e_learning",
        "level": "2",
        "objectives": ["1", "2"],
        "new_topics": "Serious mental illness; Physical health checks",
        "staff_groups": ["nursing_midwifery_registered"],
        "duration_minutes": "45",
        "cost": "0",
        "is_online": "True",
        "location": "",
        "url": "https://learning.example.nhs.uk/smi-checks",
        "cpd_hours": "1.5",
        "review_due_day": "31",
        "review_due_month": "3",
        "review_due_year": "2027",
    }


def objective_ids(numbers):
    from learning.models import Objective

    return [
        str(pk) for pk in Objective.objects.filter(number__in=numbers).values_list("pk", flat=True)
    ]


def test_a_curator_adds_a_resource_as_a_draft(curator_client, curator, valid_data):
    valid_data["objectives"] = objective_ids([1, 2])
    response = curator_client.post(reverse("learning:curate_resource_create"), valid_data)
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("learning:curate_resource", kwargs={"pk": resource.pk})
    assert resource.status == ResourceStatus.DRAFT
    assert resource.slug == "physical-health-checks-in-serious-mental-illness"
    assert resource.review_due == datetime.date(2027, 3, 31)
    assert resource.staff_groups == ["nursing_midwifery_registered"]
    assert sorted(resource.topics.values_list("name", flat=True)) == [
        "Physical health checks",
        "Serious mental illness",
    ]
    page = curator_client.get(response.url).content.decode()
    assert "Created as a draft" in page
    assert escape(curator.staff_profile.display_name) in page


def test_a_resource_added_twice_with_one_key_is_one_draft(curator_client, valid_data):
    valid_data.update(objectives=objective_ids([1]), submission_key=a_key())
    first = curator_client.post(reverse("learning:curate_resource_create"), valid_data)
    again = curator_client.post(reverse("learning:curate_resource_create"), valid_data)
    resource = Resource.objects.get()
    assert again.url == first.url == reverse("learning:curate_resource", kwargs={"pk": resource.pk})


def test_a_new_provider_can_be_typed_in(curator_client, valid_data):
    valid_data.update(objectives=objective_ids([1]), provider="", new_provider="Mind")
    curator_client.post(reverse("learning:curate_resource_create"), valid_data)
    assert Resource.objects.get().provider.name == "Mind"


def test_an_empty_form_shows_a_message_beside_each_required_field(curator_client):
    response = curator_client.post(reverse("learning:curate_resource_create"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    for message in (
        "Enter a title",
        "Enter a summary",
        "Enter a description",
        "Select a provider, or add a new one",
        "Select a format",
        "Select a level",
        "Select at least one objective",
        "Enter how long it takes, in minutes",
        "Enter a web address",
        "Select yes if it is online",
    ):
        assert message in html
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
        ({"summary": "x" * 301}, "Summary must be 300 characters or fewer"),
        ({"duration_minutes": "ninety"}, "How long it takes must be a whole number of minutes"),
        ({"duration_minutes": "0"}, "How long it takes must be at least 1 minute"),
        ({"duration_minutes": "99999999999999999999"}, "525,600 minutes"),
        ({"cost": "ten pounds"}, "Enter the cost in pounds, like 12.50"),
        ({"cost": "-5"}, "Enter the cost in pounds, like 12.50"),
        ({"cpd_hours": "1.55"}, "CPD hours can have only 1 decimal place"),
        ({"cpd_hours": "lots"}, "CPD hours must be a number"),
        ({"url": "javascript:alert(1)"}, "Enter a web address"),
        ({"url": "ftp://example.org/file"}, "Enter a web address in the correct format"),
        ({"level": "7"}, "Select a level"),
        ({"format": "'; DROP TABLE learning_resource; --"}, "Select a format"),
        ({"provider": "1 OR 1=1"}, "Select a provider from the list"),
        ({"objectives": ["999"]}, "Select objectives from the list"),
        ({"objectives": ["abc"]}, "Select objectives from the list"),
        ({"staff_groups": ["astronauts"]}, "Select staff groups from the list"),
        ({"review_due_day": "31", "review_due_month": "2"}, "Review date must be a real date"),
        ({"review_due_month": ""}, "Review date must include a month"),
        ({"is_online": "False"}, "Enter where it takes place"),
        ({"new_provider": "Mind"}, "Either select a provider or add a new one, not both"),
        ({"new_topics": ";".join(f"t{n}" for n in range(11))}, "no more than 10 new topics"),
    ],
)
def test_bad_input_is_explained_beside_the_field_never_a_server_error(
    curator_client, valid_data, changes, message
):
    valid_data["objectives"] = objective_ids([1])
    valid_data.update(changes)
    response = curator_client.post(reverse("learning:curate_resource_create"), valid_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "nhsuk-error-summary" in html
    assert not Resource.objects.exists()


def test_html_in_a_title_is_shown_as_text_not_run(curator_client, valid_data):
    valid_data.update(objectives=objective_ids([1]), title="<script>alert('x')</script>")
    response = curator_client.post(reverse("learning:curate_resource_create"), valid_data)
    page = curator_client.get(response.url).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_editing_shows_what_changed_in_the_history(curator_client, valid_data):
    resource = ResourceFactory(title="Old title", objectives=[1], topics=["Pain"])
    valid_data.update(objectives=objective_ids([1]), new_topics="", title="New title")
    response = curator_client.post(
        reverse("learning:curate_resource_edit", kwargs={"pk": resource.pk}), valid_data
    )
    assert response.status_code == 302
    page = curator_client.get(response.url).content.decode()
    change = ResourceChange.objects.get(resource=resource)
    assert change.summary.startswith("Changed the title, summary, description, provider, level")
    assert "topics" in change.summary
    assert change.summary in page


def test_the_edit_form_starts_with_the_saved_values(curator_client):
    resource = ResourceFactory(cost_pence=1250, title="Saved title")
    html = curator_client.get(
        reverse("learning:curate_resource_edit", kwargs={"pk": resource.pk})
    ).content.decode()
    assert 'value="12.50"' in html
    assert 'value="Saved title"' in html


def test_the_preview_shows_the_resource_under_a_preview_banner(curator_client):
    resource = ResourceFactory(status="draft", title="Draft title", cost_pence=2500)
    html = curator_client.get(
        reverse("learning:curate_resource_preview", kwargs={"pk": resource.pk})
    ).content.decode()
    assert "Preview</h2>" in html
    assert "staff cannot see it yet" in html
    assert "Draft title" in html
    assert "£25.00" in html


def test_the_move_buttons_offer_only_the_allowed_moves(curator_client):
    resource = ResourceFactory(status="in_review")
    html = curator_client.get(
        reverse("learning:curate_resource", kwargs={"pk": resource.pk})
    ).content.decode()
    assert 'value="published"' in html
    assert 'value="draft"' in html
    assert 'value="archived"' not in html


def test_publishing_through_the_page(curator_client, curator):
    resource = ResourceFactory(status="in_review", published_at=None)
    url = reverse("learning:curate_resource_move", kwargs={"pk": resource.pk})
    response = curator_client.post(url, {"from": "in_review", "to": "published"}, follow=True)
    resource.refresh_from_db()
    assert resource.status == "published"
    assert resource.published_at is not None
    assert resource.status_changed_by == curator
    assert "is now published" in response.content.decode()


def test_a_refused_move_says_why(curator_client):
    resource = ResourceFactory(status="draft")
    url = reverse("learning:curate_resource_move", kwargs={"pk": resource.pk})
    response = curator_client.post(url, {"from": "draft", "to": "published"}, follow=True)
    assert "cannot move to published" in response.content.decode()
    resource.refresh_from_db()
    assert resource.status == "draft"


def test_a_move_from_a_stale_page_is_refused(curator_client):
    resource = ResourceFactory(status="in_review")
    url = reverse("learning:curate_resource_move", kwargs={"pk": resource.pk})
    response = curator_client.post(url, {"from": "draft", "to": "in_review"}, follow=True)
    assert "Someone else changed" in response.content.decode()


def test_the_resource_list_filters_by_status_and_ignores_nonsense(curator_client):
    ResourceFactory(title="A draft", status="draft")
    ResourceFactory(title="A published one", status="published")
    url = reverse("learning:curate_resources")
    drafts = curator_client.get(url, {"status": "draft"}).content.decode()
    assert "A draft" in drafts
    assert "A published one" not in drafts
    everything = curator_client.get(url, {"status": "<b>", "page": "9999"}).content.decode()
    assert "A draft" in everything
    assert "A published one" in everything


def count_queries(client, url):
    client.get(url)  # the first request settles the session's MFA and profile checks
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name", ["learning:curate_resources", "learning:curate_review_due", "learning:curate_index"]
)
def test_lists_take_the_same_number_of_queries_for_1_or_50_resources(curator_client, url_name):
    due = timezone.localdate()
    ResourceFactory(review_due=due)
    url = reverse(url_name)
    one = count_queries(curator_client, url)
    ResourceFactory.create_batch(49, review_due=due)
    assert count_queries(curator_client, url) == one


def test_the_resource_list_paginates(curator_client):
    ResourceFactory.create_batch(30)
    html = curator_client.get(reverse("learning:curate_resources")).content.decode()
    assert html.count('class="nhsuk-table__row"') == 26  # header row and 25 resources
    assert 'aria-label="Page 2"' in html


def test_the_review_due_list_shows_overdue_and_soon_due_oldest_first(curator_client):
    today = timezone.localdate()
    ResourceFactory(title="Overdue", review_due=today - datetime.timedelta(days=40))
    ResourceFactory(title="Due soon", review_due=today + datetime.timedelta(days=29))
    ResourceFactory(title="Due later", review_due=today + datetime.timedelta(days=31))
    ResourceFactory(title="Archived", status="archived", review_due=today)
    ResourceFactory(title="No date", review_due=None)
    html = curator_client.get(reverse("learning:curate_review_due")).content.decode()
    assert html.index("Overdue</a>") < html.index("Due soon</a>")
    for absent in ("Due later", "Archived</a>", "No date"):
        assert absent not in html


def test_the_broken_links_page_lists_published_resources_with_broken_links(curator_client):
    ResourceFactory(
        title="Broken one", link_broken=True, link_status=404, link_checked_at=timezone.now()
    )
    ResourceFactory(title="Broken draft", status="draft", link_broken=True)
    ResourceFactory(title="Working one", link_broken=False, link_status=200)
    html = curator_client.get(reverse("learning:curate_broken_links")).content.decode()
    assert "Broken one" in html
    assert "Status 404" in html
    assert "Broken draft" not in html
    assert "Working one" not in html


def test_the_dashboard_counts_resources_by_status(curator_client):
    ResourceFactory.create_batch(2, status="draft")
    ResourceFactory(status="published")
    html = curator_client.get(reverse("learning:curate_index")).content.decode()
    assert (
        '?status=draft">Draft</a></th>\n      <td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</td>'
        in html
    )
