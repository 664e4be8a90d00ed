"""What to learn next: resources ranked by the gaps in a person's self-assessment.

Pure Python, no Django: the pathway (learning/queries/pathway.py) reads the candidates and the
person's latest ratings, and this module decides their order. ADR 0037.

The order, most useful first (each rule breaks the ties of the ones before it):

1. Resources that develop at least one gap; then resources the person has started or saved
   (kept in view even when they develop no gap); then the rest.
2. The lowest confidence among the gaps a resource develops ("not confident" before "slightly
   confident" before "fairly confident").
3. The number of gaps it develops, more first.
4. In progress before saved before untouched.
5. The newest published first.
6. The highest id first: two resources published at the same moment still have one order.

A gap is a statement rated below "confident" (1 to 3 on the 5-point scale). Statements rated
"not relevant to my role", never rated, or retired are not gaps. Completed resources are out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# The highest confidence that still counts as a gap: 3, "fairly confident". 4 is "confident".
HIGHEST_GAP_CONFIDENCE = 3

IN_PROGRESS = "in_progress"
SAVED = "saved"
COMPLETED = "completed"
_STATUS_ORDER = {IN_PROGRESS: 0, SAVED: 1, None: 2}


@dataclass(frozen=True)
class RatedStatement:
    """A competency statement with the person's latest rating of it.

    ``confidence`` is 1 to 5, or None when the person said it is not relevant or has not rated
    it; ``confidence_label`` is how the rating reads in a sentence ("not confident").
    """

    id: int
    text: str
    confidence: int | None = None
    confidence_label: str = ""
    not_relevant: bool = False
    retired: bool = False
    position: int = 0

    @property
    def is_gap(self) -> bool:
        return (
            not self.retired
            and not self.not_relevant
            and self.confidence is not None
            and self.confidence <= HIGHEST_GAP_CONFIDENCE
        )


@dataclass(frozen=True)
class Candidate:
    """A published resource that might be recommended.

    ``published`` is a sortable number (a timestamp) for "newest first"; ``status`` is the
    person's learning status of it ("in_progress", "saved", "completed") or None.
    """

    id: int
    level: int
    statement_ids: frozenset[int] = frozenset()
    status: str | None = None
    published: float = 0.0


@dataclass(frozen=True)
class Recommendation:
    """A resource in its place, with the gaps it develops (the lowest rated first): its reasons."""

    candidate: Candidate
    gaps: tuple[RatedStatement, ...] = field(default=())

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(
            f"Because you rated '{gap.text}' as {gap.confidence_label}" for gap in self.gaps
        )

    def sort_key(self) -> tuple[int, int, int, int, float, int]:
        candidate = self.candidate
        if self.gaps:
            group = 0
        elif candidate.status in (IN_PROGRESS, SAVED):
            group = 1
        else:
            group = 2
        lowest = min((gap.confidence or 0 for gap in self.gaps), default=HIGHEST_GAP_CONFIDENCE + 1)
        return (
            group,
            lowest,
            -len(self.gaps),
            _STATUS_ORDER.get(candidate.status, 2),
            -candidate.published,
            -candidate.id,
        )


def gaps_of(statements: Iterable[RatedStatement]) -> dict[int, RatedStatement]:
    """{statement id: statement} for the statements that are gaps."""
    return {statement.id: statement for statement in statements if statement.is_gap}


def rank(
    candidates: Iterable[Candidate], statements: Iterable[RatedStatement]
) -> list[Recommendation]:
    """The candidates in the order above, completed ones left out, each a candidate once (the
    first seen of a repeated id is kept)."""
    gaps = gaps_of(statements)
    seen: set[int] = set()
    ranked = []
    for candidate in candidates:
        if candidate.status == COMPLETED or candidate.id in seen:
            continue
        seen.add(candidate.id)
        developed = sorted(
            (gaps[i] for i in candidate.statement_ids if i in gaps),
            key=lambda gap: (gap.confidence, gap.position, gap.id),
        )
        ranked.append(Recommendation(candidate, tuple(developed)))
    ranked.sort(key=Recommendation.sort_key)
    return ranked


def page_per_level(
    ranked: Sequence[Recommendation], levels: Iterable[int], per_level: int
) -> dict[int, list[Recommendation]]:
    """The first ``per_level`` of each level in ranked order, and after them any the person has
    started or saved that did not fit: what they have begun never drops out of view."""
    pages: dict[int, list[Recommendation]] = {level: [] for level in levels}
    for recommendation in ranked:
        page = pages.get(recommendation.candidate.level)
        if page is None:
            continue
        if len(page) < per_level or recommendation.candidate.status in (IN_PROGRESS, SAVED):
            page.append(recommendation)
    return pages
