"""My learning: a person's saved, in-progress and completed resources, their CPD hours per
NHS financial year, and the same record as CSV rows for appraisal. One query each.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone

from learning.models import LearningRecord, LearningStatus
from portal.spreadsheets import spreadsheet_safe

if TYPE_CHECKING:
    from portal.models import User


def financial_year_start(day: datetime.date) -> int:
    """The calendar year in which the NHS financial year (April to March) holding ``day`` began."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class CpdYear:
    start_year: int
    hours: Decimal
    completed: int

    @property
    def label(self) -> str:
        return f"April {self.start_year} to March {self.start_year + 1}"


@dataclass(frozen=True)
class MyLearning:
    saved: list[LearningRecord]
    in_progress: list[LearningRecord]
    completed: list[LearningRecord]

    @property
    def cpd_years(self) -> list[CpdYear]:
        """CPD hours per NHS financial year (April to March), the most recent first."""
        hours: dict[int, Decimal] = {}
        counts: dict[int, int] = {}
        for record in self.completed:
            if record.completed_on is None:
                continue
            year = financial_year_start(record.completed_on)
            hours[year] = hours.get(year, Decimal("0")) + (record.hours or Decimal("0"))
            counts[year] = counts.get(year, 0) + 1
        return [CpdYear(year, hours[year], counts[year]) for year in sorted(hours, reverse=True)]

    @property
    def total_hours(self) -> Decimal:
        return sum((r.hours or Decimal("0") for r in self.completed), Decimal("0"))

    @property
    def is_empty(self) -> bool:
        return not (self.saved or self.in_progress or self.completed)


def learning_records_for(user: User) -> list[LearningRecord]:
    """All of a user's learning records with their resources and providers. One query.

    Records of resources since archived stay: they are part of the person's history.
    """
    return list(
        LearningRecord.objects.filter(user=user)
        .select_related("resource__provider")
        .order_by(F("completed_on").desc(nulls_last=True), "-updated_at", "-id")
    )


def my_learning_for(user: User) -> MyLearning:
    """A user's saved, in-progress and completed learning. One query."""
    records = learning_records_for(user)
    return MyLearning(
        saved=[r for r in records if r.status == LearningStatus.SAVED],
        in_progress=[r for r in records if r.status == LearningStatus.IN_PROGRESS],
        completed=[r for r in records if r.status == LearningStatus.COMPLETED],
    )


CSV_HEADER = (
    "Title",
    "Provider",
    "Level",
    "Format",
    "Status",
    "Saved on",
    "Completed on",
    "CPD hours",
    "Reflection",
    "Address",
    "Sample content",
)


def learning_record_csv_rows(user: User) -> list[list[str]]:
    """A user's learning record as CSV rows, header first, every cell safe to open. One query."""
    rows = [list(CSV_HEADER)]
    for record in learning_records_for(user):
        resource = record.resource
        rows.append(
            [
                spreadsheet_safe(cell)
                for cell in (
                    resource.title,
                    resource.provider.name,
                    resource.level,
                    resource.get_format_display(),
                    record.get_status_display(),
                    timezone.localdate(record.saved_at).isoformat(),
                    record.completed_on.isoformat() if record.completed_on else "",
                    record.hours if record.hours is not None else "",
                    record.reflection,
                    resource.url,
                    "Yes" if resource.is_sample else "No",
                )
            ]
        )
    return rows
