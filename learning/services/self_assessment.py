"""A person rating their confidence in the competency statements: the self-assessment, saved
part-way, and rating again after learning.

A rating is a new row each time it changes (CompetencyRating: first = then, latest = now);
giving the same answer again adds nothing, so saving a page twice, or a page with some answers
unchanged, keeps one row per change. Ratings are private to the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from learning.models import Competency, CompetencyRating, Confidence
from learning.queries.self_assessment import NOT_RELEVANT, answer_of, ratings_by_competency

if TYPE_CHECKING:
    from portal.models import User


class RatingRefused(Exception):
    """A rating that cannot be saved; the message says why in plain English."""


class StatementRetired(RatingRefused):
    """The statement was retired: it is no longer part of the framework, so it takes no rating."""


def _check(answer: str) -> None:
    if answer != NOT_RELEVANT and answer not in {str(value) for value in Confidence.values}:
        raise RatingRefused(
            "Choose how confident you are, from not confident to very confident, or that the "
            "statement is not relevant to your role"
        )


def _is_new(latest: CompetencyRating | None, statement: Competency, answer: str) -> bool:
    """Whether an answer says something the latest rating did not: another answer, or the same
    answer to a reworded statement."""
    return (
        latest is None or answer_of(latest) != answer or latest.wording_version != statement.version
    )


@transaction.atomic
def do_rate_competencies(*, user: User, answers: Mapping[int, str]) -> list[CompetencyRating]:
    """Save the user's answers ({statement id: "1" to "5" or "not_relevant"}), each as a new
    rating where it differs from their latest one. All or nothing: a retired or unknown
    statement, or an answer off the scale, refuses the lot. Three queries at most."""
    for answer in answers.values():
        _check(answer)
    statements = Competency.objects.in_bulk(list(answers))
    for statement_id in answers:
        statement = statements.get(statement_id)
        if statement is None:
            raise RatingRefused("That statement is not part of the framework")
        if statement.is_retired:
            raise StatementRetired(
                f"'{statement.text}' has been retired by the learning and development team, "
                "so it no longer needs a rating"
            )
    latest = ratings_by_competency(user, answers)
    now = timezone.now()
    made = [
        CompetencyRating(
            user=user,
            competency=statements[statement_id],
            wording_version=statements[statement_id].version,
            confidence=None if answer == NOT_RELEVANT else int(answer),
            not_relevant=answer == NOT_RELEVANT,
            rated_at=now,
        )
        for statement_id, answer in answers.items()
        if _is_new(latest.get(statement_id, (None, None))[1], statements[statement_id], answer)
    ]
    return CompetencyRating.objects.bulk_create(made)
