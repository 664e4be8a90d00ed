"""Benchmark the pathway: today's (no self-assessment) and ranked by a self-assessment (issue 15),
in-process, at 10,000 resources and more.

`make bench` can register `scenario_ranked_pathway()` as a row, after `seed_self_assessment()`
(its target: p95 within 1.5 times today's pathway, measured in the same run by
`scenario_pathway_today()`). Run alone, `.venv/bin/python bench/pathway_bench.py 10000 100000`
uses its own database pair (portal_pathbench and portal_pathbench_confidential, or
BENCH_PATHWAY_DATABASE_URL), seeds each size in turn with run.py's seeding functions, measures
both pathways and prints a table with the load average, the growth from the first size to the
last, and nothing is written to bench/results.md.

It uses run.py's helpers through `from bench import run` inside its functions, as
queue_bench.py does.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bench.run import Result

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
    from django.db import connection

    from learning.models import Competency, CompetencyRating, Resource

    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    if not Competency.objects.exists():
        Competency.objects.bulk_create(
            Competency(
                level=level,
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
    for resource_id, level in Resource.objects.values_list("pk", "level").iterator():
        for competency_id in rng.sample(by_level[level], rng.randint(1, 2)):
            batch.append(link(resource_id=resource_id, competency_id=competency_id))
        if len(batch) >= BATCH_SIZE:
            made += len(link.objects.bulk_create(batch))
            batch = []
    made += len(link.objects.bulk_create(batch))
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


def _pathway_loop(label: str, user: Any) -> Result:
    from bench import run
    from learning.queries.pathway import pathway_for

    def call(_: str) -> object:
        return pathway_for(user).levels

    result = run.run_loop(call, label)
    result.queries_per_request = run.queries_for(lambda: call(""))
    return result


def scenario_pathway_today(user: Any = None) -> Result:
    """`pathway_for` for a member of staff with no self-assessment: today's pathway."""
    from bench import run
    from portal.models import User

    return _pathway_loop(
        "pathway_for(): no self-assessment (ORM)",
        user or User.objects.get(email=run.BENCH_EMAIL),
    )


def scenario_ranked_pathway(user: Any, today: Result | None = None) -> Result:
    """`pathway_for` ranked by a self-assessment; target p95 within 1.5 times today's pathway
    (``today``, measured in the same run)."""
    from learning.models import Resource

    count = Resource.objects.published().count()
    result = _pathway_loop(
        f"ranked pathway with a self-assessment at {count:,} resources (ORM)", user
    )
    if today is not None and today.available:
        result.target_p95_ms = TARGET_RATIO * today.percentile(95)
    return result


# --- Alone ---------------------------------------------------------------------------------------


def measure_size(size: int, databases: Any, env: dict[str, str]) -> list[Result]:
    from django.db import connections

    from bench import run, seed

    for alias in connections:
        connections[alias].close()
    run.recreate_database(databases.default)
    run.recreate_database(databases.confidential)
    run.manage(env, "migrate", "--database", "default", "--no-input")
    run.manage(env, "migrate", "--database", "confidential", "--no-input")
    from django.core.cache import cache

    cache.clear()
    run.seed_catalogue(size)
    today_user = run.seed_staff_member()
    seed.seed_learning_records(min(50_000, size * 5), extra_users=[today_user])
    _, ranked_user = seed_assessed_copy_of(today_user)
    ties = seed_self_assessment(ranked_user)
    print(f"bench: {size:,} resources, {ties:,} ties to statements", flush=True)
    today = scenario_pathway_today(today_user)
    ranked = scenario_ranked_pathway(ranked_user, today)
    return [today, ranked]


def seed_assessed_copy_of(today_user: Any) -> tuple[Any, Any]:
    """A second member of staff with the same profile and learning as ``today_user``, to be
    given a self-assessment: the two pathways then differ only by the ranking."""
    from learning.models import LearningRecord
    from portal.models import StaffProfile, User

    ranked = User.objects.create_user(f"bench.assessed.{uuid.uuid4().hex[:8]}@bench.nhs.net")
    profile = StaffProfile.objects.get(user=today_user)
    profile.pk = None
    profile.user = ranked
    profile.save()
    LearningRecord.objects.bulk_create(
        LearningRecord(
            user=ranked,
            resource_id=record.resource_id,
            status=record.status,
            completed_on=record.completed_on,
            hours=record.hours,
        )
        for record in LearningRecord.objects.filter(user=today_user)
    )
    return today_user, ranked


def main() -> int:
    from bench import run

    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000]
    default = os.environ.get("BENCH_PATHWAY_DATABASE_URL", DEFAULT_DATABASE_URL)
    databases = run.Databases(default, f"{default}_confidential")
    with tempfile.TemporaryDirectory(prefix="portal-pathbench-") as scratch:
        env = run.production_env(databases, Path(scratch) / "static")
        env["CACHE_KEY_PREFIX"] = f"pathbench-{uuid.uuid4().hex[:8]}"
        os.environ.update(env)
        import django

        django.setup()
        rows: dict[int, list[Result]] = {}
        for size in sizes:
            rows[size] = measure_size(size, databases, env)
            print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
            print("\n".join(run.table(rows[size])), flush=True)
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(f"\nGrowth of p50 from {first:,} to {last:,} resources (target ≤ 1.5):")
        for before, after in zip(rows[first], rows[last], strict=True):
            ratio = statistics.median(after.timings_ms) / statistics.median(before.timings_ms)
            print(f"  {before.scenario.split(' at ')[0]}: {ratio:.2f}")
    missed = any(result.verdict.startswith("MISS") for found in rows.values() for result in found)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
