"""The outcome definitions at their boundaries (NHS Talking Therapies; wellbeing.outcomes)."""

from __future__ import annotations

import pytest

from wellbeing.outcomes import is_case, paired_outcome, reliable_change


def outcome(phq_first: int, gad_first: int, phq_last: int, gad_last: int):
    return paired_outcome(
        first={"PHQ-9": phq_first, "GAD-7": gad_first},
        last={"PHQ-9": phq_last, "GAD-7": gad_last},
    )


def test_the_issue_example_is_a_reliable_recovery():
    o = outcome(15, 12, 8, 6)
    assert (o.caseness_at_start, o.caseness_at_end) == (True, False)
    assert o.reliable_improvement
    assert not o.reliable_deterioration
    assert o.recovery is True
    assert o.reliable_recovery is True


@pytest.mark.parametrize(
    ("totals", "case"),
    [
        ({"PHQ-9": 10, "GAD-7": 0}, True),
        ({"PHQ-9": 9, "GAD-7": 7}, False),
        ({"PHQ-9": 0, "GAD-7": 8}, True),
        ({"PHQ-9": 9, "GAD-7": 8}, True),
    ],
)
def test_caseness_is_phq9_at_least_10_or_gad7_at_least_8(totals, case):
    assert is_case(totals) is case


def test_a_fall_of_exactly_6_on_phq9_is_reliable_and_5_is_not():
    assert outcome(16, 5, 10, 5).reliable_improvement is True
    assert outcome(16, 5, 11, 5).reliable_improvement is False


def test_a_fall_of_exactly_4_on_gad7_is_reliable_and_3_is_not():
    assert outcome(5, 12, 5, 8).reliable_improvement is True
    assert outcome(5, 12, 5, 9).reliable_improvement is False


def test_gad7_of_exactly_8_at_the_start_is_at_caseness_so_recovery_counts():
    o = outcome(4, 8, 4, 7)
    assert o.caseness_at_start is True
    assert o.recovery is True
    # Recovered, but a fall of 1 is not reliable: not a reliable recovery.
    assert o.reliable_recovery is False


def test_one_measure_improving_while_the_other_deteriorates_is_neither():
    o = outcome(18, 4, 10, 10)
    assert o.reliable_improvement is False
    assert o.reliable_deterioration is False
    assert o.no_reliable_change


def test_a_reliable_rise_alone_is_deterioration():
    o = outcome(8, 5, 14, 5)
    assert o.reliable_deterioration is True
    assert o.reliable_improvement is False


def test_not_at_caseness_at_the_start_leaves_recovery_out_of_its_denominator():
    o = outcome(9, 7, 2, 1)
    assert o.caseness_at_start is False
    assert o.recovery is None
    assert o.reliable_recovery is None
    assert o.reliable_improvement is True


def test_still_at_caseness_at_the_end_is_not_recovered():
    o = outcome(20, 15, 12, 6)
    assert o.recovery is False
    assert o.reliable_recovery is False


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ({"PHQ-9": 10}, {"PHQ-9": 5, "GAD-7": 5}, "The first scores have no GAD-7 total"),
        ({"PHQ-9": 10, "GAD-7": 5}, {"GAD-7": 5}, "The last scores have no PHQ-9 total"),
        ({"PHQ-9": 28, "GAD-7": 5}, {"PHQ-9": 5, "GAD-7": 5}, "outside 0 to 27"),
        ({"PHQ-9": -1, "GAD-7": 5}, {"PHQ-9": 5, "GAD-7": 5}, "outside 0 to 27"),
        ({"PHQ-9": 10, "GAD-7": 22}, {"PHQ-9": 5, "GAD-7": 5}, "outside 0 to 21"),
        ({"PHQ-9": 10.5, "GAD-7": 5}, {"PHQ-9": 5, "GAD-7": 5}, "must be a whole number"),
        ({"PHQ-9": "10", "GAD-7": 5}, {"PHQ-9": 5, "GAD-7": 5}, "must be a whole number"),
        ({"PHQ-9": True, "GAD-7": 5}, {"PHQ-9": 5, "GAD-7": 5}, "must be a whole number"),
        ({"PHQ-9": None, "GAD-7": 5}, {"PHQ-9": 5, "GAD-7": 5}, "no PHQ-9 total"),
    ],
)
def test_bad_totals_raise_a_plain_value_error(first, last, message):
    with pytest.raises(ValueError, match=message):
        paired_outcome(first=first, last=last)


def test_reliable_change_on_phq9_uses_the_national_threshold():
    assert reliable_change("PHQ-9", 15, 9) == -1
    assert reliable_change("PHQ-9", 15, 10) == 0
    assert reliable_change("PHQ-9", 9, 15) == 1


def test_reliable_change_refuses_an_unknown_questionnaire_or_an_impossible_total():
    with pytest.raises(ValueError, match="not a questionnaire"):
        reliable_change("BDI-II", 10, 2)
    with pytest.raises(ValueError, match="outside"):
        reliable_change("GAD-7", 30, 2)
