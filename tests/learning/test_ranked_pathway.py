"""The pathway ranked by a self-assessment: what develops the statements a person feels least
confident about first, with reasons; started and saved kept in view; completed out; and the
same few queries however many resources and statements there are."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning.models import LearningStatus
from learning.queries import pathway as pathway_queries
from learning.queries.pathway import PATHWAY_PER_LEVEL, pathway_for
from tests.factories import UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.learning.rating_factories import RatingFactory, StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_the_starter_framework")]


@pytest.fixture
def nurse(db):
    """Clinical, sometimes cares for both: Levels 1 and 2."""
    return UserFactory(with_profile=True)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def developing(*statements, **fields):
    resource = ResourceFactory(**fields)
    resource.competencies.add(*statements)
    return resource


def titles(level) -> list[str]:
    return [item.resource.title for item in level.resources]


def test_without_a_self_assessment_the_pathway_is_as_before(nurse):
    StatementFactory(level=1)
    developing(StatementFactory(level=1), title="Older", published_at=days_ago(5))
    ResourceFactory(title="Newest", published_at=days_ago(1))

    pathway = pathway_for(nurse)

    assert not pathway.is_ranked
    assert titles(pathway.levels[0]) == ["Newest", "Older"]
    assert all(item.reasons == () for item in pathway.levels[0].resources)


def test_resources_for_the_lowest_rated_statements_come_first_with_reasons(nurse):
    mood = StatementFactory(level=1, text="I can ask about mood")
    pain = StatementFactory(level=1, text="I can ask about pain")
    RatingFactory(user=nurse, competency=mood, confidence=1)
    RatingFactory(user=nurse, competency=pain, confidence=3)
    ResourceFactory(title="Newest, no gap", published_at=days_ago(0))
    developing(pain, title="For pain", published_at=days_ago(1))
    developing(mood, title="For mood", published_at=days_ago(2))
    developing(mood, pain, title="For both", published_at=days_ago(3))

    pathway = pathway_for(nurse)

    assert pathway.is_ranked
    assert titles(pathway.levels[0]) == ["For both", "For mood", "For pain", "Newest, no gap"]
    assert pathway.levels[0].resources[0].reasons == (
        "Because you rated 'I can ask about mood' as not confident",
        "Because you rated 'I can ask about pain' as fairly confident",
    )


def test_the_page_shows_the_reasons(client, nurse):
    mood = StatementFactory(level=1, text="I can ask about mood")
    RatingFactory(user=nurse, competency=mood, confidence=2)
    developing(mood, title="For mood")
    client.force_login(nurse)

    html = client.get(reverse("learning:index")).content.decode()

    assert "Because you rated &#x27;I can ask about mood&#x27; as slightly confident" in html
    assert "You have rated 1 of 1 statement" in html


def test_completed_resources_are_out_and_started_ones_are_kept_in_view(nurse):
    mood = StatementFactory(level=1)
    RatingFactory(user=nurse, competency=mood, confidence=1)
    for n in range(PATHWAY_PER_LEVEL + 2):
        developing(mood, title=f"For mood {n:02d}", published_at=days_ago(n))
    done = developing(mood, title="Done already")
    started = ResourceFactory(title="Started, no gap", published_at=days_ago(90))
    LearningRecordFactory(user=nurse, resource=done, status=LearningStatus.COMPLETED)
    LearningRecordFactory(user=nurse, resource=started, status=LearningStatus.IN_PROGRESS)

    shown = titles(pathway_for(nurse).levels[0])

    assert "Done already" not in shown
    assert shown[:PATHWAY_PER_LEVEL] == [f"For mood {n:02d}" for n in range(PATHWAY_PER_LEVEL)]
    assert shown[-1] == "Started, no gap"
    assert pathway_for(nurse).levels[0].completed == 1


def test_all_rated_confident_shows_started_saved_then_newest_without_reasons(nurse):
    mood = StatementFactory(level=1)
    RatingFactory(user=nurse, competency=mood, confidence=5)
    developing(mood, title="For mood", published_at=days_ago(3))
    ResourceFactory(title="Newest", published_at=days_ago(1))

    pathway = pathway_for(nurse)

    assert pathway.self_assessment.gaps == 0
    assert titles(pathway.levels[0]) == ["Newest", "For mood"]
    assert all(item.reasons == () for item in pathway.levels[0].resources)


def test_not_relevant_and_retired_statements_are_ignored(nurse):
    not_relevant = StatementFactory(level=1)
    retired = StatementFactory(level=1)
    RatingFactory(user=nurse, competency=not_relevant, confidence=None, not_relevant=True)
    RatingFactory(user=nurse, competency=retired, confidence=1)
    retired.retired_at = timezone.now()
    retired.save()
    developing(not_relevant, retired, title="Tied to neither gap", published_at=days_ago(5))
    ResourceFactory(title="Newest", published_at=days_ago(1))

    pathway = pathway_for(nurse)

    assert titles(pathway.levels[0]) == ["Newest", "Tied to neither gap"]
    assert pathway.self_assessment.gaps == 0


def test_a_gap_with_no_resources_leaves_the_newest(nurse):
    lonely = StatementFactory(level=2)
    RatingFactory(user=nurse, competency=lonely, confidence=1)
    ResourceFactory(title="Level 2 newest", level=2)

    pathway = pathway_for(nurse)

    assert titles(pathway.levels[1]) == ["Level 2 newest"]


def test_the_newest_tied_to_a_gap_are_found_however_many_older_ones_there_are(nurse, monkeypatch):
    monkeypatch.setattr(pathway_queries, "CANDIDATES_PER_GAP", 3)
    mood = StatementFactory(level=1)
    RatingFactory(user=nurse, competency=mood, confidence=1)
    for n in range(6):
        developing(mood, title=f"For mood {n}", published_at=days_ago(10 + n))
    for n in range(PATHWAY_PER_LEVEL):
        ResourceFactory(title=f"Untied {n}", published_at=days_ago(n))

    shown = titles(pathway_for(nurse).levels[0])

    # The last three tied to the gap (the highest ids), newest published first; then the
    # newest untied ones.
    assert shown[:4] == ["For mood 3", "For mood 4", "For mood 5", "Untied 0"]


def test_progress_counts_are_kept_until_the_catalogue_changes(nurse):
    ResourceFactory(level=1)
    assert pathway_for(nurse).levels[0].total == 1

    ResourceFactory(level=1)

    assert pathway_for(nurse).levels[0].total == 2


def add_catalogue(user, statements: int, resources: int, start: int) -> None:
    made = [StatementFactory(level=1 + n % 2) for n in range(start, start + statements)]
    for n, statement in enumerate(made):
        RatingFactory(user=user, competency=statement, confidence=1 + n % 5)
    for n in range(start, start + resources):
        resource = developing(*made[n % len(made) :][:2], level=1 + n % 2)
        if n % 3 == 0:
            LearningRecordFactory(user=user, resource=resource, status=list(LearningStatus)[n % 3])


def test_the_ranked_pathway_runs_the_same_queries_for_1_or_200_statements_and_resources(
    client, nurse
):
    add_catalogue(nurse, statements=1, resources=1, start=0)
    client.force_login(nurse)
    client.get(reverse("learning:index"))

    def count() -> int:
        client.get(reverse("learning:index"))  # the level totals kept for this generation
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("learning:index")).status_code == 200
        return len(queries.captured_queries)

    small = count()
    add_catalogue(nurse, statements=199, resources=199, start=1)

    assert count() == small
    with CaptureQueriesContext(connection) as queries:
        pathway = pathway_for(nurse)
    assert pathway.is_ranked
    # The profile, the records, the statements with ratings, the candidates and their ties.
    assert len(queries.captured_queries) == 5


def test_the_sql_of_postgresql_and_the_orm_of_sqlite_choose_the_same_candidates(nurse):
    mood, pain = StatementFactory(level=1), StatementFactory(level=2)
    mine = ResourceFactory(level=2, published_at=days_ago(40))
    for n in range(12):
        developing(*([mood] if n % 2 else [mood, pain]), level=1 + n % 2, published_at=days_ago(n))
    ResourceFactory(level=1, published_at=None)
    ResourceFactory(level=3)
    args = ({1, 2}, {mood.pk, pain.pk}, [mine.pk], 3, 2)

    by_sql = pathway_queries.candidate_rows(*args)

    assert by_sql == pathway_queries.candidate_rows_by_orm(*args)
    assert mine.pk in by_sql
    assert {level for level, _at, _tied in by_sql.values()} == {1, 2}
    assert by_sql[mine.pk][2] == frozenset()
