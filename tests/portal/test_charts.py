"""portal.charts: labels wrap rather than being cut off, and rows grow to fit them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.charts import Figure, Series, bar_chart, line_chart, wrap
from portal.models import StaffGroup


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


LONGEST_STAFF_GROUP = max((label for _value, label in StaffGroup.choices), key=len)


def test_a_long_label_is_wrapped_at_spaces_and_keeps_every_word():
    lines = wrap("Nursing and Midwifery Registered", 204, 15)
    assert len(lines) == 2
    assert " ".join(lines) == "Nursing and Midwifery Registered"
    assert not any("…" in line for line in lines)


def test_a_word_wider_than_the_line_is_broken_inside_the_word_and_nothing_is_lost():
    word = "Psychoneuroimmunology" * 2
    lines = wrap(word, 100, 15)
    assert len(lines) > 1
    assert "".join(lines) == word


def test_a_row_grows_to_fit_its_label_and_the_next_row_starts_below_it():
    chart = bar_chart(
        "group",
        "By staff group",
        "",
        [(LONGEST_STAFF_GROUP, (Figure(3, "3"),)), ("Students", (Figure(1, "1"),))],
    )
    long_row, short_row = chart.rows
    assert len(long_row.lines) > 1
    assert " ".join(line.text for line in long_row.lines) == LONGEST_STAFF_GROUP
    last_line = long_row.lines[-1].y
    assert short_row.y > long_row.y + last_line
    assert chart.height > short_row.y + short_row.lines[-1].y


def test_bars_share_one_scale_and_a_hidden_figure_gets_its_marker_and_no_bar():
    chart = bar_chart(
        "kinds",
        "Two series",
        "",
        [("A", (Figure(10, "10"), Figure(5, "5"))), ("B", (Figure(None, "*"), Figure(0, "0")))],
        (Series("Saves"), Series("Completions", "#007f3b")),
    )
    a, b = chart.rows
    assert a.bars[0].width == 2 * a.bars[1].width
    assert [bar.colour for bar in a.bars] == ["#005eb8", "#007f3b"]
    assert [(bar.width, bar.text) for bar in b.bars] == [(0, "*"), (0, "0")]
    assert b.bars[0].text_x == chart.label_width + 6


def test_a_band_name_too_long_for_the_margin_is_wrapped_around_its_middle():
    at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    chart = line_chart(
        "x",
        "Scores",
        "",
        [(at, 3, "low"), (at + datetime.timedelta(days=30), 20, "high")],
        [Band(0, 13, "Low"), Band(14, 27, "Moderately severe symptoms of depression")],
        max_value=27,
    )
    low, high = chart.band_labels
    assert len(low.lines) == 1
    assert len(high.lines) > 1
    assert " ".join(line.text for line in high.lines) == "Moderately severe symptoms of depression"
    assert [p.x for p in chart.points] == sorted(p.x for p in chart.points)
    assert chart.points[1].y < chart.points[0].y  # the higher score sits higher
