"""The learning uptake report: saves and completions by level, objective, staff group and month,
and the most-used resources. Every table is one aggregate query (the objectives table two),
however many records there are.

A save is a learning record being created (every record starts as a save); a completion is a
record marked completed. Counts are of records, never of named people.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from learning.models import LearningRecord, LearningStatus, Level, Objective, Resource
from portal.charts import BLUE, GREEN, BarChart, Figure, Series, bar_chart
from portal.models import StaffGroup

COMPLETED = Q(status=LearningStatus.COMPLETED)
MONTHS = 12
TOP_RESOURCES = 10


@dataclass(frozen=True)
class UptakeRow:
    label: str
    saves: int
    completions: int
    short_label: str = ""

    @property
    def chart_label(self) -> str:
        return self.short_label or self.label


SERIES = (Series("Saves", BLUE), Series("Completions", GREEN))


@dataclass(frozen=True)
class UptakeTable:
    key: str
    caption: str
    heading: str
    rows: tuple[UptakeRow, ...]

    @property
    def chart(self) -> BarChart:
        return bar_chart(
            self.key,
            self.caption,
            "Blue bars are saves, green bars are completions. "
            "The figures are in the table after the chart.",
            [
                (
                    row.chart_label,
                    (
                        Figure(row.saves, str(row.saves)),
                        Figure(row.completions, str(row.completions)),
                    ),
                )
                for row in self.rows
            ],
            SERIES,
        )


def _counts(group_by: str, **filters: object) -> dict[object, tuple[int, int]]:
    rows = (
        LearningRecord.objects.filter(**filters)
        .values(group_by)
        .annotate(saves=Count("pk"), completions=Count("pk", filter=COMPLETED))
        .order_by()
    )
    return {row[group_by]: (row["saves"], row["completions"]) for row in rows}


def by_level(today: datetime.date | None = None) -> UptakeTable:
    counts = _counts("resource__level")
    rows = tuple(UptakeRow(label, *counts.get(value, (0, 0))) for value, label in Level.choices)
    return UptakeTable("level", "Saves and completions by level, to date", "Level", rows)


def by_objective(today: datetime.date | None = None) -> UptakeTable:
    counts = _counts("resource__objectives__number")
    rows = tuple(
        UptakeRow(str(o), *counts.get(o.number, (0, 0)), short_label=f"Objective {o.number}")
        for o in Objective.objects.order_by("number")
    )
    return UptakeTable(
        "objective", "Saves and completions by strategic objective, to date", "Objective", rows
    )


def by_staff_group(today: datetime.date | None = None) -> UptakeTable:
    counts = _counts("user__staff_profile__staff_group")
    rows = [UptakeRow(label, *counts.get(value, (0, 0))) for value, label in StaffGroup.choices]
    if None in counts:
        rows.append(UptakeRow("Not given", *counts[None]))
    return UptakeTable(
        "staff-group", "Saves and completions by staff group, to date", "Staff group", tuple(rows)
    )


def last_months(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first day of each of the last ``count`` months, oldest first, this month last."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def by_month(today: datetime.date | None = None) -> UptakeTable:
    months = last_months(today or timezone.localdate())
    start = months[0]
    saves = {
        _as_date(row["month"]): row["n"]
        for row in LearningRecord.objects.filter(saved_at__date__gte=start)
        .annotate(month=TruncMonth("saved_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    completions = {
        _as_date(row["month"]): row["n"]
        for row in LearningRecord.objects.filter(COMPLETED, completed_on__gte=start)
        .annotate(month=TruncMonth("completed_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = tuple(
        UptakeRow(
            f"{month:%B %Y}",
            saves.get(month, 0),
            completions.get(month, 0),
            short_label=f"{month:%b %Y}",
        )
        for month in months
    )
    return UptakeTable("month", "Saves and completions by month, last 12 months", "Month", rows)


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def top_resources(today: datetime.date | None = None) -> UptakeTable:
    resources = (
        Resource.objects.annotate(
            saves=Count("records"),
            completions=Count("records", filter=Q(records__status=LearningStatus.COMPLETED)),
        )
        .filter(saves__gt=0)
        .order_by("-saves", "-completions", "title")
        .values("title", "saves", "completions")[:TOP_RESOURCES]
    )
    rows = tuple(UptakeRow(r["title"], r["saves"], r["completions"]) for r in resources)
    return UptakeTable("resources", "The 10 most-used resources, to date", "Resource", rows)


TABLES: dict[str, Callable[[datetime.date | None], UptakeTable]] = {
    "level": by_level,
    "objective": by_objective,
    "staff-group": by_staff_group,
    "month": by_month,
    "resources": top_resources,
}


def uptake_report(today: datetime.date | None = None) -> Sequence[UptakeTable]:
    """Every table of the report, in the order the page shows them."""
    return [build(today) for build in TABLES.values()]


def uptake_csv_rows(table: UptakeTable) -> list[list[str]]:
    return [
        [table.heading, "Saves", "Completions"],
        *([row.label, str(row.saves), str(row.completions)] for row in table.rows),
    ]
