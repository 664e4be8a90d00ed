"""The self-assessment: how confident a member of staff feels about each statement of their
recommended levels, saved part-way, private to them; and rating again after learning."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning.models import Competency, CompetencyRating, LearningStatus
from learning.queries.self_assessment import self_assessment_for
from learning.services.self_assessment import (
    RatingRefused,
    StatementRetired,
    do_rate_competencies,
)
from portal import roles
from tests.factories import UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.learning.rating_factories import RatingFactory, StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_the_starter_framework")]


@pytest.fixture
def nurse(db):
    """Clinical, sometimes cares for both: Levels 1 and 2."""
    return UserFactory(with_profile=True)


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def level_page(level: int = 1) -> str:
    return reverse("learning:self_assessment_level", kwargs={"number": level})


def test_it_asks_about_the_current_statements_of_the_recommended_levels_only(nurse_client):
    StatementFactory(level=1, text="I can notice when someone is struggling")
    StatementFactory(level=1, text="I can do the retired thing", retired_at=timezone.now())
    StatementFactory(level=3, text="I can lead service change")

    overview = nurse_client.get(reverse("learning:self_assessment")).content.decode()
    page = nurse_client.get(level_page(1)).content.decode()

    assert "Only you can see your answers" in overview
    assert "I can notice when someone is struggling" in page
    assert "How confident are you?" in page
    assert "Not relevant to my role" in page
    assert "I can do the retired thing" not in page
    assert nurse_client.get(level_page(3)).status_code == 404


def test_answers_are_saved_part_way_and_coming_back_shows_what_is_left(nurse_client, nurse):
    first = StatementFactory(level=1)
    second = StatementFactory(level=1)

    response = nurse_client.post(level_page(1), {f"statement_{first.pk}": "2", "action": "later"})

    assert response.status_code == 302
    assert response.url == reverse("learning:self_assessment")
    assert CompetencyRating.objects.get(user=nurse, competency=first).confidence == 2
    assessment = self_assessment_for(nurse)
    assert (assessment.rated, assessment.remaining) == (1, 1)
    overview = nurse_client.get(response.url).content.decode()
    assert "1 of 2" in overview
    assert "left to rate" in overview
    page = nurse_client.get(level_page(1)).content.decode()
    assert f'name="statement_{first.pk}" type="radio" value="2" checked' in page
    assert f'name="statement_{second.pk}" type="radio" value="2">' in page


def test_not_relevant_is_saved_without_a_confidence(nurse_client, nurse):
    statement = StatementFactory(level=1)

    nurse_client.post(level_page(1), {f"statement_{statement.pk}": "not_relevant"})

    rating = CompetencyRating.objects.get(user=nurse)
    assert (rating.confidence, rating.not_relevant) == (None, True)


def test_saving_the_same_answer_again_keeps_one_rating_and_a_change_adds_one(nurse):
    statement = StatementFactory(level=1)

    do_rate_competencies(user=nurse, answers={statement.pk: "2"})
    do_rate_competencies(user=nurse, answers={statement.pk: "2"})
    do_rate_competencies(user=nurse, answers={statement.pk: "4"})

    assert list(
        CompetencyRating.objects.filter(user=nurse).values_list("confidence", flat=True)
    ) == [2, 4]


def test_a_rating_off_the_scale_gets_a_message_beside_the_statement(nurse_client, nurse):
    statement = StatementFactory(level=1, text="I can ask about sleep")

    response = nurse_client.post(level_page(1), {f"statement_{statement.pk}": "9"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select how confident you are that &#x27;I can ask about sleep&#x27;" in html
    assert not CompetencyRating.objects.exists()


def test_the_service_refuses_a_rating_off_the_scale(nurse):
    statement = StatementFactory(level=1)

    with pytest.raises(RatingRefused):
        do_rate_competencies(user=nurse, answers={statement.pk: "0"})


def test_the_service_refuses_a_retired_statement(nurse):
    retired = StatementFactory(level=1, retired_at=timezone.now())

    with pytest.raises(StatementRetired, match="has been retired"):
        do_rate_competencies(user=nurse, answers={retired.pk: "3"})


def test_a_statement_retired_while_answering_is_named_and_the_rest_saved(nurse_client, nurse):
    kept = StatementFactory(level=1)
    retired = StatementFactory(level=1, text="I can do the old thing", retired_at=timezone.now())

    response = nurse_client.post(
        level_page(1),
        {f"statement_{kept.pk}": "3", f"statement_{retired.pk}": "1", "action": "later"},
        follow=True,
    )

    assert "I can do the old thing&#x27; was retired" in response.content.decode()
    assert list(CompetencyRating.objects.values_list("competency_id", flat=True)) == [kept.pk]


def test_rating_a_retired_statement_again_says_it_was_retired(nurse_client):
    retired = StatementFactory(level=1, retired_at=timezone.now())

    response = nurse_client.get(
        reverse("learning:self_assessment_statement", kwargs={"pk": retired.pk})
    )

    assert response.status_code == 410
    assert "This statement has been retired" in response.content.decode()


def test_save_and_continue_goes_to_the_next_level_then_to_the_pathway(nurse_client):
    one = StatementFactory(level=1)
    two = StatementFactory(level=2)

    to_two = nurse_client.post(level_page(1), {f"statement_{one.pk}": "1", "action": "continue"})
    done = nurse_client.post(level_page(2), {f"statement_{two.pk}": "5", "action": "continue"})

    assert to_two.url == level_page(2)
    assert done.url == reverse("learning:index")


def test_ratings_are_private_to_the_person(client, nurse):
    statement = StatementFactory(level=1, text="I can talk about alcohol")
    RatingFactory(user=nurse, competency=statement, confidence=1)
    curator = UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)
    client.force_login(curator)

    mine = client.get(reverse("learning:my_learning")).content.decode()

    assert "I can talk about alcohol" not in mine
    assert self_assessment_for(curator).rated == 0


def test_after_completing_a_resource_that_develops_a_statement_they_are_invited_to_rate_again(
    nurse_client, nurse
):
    statement = StatementFactory(level=1, text="I can ask about mood")
    RatingFactory(user=nurse, competency=statement, confidence=1)
    resource = ResourceFactory()
    resource.competencies.add(statement)

    response = nurse_client.post(
        reverse("learning:complete", args=[resource.slug]),
        {"completed_on_day": "2", "completed_on_month": "3", "completed_on_year": "2026"},
    )

    assert response.url == reverse("learning:completed", args=[resource.slug])
    page = nurse_client.get(response.url).content.decode()
    assert "Has this changed how confident you feel?" in page
    assert "I can ask about mood" in page
    saved = nurse_client.post(response.url, {f"statement_{statement.pk}": "4"})
    assert saved.url == reverse("learning:my_learning")
    mine = nurse_client.get(saved.url).content.decode()
    assert "Your confidence, then and now" in mine
    row = mine[mine.index("I can ask about mood") :]
    assert row.index("Not confident") < row.index("Confident")


def test_completing_a_resource_with_no_statements_goes_to_my_learning_as_before(nurse_client):
    resource = ResourceFactory()

    response = nurse_client.post(
        reverse("learning:complete", args=[resource.slug]),
        {"completed_on_day": "2", "completed_on_month": "3", "completed_on_year": "2026"},
    )

    assert response.url == reverse("learning:my_learning")


def test_the_completion_page_needs_a_completed_record(nurse_client):
    resource = ResourceFactory()

    response = nurse_client.get(reverse("learning:completed", args=[resource.slug]))

    assert response.url == reverse("learning:complete", args=[resource.slug])


def add_statements(user, how_many: int, start: int) -> None:
    for n in range(start, start + how_many):
        statement = StatementFactory(level=1 + n % 2)
        if n % 2:
            RatingFactory(user=user, competency=statement, confidence=1 + n % 5)
            RatingFactory(user=user, competency=statement, confidence=1 + (n + 1) % 5)


def test_the_self_assessment_pages_run_a_constant_number_of_queries(nurse_client, nurse):
    add_statements(nurse, 1, start=0)
    resource = ResourceFactory()
    LearningRecordFactory(
        user=nurse,
        resource=resource,
        status=LearningStatus.COMPLETED,
        completed_on=datetime.date(2026, 1, 5),
    )
    urls = [
        reverse("learning:self_assessment"),
        level_page(1),
        level_page(2),
        reverse("learning:my_learning"),
        reverse("learning:completed", args=[resource.slug]),
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert nurse_client.get(url).status_code == 200, url
            found.append(len(queries.captured_queries))
        return found

    resource.competencies.add(*Competency.objects.all())
    nurse_client.get(urls[0])  # the first request of a session checks the profile
    small = counts()
    add_statements(nurse, 199, start=1)
    resource.competencies.add(*Competency.objects.all())

    assert counts() == small
