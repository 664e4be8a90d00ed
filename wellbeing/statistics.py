"""Intervals and effect sizes for the outcomes report, in pure Python.

No Django and no SciPy (the portal does not depend on it, and these few formulae do not justify
a compiled dependency): tested against published values in tests/wellbeing/test_statistics.py.

- **Wilson score interval** for a proportion (Wilson EB. Probable inference, the law of
  succession, and statistical inference. J Am Stat Assoc. 1927;22:209-212; recommended over
  the Wald interval by Newcombe RG. Stat Med. 1998;17:857-872): it stays inside 0 to 1 and is
  sensible for small counts and rates near 0% or 100%.
- **Mean with a t interval**: mean +/- t(0.975, n - 1) * SD / sqrt(n). The t quantile comes
  from the Student t distribution's CDF, written with the regularised incomplete beta function
  (continued fraction, as in Press et al., Numerical Recipes, 3rd ed., section 6.4), solved by
  bisection.
- **Pre/post effect size d_av** (Cumming G. Understanding the new statistics. 2012; Lakens D.
  Calculating and reporting effect sizes. Front Psychol. 2013;4:863): the mean change divided by
  the average of the standard deviations before and after, (SD_pre + SD_post) / 2. Unlike d_z
  (mean change / SD of the changes) it does not grow with the correlation between the two
  sittings, so it reads on the same scale as the between-group d that talking-therapy
  benchmarks quote. Negative is an improvement on every questionnaire the hub uses.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "Interval",
    "MeanChange",
    "PairSums",
    "Proportion",
    "mean_change",
    "mean_change_of",
    "proportion",
    "t_quantile",
    "wilson_interval",
]

# The normal quantile for a two-sided 95% interval.
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Proportion:
    """`count` of `base`, its share and 95% Wilson interval (None without a base)."""

    count: int
    base: int
    share: float | None
    interval: Interval | None


def wilson_interval(count: int, base: int, z: float = Z_95) -> Interval:
    """The Wilson score interval of count/base; ValueError for counts that cannot be."""
    if base <= 0:
        raise ValueError("A proportion needs a base of at least 1")
    if not 0 <= count <= base:
        raise ValueError(f"A count of {count} cannot be a part of {base}")
    p = count / base
    z2 = z * z
    centre = (p + z2 / (2 * base)) / (1 + z2 / base)
    half = z * math.sqrt(p * (1 - p) / base + z2 / (4 * base * base)) / (1 + z2 / base)
    # Exact at the ends: a rate of 0% has 0 as its low end, not -1e-17.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == base else min(1.0, centre + half)
    return Interval(low, high)


def proportion(count: int, base: int) -> Proportion:
    if base == 0:
        return Proportion(count, base, None, None)
    return Proportion(count, base, count / base, wilson_interval(count, base))


# --- The t distribution -------------------------------------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, epsilon = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 400):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < epsilon:
            break
    return result


def _regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The fraction converges quickly on this side of the mean; use the symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _regularised_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@functools.lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The t value below which a share `p` of the distribution lies (0 < p < 1)."""
    if not 0.0 < p < 1.0:
        raise ValueError("A quantile needs a probability between 0 and 1")
    if df <= 0:
        raise ValueError("The t distribution needs at least 1 degree of freedom")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-9:
            break
    return (low + high) / 2.0


# --- Mean change --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeanChange:
    """The mean of last minus first over `people`, its 95% t interval, and d_av."""

    people: int
    mean: float
    interval: Interval | None  # None for one person: no spread to speak of
    effect_size: float | None  # None when neither sitting varies


@dataclass(frozen=True)
class PairSums:
    """Sums over (first, last) pairs: all `mean_change` needs, so a report can add them up in
    SQL (or add two groups' sums) without holding every pair. Sums of whole numbers are exact."""

    people: int = 0
    first: float = 0
    first_squared: float = 0
    last: float = 0
    last_squared: float = 0
    change: float = 0
    change_squared: float = 0

    @classmethod
    def of(cls, pairs: Sequence[tuple[float, float]]) -> PairSums:
        return cls(
            people=len(pairs),
            first=sum(first for first, _last in pairs),
            first_squared=sum(first * first for first, _last in pairs),
            last=sum(last for _first, last in pairs),
            last_squared=sum(last * last for _first, last in pairs),
            change=sum(last - first for first, last in pairs),
            change_squared=sum((last - first) ** 2 for first, last in pairs),
        )

    def __add__(self, other: PairSums) -> PairSums:
        return PairSums(
            people=self.people + other.people,
            first=self.first + other.first,
            first_squared=self.first_squared + other.first_squared,
            last=self.last + other.last,
            last_squared=self.last_squared + other.last_squared,
            change=self.change + other.change,
            change_squared=self.change_squared + other.change_squared,
        )

    @classmethod
    def from_products(
        cls,
        *,
        people: int,
        first: int,
        first_squared: int,
        last: int,
        last_squared: int,
        first_times_last: int,
    ) -> PairSums:
        """The sums from those of first, last, their squares and their product: the change's
        follow (Σ(l - f) = Σl - Σf; Σ(l - f)² = Σl² - 2Σfl + Σf²), so SQL need not work out
        each change."""
        return cls(
            people=people,
            first=first,
            first_squared=first_squared,
            last=last,
            last_squared=last_squared,
            change=last - first,
            change_squared=last_squared - 2 * first_times_last + first_squared,
        )


def _sample_sd(n: int, total: float, squares: float) -> float:
    """The sample standard deviation from a sum and a sum of squares, worked out in exact
    fractions so that it does not lose digits to cancellation."""
    variance = (Fraction(squares) * n - Fraction(total) ** 2) / (n * (n - 1))
    return math.sqrt(max(float(variance), 0.0))


def mean_change(pairs: Sequence[tuple[float, float]]) -> MeanChange | None:
    """Mean change from (first, last) pairs, with its 95% t interval and the d_av effect size;
    None for no pairs."""
    return mean_change_of(PairSums.of(pairs))


def mean_change_of(sums: PairSums) -> MeanChange | None:
    """`mean_change` from the pairs' sums."""
    n = sums.people
    if not n:
        return None
    mean = float(Fraction(sums.change) / n)
    if n < 2:
        return MeanChange(n, mean, None, None)
    half = t_quantile(0.975, n - 1) * _sample_sd(n, sums.change, sums.change_squared) / math.sqrt(n)
    spread = (
        _sample_sd(n, sums.first, sums.first_squared) + _sample_sd(n, sums.last, sums.last_squared)
    ) / 2
    return MeanChange(
        n, mean, Interval(mean - half, mean + half), mean / spread if spread else None
    )
