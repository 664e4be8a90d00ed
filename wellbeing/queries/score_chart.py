"""A questionnaire's scores over time as a small line chart, drawn on the server as SVG.

No JavaScript and no chart library: the template draws what `score_chart` works out (where each
point goes, the band boundaries, the axis labels). The chart is an image with a title and a
description, and the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateformat import format as date_format

from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import ScreeningResult

WIDTH, HEIGHT = 600, 220
# Margins: the scores' axis on the left, the bands' names on the right, the dates below.
LEFT, RIGHT, TOP, BOTTOM = 44, 140, 12, 36


def _day(at: datetime.datetime) -> str:
    return date_format(timezone.localtime(at), "j F Y")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    at: datetime.datetime
    total: int
    band: str


@dataclass(frozen=True)
class Gridline:
    """A line across the chart at a band's lowest total (and one at the highest total)."""

    y: float
    value: int


@dataclass(frozen=True)
class BandLabel:
    """A band's name beside the chart, level with the middle of its range."""

    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    code: str
    title: str
    max_total: int
    points: list[Point]
    gridlines: list[Gridline]
    band_labels: list[BandLabel]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    label_x: int = WIDTH - RIGHT + 8

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def slug(self) -> str:
        return self.code.lower().replace("-", "")

    @property
    def description(self) -> str:
        first, last = self.points[0], self.points[-1]
        if len(self.points) == 1:
            return f"One score: {first.total} ({first.band}) on {_day(first.at)}."
        return (
            f"{len(self.points)} scores from {first.total} ({first.band}) on "
            f"{_day(first.at)} to {last.total} ({last.band}) on {_day(last.at)}."
        )


def score_chart(code: str, screenings: Sequence[ScreeningResult]) -> Chart:
    """The chart for one instrument's screenings, oldest first. Time runs left to right in
    proportion, so a gap between re-screenings looks like one; higher scores sit higher."""
    instrument = INSTRUMENTS.get(code)
    ordered = sorted(screenings, key=lambda s: (s.taken_at, s.pk))
    max_total = instrument.max_total if instrument else max(s.total for s in ordered) or 1
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def y_for(total: int) -> float:
        return TOP + plot_height * (1 - min(total, max_total) / max_total)

    start, end = ordered[0].taken_at, ordered[-1].taken_at
    span = (end - start).total_seconds()

    def x_for(at: datetime.datetime) -> float:
        if span <= 0:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (at - start).total_seconds() / span

    points = [
        Point(x_for(s.taken_at), y_for(s.total), s.taken_at, s.total, s.band) for s in ordered
    ]
    bands = instrument.bands if instrument else ()
    gridlines = [Gridline(y_for(band.low), band.low) for band in bands]
    if not any(line.value == max_total for line in gridlines):
        gridlines.append(Gridline(y_for(max_total), max_total))
    band_labels = [
        BandLabel((y_for(band.low) + y_for(band.high)) / 2, band.label) for band in bands
    ]
    return Chart(
        code=code,
        title=f"{code} scores over time",
        max_total=max_total,
        points=points,
        gridlines=gridlines,
        band_labels=band_labels,
    )


def charts_for(screenings: Sequence[ScreeningResult]) -> list[Chart]:
    """One chart per instrument, in the instruments' order, for those with any screening."""
    by_code: dict[str, list[ScreeningResult]] = {}
    for screening in screenings:
        by_code.setdefault(screening.instrument, []).append(screening)
    order = list(INSTRUMENTS) + sorted(set(by_code) - set(INSTRUMENTS))
    return [score_chart(code, by_code[code]) for code in order if code in by_code]
