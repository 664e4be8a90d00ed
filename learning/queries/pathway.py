"""The pathway ("your pathway"): the competency levels recommended from a person's profile, their
progress through each, and a page of resources for each level.

With no self-assessment, each level shows what the person has started, then saved, then the
newest, and what they have completed last. Once they have rated their confidence, each level is
ranked by their gaps (learning/recommendations.py): resources that develop the statements they
feel least confident about first, each with its reasons, completed ones out.

Flat as the catalogue grows (ADR 0037): nothing here reads every published resource. The number
of published resources per level is kept in the cache for the catalogue's generation (any
change to the catalogue starts a new one); the person's own records are read whole (they grow
with the person, not the catalogue); the newest few of each level come from an index; and the
resources that develop a gap are the newest few tied to each gap statement, from an index on
the ties. A fixed number of queries however many resources, records and statements there are
(tests/learning/test_query_counts.py).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, OuterRef, QuerySet, Subquery

from learning import recommendations
from learning.competencies import (
    COMPETENCY_LEVELS,
    CompetencyLevel,
    Recommendation,
    recommended_levels_for,
)
from learning.models import (
    Competency,
    CompetencyRating,
    Confidence,
    LearningRecord,
    LearningStatus,
    Resource,
    ResourceStatus,
)
from learning.queries.catalogue_search import CATALOGUE_GENERATION_KEY, CatalogueParams
from learning.queries.summaries import ResourceSummary, published_resources
from portal.queries import staff_profile_for

if TYPE_CHECKING:
    from portal.models import User

PATHWAY_PER_LEVEL = 8
# How many of the newest resources tied to each gap statement are ranked: enough that the page
# of each level is filled by resources developing several gaps where there are any, few enough
# that ranking them stays flat. ADR 0037.
CANDIDATES_PER_GAP = 20
# Published resources per level, kept for the catalogue's generation; the time limit bounds what
# a change made without a signal (a raw SQL fix) can leave stale, as the search cache does.
LEVEL_TOTALS_SECONDS = 300

# What the pathway shows first at each level without a self-assessment: what the user has
# started, then saved, then what they have not touched, and what they have completed last (it
# counts in their progress).
PATHWAY_PRIORITY = (
    LearningStatus.IN_PROGRESS,
    LearningStatus.SAVED,
    None,
    LearningStatus.COMPLETED,
)


@dataclass(frozen=True)
class PathwayResource(ResourceSummary):
    """A resource on the pathway, with why it is recommended (empty without a self-assessment)."""

    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathwayLevel:
    """One recommended level: what it means, the user's progress through its resources, and a
    page of them (``resources``)."""

    level: CompetencyLevel
    resources: list[PathwayResource]
    total: int = 0
    completed: int = 0

    @property
    def more(self) -> int:
        """How many resources of the level are not shown."""
        return max(0, self.total - len(self.resources))

    @property
    def catalogue_querystring(self) -> str:
        return CatalogueParams(level=(str(self.level.number),)).querystring()


@dataclass(frozen=True)
class SelfAssessmentProgress:
    """How much of the self-assessment at the recommended levels the user has done."""

    rated: int
    total: int
    gaps: int

    @property
    def is_started(self) -> bool:
        return self.rated > 0


@dataclass(frozen=True)
class Pathway:
    recommendation: Recommendation
    levels: list[PathwayLevel]
    has_profile: bool
    self_assessment: SelfAssessmentProgress = SelfAssessmentProgress(0, 0, 0)

    @property
    def is_ranked(self) -> bool:
        """Whether the resources are ranked by the user's self-assessment."""
        return self.self_assessment.is_started


def published_per_level() -> dict[int, int]:
    """{level: published resources}, kept in the cache for the catalogue's generation.

    The generation is read before counting, so a change made while counting starts a new
    generation and the count is never kept under it.
    """
    generation = cache.get(CATALOGUE_GENERATION_KEY)
    if generation is None:
        cache.add(CATALOGUE_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(CATALOGUE_GENERATION_KEY)
    key = f"learning:pathway-level-totals:{generation}"
    totals: dict[int, int] | None = cache.get(key)
    if totals is None:
        totals = dict(
            Resource.objects.published()
            .order_by()
            .values_list("level")
            .annotate(total=Count("id"))
            .values_list("level", "total")
        )
        cache.set(key, totals, LEVEL_TOTALS_SECONDS)
    return totals


def _records_at(user: User, levels: set[int]) -> dict[int, tuple[str, int]]:
    """{resource id: (the user's status, the resource's level)} of the user's records of
    published resources at these levels. One query; as many rows as the person has records,
    however big the catalogue."""
    rows = LearningRecord.objects.filter(
        user=user, resource__status=ResourceStatus.PUBLISHED, resource__level__in=levels
    ).values_list("resource_id", "status", "resource__level")
    return {resource_id: (status, level) for resource_id, status, level in rows}


def _newest_of_level(level: int, leave_out: list[int], limit: int) -> QuerySet[Any, Any]:
    """(id, level, published) of the newest ``limit`` published resources of a level, other than
    ``leave_out``, read from the learning_level_newest index."""
    return (
        Resource.objects.published()
        .filter(level=level)
        .exclude(id__in=leave_out)
        .order_by(F("published_at").desc(nulls_last=True), F("id").desc())
        .values_list("id", "level", "published_at")[:limit]
    )


def _newest_tied_to(
    gap: int, levels: set[int], leave_out: list[int], limit: int
) -> QuerySet[Any, Any]:
    """(id, level, published) of the newest ``limit`` published resources at ``levels`` tied to
    a gap statement, other than ``leave_out``, read in id order from the index on the ties
    (newest first, as ids grow)."""
    return (
        Resource.competencies.through.objects.filter(
            competency_id=gap,
            resource__status=ResourceStatus.PUBLISHED,
            resource__level__in=levels,
        )
        .exclude(resource_id__in=leave_out)
        .order_by("-resource_id")
        .values_list("resource_id", "resource__level", "resource__published_at")[:limit]
    )


# On PostgreSQL the candidates and the statements each develops are one statement of fixed
# shape, whatever the number of levels and gaps (they are arrays): for each level its newest
# few, for each gap statement the newest few tied to it, each read from an index by a LATERAL
# join, and the user's own resources; each with the ids of the statements it develops. Written
# as SQL because the ORM cannot say LATERAL, and building a UNION of one part per gap cost more
# than running it (ADR 0037).
_CANDIDATES_SQL = """
WITH chosen AS (
    SELECT newest.id FROM unnest(%(levels)s::integer[]) AS wanted(level)
    CROSS JOIN LATERAL (
        SELECT r.id FROM learning_resource r
        WHERE r.status = %(published)s AND r.level = wanted.level AND NOT (r.id = ANY(%(mine)s))
        ORDER BY r.published_at DESC NULLS LAST, r.id DESC
        LIMIT %(per_level)s
    ) AS newest
    UNION
    SELECT picked.resource_id FROM unnest(%(gaps)s::bigint[]) AS gap(id)
    CROSS JOIN LATERAL (
        SELECT t.resource_id FROM learning_resource_competencies t
        JOIN learning_resource tied ON tied.id = t.resource_id
        WHERE t.competency_id = gap.id AND tied.status = %(published)s
          AND tied.level = ANY(%(levels)s) AND NOT (t.resource_id = ANY(%(mine)s))
        ORDER BY t.resource_id DESC
        LIMIT %(per_gap)s
    ) AS picked
    UNION
    SELECT unnest(%(mine)s::bigint[])
)
SELECT r.id, r.level, r.published_at,
    ARRAY(SELECT t.competency_id FROM learning_resource_competencies t WHERE t.resource_id = r.id)
FROM chosen JOIN learning_resource r ON r.id = chosen.id
"""


def candidate_rows(
    levels: set[int], gaps: Iterable[int], mine: list[int], per_level: int, per_gap: int
) -> dict[int, tuple[int, datetime.datetime | None, frozenset[int]]]:
    """{id: (level, published_at, statements it develops among the gaps)} of the newest
    ``per_level`` published resources of each level, the newest ``per_gap`` tied to each gap
    statement, and the user's own (``mine``). One query on PostgreSQL; on SQLite one per level
    and per gap, and one for the ties (its catalogue is small)."""
    gaps = sorted(gaps)
    wanted = set(gaps)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _CANDIDATES_SQL,
                {
                    "levels": sorted(levels),
                    "gaps": gaps,
                    "mine": mine,
                    "per_level": per_level,
                    "per_gap": per_gap,
                    "published": ResourceStatus.PUBLISHED.value,
                },
            )
            return {
                pk: (level, published_at, frozenset(tied) & wanted)
                for pk, level, published_at, tied in cursor.fetchall()
            }
    return candidate_rows_by_orm(levels, gaps, mine, per_level, per_gap)


def candidate_rows_by_orm(
    levels: set[int], gaps: Iterable[int], mine: list[int], per_level: int, per_gap: int
) -> dict[int, tuple[int, datetime.datetime | None, frozenset[int]]]:
    """``candidate_rows`` in the ORM's words, one query per part: what SQLite runs."""
    gaps = sorted(gaps)
    wanted = set(gaps)
    parts = [_newest_of_level(level, mine, per_level) for level in sorted(levels)]
    parts += [_newest_tied_to(gap, levels, mine, per_gap) for gap in gaps]
    parts.append(Resource.objects.filter(pk__in=mine).values_list("pk", "level", "published_at"))
    rows = {pk: (level, published_at) for part in parts for pk, level, published_at in part}
    ties = _ties_of(rows, wanted) if wanted else {}
    return {
        pk: (level, published_at, frozenset(ties.get(pk, ())))
        for pk, (level, published_at) in rows.items()
    }


def _latest_ratings_at(user: User, levels: set[int]) -> list[Competency]:
    """The current statements at these levels, each with the user's latest answer annotated
    (``latest_confidence``, ``latest_not_relevant``; both None when not rated). One query."""
    latest = CompetencyRating.objects.filter(user=user, competency=OuterRef("pk")).order_by(
        "-rated_at", "-id"
    )
    return list(
        Competency.objects.filter(level__in=levels, retired_at__isnull=True).annotate(
            latest_confidence=Subquery(latest.values("confidence")[:1]),
            latest_not_relevant=Subquery(latest.values("not_relevant")[:1]),
        )
    )


def _rated_statement(statement: Competency) -> recommendations.RatedStatement:
    confidence = statement.latest_confidence  # type: ignore[attr-defined]
    return recommendations.RatedStatement(
        id=statement.pk,
        text=statement.text,
        confidence=confidence,
        confidence_label=str(Confidence(confidence).label).lower() if confidence else "",
        not_relevant=bool(statement.latest_not_relevant),  # type: ignore[attr-defined]
        retired=statement.is_retired,
        position=statement.position,
    )


def _ties_of(resource_ids: Iterable[int], statement_ids: Iterable[int]) -> dict[int, set[int]]:
    """{resource id: the statements among ``statement_ids`` it develops}. One query."""
    wanted = set(statement_ids)
    found: dict[int, set[int]] = {}
    rows = Resource.competencies.through.objects.filter(
        resource_id__in=list(resource_ids)
    ).values_list("resource_id", "competency_id")
    for resource_id, competency_id in rows:
        if competency_id in wanted:
            found.setdefault(resource_id, set()).add(competency_id)
    return found


def _timestamp(published_at: datetime.datetime | None) -> float:
    return published_at.timestamp() if published_at else 0.0


def _candidates(
    records: dict[int, tuple[str, int]],
    rows: dict[int, tuple[int, datetime.datetime | None, frozenset[int]]],
) -> list[recommendations.Candidate]:
    """The rows read, with the user's status of each, as the ranking takes them."""
    statuses = {resource_id: status for resource_id, (status, _level) in records.items()}
    return [
        recommendations.Candidate(
            id=pk,
            level=level,
            statement_ids=statement_ids,
            status=statuses.get(pk),
            published=_timestamp(published_at),
        )
        for pk, (level, published_at, statement_ids) in rows.items()
    ]


def _in_todays_order(
    candidates: list[recommendations.Candidate], levels: set[int], per_level: int
) -> dict[int, list[recommendations.Recommendation]]:
    """Without a self-assessment: started, saved, untouched (the newest), then completed."""
    priority = {status: n for n, status in enumerate(PATHWAY_PRIORITY)}
    ordered = sorted(
        candidates,
        key=lambda c: (priority[c.status], -c.published, -c.id),  # type: ignore[index]
    )
    pages: dict[int, list[recommendations.Recommendation]] = {level: [] for level in levels}
    for candidate in ordered:
        page = pages[candidate.level]
        if len(page) < per_level:
            page.append(recommendations.Recommendation(candidate))
    return pages


def _shown(
    pages: dict[int, list[recommendations.Recommendation]],
) -> dict[int, list[PathwayResource]]:
    """The pages with their resources read in full: only those shown. One query."""
    wanted = [item.candidate.id for page in pages.values() for item in page]
    loaded = published_resources().defer("description", "search_vector").in_bulk(wanted)
    return {
        level: [
            PathwayResource(loaded[item.candidate.id], item.candidate.status, item.reasons)
            for item in page
            if item.candidate.id in loaded
        ]
        for level, page in pages.items()
    }


def pathway_for(user: User, *, per_level: int = PATHWAY_PER_LEVEL) -> Pathway:
    """The levels recommended from the user's profile, each with the user's progress (completed
    of all its published resources) and a page of ``per_level`` resources with the user's status
    of each, ranked by their self-assessment when they have one.

    Ranks ids first and reads in full only the resources shown. Five queries on PostgreSQL
    however big the catalogue: the profile, the user's records, the statements with their
    latest ratings, the candidates with the statements each develops (the newest of each
    level, the newest tied to each gap statement, and the user's own), and the resources shown;
    one more for the level totals when the cache has none.
    """
    profile = staff_profile_for(user)
    recommendation = recommended_levels_for(profile)
    levels = set(recommendation.levels)
    totals = published_per_level()
    records = _records_at(user, levels)
    statements = [_rated_statement(s) for s in _latest_ratings_at(user, levels)]
    rated = [s for s in statements if s.confidence is not None or s.not_relevant]
    gaps = recommendations.gaps_of(rated)
    mine = list(records)
    rows = candidate_rows(levels, gaps, mine, per_level, CANDIDATES_PER_GAP)
    candidates = _candidates(records, rows)
    if rated:
        ranked = recommendations.rank(candidates, rated)
        pages = recommendations.page_per_level(ranked, levels, per_level)
    else:
        pages = _in_todays_order(candidates, levels, per_level)
    shown = _shown(pages)
    completed = dict.fromkeys(levels, 0)
    for status, level in records.values():
        if status == LearningStatus.COMPLETED:
            completed[level] += 1
    return Pathway(
        recommendation,
        [
            PathwayLevel(
                level, shown[level.number], totals.get(level.number, 0), completed[level.number]
            )
            for level in COMPETENCY_LEVELS
            if level.number in levels
        ],
        has_profile=profile is not None,
        self_assessment=SelfAssessmentProgress(len(rated), len(statements), len(gaps)),
    )
