"""Resources the Resilience Hub signposts as self-help: the one read other apps may make of the
learning catalogue (exported by ``learning.queries``)."""

from __future__ import annotations

from collections.abc import Iterable

from learning.models import Resource
from learning.queries.summaries import published_resources


def resources_for_signposting(
    *,
    ids: Iterable[int] | None = None,
    topic: str | None = None,
    limit: int | None = None,
) -> list[Resource]:
    """Published resources to signpost as self-help: those with the given ids, or on the topic
    (a topic slug), or both. Nothing about who has used them. One query.

    The Resilience Hub calls this, through ``learning.queries``; it is all of learning it may use.
    """
    queryset = published_resources().order_by("title", "id")
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    if topic is not None:
        queryset = queryset.filter(topics__slug=topic).distinct()
    if limit is not None:
        queryset = queryset[:limit]
    return list(queryset)
