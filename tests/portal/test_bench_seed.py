"""`make bench` sends finished self-referrals: the draft it prepares must be one the portal
would send, or the benchmark stops after minutes of seeding (it did, when the trauma question
was added)."""

from __future__ import annotations

from bench.seed import draft_answers
from wellbeing.services.self_referral import draft_has_risk, first_incomplete_step


def test_the_bench_draft_is_a_finished_self_referral_without_a_risk_answer():
    answers = draft_answers()
    assert first_incomplete_step(answers) is None
    assert not draft_has_risk(answers)
