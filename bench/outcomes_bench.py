"""Seeding for the Outcomes part of the hub lead's report, measured by `make bench`.

`bench/run.py` calls `seed_paired_scores(size)` after `queue_bench.seed()` at each size, so
that every seeded size has that many referrals with paired scores, and `bench/scenarios.py`
measures `outcomes_paths()` as the hub lead (page "outcomes", target p95 under 300 ms).
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    pass

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


def _period_query() -> str:
    """The last 24 months: every seeded referral."""
    from django.utils import timezone

    from wellbeing.queries.reports import months_back

    this_month = timezone.localdate().replace(day=1)
    first = months_back(this_month, 23)
    return f"?start={first:%Y-%m}&end={this_month:%Y-%m}"


def outcomes_paths() -> tuple[str, ...]:
    """The outcomes report over the last 24 months, the URL to measure."""
    return (f"/hub/reports/outcomes/{_period_query()}",)


def reports_paths() -> tuple[str, ...]:
    """The referrals report (access, waiting, score change) over the same 24 months."""
    return (f"/hub/reports/{_period_query()}",)


def seed_paired_scores(minimum: int = PAIRED_COUNT, seed: int = 2014) -> int:
    """Give the bench's seeded referrals what the outcomes report reads, in batches: each
    assessed referral a rapid assessment (its component; an onward referral to a directory
    service for some), equality answers and a sector, and a later sitting of PHQ-9 and GAD-7
    (and WSAS) at a check-in or a session, some better, some the same, a few worse. Where
    fewer than `minimum` referrals are assessed, closed referrals are added, received over the
    last two years, until `minimum` have paired scores. Returns how many have them."""
    from django.db import connections, transaction
    from django.utils import timezone

    from wellbeing import outcome_summaries
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
    # Incremental, so `make bench` can grow from one size to the next: referrals given paired
    # scores by an earlier call (they have an assessment) are left as they are.
    already = Referral.objects.using(db).filter(assessments__isnull=False).distinct().count()
    assessed = list(
        Referral.objects.using(db)
        .filter(assessed_at__isnull=False, assessments__isnull=True)
        .order_by("pk")
        .values_list("pk", "created_at")
    )
    missing = max(0, minimum - already - len(assessed))
    offset = Referral.objects.using(db).filter(reference__startswith="RH-O-").count()
    added = []
    for start in range(offset, offset + missing, BATCH_SIZE):
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
            for n in range(start, min(start + BATCH_SIZE, offset + missing))
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
    # bulk_create sends no signal: work out the outcome summaries the services would have kept
    # (ADR 0042), for the referrals given rows here and any other seeded referral without one,
    # so the measured pages read the steady state, not a first read that works them out.
    outcome_summaries.refresh(referral_id for referral_id, _created in everyone)
    outcome_summaries.ensure_current(Referral.objects.using(db).all())
    with connections[db].cursor() as cursor:
        cursor.execute("ANALYZE")
    return already + len(everyone)
