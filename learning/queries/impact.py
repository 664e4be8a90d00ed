"""The impact report: how confident staff feel in the competency framework's statements before
and after learning, by statement, objective, level and staff group; the statements most staff
rate themselves low on; and the content gaps (ADR 0034).

The method, once:

- **Before** is a person's first rating of a statement (a confidence from 1 to 5; "not relevant
  to my role" is not a confidence and is left out).
- **After learning** is their latest rating of it made on or after the day they completed a
  resource tied to it, when that is a later rating than the first, and the first was made no
  later than that day. A person with both is **re-rated after learning**; the change is after
  minus before, for them.
- A row about several statements (an objective, a level, a staff group) counts each person once:
  their ratings across the row's statements are averaged first, so a person who rated ten
  statements does not weigh ten times as much as one who rated one.
- Each average has a 95% interval (Student's t on the people in the row), clipped to the scale.
- Counts are suppressed with the portal's rules (``portal.suppression``): a count of 1 to 4
  shows as "<5", and a count is hidden as well where it and a shown figure would give a small
  one away (re-rated and not re-rated add up to those who self-assessed; low and not low too;
  the staff groups add up to everyone). An average or share is shown only from 5 or more
  people whose count is shown.

Every figure comes from a fixed number of queries, however many statements, resources, ratings
or people: the ratings and completions are read once and grouped here.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Min
from django.utils import timezone

from learning.models import (
    Competency,
    CompetencyRating,
    LearningRecord,
    LearningStatus,
    Level,
    Objective,
)
from learning.queries.framework import content_gaps
from portal.charts import BLUE, GREEN, BarChart, Figure, Series, bar_chart
from portal.models import StaffGroup
from portal.suppression import (
    HIDDEN,
    MINIMUM_BASE,
    Shown,
    percentage,
    suppress_figures,
    suppress_table,
)

LOW = 2  # "Not confident" or "Slightly confident"
LOWEST_SHOWN = 10
SCALE = (1.0, 5.0)
NOT_GIVEN = "Not given"

# Two-sided 95% critical values of Student's t by degrees of freedom. Between rows the value of
# the row below is used, which is larger, so an interval is never narrower than it should be.
T_95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
    10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
    18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060,
    26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
}  # fmt: skip
Z_95 = 1.960


def t_95(degrees_of_freedom: int) -> float:
    """The 95% two-sided critical value of t (1.96 beyond the table)."""
    if degrees_of_freedom < 1:
        raise ValueError("An interval needs at least two values")
    if degrees_of_freedom > max(T_95):
        return Z_95
    return T_95[max(df for df in T_95 if df <= degrees_of_freedom)]


@dataclass(frozen=True)
class Estimate:
    """An average with its 95% interval, from ``n`` people; None where there is nothing to say."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def estimate(values: Sequence[float], *, clip: tuple[float, float] = SCALE) -> Estimate:
    """The mean of ``values`` and its 95% t-interval, clipped to the scale's ends."""
    n = len(values)
    if n == 0:
        return Estimate(None, None, None, 0)
    mean = statistics.fmean(values)
    if n == 1:
        return Estimate(mean, None, None, 1)
    half = t_95(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return Estimate(mean, max(clip[0], mean - half), min(clip[1], mean + half), n)


@dataclass(frozen=True)
class ShownEstimate:
    """An estimate as the report may show it: its text, and its number for the chart (None
    when hidden)."""

    text: str
    interval: str
    number: float | None

    @classmethod
    def of(cls, value: Estimate, count: Shown, *, signed: bool = False) -> ShownEstimate:
        """Shown only from 5 or more people whose count is itself shown."""
        if value.mean is None or count.hidden or value.n < MINIMUM_BASE:
            return cls(HIDDEN, "", None)
        fmt = "{:+.1f}" if signed else "{:.1f}"
        text = fmt.format(value.mean)
        if text in ("+0.0", "-0.0"):
            text = "0.0"
        interval = ""
        if value.low is not None and value.high is not None:
            interval = f"{fmt.format(value.low)} to {fmt.format(value.high)}"
        return cls(text, interval, value.mean)


@dataclass(frozen=True)
class ImpactRow:
    label: str
    short_label: str
    assessed: Shown
    before: ShownEstimate
    rerated: Shown
    before_rerated: ShownEstimate
    after: ShownEstimate
    change: ShownEstimate
    note: str = ""

    @property
    def chart_label(self) -> str:
        return self.short_label or self.label


SERIES = (Series("Before", BLUE), Series("After learning", GREEN))
CHART_DESCRIPTION = (
    "For each row, the blue bar is the average confidence of those re-rated after learning "
    "before they learned, and the green bar after, on a scale from 1 (not confident) to 5 (very "
    "confident). * means fewer than 5 people, so no average is shown. The figures, with their "
    "95% intervals, are in the table after the chart."
)


@dataclass(frozen=True)
class ImpactTable:
    key: str
    caption: str
    heading: str
    rows: tuple[ImpactRow, ...]
    total: ImpactRow | None = None

    @property
    def chart(self) -> BarChart:
        return bar_chart(
            self.key,
            self.caption,
            CHART_DESCRIPTION,
            [
                (
                    row.chart_label,
                    (_figure(row.before_rerated), _figure(row.after)),
                )
                for row in self.rows
            ],
            SERIES,
            scale_max=500,
        )


def _figure(value: ShownEstimate) -> Figure:
    if value.number is None:
        return Figure(None, HIDDEN)
    return Figure(round(value.number * 100), value.text)


@dataclass(frozen=True)
class LowRow:
    code: str
    text: str
    assessed: Shown
    low: Shown
    share: str


@dataclass(frozen=True)
class ImpactReport:
    tables: tuple[ImpactTable, ...]
    lowest: tuple[LowRow, ...]
    gaps: tuple[Competency, ...]
    people: Shown
    statements_in_use: int

    def table(self, key: str) -> ImpactTable | None:
        return next((table for table in self.tables if table.key == key), None)


# --- Reading the ratings ------------------------------------------------------------------------


@dataclass
class _Pair:
    """One person's ratings of one statement, and when they first completed learning for it."""

    first: int
    first_on: datetime.date
    latest: int
    after: int | None = None
    ratings: list[tuple[datetime.date, int]] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        return None if self.after is None else self.after - self.first


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _pairs() -> tuple[dict[tuple[int, int], _Pair], dict[int, str | None]]:
    """Every (person, statement) rated with a confidence, and each person's staff group. Two
    queries."""
    pairs: dict[tuple[int, int], _Pair] = {}
    groups: dict[int, str | None] = {}
    ratings = (
        CompetencyRating.objects.filter(not_relevant=False, confidence__isnull=False)
        .order_by("user_id", "competency_id", "rated_at", "pk")
        .values_list(
            "user_id", "competency_id", "confidence", "rated_at", "user__staff_profile__staff_group"
        )
        .iterator(chunk_size=5000)
    )
    for user_id, competency_id, confidence, rated_at, group in ratings:
        if confidence is None:  # excluded by the filter; says so to the type checker
            continue
        groups[user_id] = group
        key = (user_id, competency_id)
        on = _local_date(rated_at)
        pair = pairs.get(key)
        if pair is None:
            pair = pairs[key] = _Pair(first=confidence, first_on=on, latest=confidence)
        pair.latest = confidence
        pair.ratings.append((on, confidence))
    learned = (
        LearningRecord.objects.filter(
            status=LearningStatus.COMPLETED,
            completed_on__isnull=False,
            resource__competencies__isnull=False,
        )
        .values("user_id", "resource__competencies")
        .annotate(first_completed=Min("completed_on"))
        .order_by()
    )
    for row in learned:
        pair = pairs.get((row["user_id"], row["resource__competencies"]))
        if pair is None or pair.first_on > row["first_completed"]:
            continue
        later = [c for on, c in pair.ratings[1:] if on >= row["first_completed"]]
        if later:
            pair.after = later[-1]
    return pairs, groups


@dataclass
class _Person:
    """One person's averages across the statements of one row."""

    firsts: list[int] = field(default_factory=list)
    befores: list[int] = field(default_factory=list)
    afters: list[int] = field(default_factory=list)


def _row(
    label: str,
    people: Iterable[_Person],
    *,
    short_label: str = "",
    note: str = "",
    counts: tuple[Shown, Shown] | None = None,
) -> ImpactRow:
    people = list(people)
    firsts = [statistics.fmean(p.firsts) for p in people]
    rerated = [p for p in people if p.afters]
    befores = [statistics.fmean(p.befores) for p in rerated]
    afters = [statistics.fmean(p.afters) for p in rerated]
    changes = [a - b for a, b in zip(afters, befores, strict=True)]
    if counts is None:
        assessed_shown, _not, rerated_shown = _suppress_rerated(len(people), len(rerated))
    else:
        assessed_shown, rerated_shown = counts
    return ImpactRow(
        label=label,
        short_label=short_label,
        assessed=assessed_shown,
        before=ShownEstimate.of(estimate(firsts), assessed_shown),
        rerated=rerated_shown,
        before_rerated=ShownEstimate.of(estimate(befores), rerated_shown),
        after=ShownEstimate.of(estimate(afters), rerated_shown),
        change=ShownEstimate.of(estimate(changes, clip=(-4.0, 4.0)), rerated_shown, signed=True),
        note=note,
    )


def _suppress_rerated(assessed: int, rerated: int) -> tuple[Shown, Shown, Shown]:
    """Those who self-assessed and those re-rated, hidden so that neither they nor those not
    yet re-rated (the difference) can be worked out when small."""
    shown = suppress_figures([assessed, rerated, assessed - rerated], [((1, 2), 0)])
    return shown[0], shown[2], shown[1]


Ratings = dict[int, list[tuple[int, _Pair]]]  # statement id -> [(person id, their ratings)]


def _by_statement(pairs: dict[tuple[int, int], _Pair]) -> Ratings:
    ratings: Ratings = defaultdict(list)
    for (user_id, competency_id), pair in pairs.items():
        ratings[competency_id].append((user_id, pair))
    return ratings


def _people_in(
    ratings: Ratings, competency_ids: Iterable[int], user_ids: set[int] | None = None
) -> list[_Person]:
    people: dict[int, _Person] = defaultdict(_Person)
    for competency_id in competency_ids:
        for user_id, pair in ratings.get(competency_id, ()):
            if user_ids is not None and user_id not in user_ids:
                continue
            person = people[user_id]
            person.firsts.append(pair.first)
            if pair.after is not None:
                person.befores.append(pair.first)
                person.afters.append(pair.after)
    return list(people.values())


# --- The tables ---------------------------------------------------------------------------------


def impact_report() -> ImpactReport:
    """Every table of the report. A fixed number of queries (six)."""
    pairs, groups = _pairs()
    ratings = _by_statement(pairs)
    competencies = list(
        Competency.objects.prefetch_related("objectives").order_by("level", "position", "pk")
    )
    # Retired statements stay in the report while they have ratings: their history counts.
    shown_competencies = [c for c in competencies if c.retired_at is None or c.pk in ratings]
    every_id = [c.pk for c in competencies]
    by_competency = ImpactTable(
        "competency",
        "Confidence by statement",
        "Statement",
        tuple(_statement_row(ratings, c) for c in shown_competencies),
    )
    by_objective = ImpactTable(
        "objective",
        "Confidence by strategic objective",
        "Objective",
        tuple(
            _row(
                str(objective),
                _people_in(
                    ratings,
                    [c.pk for c in competencies if objective in c.objectives.all()],
                ),
                short_label=f"Objective {objective.number}",
            )
            for objective in Objective.objects.order_by("number")
        ),
    )
    by_level = ImpactTable(
        "level",
        "Confidence by level",
        "Level",
        tuple(
            _row(str(label), _people_in(ratings, [c.pk for c in competencies if c.level == value]))
            for value, label in Level.choices
        ),
    )
    by_group, everyone = _by_staff_group(ratings, groups, every_id)
    return ImpactReport(
        tables=(by_competency, by_objective, by_level, by_group),
        lowest=_lowest(ratings, shown_competencies),
        gaps=tuple(content_gaps()),
        people=everyone,
        statements_in_use=sum(1 for c in competencies if c.retired_at is None),
    )


def _statement_counts(ratings: Ratings, competency_id: int) -> tuple[Shown, ...]:
    """Those who self-assessed, re-rated, not re-rated, rate themselves low now, and not low,
    suppressed together: both pairs add up to those who self-assessed."""
    people = ratings.get(competency_id, [])
    assessed = len(people)
    rerated = sum(1 for _user, pair in people if pair.after is not None)
    low = sum(1 for _user, pair in people if pair.latest <= LOW)
    return suppress_figures(
        [assessed, rerated, assessed - rerated, low, assessed - low],
        [((1, 2), 0), ((3, 4), 0)],
    )


def _statement_row(ratings: Ratings, competency: Competency) -> ImpactRow:
    shown = _statement_counts(ratings, competency.pk)
    return _row(
        f"{competency.code} {competency.text}",
        _people_in(ratings, [competency.pk]),
        short_label=competency.code,
        note="Retired" if competency.retired_at is not None else "",
        counts=(shown[0], shown[1]),
    )


def _lowest(ratings: Ratings, competencies: list[Competency]) -> tuple[LowRow, ...]:
    """Statements in use by the share of those who rated them whose latest rating is low,
    highest first, ranked from the shown figures only (a hidden share is not ranked)."""
    rows = []
    for competency in competencies:
        if competency.retired_at is not None:
            continue
        shown = _statement_counts(ratings, competency.pk)
        assessed, low = shown[0], shown[3]
        share = percentage(low, assessed)
        if share == HIDDEN or not low.number or not assessed.number:
            continue
        rows.append(LowRow(competency.code, competency.text, assessed, low, share))
    rows.sort(key=lambda r: (-(r.low.number or 0) / (r.assessed.number or 1), r.code))
    return tuple(rows[:LOWEST_SHOWN])


def _by_staff_group(
    ratings: Ratings, groups: dict[int, str | None], competency_ids: list[int]
) -> tuple[ImpactTable, Shown]:
    """One row per staff group and one for everyone: the groups add up to everyone, so the
    counts are suppressed as one table (re-rated and not re-rated, by group, with totals)."""
    labels = [(str(value), str(label)) for value, label in StaffGroup.choices]
    members: dict[str, set[int]] = defaultdict(set)
    for user_id, group in groups.items():
        members[group or ""].add(user_id)
    if members.get(""):
        labels.append(("", NOT_GIVEN))
    people_by_group = [
        _people_in(ratings, competency_ids, members.get(value, set())) for value, _ in labels
    ]
    cells = []
    for people in people_by_group:
        rerated = sum(1 for p in people if p.afters)
        cells.append([rerated, len(people) - rerated])
    table = suppress_table(cells, row_totals=True, column_totals=True)
    # Asked for above: a table with both totals has all three.
    assert table.row_totals is not None  # noqa: S101
    assert table.column_totals is not None  # noqa: S101
    assert table.grand_total is not None  # noqa: S101
    rows = tuple(
        _row(label, people, counts=(table.row_totals[i], table.cells[i][0]))
        for i, ((_value, label), people) in enumerate(zip(labels, people_by_group, strict=True))
    )
    everyone = _people_in(ratings, competency_ids)
    total = _row("All staff", everyone, counts=(table.grand_total, table.column_totals[0]))
    return (
        ImpactTable("staff-group", "Confidence by staff group", "Staff group", rows, total),
        table.grand_total,
    )


# --- CSV ----------------------------------------------------------------------------------------

CSV_HEADER = [
    "Self-assessed (people)",
    "Average confidence at first rating",
    "95% interval",
    "Re-rated after learning (people)",
    "Average before learning (re-rated)",
    "95% interval",
    "Average after learning",
    "95% interval",
    "Average change",
    "95% interval",
]
LEGEND = [
    ["<5 means fewer than 5 people, possibly none. * means hidden to protect a small number."],
    ["Confidence is from 1 (not confident) to 5 (very confident)."],
]


def csv_rows(report: ImpactReport, key: str) -> list[list[str]] | None:
    """One table of the report as CSV rows, built from the suppressed figures only."""
    if key == "low":
        return [
            *LEGEND,
            ["Code", "Statement", "Self-assessed (people)", "Rate themselves low now", "Share"],
            *([r.code, r.text, str(r.assessed), str(r.low), r.share] for r in report.lowest),
        ]
    if key == "gaps":
        return [
            ["Code", "Level", "Statement"],
            *([c.code, str(c.level), c.text] for c in report.gaps),
        ]
    table = report.table(key)
    if table is None:
        return None
    rows = [*table.rows, *([table.total] if table.total else [])]
    return [
        *LEGEND,
        [table.heading, *CSV_HEADER],
        *(
            [
                row.label + (f" ({row.note})" if row.note else ""),
                str(row.assessed),
                row.before.text,
                row.before.interval,
                str(row.rerated),
                row.before_rerated.text,
                row.before_rerated.interval,
                row.after.text,
                row.after.interval,
                row.change.text,
                row.change.interval,
            ]
            for row in rows
        ),
    ]


CSV_TABLES = ("competency", "objective", "level", "staff-group", "low", "gaps")
