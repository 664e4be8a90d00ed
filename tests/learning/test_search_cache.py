"""A search made lately is served from the shared cache, and any change to the catalogue shows
in the very next search (learning/queries/catalogue_search.py, learning/signals.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.models import ResourceStatus
from learning.queries.catalogue_search import CatalogueParams, search_catalogue
from learning.services.curation import do_move_resource
from tests.learning.factories import ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def titles(params: CatalogueParams) -> list[str]:
    return [summary.resource.title for summary in search_catalogue(params).results]


def test_the_same_search_again_skips_the_full_text_query_and_finds_the_same():
    ResourceFactory(title="Delirium in older adults", summary="Spotting delirium early.")
    ResourceFactory(title="Diabetes distress", summary="Low mood and diabetes.")
    params = CatalogueParams(q="delirium")
    with CaptureQueriesContext(connection) as first:
        found = titles(params)
    with CaptureQueriesContext(connection) as again:
        assert titles(params) == found == ["Delirium in older adults"]
    assert any("WITH matched AS" in q["sql"] for q in first.captured_queries)
    # The page's resources are cached with the counts (and the topic choices too): no query.
    assert len(again) == 0


def test_publishing_through_the_workflow_shows_in_the_next_search_at_once():
    draft = ResourceFactory(title="Delirium at night", status=ResourceStatus.IN_REVIEW)
    params = CatalogueParams(q="delirium")
    assert titles(params) == []
    do_move_resource(resource=draft, to=ResourceStatus.PUBLISHED, acting_user=None)
    assert titles(params) == ["Delirium at night"]


def test_filing_a_resource_under_a_topic_changes_the_counts_at_once():
    resource = ResourceFactory(title="Delirium and falls")
    topic = TopicFactory(name="Older people", slug="older-people")
    params = CatalogueParams(topic=("older-people",))
    assert titles(params) == []
    resource.topics.add(topic)
    assert titles(params) == ["Delirium and falls"]
    resource.delete()
    assert titles(params) == []


def test_the_cached_filter_panel_shows_new_counts_as_soon_as_the_catalogue_changes(client):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(with_profile=True))
    ResourceFactory(title="Delirium basics", level=1)
    url = reverse("learning:catalogue") + "?q=delirium"
    level_2 = 'Level 2 <span class="nhsuk-u-nowrap">({}<'
    assert level_2.format(0) in client.get(url).content.decode()
    assert level_2.format(0) in client.get(url).content.decode()  # now from the cache
    ResourceFactory(title="Delirium in practice", level=2)
    page = client.get(url).content.decode()
    assert "Delirium in practice" in page
    assert level_2.format(1) in page
