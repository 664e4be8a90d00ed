"""The one read the Resilience Hub makes of the catalogue: published resources to signpost,
found by words in their title or topic."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from learning.queries import resources_for_signposting
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def titles(**asked) -> list[str]:
    return [resource.title for resource in resources_for_signposting(**asked)]


def test_words_find_resources_by_title_or_topic_ignoring_case():
    ResourceFactory(title="Sleep after night shifts")
    ResourceFactory(title="Looking after yourself", topics=["Sleep and fatigue"])
    ResourceFactory(title="Money worries", topics=["Finance"])
    assert titles(matching="SLEEP") == ["Looking after yourself", "Sleep after night shifts"]


def test_every_word_must_match_the_title_or_a_topic():
    ResourceFactory(title="Sleep after night shifts", topics=["Shift work"])
    ResourceFactory(title="Sleep hygiene")
    assert titles(matching="sleep shift") == ["Sleep after night shifts"]
    assert titles(matching="sleep money") == []


def test_a_resource_on_two_matching_topics_comes_once_and_drafts_never():
    ResourceFactory(title="Grief at work", topics=["Grief", "Grief and loss"])
    ResourceFactory(title="Grief draft", status="draft")
    assert titles(matching="grief") == ["Grief at work"]


def test_words_that_look_like_sql_wildcards_match_only_themselves():
    ResourceFactory(title="Stress 100% explained")
    ResourceFactory(title="Stress explained")
    assert titles(matching="100%") == ["Stress 100% explained"]
    assert titles(matching="_") == []


def test_a_search_is_one_query_however_many_words():
    ResourceFactory(title="Sleep after night shifts", topics=["Shift work"])
    with CaptureQueriesContext(connections["default"]) as queries:
        resources_for_signposting(matching="sleep after night shifts a b c d e f g h", limit=21)
    assert len(queries) == 1
