"""Each referral's outcome as the hub lead's reports count it, kept in two small tables
(OutcomeSummary, MeasureSummary; ADR 0042).

Pairing every score of 10,000 referrals in Python took the reports page three seconds. Now the
rules (wellbeing.score_pairs, wellbeing.outcomes) run once per referral, when something they read
changes, and the reports add up the rows in SQL.

Kept up to date in three ways, so a report never counts a stale row:
- **On every write**: wellbeing/signals.py refreshes a referral when one of its scores,
  assessments or onward referrals is saved or deleted, in the same transaction; the services
  that write scores with `bulk_create` (which sends no signal) call `refresh` themselves.
- **On read**: `ensure_current` works out any referral of a report that has no summary, or one
  made by older rules (bump RULES when a rule changes), before the report counts them. Rows
  made by `bulk_create` outside the services (the benchmark's and the demo's seeding) are
  caught here too.
- **Always whole**: a refresh recomputes a referral from all its rows, under a lock on the
  referral, so two refreshes of one referral cannot interleave.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from wellbeing.models import (
    DATABASE,
    MeasureSummary,
    OutcomeSummary,
    Referral,
    ScreeningResult,
)
from wellbeing.score_pairs import (
    Component,
    Reading,
    components,
    counted_pairs,
    paired_from,
    referral_in,
)

# The version of the rules the rows were worked out by. Bump it when a rule in
# wellbeing.outcomes or wellbeing.score_pairs changes: every row is worked out again before the
# next report counts it.
RULES = 1
# Referrals worked out per transaction when many are (a report's first read after an upgrade).
BATCH = 2000

_SUMMARY_FIELDS = [
    "rules",
    "component",
    "onward_service",
    "paired",
    "caseness_at_start",
    "recovered",
    "reliably_improved",
    "reliably_recovered",
    "reliably_deteriorated",
]


def refresh(referral_ids: Iterable[int]) -> None:
    """Work out the summaries of these referrals again from all their rows. Ids of referrals
    that no longer exist are ignored (their summaries went with them)."""
    ids = sorted(set(referral_ids))
    for start in range(0, len(ids), BATCH):
        _refresh(ids[start : start + BATCH])


def stale(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """The referrals of `referrals` with no summary, or one made by older rules: found through
    an index on the referral's `outcome_summary_rules`, so asking costs the same at 100 referrals
    as at 100,000."""
    return referrals.filter(outcome_summary_rules__lt=RULES).order_by()


def ensure_current(referrals: QuerySet[Referral]) -> None:
    """Before a report counts `referrals`: work out any of them with no summary or an old one.
    One indexed query when every summary is current, which is the usual case."""
    refresh(stale(referrals).values_list("pk", flat=True))


def _refresh(ids: list[int]) -> None:
    with transaction.atomic(using=DATABASE):
        # The lock makes two refreshes of one referral (a clinician's save and a report's read)
        # take turns, so the delete and insert below never meet another's.
        present = list(
            Referral.objects.using(DATABASE)
            .select_for_update()
            .filter(referral_in(ids, "pk"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not present:
            return
        readings: dict[int, list[Reading]] = {pk: [] for pk in present}
        for referral_id, code, total, taken_at, source in (
            ScreeningResult.objects.using(DATABASE)
            .filter(referral_in(present))
            .order_by("referral_id", "taken_at", "id")
            .values_list("referral_id", "instrument", "total", "taken_at", "source")
        ):
            readings[referral_id].append(Reading(code, total, taken_at, source))
        component_of = components(present)
        summaries = []
        measures = []
        for referral_id in present:
            scores = paired_from(referral_id, readings[referral_id])
            outcome = scores.outcome
            component = component_of[referral_id]
            summaries.append(
                OutcomeSummary(
                    referral_id=referral_id,
                    rules=RULES,
                    component=component.outcome,
                    onward_service_id=component.service_id,
                    paired=outcome is not None,
                    caseness_at_start=bool(outcome and outcome.caseness_at_start),
                    recovered=bool(outcome and outcome.recovery),
                    reliably_improved=bool(outcome and outcome.reliable_improvement),
                    reliably_recovered=bool(outcome and outcome.reliable_recovery),
                    reliably_deteriorated=bool(outcome and outcome.reliable_deterioration),
                )
            )
            measures += _measures(
                referral_id, readings[referral_id], counted_pairs(scores), component
            )
        OutcomeSummary.objects.using(DATABASE).bulk_create(
            summaries,
            update_conflicts=True,
            unique_fields=["referral"],
            update_fields=_SUMMARY_FIELDS,
        )
        MeasureSummary.objects.using(DATABASE).filter(referral_in(present)).delete()
        MeasureSummary.objects.using(DATABASE).bulk_create(measures, batch_size=BATCH)
        # Usually no row: a referral is marked once per version of the rules.
        Referral.objects.using(DATABASE).filter(referral_in(present, "pk")).exclude(
            outcome_summary_rules=RULES
        ).update(outcome_summary_rules=RULES)


def _measures(
    referral_id: int,
    readings: list[Reading],
    counted: dict[str, tuple[int, int]],
    component: Component,
) -> list[MeasureSummary]:
    """One row per questionnaire answered: first and latest in the order taken, whatever the
    source, and the pair the outcomes count."""
    by_code: dict[str, list[int]] = {}
    for reading in readings:
        by_code.setdefault(reading.instrument, []).append(reading.total)
    rows = []
    for code, totals in by_code.items():
        pair = counted.get(code)
        rows.append(
            MeasureSummary(
                referral_id=referral_id,
                instrument=code,
                component=component.outcome,
                onward_service_id=component.service_id,
                times=len(totals),
                first=totals[0],
                latest=totals[-1],
                counted_first=pair[0] if pair else None,
                counted_last=pair[1] if pair else None,
            )
        )
    return rows
