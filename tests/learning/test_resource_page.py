"""A resource's page (learning:resource), saving it, starting it and recording its completion."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import LearningRecord, LearningStatus, ResourceStatus
from learning.queries.resource_page import published_resource, related_resources
from learning.services import my_learning
from tests.factories import UserFactory
from tests.learning.factories import LearningRecordFactory, ProviderFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory(with_profile=True)


@pytest.fixture
def staff_client(client, user):
    client.force_login(user)
    return client


def resource_page(client, resource):
    response = client.get(reverse("learning:resource", kwargs={"slug": resource.slug}))
    assert response.status_code == 200
    return response.content.decode()


def complete(client, resource, **overrides):
    today = timezone.localdate()
    data = {
        "completed_on_day": today.day,
        "completed_on_month": today.month,
        "completed_on_year": today.year,
        "hours": "",
        "reflection": "",
        **overrides,
    }
    return client.post(reverse("learning:complete", kwargs={"slug": resource.slug}), data)


def test_it_shows_every_detail_of_the_resource(staff_client):
    resource = ResourceFactory(
        title="Physical health in psychosis",
        summary="Why people with psychosis die younger.",
        description="First paragraph.\n\nSecond paragraph.",
        provider=ProviderFactory(name="Tees Valley Trust", slug="tvt"),
        level=2,
        duration_minutes=90,
        cost_pence=2550,
        is_online=False,
        location="Education Centre, Middlesbrough",
        cpd_hours=Decimal("1.5"),
        accredited=True,
        co_produced=True,
        staff_groups=["nursing_midwifery_registered"],
        objectives=[2, 7],
        topics=["Psychosis", "Physical health checks"],
    )

    html = resource_page(staff_client, resource)

    for text in (
        '<h1 class="nhsuk-heading-l">Physical health in psychosis</h1>',
        "Why people with psychosis die younger.",
        "<p>Second paragraph.</p>",
        "Tees Valley Trust",
        "1 hour 30 minutes",
        "£25.50",
        "Education Centre, Middlesbrough",
        "1.5",
        "Nursing and Midwifery Registered",
        "Clinical staff who sometimes care for people",
        "Recognise and proactively address",
        "2. Improve recognition and support",
        "7. Advocate for co-produced training",
        ">Psychosis</a>",
        ">Physical health checks</a>",
        f'href="{resource.url}"',
    ):
        assert text in html, text
    assert '<dl class="nhsuk-summary-list">' in html


def test_it_labels_sample_content(staff_client):
    html = resource_page(staff_client, ResourceFactory(is_sample=True))

    assert '<strong class="nhsuk-tag nhsuk-tag--orange">Sample</strong>' in html
    assert "Sample content." in html


@pytest.mark.parametrize(
    "status", [ResourceStatus.DRAFT, ResourceStatus.IN_REVIEW, ResourceStatus.ARCHIVED]
)
def test_resources_that_are_not_published_are_not_found(staff_client, status):
    resource = ResourceFactory(status=status)

    url = reverse("learning:resource", kwargs={"slug": resource.slug})
    assert staff_client.get(url).status_code == 404
    assert (
        staff_client.post(reverse("learning:save", kwargs={"slug": resource.slug})).status_code
        == 404
    )
    assert complete(staff_client, resource).status_code == 404
    assert not LearningRecord.objects.exists()


def test_an_unknown_address_is_not_found(staff_client):
    assert staff_client.get("/learning/resources/no-such-thing/").status_code == 404


def test_related_resources_share_a_topic_or_objective_at_a_nearby_level():
    resource = ResourceFactory(level=2, objectives=[3], topics=["Dementia"])
    same_topic = ResourceFactory(title="Same topic", level=1, objectives=[5], topics=["Dementia"])
    same_objective = ResourceFactory(title="Same objective", level=3, objectives=[3])
    ResourceFactory(title="Unrelated", level=2, objectives=[8])
    ResourceFactory(title="Draft", level=2, objectives=[3], status=ResourceStatus.DRAFT)

    related = related_resources(resource)

    assert set(related) == {same_topic, same_objective}


def test_related_resources_skip_levels_two_apart_and_put_the_same_level_first():
    resource = ResourceFactory(level=1, objectives=[3])
    ResourceFactory(title="Too advanced", level=3, objectives=[3])
    adjacent = ResourceFactory(level=2, objectives=[3])
    same = ResourceFactory(
        level=1, objectives=[3], published_at=timezone.now() - datetime.timedelta(days=30)
    )

    assert related_resources(resource) == [same, adjacent]


def test_at_most_four_related_resources_are_shown_in_one_query(django_assert_num_queries):
    # As the page reads it: with its objectives and topics already fetched.
    resource = published_resource(ResourceFactory(objectives=[1]).slug)
    for _ in range(6):
        ResourceFactory(objectives=[1])

    with django_assert_num_queries(1):
        related = related_resources(resource)

    assert len(related) == 4
    assert resource not in related


def test_the_newest_related_resources_of_the_same_level_are_shown_newest_first():
    now = timezone.now()
    resource = ResourceFactory(level=2, objectives=[4], topics=["Dementia"])
    by_age = [
        ResourceFactory(
            title=f"{days} days old",
            level=2,
            topics=["Dementia"],
            objectives=[6],
            published_at=now - datetime.timedelta(days=days),
        )
        for days in (9, 1, 30, 5, 2, 60)
    ]
    # Newer, but sharing nothing.
    ResourceFactory(level=2, objectives=[7], published_at=now)

    titles = [r.title for r in related_resources(resource)]

    assert titles == ["1 days old", "2 days old", "5 days old", "9 days old"]
    assert len(by_age) == 6


def test_a_resource_sharing_nothing_has_no_related_resources():
    resource = ResourceFactory(level=2, objectives=[2])
    ResourceFactory(level=2, objectives=[5], topics=["Dementia"])

    assert related_resources(resource) == []


def test_saving_a_resource_adds_it_to_my_learning_once(staff_client, user):
    resource = ResourceFactory()
    url = reverse("learning:save", kwargs={"slug": resource.slug})

    first = staff_client.post(url)
    staff_client.post(url)

    assert first.status_code == 302
    assert first.url == resource.get_absolute_url()
    record = LearningRecord.objects.get(user=user)
    assert record.status == LearningStatus.SAVED
    assert "is in your learning" in resource_page(staff_client, resource)


def test_saving_needs_a_post(staff_client):
    resource = ResourceFactory()

    assert (
        staff_client.get(reverse("learning:save", kwargs={"slug": resource.slug})).status_code
        == 405
    )


def test_saving_again_does_not_undo_a_completion(user):
    resource = ResourceFactory()
    LearningRecordFactory(user=user, resource=resource, status=LearningStatus.COMPLETED)

    my_learning.do_save_resource(user=user, resource=resource)
    my_learning.do_start_resource(user=user, resource=resource)

    assert LearningRecord.objects.get().status == LearningStatus.COMPLETED


def test_services_refuse_a_resource_that_is_not_published(user):
    resource = ResourceFactory(status=ResourceStatus.ARCHIVED)

    with pytest.raises(my_learning.ResourceNotAvailable):
        my_learning.do_save_resource(user=user, resource=resource)


def test_a_saved_resource_can_be_marked_in_progress(staff_client, user):
    resource = ResourceFactory()
    LearningRecordFactory(user=user, resource=resource, status=LearningStatus.SAVED)

    response = staff_client.post(reverse("learning:start", kwargs={"slug": resource.slug}))

    assert response.status_code == 302
    assert LearningRecord.objects.get().status == LearningStatus.IN_PROGRESS


def test_the_page_offers_the_next_step_for_the_viewer(staff_client, user):
    resource = ResourceFactory()

    assert ">Save to my learning</button>" in resource_page(staff_client, resource)
    LearningRecordFactory(user=user, resource=resource, status=LearningStatus.SAVED)
    html = resource_page(staff_client, resource)
    assert ">Mark as in progress</button>" in html
    assert "I've completed this</a>" in html


def test_the_completion_form_starts_with_today_and_the_resources_cpd_hours(staff_client):
    resource = ResourceFactory(cpd_hours=Decimal("2.5"))

    html = staff_client.get(
        reverse("learning:complete", kwargs={"slug": resource.slug})
    ).content.decode()

    today = timezone.localdate()
    assert f'name="completed_on_year" value="{today.year}"' in html
    assert 'name="hours" value="2.5"' in html
    assert "When did you complete it?" in html


def test_completing_records_the_date_hours_and_reflection_then_redirects(staff_client, user):
    resource = ResourceFactory()

    response = complete(
        staff_client,
        resource,
        completed_on_day="3",
        completed_on_month="2",
        completed_on_year="2026",
        hours="3.5",
        reflection="I now ask about physical symptoms.",
    )

    assert response.status_code == 302
    assert response.url == reverse("learning:my_learning")
    record = LearningRecord.objects.get(user=user)
    assert record.status == LearningStatus.COMPLETED
    assert record.completed_on == datetime.date(2026, 2, 3)
    assert record.hours == Decimal("3.5")
    assert record.reflection == "I now ask about physical symptoms."


def test_empty_hours_default_to_the_resources_cpd_hours(staff_client, user):
    resource = ResourceFactory(cpd_hours=Decimal("4.0"))

    complete(staff_client, resource)

    assert LearningRecord.objects.get(user=user).hours == Decimal("4.0")


def test_completing_twice_keeps_one_record(staff_client, user):
    resource = ResourceFactory()
    LearningRecordFactory(user=user, resource=resource, status=LearningStatus.IN_PROGRESS)

    complete(staff_client, resource, hours="1")
    complete(staff_client, resource, hours="2")

    record = LearningRecord.objects.get(user=user)
    assert record.hours == Decimal("2")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"completed_on_day": "", "completed_on_month": "", "completed_on_year": ""},
            "Enter the date you completed it",
        ),
        ({"completed_on_month": ""}, "The date you completed it must include a month"),
        (
            {"completed_on_day": "31", "completed_on_month": "2"},
            "The date you completed it must be a real date",
        ),
        (
            {"completed_on_year": str(timezone.localdate().year + 1)},
            "The date you completed it must be today or in the past",
        ),
        ({"hours": "0"}, "CPD hours must be 0.1 or more"),
        ({"hours": "1000"}, "CPD hours must be 999.9 or fewer"),
        ({"hours": "1.25"}, "CPD hours must have no more than 1 decimal place"),
        ({"hours": "lots"}, "CPD hours must be a number, like 1.5"),
        ({"reflection": "x" * 5001}, "Reflection must be 5,000 characters or fewer"),
    ],
)
def test_a_completion_with_a_problem_is_shown_again_with_the_error(
    staff_client, overrides, message
):
    resource = ResourceFactory()

    response = complete(staff_client, resource, **overrides)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(message) == 2  # in the error summary and beside the field
    assert "<title>Error: " in html
    assert not LearningRecord.objects.exists()


def test_a_reflection_of_5000_characters_is_accepted(staff_client):
    resource = ResourceFactory()

    assert complete(staff_client, resource, reflection="x" * 5000).status_code == 302


def test_the_page_has_one_h1_unique_ids_and_no_inline_styles(staff_client, user):
    resource = ResourceFactory(objectives=[1], topics=["Dementia"])
    ResourceFactory(objectives=[1])

    html = resource_page(staff_client, resource)

    assert html.count("<h1") == 1
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "style=" not in html


def test_changing_a_completion_starts_from_what_was_recorded(staff_client, user):
    resource = ResourceFactory(cpd_hours=Decimal("2.0"))
    LearningRecordFactory(
        user=user,
        resource=resource,
        status=LearningStatus.COMPLETED,
        completed_on=datetime.date(2025, 5, 6),
        hours=Decimal("1.5"),
        reflection="What I took from it.",
    )

    html = staff_client.get(
        reverse("learning:complete", kwargs={"slug": resource.slug})
    ).content.decode()

    assert 'name="completed_on_year" value="2025"' in html
    assert 'name="hours" value="1.5"' in html
    assert "What I took from it." in html
