"""Topic and provider options are cached, and a new or renamed one shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.queries.catalogue_search import catalogue_choices
from tests.learning.factories import ProviderFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_the_options_are_read_from_the_database_once_then_from_the_cache():
    TopicFactory(name="Diabetes and depression", slug="diabetes-and-depression")
    with CaptureQueriesContext(connection) as first:
        catalogue_choices()
    with CaptureQueriesContext(connection) as second:
        choices = catalogue_choices()
    assert len(first) == 2
    assert len(second) == 0
    assert ("diabetes-and-depression", "Diabetes and depression") in choices.topics


def test_a_new_topic_or_a_renamed_provider_appears_without_waiting_for_the_cache():
    provider = ProviderFactory(name="Maudsley Learning", slug="maudsley-learning")
    catalogue_choices()
    TopicFactory(name="Chronic pain and mood", slug="chronic-pain-and-mood")
    provider.name = "Maudsley Learning (South London)"
    provider.save()
    choices = catalogue_choices()
    assert ("chronic-pain-and-mood", "Chronic pain and mood") in choices.topics
    assert ("maudsley-learning", "Maudsley Learning (South London)") in choices.providers
