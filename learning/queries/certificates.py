"""Certificates of completion: a person's own, which levels they can have one for, and the one a
verification code names (for the public check, which shows only what the certificate shows)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from learning.models import (
    Certificate,
    Competency,
    LearningRecord,
    LearningStatus,
    Level,
    Resource,
    ResourceStatus,
)

if TYPE_CHECKING:
    from portal.models import User


@dataclass(frozen=True)
class LevelCompletion:
    """Whether a person has covered a whole level: a completed resource for every current
    statement of the level that has a published resource (ADR 0038)."""

    level: int
    statements: int
    covered: int
    completed_on: datetime.date | None
    hours: Decimal

    @property
    def is_complete(self) -> bool:
        return self.statements > 0 and self.covered == self.statements


def certificates_of(user: User) -> list[Certificate]:
    """The user's certificates, the newest first. One query."""
    return list(Certificate.objects.filter(user=user))


def certificate_of(user: User, pk: int) -> Certificate | None:
    """One of the user's own certificates (None for anyone else's). One query."""
    return Certificate.objects.filter(user=user, pk=pk).first()


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a (normalised) verification code names. One query."""
    return Certificate.objects.filter(code=code).first()


def level_completions(user: User) -> dict[int, LevelCompletion]:
    """{level: how far the user has covered it}, for every level. Three queries."""
    ties = Resource.competencies.through.objects
    taught = Competency.objects.filter(retired_at__isnull=True).filter(
        Exists(ties.filter(competency_id=OuterRef("pk"), resource__status=ResourceStatus.PUBLISHED))
    )
    statements = dict(taught.values_list("pk", "level"))
    completed = list(
        LearningRecord.objects.filter(user=user, status=LearningStatus.COMPLETED).values_list(
            "resource_id", "resource__level", "completed_on", "hours"
        )
    )
    covered_ids = (
        set(
            ties.filter(
                resource_id__in=[row[0] for row in completed], competency_id__in=list(statements)
            ).values_list("competency_id", flat=True)
        )
        if completed and statements
        else set()
    )
    found = {}
    for level in Level.values:
        at_level = [row for row in completed if row[1] == level]
        found[level] = LevelCompletion(
            level=level,
            statements=sum(1 for lvl in statements.values() if lvl == level),
            covered=sum(1 for pk in covered_ids if statements[pk] == level),
            completed_on=max((row[2] for row in at_level if row[2]), default=None),
            hours=sum((row[3] or Decimal("0") for row in at_level), Decimal("0")),
        )
    return found
