"""Which scores pair for a referral's outcome, read from the confidential store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from wellbeing.models import Assessment, AssessmentOutcome, OnwardReferral, RiskLevel, Service
from wellbeing.queries.outcomes import NOT_ASSESSED, components, paired_scores

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def scores(referral, when, source, **totals):
    for code, total in totals.items():
        ScreeningResultFactory(
            referral=referral,
            instrument=code.replace("_", "-"),
            total=total,
            answers=[],
            band="",
            taken_at=when,
            source=source,
        )


def test_the_first_is_the_self_referral_and_the_last_the_latest_sitting_with_both():
    referral = ReferralFactory()
    start = timezone.now() - timedelta(days=60)
    scores(referral, start, "self_referral", PHQ_9=15, GAD_7=12, WSAS=20)
    scores(referral, start + timedelta(days=20), "check_in", PHQ_9=11, GAD_7=9)
    scores(referral, start + timedelta(days=30), "session", PHQ_9=8, GAD_7=6, WSAS=9)
    # The latest sitting has only PHQ-9, so it does not pair: the one before does.
    scores(referral, start + timedelta(days=40), "session", PHQ_9=3)

    paired = paired_scores([referral.pk])[referral.pk]

    assert paired.first == {"PHQ-9": 15, "GAD-7": 12, "WSAS": 20}
    assert paired.last == {"PHQ-9": 8, "GAD-7": 6}
    assert paired.last_source == "session"
    assert paired.outcome is not None
    assert paired.outcome.reliable_recovery is True
    assert paired.latest_other["WSAS"][0] == 9


def test_a_referral_with_no_later_measure_is_counted_without_an_outcome():
    referral = ReferralFactory()
    scores(referral, timezone.now(), "self_referral", PHQ_9=15, GAD_7=12)

    paired = paired_scores([referral.pk])

    assert list(paired) == [referral.pk]
    assert paired[referral.pk].outcome is None


def test_components_come_from_the_latest_assessment_and_the_onward_service():
    assessed, onward, waiting = ReferralFactory(), ReferralFactory(), ReferralFactory()
    for referral, outcome in (
        (assessed, AssessmentOutcome.SELF_HELP),
        (assessed, AssessmentOutcome.DIRECT_THERAPY),
        (onward, AssessmentOutcome.ONWARD_REFERRAL),
    ):
        Assessment.objects.using("confidential").create(
            referral=referral,
            by_ref="c" * 64,
            notes="n",
            formulation="f",
            risk_level=RiskLevel.LOW,
            outcome=outcome,
        )
    service = Service.objects.using("confidential").create(
        name="Staff physiotherapy test service",
        criteria="Anyone",
        how_to_refer="Form",
        contact="Phone",
    )
    OnwardReferral.objects.using("confidential").create(referral=onward, service=service)

    found = components([assessed.pk, onward.pk, waiting.pk])

    assert found[assessed.pk].label == "Direct therapy"
    assert found[onward.pk].label == "Onward referral: Staff physiotherapy test service"
    assert found[waiting.pk].label == NOT_ASSESSED


def test_the_database_and_the_python_pairing_agree():
    """PostgreSQL picks the first and latest totals itself (DISTINCT ON); SQLite (`make run`)
    sorts every score in Python. Both must pair the same way, ties and gaps included."""
    from wellbeing.queries.outcomes import _paired_scores_in_python, _paired_scores_in_sql

    start = timezone.now() - timedelta(days=90)
    both_at_once = start + timedelta(days=30)
    a, b, c, d = (ReferralFactory() for _ in range(4))
    scores(a, start, "self_referral", PHQ_9=15, GAD_7=12, WSAS=20, AUDIT_C=4)
    scores(a, start + timedelta(days=10), "check_in", PHQ_9=11, GAD_7=9, WSAS=18)
    scores(a, start + timedelta(days=20), "session", PHQ_9=8, GAD_7=6)
    scores(a, start + timedelta(days=40), "session", GAD_7=3, AUDIT_C=2)
    # A session and a check-in at the same moment: the two sittings are told apart by place.
    scores(b, start, "self_referral", PHQ_9=20, GAD_7=15)
    scores(b, both_at_once, "check_in", PHQ_9=12, GAD_7=10)
    scores(b, both_at_once, "session", PHQ_9=9, GAD_7=7)
    scores(c, start, "self_referral", PHQ_9=9, GAD_7=7)  # no later measure
    scores(d, start + timedelta(days=5), "check_in", PHQ_9=9, GAD_7=7)  # no first

    ids = [a.pk, b.pk, c.pk, d.pk]
    in_python, in_sql = _paired_scores_in_python(ids), _paired_scores_in_sql(ids)

    for referral_id in ids:
        assert in_sql[referral_id] == in_python[referral_id], referral_id
    assert in_sql[a.pk].last == {"PHQ-9": 8, "GAD-7": 6}
    assert in_sql[a.pk].latest_other == {
        "WSAS": (18, start + timedelta(days=10)),
        "AUDIT-C": (2, start + timedelta(days=40)),
    }
    assert in_sql[b.pk].last_source == "session"
    assert in_sql[c.pk].outcome is None
    assert in_sql[d.pk].outcome is None
