"""A questionnaire's scores over time, as portal.charts' line chart: one chart per instrument,
with the instrument's bands beside it. The page shows the same numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.charts import LineChart, Point, line_chart
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import ScreeningResult


@dataclass(frozen=True)
class ScoreChart:
    code: str
    chart: LineChart

    @property
    def points(self) -> tuple[Point, ...]:
        return self.chart.points


def _described(ordered: Sequence[ScreeningResult]) -> str:
    def day(screening: ScreeningResult) -> str:
        return date_format(timezone.localtime(screening.taken_at), "j F Y")

    first, last = ordered[0], ordered[-1]
    if len(ordered) == 1:
        return f"One score: {first.total} ({first.band}) on {day(first)}."
    return (
        f"{len(ordered)} scores from {first.total} ({first.band}) on {day(first)} "
        f"to {last.total} ({last.band}) on {day(last)}."
    )


def score_chart(code: str, screenings: Sequence[ScreeningResult]) -> ScoreChart:
    """The chart for one instrument's screenings. Higher scores sit higher."""
    instrument = INSTRUMENTS.get(code)
    ordered = sorted(screenings, key=lambda s: (s.taken_at, s.pk))
    chart = line_chart(
        key=code.lower().replace("-", ""),
        title=f"{code} scores over time",
        description=_described(ordered),
        readings=[(s.taken_at, s.total, s.band) for s in ordered],
        bands=instrument.bands if instrument else (),
        max_value=instrument.max_total if instrument else None,
    )
    return ScoreChart(code, chart)


def charts_for(screenings: Sequence[ScreeningResult]) -> list[ScoreChart]:
    """One chart per instrument, in the instruments' order, for those with any screening."""
    by_code: dict[str, list[ScreeningResult]] = {}
    for screening in screenings:
        by_code.setdefault(screening.instrument, []).append(screening)
    order = list(INSTRUMENTS) + sorted(set(by_code) - set(INSTRUMENTS))
    return [score_chart(code, by_code[code]) for code in order if code in by_code]
