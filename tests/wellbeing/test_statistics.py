"""The outcomes report's statistics against published values."""

from __future__ import annotations

import pytest

from wellbeing.statistics import (
    PairSums,
    mean_change,
    mean_change_of,
    proportion,
    t_quantile,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("count", "base", "low", "high"),
    [
        # Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
        # seven methods. Stat Med. 1998;17:857-872, table I (Wilson score, method 3).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_the_wilson_interval_matches_newcombes_worked_examples(count, base, low, high):
    interval = wilson_interval(count, base)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


def test_the_wilson_interval_is_exact_at_0_and_100_percent():
    assert wilson_interval(0, 5).low == 0.0
    assert wilson_interval(5, 5).high == 1.0


@pytest.mark.parametrize(("count", "base"), [(0, 0), (3, 2), (-1, 4)])
def test_an_impossible_proportion_is_refused_plainly(count, base):
    with pytest.raises(ValueError, match=r"base|part"):
        wilson_interval(count, base)


def test_a_proportion_of_nobody_has_no_share_or_interval():
    assert proportion(0, 0).share is None
    assert proportion(0, 0).interval is None


@pytest.mark.parametrize(
    ("df", "value"),
    # Student's t, two-sided 95% (the 0.975 quantile), from the standard tables.
    [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (29, 2.045), (120, 1.980)],
)
def test_t_quantiles_match_the_tables(df, value):
    assert t_quantile(0.975, df) == pytest.approx(value, abs=5e-4)


def test_t_quantiles_are_symmetric_and_refuse_nonsense():
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7))
    assert t_quantile(0.5, 3) == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="probability between 0 and 1"):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError, match="at least 1 degree of freedom"):
        t_quantile(0.975, 0)


def test_mean_change_has_a_t_interval_and_d_av():
    # Changes -10, -10, -10, -10, -10, -1: mean -8.5, SD 3.674, SE 1.5, t(0.975, 5) 2.5706.
    pairs = [(15, 5)] * 5 + [(15, 14)]
    change = mean_change(pairs)
    assert change is not None
    assert change.mean == pytest.approx(-8.5)
    assert change.interval is not None
    assert change.interval.low == pytest.approx(-8.5 - 2.5706 * 1.5, abs=1e-3)
    assert change.interval.high == pytest.approx(-8.5 + 2.5706 * 1.5, abs=1e-3)
    # SD before 0 (all 15), after 3.674: d_av = -8.5 / 1.837.
    assert change.effect_size == pytest.approx(-4.627, abs=1e-3)


def test_d_av_is_not_d_z():
    # Before 10, 12, 14, 16; after 6, 9, 10, 13: every change about -3.5 with a little spread,
    # so d_z (mean / SD of the changes) is large while d_av (mean / mean SD) is near -1.
    change = mean_change([(10, 6), (12, 9), (14, 10), (16, 13)])
    assert change is not None
    assert change.mean == pytest.approx(-3.5)
    assert change.effect_size == pytest.approx(-3.5 / ((2.582 + 2.887) / 2), abs=1e-3)


def test_one_pair_has_a_mean_but_no_interval_and_none_has_nothing():
    one = mean_change([(12, 7)])
    assert one is not None
    assert (one.mean, one.interval, one.effect_size) == (-5, None, None)
    assert mean_change([]) is None


def test_sums_from_squares_and_products_are_the_sums_of_the_changes():
    # The report's SQL adds up first, last, their squares and their product; the change's sums
    # follow from those, exactly.
    pairs = [(15, 5), (12, 14), (20, 8), (9, 9), (27, 3)]
    from_sql = PairSums.from_products(
        people=len(pairs),
        first=sum(f for f, _l in pairs),
        first_squared=sum(f * f for f, _l in pairs),
        last=sum(last for _f, last in pairs),
        last_squared=sum(last * last for _f, last in pairs),
        first_times_last=sum(f * last for f, last in pairs),
    )
    assert from_sql == PairSums.of(pairs)
    assert mean_change_of(from_sql) == mean_change(pairs)
    assert PairSums.of(pairs[:2]) + PairSums.of(pairs[2:]) == from_sql
