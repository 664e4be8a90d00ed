"""A published resource's page as one member of staff sees it: its details, their learning
record of it, the comments they may see and related resources. A fixed number of queries
(tests/learning/test_query_counts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, F, Q, When
from django.http import Http404

from learning.competencies import COMPETENCY_LEVELS, CompetencyLevel
from learning.models import Comment, CommentStatus, LearningRecord, Objective, Resource, Topic
from learning.queries.summaries import (
    ResourceSummary,
    describe_cost,
    describe_duration,
    published_resources,
)

if TYPE_CHECKING:
    from portal.models import User


RELATED_LIMIT = 4


def competency_level(number: int) -> CompetencyLevel:
    """The definition of a level (1 to 3)."""
    return next(level for level in COMPETENCY_LEVELS if level.number == number)


def published_resource(slug: str) -> Resource:
    """A published resource with its provider, objectives and topics, or Http404.

    Drafts, resources in review and archived resources do not exist as far as staff know.
    """
    queryset = published_resources().prefetch_related("objectives", "topics")
    resource = queryset.filter(slug=slug).first()
    if resource is None:
        raise Http404("No published resource has that address")
    return resource


def related_resources(resource: Resource, *, limit: int = RELATED_LIMIT) -> list[Resource]:
    """Up to ``limit`` published resources that share a topic or an objective with ``resource``,
    at the same or an adjacent level, those at the same level first. One query."""
    topic_links = Resource.topics.through.objects
    objective_links = Resource.objectives.through.objects
    shares_topic = Q(
        id__in=topic_links.filter(
            topic_id__in=topic_links.filter(resource_id=resource.pk).values("topic_id")
        ).values("resource_id")
    )
    shares_objective = Q(
        id__in=objective_links.filter(
            objective_id__in=objective_links.filter(resource_id=resource.pk).values("objective_id")
        ).values("resource_id")
    )
    levels = {resource.level - 1, resource.level, resource.level + 1}
    queryset = (
        published_resources()
        .filter(shares_topic | shares_objective, level__in=levels)
        .exclude(pk=resource.pk)
        .annotate(same_level=Case(When(level=resource.level, then=0), default=1))
        .order_by("same_level", F("published_at").desc(nulls_last=True), "id")
    )
    return list(queryset[:limit])


@dataclass(frozen=True)
class ResourcePage:
    """Everything a resource page shows, for one member of staff."""

    resource: Resource
    level: CompetencyLevel
    objectives: list[Objective]
    topics: list[Topic]
    record: LearningRecord | None
    comments: list[Comment]
    related: list[ResourceSummary]

    @property
    def duration(self) -> str:
        return describe_duration(self.resource.duration_minutes)

    @property
    def cost(self) -> str:
        return describe_cost(self.resource.cost_pence)

    @property
    def staff_groups(self) -> list[str]:
        return self.resource.staff_group_labels

    @property
    def published_comments(self) -> list[Comment]:
        return [c for c in self.comments if c.status == CommentStatus.PUBLISHED]

    @property
    def average_rating(self) -> Decimal | None:
        ratings = [c.rating for c in self.published_comments]
        if not ratings:
            return None
        return (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.1"))


def learning_record_for(user: User, resource: Resource) -> LearningRecord | None:
    """The user's record of one resource, if they have saved, started or completed it."""
    return LearningRecord.objects.filter(user=user, resource=resource).first()


def comments_for(resource: Resource, user: User) -> list[Comment]:
    """Published comments, and the user's own comments waiting for moderation, newest first,
    with each author's profile (for the display name) in the same query."""
    return list(
        Comment.objects.filter(resource=resource)
        .filter(Q(status=CommentStatus.PUBLISHED) | Q(status=CommentStatus.PENDING, author=user))
        .select_related("author__staff_profile")
        .order_by("-created_at", "-id")
    )


def resource_page_for(slug: str, user: User) -> ResourcePage:
    """A published resource's page for one member of staff, or Http404. Six queries."""
    resource = published_resource(slug)
    return ResourcePage(
        resource=resource,
        level=competency_level(resource.level),
        objectives=list(resource.objectives.all()),
        topics=list(resource.topics.all()),
        record=learning_record_for(user, resource),
        comments=comments_for(resource, user),
        related=[ResourceSummary(r) for r in related_resources(resource)],
    )
