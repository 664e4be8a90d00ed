"""Each referral's outcome summary stays in step with what it is worked out from (ADR 0042):
the reports count from it, so a stale summary would be a wrong figure on the lead's page."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.db import connections

from tests.wellbeing.factories import ReferralFactory
from tests.wellbeing.test_outcomes_report import (
    SPRING_2026,
    SUMMER,
    a_referral,
    at,
    sections,
    table,
)
from wellbeing import outcome_summaries
from wellbeing.models import (
    Assessment,
    AssessmentOutcome,
    MeasureSummary,
    OutcomeSummary,
    Referral,
    RiskLevel,
    ScoreSource,
    ScreeningResult,
)
from wellbeing.queries import reports
from wellbeing.queries.outcomes_report import ALL, outcomes_report

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
DB = "confidential"


def paired_text() -> str:
    return outcomes_report(SPRING_2026, SUMMER).paired_text


def five_recovered() -> list[Referral]:
    return [a_referral(last=(5, 4)) for _ in range(5)]


def test_a_later_score_deleted_takes_the_paired_outcome_with_it():
    referrals = five_recovered() + five_recovered()
    assert paired_text() == "10"
    ScreeningResult.objects.using(DB).filter(
        referral__in=referrals[:5], source=ScoreSource.CHECK_IN
    ).delete()
    assert paired_text() == "5"
    summary = OutcomeSummary.objects.using(DB).get(referral=referrals[0])
    assert (summary.paired, summary.recovered) == (False, False)


def test_a_new_assessment_moves_the_referral_to_its_component():
    five_recovered()
    for moved in five_recovered():
        Assessment.objects.using(DB).create(
            referral=moved,
            at=at(3, 20),
            by_ref="c" * 64,
            notes="Notes",
            risk_level=RiskLevel.LOW,
            formulation="Formulation",
            outcome=AssessmentOutcome.SELF_HELP,
        )
    rows = table(sections()["outcomes-by-component"])
    assert (rows["Direct therapy"][0], rows["Self-help"][0], rows[ALL][0]) == ("5", "5", "10")


def test_scores_written_without_signals_are_worked_out_before_the_report_counts_them():
    # The benchmark's and the demo's seeding write with bulk_create, which sends no signal.
    created = at(3, 2)
    for _ in range(6):
        referral = ReferralFactory(
            created_at=created, assessed_at=created + datetime.timedelta(days=2)
        )
        Assessment.objects.using(DB).bulk_create(
            [
                Assessment(
                    referral=referral,
                    at=created + datetime.timedelta(days=2),
                    by_ref="c" * 64,
                    notes="Notes",
                    risk_level=RiskLevel.LOW,
                    formulation="Formulation",
                    outcome=AssessmentOutcome.DIRECT_THERAPY,
                )
            ]
        )
        ScreeningResult.objects.using(DB).bulk_create(
            ScreeningResult(
                referral=referral,
                instrument=code,
                answers=cast("Any", []),  # encrypted JSON, typed as text
                total=total,
                band="",
                taken_at=when,
                source=source,
            )
            for code, total, when, source in (
                ("PHQ-9", 15, created, ScoreSource.SELF_REFERRAL),
                ("GAD-7", 12, created, ScoreSource.SELF_REFERRAL),
                ("PHQ-9", 5, created + datetime.timedelta(weeks=5), ScoreSource.CHECK_IN),
                ("GAD-7", 4, created + datetime.timedelta(weeks=5), ScoreSource.CHECK_IN),
            )
        )
    assert not OutcomeSummary.objects.using(DB).exists()
    assert paired_text() == "6"
    assert OutcomeSummary.objects.using(DB).filter(recovered=True).count() == 6
    figures = table(reports.score_change(SPRING_2026))
    assert figures["PHQ-9"][0] == "6"  # improved


def test_summaries_made_by_older_rules_are_worked_out_again(monkeypatch):
    referrals = five_recovered()
    OutcomeSummary.objects.using(DB).update(recovered=False)  # as if older rules said so
    monkeypatch.setattr(outcome_summaries, "RULES", outcome_summaries.RULES + 1)
    rows = table(sections()["outcomes-by-component"])
    assert rows[ALL][2].startswith("5 (100%")
    assert set(
        OutcomeSummary.objects.using(DB)
        .filter(referral__in=referrals)
        .values_list("rules", flat=True)
    ) == {outcome_summaries.RULES}


def test_deleting_a_referral_deletes_its_summaries_and_leaves_nothing_dangling():
    referral = a_referral(last=(5, 4))
    assert MeasureSummary.objects.using(DB).filter(referral=referral).count() == 2
    Referral.objects.using(DB).filter(pk=referral.pk).delete()
    assert not OutcomeSummary.objects.using(DB).exists()
    assert not MeasureSummary.objects.using(DB).exists()
    # PostgreSQL checks foreign keys at commit: ask now, as the commit would.
    connections[DB].check_constraints()


def test_a_summary_holds_the_first_latest_and_counted_pair_of_each_questionnaire():
    referral = a_referral(first=(15, 12), last=(8, 6))
    measures = {
        m.instrument: (m.times, m.first, m.latest, m.counted_first, m.counted_last)
        for m in MeasureSummary.objects.using(DB).filter(referral=referral)
    }
    assert measures == {"PHQ-9": (2, 15, 8, 15, 8), "GAD-7": (2, 12, 6, 12, 6)}
    summary = OutcomeSummary.objects.using(DB).get(referral=referral)
    assert summary.component == AssessmentOutcome.DIRECT_THERAPY
    assert (summary.paired, summary.caseness_at_start, summary.reliably_improved) == (
        True,
        True,
        True,
    )
