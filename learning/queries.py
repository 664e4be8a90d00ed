"""Reads of the learning catalogue: the pathway, a resource page and "my learning" (the search
is in catalogue_search.py). Other apps (the Resilience Hub) use ``resources_for_signposting``
and nothing else.

Every function here runs a fixed number of queries however many resources, records and comments
there are (tests/learning/test_query_counts.py pins that).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    Q,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from learning.catalogue_search import CatalogueParams
from learning.competencies import (
    COMPETENCY_LEVELS,
    CompetencyLevel,
    Recommendation,
    recommended_levels_for,
)
from learning.models import (
    Comment,
    CommentStatus,
    LearningRecord,
    LearningStatus,
    Objective,
    Resource,
    Topic,
)
from learning.summaries import (
    ResourceSummary,
    describe_cost,
    describe_duration,
    published_resources,
    summarise,
)
from portal.queries import staff_profile_for
from portal.spreadsheets import spreadsheet_safe

if TYPE_CHECKING:
    from portal.models import User


RELATED_LIMIT = 4


# --- The pathway -------------------------------------------------------------------------


PATHWAY_PER_LEVEL = 8

# What the pathway shows first at each level: what the user has started, then saved, then what
# they have not touched, and what they have completed last (it counts in their progress).
PATHWAY_PRIORITY = (
    LearningStatus.IN_PROGRESS,
    LearningStatus.SAVED,
    None,
    LearningStatus.COMPLETED,
)


@dataclass(frozen=True)
class PathwayLevel:
    """One recommended level: what it means, the user's progress through its resources, and the
    first few of them (``resources``), the user's own first and then the newest."""

    level: CompetencyLevel
    resources: list[ResourceSummary]
    total: int = 0
    completed: int = 0

    @property
    def more(self) -> int:
        """How many resources of the level are not shown."""
        return self.total - len(self.resources)

    @property
    def catalogue_querystring(self) -> str:
        return CatalogueParams(level=(str(self.level.number),)).querystring()


@dataclass(frozen=True)
class Pathway:
    recommendation: Recommendation
    levels: list[PathwayLevel]
    has_profile: bool


def _progress_by_level(user: User, levels: set[int]) -> dict[int, tuple[int, int]]:
    """{level: (published resources, of which the user has completed)}. One query."""
    completed = LearningRecord.objects.filter(user=user, status=LearningStatus.COMPLETED)
    rows = (
        Resource.objects.published()
        .for_levels(levels)
        .order_by()
        .values_list("level")
        .annotate(
            total=Count("id"),
            completed=Count("id", filter=Q(id__in=completed.values("resource_id"))),
        )
    )
    return {level: (total, done) for level, total, done in rows}


def _records_of(user: User) -> FilteredRelation:
    """The user's learning record of a resource, as a relation to join (each queryset its own)."""
    return FilteredRelation("records", condition=Q(records__user=user))


def _first_of_each_level(user: User, levels: set[int], limit: int) -> list[ResourceSummary]:
    """Up to ``limit`` published resources of each level, with the user's status, those the user
    has started or saved first, then the newest. One query.

    The resources are ranked within their level by id alone, in a subquery, so that only the few
    chosen are read in full (ranking whole rows sorts every resource of the levels).
    """
    priority = Case(
        *(
            When(Q(mine__status__isnull=True) if status is None else Q(mine__status=status), then=n)
            for n, status in enumerate(PATHWAY_PRIORITY)
        ),
        default=len(PATHWAY_PRIORITY),
    )
    order = [priority.asc(), F("published_at").desc(nulls_last=True), F("id").desc()]
    chosen = (
        Resource.objects.published()
        .for_levels(levels)
        .alias(mine=_records_of(user))
        .annotate(place=Window(RowNumber(), partition_by=[F("level")], order_by=order))
        .filter(place__lte=limit)
        .values("id")
    )
    resources = (
        published_resources()
        .filter(id__in=chosen)
        .alias(mine=_records_of(user))
        .annotate(my_status=F("mine__status"))
        .order_by("level", *order)
    )
    return summarise(resources)


def pathway_for(user: User, *, per_level: int = PATHWAY_PER_LEVEL) -> Pathway:
    """The levels recommended from the user's profile, each with the user's progress (completed
    of all its published resources) and its first ``per_level`` resources with the user's status
    of each. Three queries: the profile, the progress and the resources."""
    profile = staff_profile_for(user)
    recommendation = recommended_levels_for(profile)
    levels = set(recommendation.levels)
    progress = _progress_by_level(user, levels)
    by_level: dict[int, list[ResourceSummary]] = {n: [] for n in levels}
    for summary in _first_of_each_level(user, levels, per_level):
        by_level[summary.resource.level].append(summary)
    return Pathway(
        recommendation,
        [
            PathwayLevel(level, by_level[level.number], *progress.get(level.number, (0, 0)))
            for level in COMPETENCY_LEVELS
            if level.number in levels
        ],
        has_profile=profile is not None,
    )


# --- A resource page ---------------------------------------------------------------------


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


# --- My learning -------------------------------------------------------------------------


def financial_year_start(day: datetime.date) -> int:
    """The calendar year in which the NHS financial year (April to March) holding ``day`` began."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class CpdYear:
    start_year: int
    hours: Decimal
    completed: int

    @property
    def label(self) -> str:
        return f"April {self.start_year} to March {self.start_year + 1}"


@dataclass(frozen=True)
class MyLearning:
    saved: list[LearningRecord]
    in_progress: list[LearningRecord]
    completed: list[LearningRecord]

    @property
    def cpd_years(self) -> list[CpdYear]:
        """CPD hours per NHS financial year (April to March), the most recent first."""
        hours: dict[int, Decimal] = {}
        counts: dict[int, int] = {}
        for record in self.completed:
            if record.completed_on is None:
                continue
            year = financial_year_start(record.completed_on)
            hours[year] = hours.get(year, Decimal("0")) + (record.hours or Decimal("0"))
            counts[year] = counts.get(year, 0) + 1
        return [CpdYear(year, hours[year], counts[year]) for year in sorted(hours, reverse=True)]

    @property
    def total_hours(self) -> Decimal:
        return sum((r.hours or Decimal("0") for r in self.completed), Decimal("0"))

    @property
    def is_empty(self) -> bool:
        return not (self.saved or self.in_progress or self.completed)


def learning_records_for(user: User) -> list[LearningRecord]:
    """All of a user's learning records with their resources and providers. One query.

    Records of resources since archived stay: they are part of the person's history.
    """
    return list(
        LearningRecord.objects.filter(user=user)
        .select_related("resource__provider")
        .order_by(F("completed_on").desc(nulls_last=True), "-updated_at", "-id")
    )


def my_learning_for(user: User) -> MyLearning:
    """A user's saved, in-progress and completed learning. One query."""
    records = learning_records_for(user)
    return MyLearning(
        saved=[r for r in records if r.status == LearningStatus.SAVED],
        in_progress=[r for r in records if r.status == LearningStatus.IN_PROGRESS],
        completed=[r for r in records if r.status == LearningStatus.COMPLETED],
    )


CSV_HEADER = (
    "Title",
    "Provider",
    "Level",
    "Format",
    "Status",
    "Saved on",
    "Completed on",
    "CPD hours",
    "Reflection",
    "Address",
    "Sample content",
)


def learning_record_csv_rows(user: User) -> list[list[str]]:
    """A user's learning record as CSV rows, header first, every cell safe to open. One query."""
    rows = [list(CSV_HEADER)]
    for record in learning_records_for(user):
        resource = record.resource
        rows.append(
            [
                spreadsheet_safe(cell)
                for cell in (
                    resource.title,
                    resource.provider.name,
                    resource.level,
                    resource.get_format_display(),
                    record.get_status_display(),
                    timezone.localdate(record.saved_at).isoformat(),
                    record.completed_on.isoformat() if record.completed_on else "",
                    record.hours if record.hours is not None else "",
                    record.reflection,
                    resource.url,
                    "Yes" if resource.is_sample else "No",
                )
            ]
        )
    return rows


# --- For the Resilience Hub ----------------------------------------------------------------


def resources_for_signposting(
    *,
    ids: Iterable[int] | None = None,
    topic: str | None = None,
    limit: int | None = None,
) -> list[Resource]:
    """Published resources to signpost as self-help: those with the given ids, or on the topic
    (a topic slug), or both. Nothing about who has used them. One query.

    The Resilience Hub calls this; it is the only function of this module it may use.
    """
    queryset = published_resources().order_by("title", "id")
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    if topic is not None:
        queryset = queryset.filter(topics__slug=topic).distinct()
    if limit is not None:
        queryset = queryset[:limit]
    return list(queryset)
