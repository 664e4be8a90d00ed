"""The pathway ("your pathway"): the competency levels recommended from a person's profile, their progress
through each and the first few resources of each level, those they have started or saved first.

Three queries however many resources and records there are (tests/learning/test_query_counts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, FilteredRelation, Q, When, Window
from django.db.models.functions import RowNumber

from learning.competencies import (
    COMPETENCY_LEVELS,
    CompetencyLevel,
    Recommendation,
    recommended_levels_for,
)
from learning.models import LearningRecord, LearningStatus, Resource
from learning.queries.catalogue_search import CatalogueParams
from learning.queries.summaries import ResourceSummary, published_resources, summarise
from portal.queries import staff_profile_for

if TYPE_CHECKING:
    from portal.models import User

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
