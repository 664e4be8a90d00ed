"""The workflow and edits as services, without HTTP: allowed moves only, who and when, the
history in plain English, and slugs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from learning.models import (
    Level,
    Objective,
    Provider,
    Resource,
    ResourceChange,
    ResourceStatus,
    Topic,
)
from learning.services import curation
from learning.services.curation import WORKFLOW, CurationError
from tests.factories import UserFactory
from tests.learning.factories import ProviderFactory, ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return UserFactory(with_profile=True, roles=["Curator"], with_totp=True)


def new_resource(**overrides):
    values = {
        "title": "Diabetes and depression: an introduction",
        "summary": "Why they go together.",
        "description": "Long text.",
        "provider": ProviderFactory(),
        "format": "e_learning",
        "level": 1,
        "duration_minutes": 30,
        "url": "https://example.nhs.uk/course",
    }
    values.update(overrides)
    return Resource(**values)


def test_the_workflow_allows_exactly_the_moves_of_the_issue():
    moves = {(move.source, move.target) for move in WORKFLOW.moves}
    assert moves == {
        ("draft", "in_review"),
        ("in_review", "published"),
        ("in_review", "draft"),
        ("published", "archived"),
        ("archived", "draft"),
    }


@pytest.mark.parametrize("move", WORKFLOW.moves, ids=lambda m: f"{m.source}-to-{m.target}")
def test_each_allowed_move_records_the_new_status_who_moved_it_and_when(curator, move):
    resource = ResourceFactory(status=move.source, published_at=None)
    before = timezone.now()
    curation.do_move_resource(resource=resource, to=move.target, acting_user=curator)
    resource.refresh_from_db()
    assert resource.status == move.target
    assert resource.status_changed_by == curator
    assert resource.status_changed_at >= before
    change = ResourceChange.objects.get(resource=resource)
    assert change.changed_by == curator
    # Publishing adds who checked it (the two-person rule, ADR 0035).
    assert change.summary.startswith(
        f"Moved from {ResourceStatus(move.source).label.lower()} to {ResourceStatus(move.target).label.lower()}"
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("draft", "published"),
        ("draft", "archived"),
        ("published", "draft"),
        ("archived", "published"),
        ("published", "published"),
        ("draft", "deleted"),
    ],
)
def test_a_move_outside_the_workflow_is_refused_with_a_reason(curator, source, target):
    resource = ResourceFactory(status=source)
    with pytest.raises(CurationError, match="cannot move to"):
        curation.do_move_resource(resource=resource, to=target, acting_user=curator)
    resource.refresh_from_db()
    assert resource.status == source
    assert not ResourceChange.objects.filter(resource=resource).exists()


def test_publishing_sets_the_first_published_date_once(curator):
    resource = ResourceFactory(status="in_review", published_at=None)
    curation.do_move_resource(resource=resource, to="published", acting_user=curator)
    resource.refresh_from_db()
    first = resource.published_at
    assert first is not None
    for target in ("archived", "draft", "in_review", "published"):
        curation.do_move_resource(resource=resource, to=target, acting_user=curator)
    resource.refresh_from_db()
    assert resource.published_at == first


def test_a_move_from_a_status_that_has_since_changed_is_refused(curator):
    resource = ResourceFactory(status="draft")
    stale = Resource.objects.get(pk=resource.pk)
    curation.do_move_resource(resource=resource, to="in_review", acting_user=curator)
    # The stale copy still says draft; "in review" is allowed from draft, but not twice.
    with pytest.raises(CurationError, match="Someone else changed"):
        curation.do_move_resource(resource=stale, to="in_review", acting_user=curator)
    assert ResourceChange.objects.filter(resource=resource).count() == 1


def test_a_new_resource_is_a_draft_with_a_slug_made_from_its_title(curator):
    resource = curation.do_create_resource(
        resource=new_resource(status=ResourceStatus.PUBLISHED),
        objectives=Objective.objects.filter(number__in=[1, 3]),
        topics=[],
        acting_user=curator,
    )
    assert resource.status == ResourceStatus.DRAFT
    assert resource.slug == "diabetes-and-depression-an-introduction"
    assert resource.owner == curator
    assert sorted(resource.objectives.values_list("number", flat=True)) == [1, 3]
    assert resource.changes.get().summary == "Created as a draft"


def test_slugs_stay_unique_when_titles_repeat(curator):
    slugs = [
        curation.do_create_resource(
            resource=new_resource(), objectives=[], topics=[], acting_user=curator
        ).slug
        for _ in range(3)
    ]
    assert slugs == [
        "diabetes-and-depression-an-introduction",
        "diabetes-and-depression-an-introduction-2",
        "diabetes-and-depression-an-introduction-3",
    ]


def test_a_title_with_no_letters_or_numbers_still_gets_a_slug(curator):
    resource = curation.do_create_resource(
        resource=new_resource(title="!!!"), objectives=[], topics=[], acting_user=curator
    )
    assert resource.slug == "resource"


def test_an_edit_records_the_changed_fields_in_plain_english(curator):
    resource = ResourceFactory(objectives=[1], title="Old title", level=1)
    resource.title = "New title"
    resource.level = Level.TWO
    resource.cost_pence = 500
    changed = curation.do_update_resource(
        resource=resource,
        objectives=Objective.objects.filter(number__in=[1, 2]),
        topics=[TopicFactory(name="Pain")],
        acting_user=curator,
    )
    assert changed == ["title", "level", "objectives", "topics", "cost"]
    change = resource.changes.get()
    assert change.summary == "Changed the title, level, objectives, topics and cost"
    assert change.changed_by == curator
    resource.refresh_from_db()
    assert resource.title == "New title"
    assert resource.slug.startswith("mind-and-body-care-module"), "the slug does not change"


def test_saving_without_changes_records_nothing(curator):
    resource = ResourceFactory(objectives=[1])
    same = Resource.objects.get(pk=resource.pk)
    assert (
        curation.do_update_resource(
            resource=same,
            objectives=Objective.objects.filter(number=1),
            topics=[],
            acting_user=curator,
        )
        == []
    )
    assert not resource.changes.exists()


def test_a_new_provider_and_topics_are_created_once_whatever_their_capitals(curator):
    ProviderFactory(name="Health Education England")
    TopicFactory(name="Diabetes")
    outcome = curation.do_save_resource(
        resource=new_resource(provider=None),
        objectives=Objective.objects.filter(number=1),
        topics=[],
        new_provider="health education england",
        new_topics=["diabetes", "Chronic pain", "Chronic pain"],
        acting_user=curator,
    )
    assert outcome.created
    assert Provider.objects.filter(name__iexact="health education england").count() == 1
    assert sorted(outcome.resource.topics.values_list("name", flat=True)) == [
        "Chronic pain",
        "Diabetes",
    ]
    assert Topic.objects.count() == 2


def test_plain_lists_read_as_english():
    assert curation.plain_list(["title"]) == "title"
    assert curation.plain_list(["title", "level"]) == "title and level"
    assert curation.plain_list(["a", "b", "c"]) == "a, b and c"
