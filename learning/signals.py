"""Keep the cached catalogue choices and searches in step with the catalogue."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from learning.models import Provider, Resource, Topic
from learning.queries.catalogue_search import catalogue_changed, forget_catalogue_choices


@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=Provider)
def forget_choices_when_topics_or_providers_change(sender: type, **kwargs: Any) -> None:
    forget_catalogue_choices()
    catalogue_changed()


@receiver([post_save, post_delete], sender=Resource)
@receiver(m2m_changed, sender=Resource.objectives.through)
@receiver(m2m_changed, sender=Resource.topics.through)
def forget_searches_when_the_catalogue_changes(sender: type, **kwargs: Any) -> None:
    catalogue_changed()
