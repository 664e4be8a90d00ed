"""Keep cached catalogue choices in step with the topics and providers that exist."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from learning.catalogue_search import forget_catalogue_choices
from learning.models import Provider, Topic


@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=Provider)
def forget_choices_when_topics_or_providers_change(sender: type, **kwargs: Any) -> None:
    forget_catalogue_choices()
