"""Screening instruments: definitions, scoring, bands, risk and bad input. No database needed."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re

import pytest

from wellbeing.instruments import (
    INSTRUMENTS,
    Band,
    Option,
    Score,
    _check_definition,
    get_instrument,
    score,
)

CODES = ["PHQ-9", "GAD-7", "PCL-5", "AUDIT-C", "WSAS"]

# (code, total, exact band label) at the low and high edge of every band.
BAND_EDGES = [
    ("PHQ-9", 0, "minimal"),
    ("PHQ-9", 4, "minimal"),
    ("PHQ-9", 5, "mild"),
    ("PHQ-9", 9, "mild"),
    ("PHQ-9", 10, "moderate"),
    ("PHQ-9", 14, "moderate"),
    ("PHQ-9", 15, "moderately severe"),
    ("PHQ-9", 19, "moderately severe"),
    ("PHQ-9", 20, "severe"),
    ("PHQ-9", 27, "severe"),
    ("GAD-7", 0, "minimal"),
    ("GAD-7", 4, "minimal"),
    ("GAD-7", 5, "mild"),
    ("GAD-7", 9, "mild"),
    ("GAD-7", 10, "moderate"),
    ("GAD-7", 14, "moderate"),
    ("GAD-7", 15, "severe"),
    ("GAD-7", 21, "severe"),
    ("PCL-5", 0, "below threshold"),
    ("PCL-5", 32, "below threshold"),
    ("PCL-5", 33, "probable PTSD"),
    ("PCL-5", 80, "probable PTSD"),
    ("AUDIT-C", 0, "lower risk"),
    ("AUDIT-C", 4, "lower risk"),
    ("AUDIT-C", 5, "increasing risk"),
    ("AUDIT-C", 7, "increasing risk"),
    ("AUDIT-C", 8, "higher risk"),
    ("AUDIT-C", 10, "higher risk"),
    ("AUDIT-C", 11, "possible dependence"),
    ("AUDIT-C", 12, "possible dependence"),
    ("WSAS", 0, "subclinical"),
    ("WSAS", 9, "subclinical"),
    ("WSAS", 10, "significant"),
    ("WSAS", 20, "significant"),
    ("WSAS", 21, "severe"),
    ("WSAS", 40, "severe"),
]

SHAPES = {
    # code: (number of items, lowest and highest score of each item)
    "PHQ-9": (9, 0, 3),
    "GAD-7": (7, 0, 3),
    "PCL-5": (20, 0, 4),
    "AUDIT-C": (3, 0, 4),
    "WSAS": (5, 0, 8),
}


def answers_totalling(code: str, total: int) -> list[int]:
    """Answers that add up to `total`, filled from item 1 (so PHQ-9 item 9 is used last)."""
    count, _, top = SHAPES[code]
    answers = [0] * count
    remaining = total
    for index in range(count):
        answers[index] = min(top, remaining)
        remaining -= answers[index]
    assert remaining == 0, f"{code} cannot reach {total}"
    return answers


def exactly(message: str) -> str:
    """A `match=` pattern for the whole of a plain message."""
    return f"^{re.escape(message)}$"


# --- Definitions --------------------------------------------------------------------------------


def test_the_instruments_are_listed_in_the_order_the_form_asks_them():
    assert list(INSTRUMENTS) == CODES


@pytest.mark.parametrize("code", CODES)
def test_each_instrument_has_the_published_number_of_items_and_scale(code):
    count, low, high = SHAPES[code]
    instrument = get_instrument(code)
    assert len(instrument.items) == count
    assert [item.number for item in instrument.items] == list(range(1, count + 1))
    for item in instrument.items:
        values = [option.value for option in instrument.options_for(item)]
        assert values == list(range(low, high + 1))
        assert item.text.strip()
    assert (instrument.min_total, instrument.max_total) == (0, count * high)


@pytest.mark.parametrize("code", CODES)
def test_each_instrument_names_its_source_purpose_and_version(code):
    instrument = get_instrument(code)
    assert instrument.code == code
    assert instrument.title
    assert instrument.preamble
    assert code in instrument.purpose
    assert instrument.citation
    assert instrument.version


def test_the_definitions_cannot_be_changed_at_run_time():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_instrument("PHQ-9").version = "2"  # type: ignore[misc]


def test_phq9_and_gad7_ask_about_the_last_two_weeks_on_the_same_scale():
    for code in ("PHQ-9", "GAD-7"):
        instrument = get_instrument(code)
        assert instrument.preamble == (
            "Over the last 2 weeks, how often have you been bothered by any of the following "
            "problems?"
        )
        assert [o.label for o in instrument.options] == [
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        ]


def test_phq9_item_9_asks_about_self_harm():
    item = get_instrument("PHQ-9").items[8]
    assert item.number == 9
    assert item.text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


def test_pcl5_asks_about_the_past_month_on_a_five_point_scale():
    instrument = get_instrument("PCL-5")
    assert instrument.preamble == "In the past month, how much were you bothered by:"
    assert instrument.options == (
        Option(0, "Not at all"),
        Option(1, "A little bit"),
        Option(2, "Moderately"),
        Option(3, "Quite a bit"),
        Option(4, "Extremely"),
    )


def test_audit_c_uses_the_uk_questions_and_each_has_its_own_answers():
    instrument = get_instrument("AUDIT-C")
    first, second, third = instrument.items
    assert first.text == "How often do you have a drink containing alcohol?"
    assert [o.label for o in first.options] == [
        "Never",
        "Monthly or less",
        "2 to 4 times per month",
        "2 to 3 times per week",
        "4 or more times per week",
    ]
    assert "units" in second.text
    assert [o.label for o in second.options] == [
        "0 to 2",
        "3 to 4",
        "5 to 6",
        "7 to 9",
        "10 or more",
    ]
    assert third.text == (
        "How often have you had 6 or more units if female, or 8 or more if male, on a single "
        "occasion in the last year?"
    )
    assert [o.label for o in third.options] == [
        "Never",
        "Less than monthly",
        "Monthly",
        "Weekly",
        "Daily or almost daily",
    ]


def test_wsas_labels_its_nine_point_scale_at_the_published_anchors():
    instrument = get_instrument("WSAS")
    labels = {o.value: o.label for o in instrument.options}
    assert labels[0] == "Not at all"
    assert labels[8] == "Very severely"
    assert [o.display_label for o in instrument.options][1] == "1"
    for item, topic in zip(
        instrument.items,
        [
            "ability to work",
            "home management",
            "social leisure activities",
            "private leisure activities",
            "form and maintain close relationships",
        ],
        strict=True,
    ):
        assert item.text.startswith("Because of my [problem]")
        assert topic in item.text


# --- Bands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "total", "label"), BAND_EDGES)
def test_every_band_edge_gives_the_exact_label(code, total, label):
    answers = answers_totalling(code, total)
    result = score(code, answers)
    assert result.total == total
    assert result.band == label


@pytest.mark.parametrize("code", CODES)
def test_the_edges_tested_are_every_edge_defined(code):
    defined = {(code, b.low, b.label) for b in get_instrument(code).bands} | {
        (code, b.high, b.label) for b in get_instrument(code).bands
    }
    tested = {edge for edge in BAND_EDGES if edge[0] == code}
    assert tested == defined


@pytest.mark.parametrize("code", CODES)
def test_every_possible_total_falls_in_exactly_one_band(code):
    instrument = get_instrument(code)
    for total in range(instrument.min_total, instrument.max_total + 1):
        holding = [band for band in instrument.bands if total in band]
        assert len(holding) == 1, f"{code} total {total} is in {holding}"
        assert instrument.band_for(total) is holding[0]
    assert not any(instrument.min_total - 1 in band for band in instrument.bands)
    assert not any(instrument.max_total + 1 in band for band in instrument.bands)


def test_an_instrument_with_a_gap_in_its_bands_is_refused_at_import():
    broken = dataclasses.replace(
        get_instrument("GAD-7"), bands=(Band(0, 4, "minimal"), Band(6, 21, "severe"))
    )
    with pytest.raises(RuntimeError, match="gap or overlaps"):
        _check_definition(broken)


def test_an_instrument_with_overlapping_bands_is_refused_at_import():
    broken = dataclasses.replace(
        get_instrument("GAD-7"), bands=(Band(0, 5, "minimal"), Band(5, 21, "severe"))
    )
    with pytest.raises(RuntimeError, match="gap or overlaps"):
        _check_definition(broken)


def test_an_instrument_whose_bands_stop_short_is_refused_at_import():
    broken = dataclasses.replace(get_instrument("GAD-7"), bands=(Band(0, 20, "all"),))
    with pytest.raises(RuntimeError, match="highest total"):
        _check_definition(broken)


def test_a_total_outside_the_instrument_has_no_band():
    with pytest.raises(ValueError, match="outside 0 to 27"):
        get_instrument("PHQ-9").band_for(28)


# --- Totals and risk ----------------------------------------------------------------------------


def test_the_total_is_the_sum_of_the_answers():
    result = score("PHQ-9", [3, 2, 1, 0, 1, 2, 3, 0, 0])
    assert result == Score(code="PHQ-9", total=12, band="moderate", risk=False, risk_items=())


def test_audit_c_scores_each_answer_by_its_position():
    result = score("AUDIT-C", [4, 2, 1])
    assert (result.total, result.band) == (7, "increasing risk")


def test_all_zero_phq9_answers_carry_no_risk():
    result = score("PHQ-9", [0] * 9)
    assert (result.total, result.band, result.risk, result.risk_items) == (
        0,
        "minimal",
        False,
        (),
    )


def test_phq9_flags_risk_when_item_9_is_answered_above_0_even_with_a_total_of_1():
    result = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (result.total, result.band) == (1, "minimal")
    assert result.risk is True
    assert result.risk_items == (9,)


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_phq9_flags_risk_for_every_answer_to_item_9_above_not_at_all(item_9):
    result = score("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, item_9])
    assert result.risk is True
    assert result.risk_items == (9,)


def test_phq9_does_not_flag_risk_for_a_severe_total_when_item_9_is_0():
    result = score("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert (result.total, result.band, result.risk, result.risk_items) == (
        24,
        "severe",
        False,
        (),
    )


@pytest.mark.parametrize("code", ["GAD-7", "PCL-5", "AUDIT-C", "WSAS"])
def test_other_instruments_never_flag_risk_even_at_their_highest_total(code):
    count, _, top = SHAPES[code]
    for answers in ([0] * count, [top] * count):
        result = score(code, answers)
        assert result.risk is False
        assert result.risk_items == ()


def test_a_tuple_of_answers_scores_like_a_list():
    assert score("GAD-7", (1, 1, 1, 1, 1, 1, 1)) == score("GAD-7", [1] * 7)


# --- Property-style: every valid answer set scores, and the total is the sum --------------------


@pytest.mark.parametrize("code", ["GAD-7", "AUDIT-C"])
def test_every_possible_answer_set_of_the_short_instruments_scores(code):
    # Small enough to try them all: 4**7 = 16,384 and 5**3 = 125 answer sets.
    instrument = get_instrument(code)
    ranges = [[o.value for o in instrument.options_for(item)] for item in instrument.items]
    for answers in itertools.product(*ranges):
        result = score(code, answers)
        assert result.total == sum(answers)
        assert instrument.band_for(result.total).label == result.band
        assert result.risk is False


def test_every_possible_phq9_answer_set_flags_risk_exactly_when_item_9_is_above_0():
    # 4**9 = 262,144 answer sets: exhaustive, and quick enough to run on every commit.
    for answers in itertools.product(range(4), repeat=9):
        result = score("PHQ-9", answers)
        assert result.total == sum(answers)
        assert result.risk is (answers[8] > 0)


@pytest.mark.parametrize("code", CODES)
def test_random_valid_answers_always_score_to_their_sum(code):
    # A fixed seed keeps failures reproducible; hypothesis is not a dependency of this project.
    rng = random.Random(f"instruments-{code}")  # noqa: S311 test data, not secrets
    instrument = get_instrument(code)
    ranges = [[o.value for o in instrument.options_for(item)] for item in instrument.items]
    for _ in range(2000):
        answers = [rng.choice(values) for values in ranges]
        result = score(code, answers)
        assert result.total == sum(answers)
        assert instrument.band_for(result.total).label == result.band
        assert result.risk is (code == "PHQ-9" and answers[8] > 0)


# --- Bad input ----------------------------------------------------------------------------------


def test_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="Unknown instrument 'PHQ-2'"):
        score("PHQ-2", [0, 0])


def test_a_code_is_matched_exactly():
    with pytest.raises(ValueError, match="Unknown instrument 'phq-9'"):
        get_instrument("phq-9")


def test_too_few_answers_are_refused():
    with pytest.raises(ValueError, match=exactly("PHQ-9 needs 9 answers, got 8")):
        score("PHQ-9", [0] * 8)


def test_too_many_answers_are_refused():
    with pytest.raises(ValueError, match=exactly("GAD-7 needs 7 answers, got 8")):
        score("GAD-7", [0] * 8)


def test_no_answers_are_refused():
    with pytest.raises(ValueError, match=exactly("WSAS needs 5 answers, got 0")):
        score("WSAS", [])


def test_an_answer_above_the_scale_is_refused():
    with pytest.raises(ValueError, match=exactly("PHQ-9 item 3: 4 is not one of 0, 1, 2, 3")):
        score("PHQ-9", [0, 0, 4, 0, 0, 0, 0, 0, 0])


def test_a_negative_answer_is_refused():
    with pytest.raises(
        ValueError, match=exactly("WSAS item 1: -1 is not one of 0, 1, 2, 3, 4, 5, 6, 7, 8")
    ):
        score("WSAS", [-1, 0, 0, 0, 0])


def test_an_answer_valid_elsewhere_but_not_on_this_scale_is_refused():
    # 4 is a valid PCL-5 answer but PHQ-9 and GAD-7 stop at 3; 5 is valid only on WSAS.
    with pytest.raises(ValueError, match=exactly("GAD-7 item 7: 4 is not one of 0, 1, 2, 3")):
        score("GAD-7", [0, 0, 0, 0, 0, 0, 4])
    with pytest.raises(ValueError, match=exactly("AUDIT-C item 2: 5 is not one of 0, 1, 2, 3, 4")):
        score("AUDIT-C", [0, 5, 0])


@pytest.mark.parametrize(
    ("bad", "type_name"),
    [
        (True, "bool"),
        (False, "bool"),
        (1.0, "float"),
        ("1", "str"),
        (None, "NoneType"),
    ],
)
def test_an_answer_that_is_not_an_int_is_refused(bad, type_name):
    answers = [0, bad, 0, 0, 0, 0, 0, 0, 0]
    with pytest.raises(
        ValueError, match=rf"^PHQ-9 item 2: .* is not a whole number \(got {type_name}\)$"
    ):
        score("PHQ-9", answers)


@pytest.mark.parametrize(
    ("answers", "type_name"),
    [
        ("000000000", "str"),
        (b"\x00" * 9, "bytes"),
        (bytearray(9), "bytearray"),
        (dict.fromkeys(range(9), 0), "dict"),
        ({0}, "set"),
        (None, "NoneType"),
        (0, "int"),
        (iter([0] * 9), "list_iterator"),
    ],
)
def test_answers_that_are_not_a_list_or_tuple_are_refused(answers, type_name):
    with pytest.raises(ValueError, match=rf"^PHQ-9 answers must be .*, got {type_name}$"):
        score("PHQ-9", answers)
