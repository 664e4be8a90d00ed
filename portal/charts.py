"""Charts drawn on the server as SVG: horizontal bar charts and a line chart over time.

No JavaScript and no chart library: these functions work out the geometry (where each bar,
point and label goes) and the templates `includes/bar_chart.html` and `includes/line_chart.html`
draw it with SVG attributes only, because the CSP allows no inline styles. Every chart is an
image with a title and a description, and its page shows the same figures in a table.

SVG text does not wrap by itself, so a label is broken into lines here, by a conservative
estimate of how many characters fit, and a row grows to fit its label: a label is never cut off
("Nursing and Midwifery Registered" keeps every word).
"""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# NHS.UK colours (nhsuk-frontend's palette): each passes 3:1 against white for graphics.
BLUE = "#005eb8"
GREEN = "#007f3b"
TEXT = "#212b32"
SECONDARY_TEXT = "#4c6272"
GRID = "#d8dde0"

# Arial's widest common letters run to about 0.6 of the font size; wrapping at that width
# leaves room for Frutiger, which is a little wider than Arial.
CHARACTER_WIDTH = 0.6


def wrap(text: str, width_px: float, font_size: int) -> tuple[str, ...]:
    """`text` broken into lines that fit `width_px`, at spaces where it can, inside a long word
    only where one word is wider than the line."""
    per_line = max(int(width_px / (font_size * CHARACTER_WIDTH)), 4)
    return tuple(textwrap.wrap(text, per_line, break_on_hyphens=False)) or ("",)


# --- Horizontal bar charts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One kind of bar in a chart (saves, completions): its name for the key and its colour."""

    name: str
    colour: str = BLUE


@dataclass(frozen=True)
class Figure:
    """One figure in a row. `number` is None for a figure hidden to protect it: it shows its
    `text` (a marker such as "*" or "<5") and gets no bar."""

    number: int | None
    text: str


@dataclass(frozen=True)
class Line:
    text: str
    y: int


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    colour: str
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class BarRow:
    y: int
    lines: tuple[Line, ...]
    bars: tuple[Bar, ...]


BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 12


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    rows: tuple[BarRow, ...]
    height: int
    width: int
    label_width: int
    font_size: int
    bar_height: int = BAR_HEIGHT

    @property
    def label_x(self) -> int:
        return self.label_width - 10


def bar_chart(
    key: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Sequence[Figure]]],
    series: Sequence[Series] = (Series("Count"),),
    *,
    width: int = 640,
    label_width: int = 220,
    font_size: int = 15,
    scale_max: int | None = None,
) -> BarChart:
    """A horizontal bar chart: one row per (label, figures), one bar per series in each row,
    all bars on one scale. Wide enough figures ("1,234") fit after the longest bar.

    The scale runs to the largest figure, or to ``scale_max`` for a measure with a fixed top
    (an average on a 1 to 5 scale), so a bar's length means the same in every chart."""
    bar_area = width - label_width - 64
    line_height = round(font_size * 1.3)
    largest = scale_max or max([f.number or 0 for _label, figures in rows for f in figures] + [1])
    laid_out: list[BarRow] = []
    top = 4
    for label, figures in rows:
        lines = wrap(label, label_width - 16, font_size)
        bars = []
        for n, (figure, kind) in enumerate(zip(figures, series, strict=True)):
            y = n * (BAR_HEIGHT + BAR_GAP)
            bar_width = round(bar_area * (figure.number or 0) / largest)
            bars.append(
                Bar(
                    y=y,
                    width=bar_width,
                    colour=kind.colour,
                    text=figure.text,
                    text_x=label_width + bar_width + 6,
                    text_y=y + BAR_HEIGHT - 3,
                )
            )
        label_lines = tuple(
            Line(text, round(font_size * 0.9) + i * line_height) for i, text in enumerate(lines)
        )
        laid_out.append(BarRow(y=top, lines=label_lines, bars=tuple(bars)))
        bars_height = len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        top += max(len(lines) * line_height, bars_height) + ROW_GAP
    return BarChart(
        key=key,
        title=title,
        description=description,
        rows=tuple(laid_out),
        height=max(top, 24),
        width=width,
        label_width=label_width,
        font_size=font_size,
    )


# --- A line chart over time ---------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    at: datetime.datetime
    value: int
    band: str


@dataclass(frozen=True)
class Gridline:
    """A line across the chart at a band's lowest value (and one at the highest value)."""

    y: float
    value: int


@dataclass(frozen=True)
class BandLabel:
    """A band's name beside the chart, level with the middle of its range, wrapped to fit."""

    lines: tuple[Line, ...]


class Band(Protocol):
    """A range of values with a name (an instrument's band, such as "Moderate: 10 to 14")."""

    @property
    def low(self) -> int: ...

    @property
    def high(self) -> int: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class LineChart:
    key: str
    title: str
    description: str
    max_value: int
    points: tuple[Point, ...]
    gridlines: tuple[Gridline, ...]
    band_labels: tuple[BandLabel, ...]
    width: int
    height: int
    left: int
    right_edge: int
    bottom_edge: int
    label_x: int

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


LINE_WIDTH, LINE_HEIGHT = 600, 220
# Margins: the values' axis on the left, the bands' names on the right, the dates below.
LEFT, RIGHT, TOP, BOTTOM = 44, 140, 12, 36
SMALL_FONT = 12


def line_chart(
    key: str,
    title: str,
    description: str,
    readings: Sequence[tuple[datetime.datetime, int, str]],
    bands: Sequence[Band] = (),
    max_value: int | None = None,
) -> LineChart:
    """Readings (when, value, band) as points joined by a line. Time runs left to right in
    proportion, so a long gap between readings looks like one; higher values sit higher."""
    ordered = sorted(readings, key=lambda reading: reading[0])
    top_value = max_value or max([value for _at, value, _band in ordered] + [1])
    plot_width = LINE_WIDTH - LEFT - RIGHT
    plot_height = LINE_HEIGHT - TOP - BOTTOM

    def y_for(value: int) -> float:
        return TOP + plot_height * (1 - min(value, top_value) / top_value)

    start, end = ordered[0][0], ordered[-1][0]
    span = (end - start).total_seconds()

    def x_for(at: datetime.datetime) -> float:
        if span <= 0:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (at - start).total_seconds() / span

    gridlines = [Gridline(y_for(band.low), band.low) for band in bands]
    if not any(line.value == top_value for line in gridlines):
        gridlines.append(Gridline(y_for(top_value), top_value))
    line_height = round(SMALL_FONT * 1.2)
    band_labels = []
    for band in bands:
        lines = wrap(band.label, RIGHT - 12, SMALL_FONT)
        middle = (y_for(band.low) + y_for(band.high)) / 2
        first = middle - (len(lines) - 1) * line_height / 2 + SMALL_FONT / 3
        band_labels.append(
            BandLabel(tuple(Line(t, round(first + i * line_height)) for i, t in enumerate(lines)))
        )
    return LineChart(
        key=key,
        title=title,
        description=description,
        max_value=top_value,
        points=tuple(Point(x_for(at), y_for(v), at, v, band) for at, v, band in ordered),
        gridlines=tuple(gridlines),
        band_labels=tuple(band_labels),
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        left=LEFT,
        right_edge=LINE_WIDTH - RIGHT,
        bottom_edge=LINE_HEIGHT - BOTTOM,
        label_x=LINE_WIDTH - RIGHT + 8,
    )
