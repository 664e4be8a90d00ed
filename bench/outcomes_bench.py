"""Benchmark the Outcomes part of the hub lead's report at 10,000 referrals with paired scores.

For `make bench` (to be registered in bench/run.py): after `queue_bench.seed()`, call
`seed_paired_scores()`, then measure `OUTCOMES_PATHS` as the hub lead (`queue_bench.seed_lead()`
and `queue_bench.lead_cookie()`), target **p95 under 300 ms** (`TARGET_P95_MS`), and add
`scenario_outcomes_report_alone()` to the in-process table.

Run alone, `.venv/bin/python bench/outcomes_bench.py` uses its own database pair
(portal_bench_outcomes and portal_bench_outcomes_confidential, or BENCH_OUTCOMES_DATABASE_URL),
seeds 10,000 referrals as `queue_bench` does and pairs scores for 10,000, then times in-process,
one call at a time (no HTTP, no wrk): `outcomes_report()` alone and the whole report page through
Django's test client with the lead's session, and prints the median and p95 of each with the
queries per call. No load generator, so it runs on a busy machine; say the load average beside
the figures.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bench.run import Result

PAIRED_COUNT = 10_000
TARGET_P95_MS = 300.0
BATCH_SIZE = 1_000
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_outcomes"
# Service components as the rapid assessment records them, in rough proportion.
OUTCOME_WEIGHTS = {
    "self_help": 30,
    "team_support": 10,
    "direct_therapy": 35,
    "onward_referral": 20,
    "close": 5,
}
SEXES = ("female", "female", "female", "male", "prefer_not_to_say", "")
ETHNIC_GROUPS = ("white", "white", "white", "asian", "black", "mixed", "other", "")
SECTORS = ("nhs_trust", "nhs_trust", "primary_care", "care_home", "emergency_services", "")


def outcomes_paths() -> tuple[str, ...]:
    """The report over the last 24 months (every seeded referral), the URL to measure."""
    from django.utils import timezone

    from wellbeing.queries.reports import months_back

    this_month = timezone.localdate().replace(day=1)
    first = months_back(this_month, 23)
    return (f"/hub/reports/?start={first:%Y-%m}&end={this_month:%Y-%m}",)


def seed_paired_scores(minimum: int = PAIRED_COUNT, seed: int = 2014) -> int:
    """Give the bench's seeded referrals what the outcomes report reads, in batches: each
    assessed referral a rapid assessment (its component; an onward referral to a directory
    service for some), equality answers and a sector, and a later sitting of PHQ-9 and GAD-7
    (and WSAS) at a check-in or a session, some better, some the same, a few worse. Where
    fewer than `minimum` referrals are assessed, closed referrals are added, received over the
    last two years, until `minimum` have paired scores. Returns how many have them."""
    from django.db import connections, transaction
    from django.utils import timezone

    from wellbeing.models import (
        Assessment,
        OnwardReferral,
        Referral,
        ReferralStatus,
        RiskLevel,
        ScoreSource,
        ScreeningResult,
        Service,
    )
    from wellbeing.pseudonyms import staff_ref_for

    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    db = "confidential"
    services = list(Service.objects.using(db).values_list("pk", flat=True)) or [
        Service.objects.using(db)
        .create(name="Bench talking therapies", criteria="-", how_to_refer="-", contact="-")
        .pk
    ]
    now = timezone.now()
    assessed = list(
        Referral.objects.using(db)
        .filter(assessed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "created_at")
    )
    missing = max(0, minimum - len(assessed))
    added = []
    for start in range(0, missing, BATCH_SIZE):
        batch = [
            Referral(
                reference=f"RH-O-{n:06d}",
                staff_ref=staff_ref_for(500_000 + n),
                submission_key=uuid.uuid4(),
                status=ReferralStatus.CLOSED,
                created_at=(created := now - timedelta(minutes=rng.randint(0, 730 * 24 * 60))),
                consented_at=created,
                assessed_at=created + timedelta(days=2),
                closed_at=created + timedelta(weeks=10),
                owner_key=str(500_000 + n),
                name=f"Bench Outcome {n}",
                organisation=f"Bench Trust {n % 12}",
                staff_group="nursing_midwifery_registered",
                whats_happening="Bench",
            )
            for n in range(start, min(start + BATCH_SIZE, missing))
        ]
        with transaction.atomic(using=db):
            Referral.objects.using(db).bulk_create(batch)
            ScreeningResult.objects.using(db).bulk_create(
                ScreeningResult(
                    referral=referral,
                    instrument=code,
                    answers=cast("Any", []),  # encrypted JSON, typed as text
                    total=rng.randint(*limits),
                    band="",
                    taken_at=referral.created_at,
                )
                for referral in batch
                for code, limits in (("PHQ-9", (3, 24)), ("GAD-7", (2, 20)), ("WSAS", (5, 35)))
            )
        added += [(referral.pk, referral.created_at) for referral in batch]
    everyone = assessed + added
    first_totals: dict[tuple[int, str], int] = {
        (referral_id, code): total
        for referral_id, code, total in ScreeningResult.objects.using(db)
        .filter(source=ScoreSource.SELF_REFERRAL, instrument__in=("PHQ-9", "GAD-7", "WSAS"))
        .values_list("referral_id", "instrument", "total")
    }
    outcomes, weights = zip(*OUTCOME_WEIGHTS.items(), strict=True)
    for start in range(0, len(everyone), BATCH_SIZE):
        assessments, onward, later = [], [], []
        for referral_id, created in everyone[start : start + BATCH_SIZE]:
            outcome = rng.choices(outcomes, weights)[0]
            assessments.append(
                Assessment(
                    referral_id=referral_id,
                    at=created + timedelta(days=2),
                    by_ref="b" * 64,
                    notes="Bench",
                    risk_level=RiskLevel.LOW,
                    formulation="Bench",
                    outcome=outcome,
                )
            )
            if outcome == "onward_referral":
                onward.append(
                    OnwardReferral(referral_id=referral_id, service_id=rng.choice(services))
                )
            taken = created + timedelta(weeks=rng.randint(4, 12))
            source = ScoreSource.SESSION if outcome == "direct_therapy" else ScoreSource.CHECK_IN
            change = rng.choice((-9, -7, -6, -4, -2, 0, 0, 3, 6))
            for code, top in (("PHQ-9", 27), ("GAD-7", 21), ("WSAS", 40)):
                first = first_totals.get((referral_id, code), 12)
                later.append(
                    ScreeningResult(
                        referral_id=referral_id,
                        instrument=code,
                        answers=cast("Any", []),  # encrypted JSON, typed as text
                        total=max(0, min(top, first + change)),
                        band="",
                        taken_at=taken,
                        source=source,
                    )
                )
        with transaction.atomic(using=db):
            Assessment.objects.using(db).bulk_create(assessments)
            OnwardReferral.objects.using(db).bulk_create(onward)
            ScreeningResult.objects.using(db).bulk_create(later)
            Referral.objects.using(db).bulk_update(
                [
                    Referral(
                        pk=referral_id,
                        equality_monitoring={
                            "sex": rng.choice(SEXES),
                            "ethnic_group": rng.choice(ETHNIC_GROUPS),
                        },
                        sector=rng.choice(SECTORS),
                    )
                    for referral_id, _created in everyone[start : start + BATCH_SIZE]
                ],
                ["equality_monitoring", "sector"],
            )
    with connections[db].cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(everyone)


def _period() -> Any:
    from django.utils import timezone

    from wellbeing.queries.reports import Period, months_back

    this_month = timezone.localdate().replace(day=1)
    return Period(first=months_back(this_month, 23), last=this_month)


def scenario_outcomes_report_alone() -> Result:
    """`outcomes_report()` over the last 24 months, as the view calls it (ORM and Python)."""
    from bench import run
    from bench.queue_bench import queries_in_both_databases
    from wellbeing.queries.outcomes_report import outcomes_report

    period = _period()

    def call(_: str) -> object:
        return outcomes_report(period).sections

    result = run.run_loop(call, f"outcomes_report(): {PAIRED_COUNT:,} paired, 24 months")
    result.queries_per_request = queries_in_both_databases(lambda: call(""))
    result.target_p95_ms = TARGET_P95_MS
    return result


def _timed(call: Any, runs: int) -> list[float]:
    call()  # warm up
    timings = []
    for _ in range(runs):
        before = time.perf_counter()
        call()
        timings.append((time.perf_counter() - before) * 1000)
    return sorted(timings)


def _percentile(ordered: list[float], pct: int) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def main(runs: int = 40) -> int:
    from bench import run
    from bench.queue_bench import lead_cookie, queries_in_both_databases, seed, seed_lead

    default = os.environ.get("BENCH_OUTCOMES_DATABASE_URL", DEFAULT_DATABASE_URL)
    databases = run.Databases(default, f"{default}_confidential")
    with tempfile.TemporaryDirectory(prefix="portal-bench-outcomes-") as scratch:
        env = run.production_env(databases, Path(scratch) / "static")
        os.environ.update(env)
        if os.environ.get("BENCH_OUTCOMES_REUSE") != "1":
            run.recreate_database(databases.default)
            run.recreate_database(databases.confidential)
            run.manage(env, "migrate", "--database", "default", "--no-input")
            run.manage(env, "migrate", "--database", "confidential", "--no-input")
        run.manage(env, "collectstatic", "--no-input")
        import django

        django.setup()
        from django.test import Client

        from wellbeing.queries.outcomes_report import outcomes_report

        if os.environ.get("BENCH_OUTCOMES_REUSE") != "1":
            seed()
            seed_lead()
            print(f"paired: {seed_paired_scores():,} referrals")
        period = _period()
        alone = _timed(lambda: outcomes_report(period), runs)
        client = Client()
        name, _, value = lead_cookie().partition("=")
        client.cookies[name] = value
        (path,) = outcomes_paths()

        def page() -> None:
            response = client.get(path, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, response.status_code  # noqa: S101

        whole = _timed(page, runs)
        report = outcomes_report(period)
        print(f"outcomes rest on {report.paired_text} of {report.eligible_text} eligible")
        for label, ordered, call in (
            ("outcomes_report() alone", alone, lambda: outcomes_report(period)),
            (f"GET {path} (whole report page)", whole, page),
        ):
            print(
                f"{label}: median {_percentile(ordered, 50):.0f} ms, p95 "
                f"{_percentile(ordered, 95):.0f} ms over {runs} calls, "
                f"{queries_in_both_databases(call)} queries"
            )
        print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
