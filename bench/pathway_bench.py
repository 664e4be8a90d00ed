"""Seeding for the pathway ranked by a self-assessment (issue 15), measured by `make bench`.

`bench/run.py` makes a second member of staff with the same profile as the bench's staff member
(`seed_assessed_copy_of`), seeds their learning records with the other learners', and at each
size calls `seed_self_assessment` (ties the new resources to statements, and rates every
statement once). `bench/scenarios.py` measures `/learning/` as that person ("pathway-ranked",
target within 1.5 times today's pathway, which is the "pathway" row of the same run).
"""

from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    pass

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_pathbench"
STATEMENTS_PER_LEVEL = 8
# The bench user's answers: a mix, so that some statements are gaps and some are not.
ANSWERS = (1, 2, 2, 3, 4, 5, None, 3)
TARGET_RATIO = 1.5
BATCH_SIZE = 5_000


def seed_self_assessment(user: Any, seed: int = 15) -> int:
    """A framework of STATEMENTS_PER_LEVEL statements per level (unless one exists), each
    published resource tied to one or two statements of its level, and the user's ratings of
    every statement (a mix of gaps, confident and not relevant). Returns the ties made."""
    from learning.models import Competency, CompetencyRating, Resource

    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    if not Competency.objects.exists():
        Competency.objects.bulk_create(
            Competency(
                level=level,
                code=f"B{level}-{n:02d}",
                text=f"I can do level {level} thing {n} for mind and body care",
                position=n,
            )
            for level in (1, 2, 3)
            for n in range(STATEMENTS_PER_LEVEL)
        )
    by_level: dict[int, list[int]] = {}
    for pk, level in Competency.objects.values_list("pk", "level"):
        by_level.setdefault(level, []).append(pk)
    link = Resource.competencies.through
    made = 0
    batch = []
    # Incremental, so `make bench` can grow from one size to the next: only resources not yet
    # tied to a statement are tied now.
    untied = Resource.objects.filter(competencies__isnull=True)
    for resource_id, level in untied.values_list("pk", "level").iterator():
        for competency_id in rng.sample(by_level[level], rng.randint(1, 2)):
            batch.append(link(resource_id=resource_id, competency_id=competency_id))
        if len(batch) >= BATCH_SIZE:
            made += len(link.objects.bulk_create(batch))
            batch = []
    made += len(link.objects.bulk_create(batch))
    if CompetencyRating.objects.filter(user=user).exists():
        return made
    CompetencyRating.objects.bulk_create(
        CompetencyRating(
            user=user,
            competency_id=pk,
            wording_version=1,
            confidence=ANSWERS[n % len(ANSWERS)],
            not_relevant=ANSWERS[n % len(ANSWERS)] is None,
        )
        for n, pk in enumerate(sorted(pk for pks in by_level.values() for pk in pks))
    )
    return made


def seed_assessed_copy_of(today_user: Any) -> tuple[Any, Any]:
    """A second member of staff with the same profile as ``today_user``, to be given a
    self-assessment (and, by copy_learning_records, the same learning): the two pathways then
    differ only by the ranking."""
    from portal.models import StaffProfile, User

    ranked = User.objects.create_user(f"bench.assessed.{uuid.uuid4().hex[:8]}@bench.nhs.net")
    profile = StaffProfile.objects.get(user=today_user)
    profile.pk = None
    profile.user = ranked
    profile.save()
    copy_learning_records(today_user, ranked)
    return today_user, ranked


def copy_learning_records(source: Any, target: Any) -> int:
    """Give ``target`` a copy of ``source``'s learning records."""
    from learning.models import LearningRecord

    made = LearningRecord.objects.bulk_create(
        LearningRecord(
            user=target,
            resource_id=record.resource_id,
            status=record.status,
            completed_on=record.completed_on,
            hours=record.hours,
        )
        for record in LearningRecord.objects.filter(user=source)
    )
    return len(made)
