"""Your pathway (learning:index): resources for your recommended levels and your progress."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import LearningStatus, ResourceStatus
from learning.queries.pathway import PATHWAY_PER_LEVEL, pathway_for
from portal.models import CaringFrequency
from tests.factories import UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def nurse(db):
    """A clinical member of staff who sometimes cares for both: Levels 1 and 2."""
    return UserFactory(with_profile=True)


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def test_it_asks_people_to_sign_in(client):
    response = client.get(reverse("learning:index"))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_it_lists_published_resources_of_the_recommended_levels_by_level(nurse_client):
    ResourceFactory(title="Level one module", level=1)
    ResourceFactory(title="Level two module", level=2)
    ResourceFactory(title="Level three module", level=3)

    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert html.index('id="level-1-heading"') < html.index("Level one module")
    assert html.index('id="level-2-heading"') < html.index("Level two module")
    assert "Level three module" not in html
    assert 'id="level-3-heading"' not in html


@pytest.mark.parametrize(
    "status", [ResourceStatus.DRAFT, ResourceStatus.IN_REVIEW, ResourceStatus.ARCHIVED]
)
def test_it_never_shows_resources_that_are_not_published(nurse_client, status):
    ResourceFactory(title="Not for staff yet", level=1, status=status)

    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert "Not for staff yet" not in html


def test_it_explains_the_recommendation_and_links_to_the_profile(nurse_client):
    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert "Because you told us your role is clinical and you sometimes care" in html
    assert f'href="{reverse("profile")}?next=/learning/"' in html
    assert "Change your profile" in html


def test_non_clinical_staff_see_level_1_only(client):
    user = UserFactory(with_profile=True)
    user.staff_profile.is_clinical = False
    user.staff_profile.save()
    ResourceFactory(title="Level two module", level=2)
    client.force_login(user)

    html = client.get(reverse("learning:index")).content.decode()

    assert "your role is not clinical" in html
    assert 'id="level-2-heading"' not in html
    assert "Level two module" not in html


def test_clinical_staff_who_regularly_care_for_both_see_all_three_levels(client):
    user = UserFactory(with_profile=True)
    user.staff_profile.cares_for_both = CaringFrequency.REGULARLY
    user.staff_profile.save()
    ResourceFactory(title="Level three module", level=3)
    client.force_login(user)

    html = client.get(reverse("learning:index")).content.decode()

    assert 'id="level-3-heading"' in html
    assert "Level three module" in html


def test_it_shows_each_levels_definition(nurse_client):
    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert "Clinical staff who sometimes care for people with or at risk of physical" in html
    assert "Recognise and proactively address the physical and mental health needs" in html


def test_it_keeps_the_level_definitions_and_the_eight_objectives_in_a_details_component(
    nurse_client,
):
    html = nurse_client.get(reverse("learning:index")).content.decode()

    details = html[html.index('<details class="nhsuk-details">') : html.index("</details>")]
    assert "About the levels" in details
    assert details.count('<dt class="nhsuk-summary-list__key">Level') == 3
    assert "Advocate for co-produced training" in details
    assert details.count("<li>") == 8


def test_it_shows_progress_per_level_as_text_and_a_labelled_progress_element(nurse_client, nurse):
    done = ResourceFactory(level=1)
    ResourceFactory(level=1)
    ResourceFactory(level=1)
    ResourceFactory(level=2)
    LearningRecordFactory(user=nurse, resource=done, status=LearningStatus.COMPLETED)

    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert "You have completed 1 of 3 resources at Level 1." in html
    assert "You have completed 0 of 1 resource at Level 2." in html
    progress = re.search(r"<progress[^>]*id=\"level-1-progress\"[^>]*>", html)
    assert progress is not None
    assert 'max="3"' in progress.group(0)
    assert 'value="1"' in progress.group(0)
    assert 'aria-labelledby="level-1-progress-label"' in progress.group(0)
    assert 'id="level-1-progress-label"' in html


def test_it_shows_the_viewers_status_of_each_resource_as_a_tag(nurse_client, nurse):
    for status in LearningStatus:
        LearningRecordFactory(
            user=nurse, resource=ResourceFactory(title=f"Module {status}"), status=status
        )
    ResourceFactory(title="Module untouched")

    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert '<strong class="nhsuk-tag nhsuk-tag--blue">Saved</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--yellow">In progress</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Completed</strong>' in html


def test_it_ignores_other_peoples_learning(nurse_client):
    resource = ResourceFactory(level=1)
    LearningRecordFactory(
        user=UserFactory(with_profile=True), resource=resource, status=LearningStatus.COMPLETED
    )

    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert "You have completed 0 of 1 resource at Level 1." in html
    assert "nhsuk-tag--green" not in html


def test_it_labels_sample_content(nurse_client):
    ResourceFactory(title="Demo module", is_sample=True)

    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert '<strong class="nhsuk-tag nhsuk-tag--orange">Sample</strong>' in html


def test_a_level_without_resources_says_so(nurse_client):
    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert "There are no resources at Level 2 yet." in html


def test_the_pathway_query_groups_resources_and_counts_completions(nurse):
    first = ResourceFactory(level=1)
    ResourceFactory(level=2)
    LearningRecordFactory(user=nurse, resource=first, status=LearningStatus.COMPLETED)

    pathway = pathway_for(nurse)

    assert [step.level.number for step in pathway.levels] == [1, 2]
    assert [(step.completed, step.total) for step in pathway.levels] == [(1, 1), (0, 1)]
    assert pathway.levels[0].resources[0].status == LearningStatus.COMPLETED
    assert pathway.has_profile


def test_the_page_has_one_h1(nurse_client):
    html = nurse_client.get(reverse("learning:index")).content.decode()

    assert html.count("<h1") == 1


def test_each_level_shows_a_few_resources_and_links_to_all_of_them_in_the_catalogue(
    nurse_client, nurse
):
    for n in range(PATHWAY_PER_LEVEL + 3):
        ResourceFactory(title=f"Level one module {n:02d}", level=1, published_at=days_ago(n))
    ResourceFactory(title="Level two module", level=2)
    done = ResourceFactory(title="Completed long ago", level=1, published_at=days_ago(99))
    LearningRecordFactory(user=nurse, resource=done, status=LearningStatus.COMPLETED)

    html = nurse_client.get(reverse("learning:index")).content.decode()

    level_one = html[html.index('id="level-1-heading"') : html.index('id="level-2-heading"')]
    assert level_one.count("<h3 ") == PATHWAY_PER_LEVEL
    assert "Level one module 00" in level_one
    assert f"Level one module {PATHWAY_PER_LEVEL:02d}" not in level_one
    # Progress counts every resource of the level, not only those shown.
    total = PATHWAY_PER_LEVEL + 4
    assert f"You have completed 1 of {total} resources at Level 1." in level_one
    assert f'href="/learning/catalogue/?level=1">See all {total} Level 1 resources</a>' in level_one
    assert "See all" not in html[html.index('id="level-2-heading"') :]


def test_each_level_shows_what_you_started_or_saved_before_the_newest(nurse, nurse_client):
    for n in range(PATHWAY_PER_LEVEL + 2):
        ResourceFactory(level=1, published_at=days_ago(n))
    saved = ResourceFactory(title="Saved long ago", level=1, published_at=days_ago(50))
    started = ResourceFactory(title="Started long ago", level=1, published_at=days_ago(60))
    LearningRecordFactory(user=nurse, resource=saved, status=LearningStatus.SAVED)
    LearningRecordFactory(user=nurse, resource=started, status=LearningStatus.IN_PROGRESS)
    someone_elses = ResourceFactory(
        title="Started by someone else", level=1, published_at=days_ago(70)
    )
    LearningRecordFactory(
        user=UserFactory(with_profile=True), resource=someone_elses, status=LearningStatus.SAVED
    )

    first = pathway_for(nurse).levels[0].resources

    assert [item.resource.title for item in first[:2]] == ["Started long ago", "Saved long ago"]
    assert [item.status for item in first[:2]] == [LearningStatus.IN_PROGRESS, LearningStatus.SAVED]
    assert len(first) == PATHWAY_PER_LEVEL
    assert "Started by someone else" not in {item.resource.title for item in first}


def test_the_pathway_runs_the_same_queries_however_many_resources_there_are(
    nurse, django_assert_max_num_queries
):
    for n in range(3 * PATHWAY_PER_LEVEL):
        resource = ResourceFactory(level=1 + n % 2)
        if n % 3 == 0:
            LearningRecordFactory(user=nurse, resource=resource, status=LearningStatus.COMPLETED)

    with django_assert_max_num_queries(6):
        pathway = pathway_for(nurse)

    assert [(step.completed, step.total, len(step.resources)) for step in pathway.levels] == [
        (4, 12, PATHWAY_PER_LEVEL),
        (4, 12, PATHWAY_PER_LEVEL),
    ]
