"""A published resource's page as one member of staff sees it: its details, their learning
record of it, the comments they may see and related resources. A fixed number of queries
(tests/learning/test_query_counts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, Q, When
from django.db.models.expressions import RawSQL
from django.http import Http404

from learning.competencies import COMPETENCY_LEVELS, CompetencyLevel
from learning.models import (
    Comment,
    CommentStatus,
    LearningRecord,
    Objective,
    Resource,
    ResourceStatus,
    Topic,
)
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
    at the same or an adjacent level, those at the same level first, newest first. One query.

    With a handful of strategic objectives nearly every resource shares one, so gathering every
    candidate and sorting them read most of the catalogue (200 ms at 100,000 resources). Instead
    each level is read newest first in index order (learning_level_newest), asking of each
    resource whether it shares a topic or an objective, until ``limit`` of that level do
    (ADR 0043)."""
    topic_ids = [topic.pk for topic in resource.topics.all()]
    objective_ids = [objective.pk for objective in resource.objectives.all()]
    levels = [n for n in (resource.level, resource.level - 1, resource.level + 1) if n in LEVELS]
    candidates = _newest_sharing_sql(levels, topic_ids, objective_ids, resource.pk, limit)
    if candidates is None:
        return []
    queryset = (
        published_resources()
        .filter(id__in=RawSQL(*candidates))  # noqa: S611 - model names, values are parameters
        .annotate(same_level=Case(When(level=resource.level, then=0), default=1))
        .order_by("same_level", F("published_at").desc(nulls_last=True), F("id").desc())
    )
    return list(queryset[:limit])


LEVELS = frozenset(level.number for level in COMPETENCY_LEVELS)


def _newest_sharing_sql(
    levels: list[int], topic_ids: list[int], objective_ids: list[int], leave_out: int, limit: int
) -> tuple[str, list[Any]] | None:
    """SQL for the ids of the newest ``limit`` published resources of each level that share a
    topic or an objective, and its parameters; None when there is nothing to share.

    The test is EXISTS over a UNION ALL of the two link tables, not two EXISTS joined by OR:
    PostgreSQL turns each of those into a hashed list of every resource sharing the topic or
    objective (most of the catalogue), where a UNION ALL is probed resource by resource through
    the links' resource_id index, and only until the level has ``limit``. Plain SQL that SQLite
    runs too. Table names come from the models, every value is a parameter."""
    shared: list[str] = []
    params: list[int] = []
    for ids, through, column in (
        (topic_ids, Resource.topics.through, "topic_id"),
        (objective_ids, Resource.objectives.through, "objective_id"),
    ):
        if ids:
            placeholders = ", ".join(["%s"] * len(ids))
            shared.append(
                f"SELECT 1 FROM {through._meta.db_table} link "  # noqa: S608 - model names
                f"WHERE link.resource_id = r.id AND link.{column} IN ({placeholders})"
            )
            params += ids
    if not shared or not levels:
        return None
    per_level = (
        "SELECT * FROM (SELECT r.id FROM {table} r "
        "WHERE r.status = %s AND r.level = %s AND r.id <> %s "
        "AND EXISTS ({shared}) "
        "ORDER BY r.published_at DESC NULLS LAST, r.id DESC LIMIT %s) AS level_{n}"
    )
    parts, all_params = [], list[Any]()
    for n, level in enumerate(levels):
        parts.append(
            per_level.format(table=Resource._meta.db_table, shared=" UNION ALL ".join(shared), n=n)
        )
        all_params += [ResourceStatus.PUBLISHED, level, leave_out, *params, limit]
    return " UNION ALL ".join(parts), all_params


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
