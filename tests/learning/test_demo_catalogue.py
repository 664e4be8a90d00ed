"""`seed_demo_catalogue` fills the catalogue with clearly labelled sample learning."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.postgres.search import SearchQuery
from django.utils import timezone

from learning.demo import SAMPLE_DESCRIPTION_PREFIX, SAMPLE_SUMMARY_PREFIX, seed_demo_catalogue
from learning.models import (
    Comment,
    CommentStatus,
    LearningRecord,
    LearningStatus,
    Level,
    Objective,
    Resource,
    ResourceFormat,
    ResourceStatus,
)
from portal.demo import seed_demo_accounts
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_it_creates_at_least_forty_resources_across_every_level_objective_and_format():
    summary = seed_demo_catalogue()

    resources = Resource.objects.all()
    assert summary.resources == resources.count() >= 40
    assert {resource.level for resource in resources} == set(Level.values)
    assert {resource.format for resource in resources} == set(ResourceFormat.values)
    per_objective = Counter(
        Objective.objects.filter(resources__in=resources).values_list("number", flat=True)
    )
    assert set(per_objective) == set(range(1, 9))
    assert min(per_objective.values()) >= 3


def test_every_resource_is_marked_and_labelled_as_a_sample_with_an_example_link():
    seed_demo_catalogue()

    for resource in Resource.objects.all():
        assert resource.is_sample
        assert resource.summary.startswith(SAMPLE_SUMMARY_PREFIX)
        assert resource.description.startswith(SAMPLE_DESCRIPTION_PREFIX)
        assert resource.url.startswith("https://learning.example.nhs.uk/")


def test_it_is_safe_to_run_twice():
    seed_demo_accounts()
    first = seed_demo_catalogue()
    second = seed_demo_catalogue()

    assert first == second
    assert Resource.objects.count() == first.resources
    assert LearningRecord.objects.count() == first.learning_records
    assert Comment.objects.count() == first.comments


def test_it_leaves_curators_work_to_do_and_mixes_cost_place_and_length():
    seed_demo_catalogue()

    resources = Resource.objects.all()
    statuses = Counter(resources.values_list("status", flat=True))
    assert statuses[ResourceStatus.PUBLISHED] > len(resources) / 2
    assert statuses[ResourceStatus.DRAFT] >= 1
    assert statuses[ResourceStatus.IN_REVIEW] >= 1
    assert statuses[ResourceStatus.ARCHIVED] >= 1
    assert resources.published().filter(review_due__lt=timezone.localdate()).exists()
    assert resources.filter(cost_pence=0).exists()
    assert resources.filter(cost_pence__gt=0).exists()
    assert resources.filter(is_online=False).exclude(location="").exists()
    assert resources.filter(duration_minutes__lte=10).exists()
    assert resources.filter(duration_minutes__gte=3 * 7 * 60).exists()
    assert resources.filter(co_produced=True, objectives__number=7).exists()
    assert resources.filter(accredited=True).exists()


def test_it_gives_demo_accounts_records_and_comments_including_one_to_moderate():
    seed_demo_accounts()
    seed_demo_catalogue()

    staff_records = Counter(
        LearningRecord.objects.filter(user__email="staff@demo.nhs.net").values_list(
            "status", flat=True
        )
    )
    assert set(staff_records) == set(LearningStatus.values)
    completed = LearningRecord.objects.filter(status=LearningStatus.COMPLETED)
    assert not completed.filter(completed_on=None).exists()
    assert not completed.filter(hours=None).exists()
    assert LearningRecord.objects.exclude(user__email="staff@demo.nhs.net").exists()
    assert Comment.objects.filter(status=CommentStatus.PUBLISHED).count() >= 3
    assert Comment.objects.filter(status=CommentStatus.PENDING).count() == 1


def test_it_seeds_resources_alone_when_there_are_no_demo_accounts():
    summary = seed_demo_catalogue()

    assert summary.learning_records == summary.comments == 0
    assert not Resource.objects.exclude(owner=None).exists()


def test_it_removes_sample_resources_that_left_the_table_but_keeps_real_ones():
    real = ResourceFactory(title="A real resource")
    stale = ResourceFactory(slug="sample-no-longer-offered", is_sample=True)

    seed_demo_catalogue()

    assert Resource.objects.filter(pk=real.pk).exists()
    assert not Resource.objects.filter(pk=stale.pk).exists()


def test_sample_resources_are_found_by_full_text_search():
    seed_demo_catalogue()

    query = SearchQuery("diabetes depression", search_type="websearch", config="english")
    titles = set(Resource.objects.filter(search_vector=query).values_list("title", flat=True))
    assert "Diabetes and depression: recognising and responding" in titles
