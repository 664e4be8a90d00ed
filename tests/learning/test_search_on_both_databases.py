"""The catalogue's search finds the same things on PostgreSQL and on SQLite (ADR 0032).

`make test` runs this module twice: with the rest of the suite on PostgreSQL, and again on a
SQLite database made by the same migrations (the embedded default of `make run`), so each case
here proves both of learning/full_text.py's backends.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning.models import Resource, Topic
from learning.queries import catalogue_search
from learning.queries.catalogue_search import CatalogueParams, search_catalogue
from tests.learning.factories import ProviderFactory, ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def found(q: str, **params: object) -> list[str]:
    results = search_catalogue(CatalogueParams(q=q, **params))  # type: ignore[arg-type]
    return [summary.resource.title for summary in results.results]


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_it_runs_on_the_database_this_run_is_about():
    assert connection.vendor in ("postgresql", "sqlite")


def test_word_forms_find_each_other_in_titles_summaries_and_descriptions():
    ResourceFactory(title="Diabetes and low mood", description="Plain text.")
    ResourceFactory(title="Caring well", summary="Caring for people with diabetes.")
    ResourceFactory(title="Noticing", description="Diabetes changes how people feel.")
    ResourceFactory(title="Unrelated", description="Nothing about it.")

    assert set(found("diabetic")) == {"Diabetes and low mood", "Caring well", "Noticing"}


def test_a_topic_name_finds_the_resources_filed_under_it():
    ResourceFactory(title="Living with a long-term condition", topics=["Diabetes and depression"])
    ResourceFactory(title="Breathing easier", topics=["COPD and anxiety"])

    assert found("depression") == ["Living with a long-term condition"]
    assert found("depressed") == ["Living with a long-term condition"]


def test_a_provider_name_finds_its_resources():
    maudsley = ProviderFactory(name="Maudsley Learning", slug="maudsley-learning")
    ResourceFactory(title="Psychosis and physical health", provider=maudsley)
    ResourceFactory(title="Heart failure and low mood")

    assert found("maudsley") == ["Psychosis and physical health"]


def test_a_title_match_ranks_above_a_summary_match_above_a_description_match():
    ResourceFactory(
        title="Module C", description="Mentions delirium once.", published_at=days_ago(0)
    )
    ResourceFactory(title="Module B", summary="About delirium.", published_at=days_ago(1))
    ResourceFactory(title="Delirium in older adults", published_at=days_ago(9))

    assert found("delirium", sort="relevance") == [
        "Delirium in older adults",
        "Module B",
        "Module C",
    ]


def test_every_word_must_match_somewhere():
    ResourceFactory(title="Anxiety and COPD", topics=["Breathlessness"])
    ResourceFactory(title="Anxiety at work")

    assert found("anxiety breathlessness") == ["Anxiety and COPD"]


def test_quotes_minus_and_or_work_as_in_a_web_search():
    ResourceFactory(title="Heart failure and depression", published_at=days_ago(1))
    ResourceFactory(title="Failure to thrive: the heart of it", published_at=days_ago(2))
    ResourceFactory(title="Diabetes in pregnancy", published_at=days_ago(3))
    ResourceFactory(title="Eating disorders and diabetes", published_at=days_ago(4))

    assert found('"heart failure"') == ["Heart failure and depression"]
    assert found("diabetes -pregnancy") == ["Eating disorders and diabetes"]
    assert found("pregnancy or depression", sort="newest") == [
        "Heart failure and depression",
        "Diabetes in pregnancy",
    ]


@pytest.mark.parametrize(
    "q", ["!&(|):*'\"", "-", '"unclosed', "or or or", "%", "_", "日本語", "a:b"]
)
def test_search_syntax_and_odd_characters_never_cause_an_error(q):
    ResourceFactory(title="Module")

    search_catalogue(CatalogueParams(q=q))


def test_punctuation_alone_finds_nothing():
    ResourceFactory(title="Module")

    assert found("!&(|):*") == []


def test_topics_added_renamed_and_removed_change_what_is_found_at_once():
    resource = ResourceFactory(title="Living well")
    topic = TopicFactory(name="Perinatal mental health", slug="perinatal")
    assert found("perinatal") == []

    resource.topics.add(topic)
    assert found("perinatal") == ["Living well"]

    Topic.objects.filter(pk=topic.pk).update(name="Maternal mental health")
    catalogue_search.catalogue_changed()
    assert found("perinatal") == []
    assert found("maternal") == ["Living well"]

    resource.topics.remove(topic)
    assert found("maternal") == []


def test_links_made_in_bulk_are_searchable_at_once():
    """CSV imports and the benchmark's seeding write links without signals or save()."""
    resource = ResourceFactory(title="Living well")
    topic = TopicFactory(name="Chronic pain", slug="chronic-pain")
    Resource.topics.through.objects.bulk_create(
        [Resource.topics.through(resource_id=resource.pk, topic_id=topic.pk)]
    )

    assert found("pain") == ["Living well"]


def test_a_resource_edited_or_deleted_is_found_by_its_new_words_only():
    resource = ResourceFactory(title="Dementia care")
    Resource.objects.filter(pk=resource.pk).update(title="Delirium care")
    catalogue_search.catalogue_changed()
    assert found("dementia") == []
    assert found("delirium") == ["Delirium care"]

    resource.delete()
    assert found("delirium") == []


def test_filters_and_counts_apply_to_the_search():
    ResourceFactory(title="Diabetes one", level=1, topics=["Dementia"])
    ResourceFactory(title="Diabetes two", level=2, topics=["Dementia"])
    ResourceFactory(title="Psychosis", level=2, topics=["Dementia"])

    results = search_catalogue(CatalogueParams(q="diabetes", level=("2",)))

    assert [item.resource.title for item in results.results] == ["Diabetes two"]
    counts = {facet.name: {o.value: o.count for o in facet.options} for facet in results.facets}
    assert counts["level"] == {"1": 1, "2": 1, "3": 0}
    assert counts["topic"] == {"dementia": 1}


def test_past_the_count_limit_it_says_more_than_and_pages_through_the_first(monkeypatch):
    monkeypatch.setattr(catalogue_search, "COUNT_LIMIT", 3)
    monkeypatch.setattr(catalogue_search, "PER_PAGE", 2)
    for n in range(5):
        ResourceFactory(title=f"Delirium {n}", level=1 + n % 2, published_at=days_ago(n))

    broad = search_catalogue(CatalogueParams(q="delirium"))
    assert broad.more_than_limit
    assert broad.total_text == "More than 3 resources"
    assert not broad.facets_counted
    assert all(option.count is None for facet in broad.facets for option in facet.options)
    assert broad.page.paginator.num_pages == 2
    last = search_catalogue(CatalogueParams(q="delirium", sort="newest", page=2))
    assert [item.resource.title for item in last.results] == ["Delirium 2"]

    narrowed = search_catalogue(CatalogueParams(q="delirium", level=("2",)))
    assert not narrowed.more_than_limit
    assert narrowed.total == 2
    assert narrowed.total_text == "2 resources"
    assert sorted(item.resource.title for item in narrowed.results) == ["Delirium 1", "Delirium 3"]


def test_a_repeated_search_runs_no_query_and_a_new_one_runs_three():
    ResourceFactory(title="Delirium basics", topics=["Older people"])
    search_catalogue(CatalogueParams())  # the topic and provider choices are cached

    with CaptureQueriesContext(connection) as miss:
        first = found("delirium", level=("1",))
    with CaptureQueriesContext(connection) as hit:
        again = found("delirium", level=("1",))
    with CaptureQueriesContext(connection) as other_sort:
        found("delirium", level=("1",), sort="shortest")

    assert first == again == ["Delirium basics"]
    assert len(miss) == 3  # the counts, the best match's page of ids, and their resources
    assert len(hit) == 0
    assert len(other_sort) == 1  # the counts are kept whatever the sort: only the page
