"""Resources the Resilience Hub signposts as self-help: the one read other apps may make of the
learning catalogue (exported by ``learning.queries``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from learning.models import Resource
from learning.queries.summaries import published_resources

# A clinician types a word or two ("sleep", "long covid"); more is a pasted paragraph, and each
# word is one more condition in the query.
MAX_SEARCH_WORDS = 8


def resources_for_signposting(
    *,
    ids: Iterable[int] | None = None,
    topic: str | None = None,
    matching: str | None = None,
    limit: int | None = None,
) -> list[Resource]:
    """Published resources to signpost as self-help: those with the given ids, or on the topic
    (a topic slug), or `matching` words (each word in the title or in the name of one of the
    resource's topics, ignoring case), or any of these together. Nothing about who has used
    them. One query.

    The Resilience Hub calls this, through ``learning.queries``; it is all of learning it may use.
    """
    queryset = published_resources().order_by("title", "id")
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    if topic is not None:
        queryset = queryset.filter(topics__slug=topic).distinct()
    if matching is not None:
        for word in matching.split()[:MAX_SEARCH_WORDS]:
            # A subquery on the link table rather than a join, so no resource comes twice.
            on_topic = Resource.topics.through.objects.filter(topic__name__icontains=word)
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(id__in=on_topic.values("resource_id"))
            )
    if limit is not None:
        queryset = queryset[:limit]
    return list(queryset)
