"""A person's self-assessment: the competency statements of their recommended levels with their
latest rating of each, what is left to rate, and their confidence then (first rating) and now
(latest rating). Private to the person: every function here reads one user's own ratings.

A fixed number of queries however many statements and ratings there are
(tests/learning/test_self_assessment.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from learning.competencies import COMPETENCY_LEVELS, CompetencyLevel, recommended_levels_for
from learning.models import Competency, CompetencyRating, Confidence
from portal.queries import staff_profile_for

if TYPE_CHECKING:
    from portal.models import User

NOT_RELEVANT = "not_relevant"
NOT_RELEVANT_LABEL = "Not relevant to my role"


def describe_rating(rating: CompetencyRating | None) -> str:
    """ "Not confident", "Very confident", "Not relevant to my role", or "" when not rated."""
    if rating is None:
        return ""
    if rating.not_relevant or rating.confidence is None:
        return NOT_RELEVANT_LABEL
    return str(Confidence(rating.confidence).label)


def answer_of(rating: CompetencyRating | None) -> str | None:
    """A rating as the form's answer: "1" to "5", "not_relevant", or None."""
    if rating is None:
        return None
    if rating.not_relevant or rating.confidence is None:
        return NOT_RELEVANT
    return str(rating.confidence)


@dataclass(frozen=True)
class RatedCompetency:
    """A statement with the person's first and latest rating of it (None: never rated)."""

    competency: Competency
    first: CompetencyRating | None = None
    latest: CompetencyRating | None = None

    @property
    def is_rated(self) -> bool:
        return self.latest is not None

    @property
    def answer(self) -> str | None:
        return answer_of(self.latest)

    @property
    def then(self) -> str:
        return describe_rating(self.first)

    @property
    def now(self) -> str:
        return describe_rating(self.latest)

    @property
    def has_changed(self) -> bool:
        return self.first is not None and self.latest is not None and self.first != self.latest

    @property
    def change(self) -> int | None:
        """Latest confidence minus first, when both are on the scale."""
        if self.first is None or self.latest is None:
            return None
        if self.first.confidence is None or self.latest.confidence is None:
            return None
        return self.latest.confidence - self.first.confidence


@dataclass(frozen=True)
class LevelAssessment:
    level: CompetencyLevel
    statements: list[RatedCompetency]

    @property
    def total(self) -> int:
        return len(self.statements)

    @property
    def rated(self) -> int:
        return sum(statement.is_rated for statement in self.statements)

    @property
    def remaining(self) -> int:
        return self.total - self.rated


@dataclass(frozen=True)
class SelfAssessment:
    """The statements of the person's recommended levels, level by level."""

    levels: list[LevelAssessment]

    @property
    def total(self) -> int:
        return sum(level.total for level in self.levels)

    @property
    def rated(self) -> int:
        return sum(level.rated for level in self.levels)

    @property
    def remaining(self) -> int:
        return self.total - self.rated

    @property
    def is_started(self) -> bool:
        return self.rated > 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.remaining == 0

    def level(self, number: int) -> LevelAssessment | None:
        return next((level for level in self.levels if level.level.number == number), None)

    def next_level_to_rate(self, after: int = 0) -> LevelAssessment | None:
        """The first level after ``after`` with something left to rate, else the first at all."""
        waiting = [level for level in self.levels if level.remaining]
        return next((level for level in waiting if level.level.number > after), None) or next(
            iter(waiting), None
        )


def ratings_by_competency(
    user: User, competency_ids: Iterable[int] | None = None
) -> dict[int, tuple[CompetencyRating, CompetencyRating]]:
    """{competency id: (first rating, latest rating)} of the user's own ratings. One query.

    Ratings are kept, never overwritten (CompetencyRating), so "then" is the first and "now"
    the latest, in the order they were given.
    """
    ratings = CompetencyRating.objects.filter(user=user)
    if competency_ids is not None:
        ratings = ratings.filter(competency_id__in=list(competency_ids))
    return _first_and_latest(ratings.order_by("rated_at", "id"))


def _first_and_latest(
    ratings: Iterable[CompetencyRating],
) -> dict[int, tuple[CompetencyRating, CompetencyRating]]:
    found: dict[int, tuple[CompetencyRating, CompetencyRating]] = {}
    for rating in ratings:
        first = found[rating.competency_id][0] if rating.competency_id in found else rating
        found[rating.competency_id] = (first, rating)
    return found


def current_statements(levels: Iterable[int]) -> list[Competency]:
    """The statements of these levels that are not retired, in the framework's order. One query."""
    return list(Competency.objects.filter(level__in=list(levels), retired_at__isnull=True))


def rated_statements(user: User, statements: Iterable[Competency]) -> list[RatedCompetency]:
    """The statements with the user's first and latest rating of each. One query."""
    statements = list(statements)
    ratings = ratings_by_competency(user, [statement.pk for statement in statements])
    return [
        RatedCompetency(statement, *ratings.get(statement.pk, (None, None)))
        for statement in statements
    ]


def self_assessment_for(user: User, levels: Iterable[int] | None = None) -> SelfAssessment:
    """The user's self-assessment at ``levels`` (by default their recommended levels, from their
    profile). Three queries: the profile, the statements and the ratings."""
    if levels is None:
        levels = recommended_levels_for(staff_profile_for(user)).levels
    wanted = set(levels)
    statements = rated_statements(user, current_statements(wanted))
    return SelfAssessment(
        [
            LevelAssessment(level, [s for s in statements if s.competency.level == level.number])
            for level in COMPETENCY_LEVELS
            if level.number in wanted
        ]
    )


def confidence_then_and_now(user: User) -> list[RatedCompetency]:
    """Every statement the user has rated, with their first and latest rating: "My learning"
    shows the change. Retired statements stay: the ratings are the person's history. One query.
    """
    ratings = CompetencyRating.objects.filter(user=user).select_related("competency")
    found = _first_and_latest(ratings.order_by("rated_at", "id"))
    rows = [RatedCompetency(latest.competency, first, latest) for first, latest in found.values()]
    return sorted(
        rows, key=lambda row: (row.competency.level, row.competency.position, row.competency.pk)
    )


def statement_by_id(pk: int) -> Competency | None:
    """A statement of the framework, retired or not. One query."""
    return Competency.objects.filter(pk=pk).first()


def retired_among(statement_ids: Iterable[int]) -> list[Competency]:
    """Which of these statements are retired. One query."""
    return list(Competency.objects.filter(pk__in=list(statement_ids), retired_at__isnull=False))


def statements_developed_by(resource_id: int) -> list[Competency]:
    """The current statements a resource develops, in the framework's order. One query."""
    return list(Competency.objects.filter(resources=resource_id, retired_at__isnull=True))
