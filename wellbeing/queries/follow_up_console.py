"""The follow-up console: how the re-screening schedule is answered, for the hub lead (ADR 0040).

Counts the check-ins that **fell due** in the period (their due date in it, and not after
today), by round of the schedule (FollowUp.label), by the month they fell due and by the
referral's service component. A check-in cancelled before it fell due (the referral closed or
was withdrawn first) never asked anyone anything and is not counted. Of those counted:

- **Completed**: answered.
- **Overdue**: not answered, not cancelled, and still inside the response window
  (RESPONSE_WINDOW after the due date: the invitation, a reminder a week later, a second and
  last reminder a week after that, and a week to answer it). The hub may still hear back.
- **Missed**: not answered once the window has passed, or cancelled after it fell due. No more
  reminders go; the referral has no later measure from this round.

So completed + overdue + missed = fell due. Invited and reminded twice are counted beside them.
Every figure is suppressed with every sum between the three tables (ADR 0021). A fixed number
of queries: one for the check-ins and two for their referrals' components.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from portal.charts import Figure, bar_chart
from portal.suppression import Shown, percentage
from wellbeing.models import DATABASE, FollowUp
from wellbeing.queries.outcomes import components
from wellbeing.queries.outcomes_report import COMPONENT
from wellbeing.queries.reports import Period, Row, Section, _as_month, _Figures

RESPONSE_WINDOW = datetime.timedelta(days=21)

STATES = ("completed", "overdue", "missed")
SENDS = ("invited", "second_reminded")
TOTAL = "Total"


@dataclass(frozen=True)
class _CheckIn:
    label: str
    due_on: datetime.date
    referral_id: int
    state: str  # one of STATES
    invited: bool
    second_reminded: bool


def state_of(
    *,
    due_on: datetime.date,
    completed_at: datetime.datetime | None,
    cancelled_at: datetime.datetime | None,
    today: datetime.date,
) -> str | None:
    """Completed, overdue or missed; None for a check-in not counted (not yet due, or
    cancelled before it fell due)."""
    if due_on > today:
        return None
    if completed_at is not None:
        return "completed"
    if cancelled_at is not None:
        return None if timezone.localdate(cancelled_at) < due_on else "missed"
    return "overdue" if today < due_on + RESPONSE_WINDOW else "missed"


def _check_ins(period: Period, today: datetime.date) -> list[_CheckIn]:
    rows = (
        FollowUp.objects.using(DATABASE)
        .filter(due_on__gte=period.first, due_on__lt=period.ends.date(), due_on__lte=today)
        .order_by()
        .values_list(
            "label",
            "due_on",
            "referral_id",
            "completed_at",
            "cancelled_at",
            "invited_at",
            "second_reminded_at",
        )
    )
    found = []
    for label, due_on, referral_id, completed, cancelled, invited, second in rows.iterator(
        chunk_size=5000
    ):
        state = state_of(due_on=due_on, completed_at=completed, cancelled_at=cancelled, today=today)
        if state is not None:
            found.append(
                _CheckIn(label, due_on, referral_id, state, invited is not None, second is not None)
            )
    return found


_DAYS_IN = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}


def _round_order(label: str) -> tuple[float, str]:
    """Rounds in the order they come ("4 weeks" before "3 months"), read from their labels as
    wellbeing.services.follow_up names them; anything else after them, alphabetically."""
    amount, _space, unit = label.partition(" ")
    if amount.isdigit() and unit in _DAYS_IN:
        return int(amount) * _DAYS_IN[unit], label
    return float("inf"), label


def _round_labels(found: Iterable[str]) -> list[str]:
    """Every round that had a check-in fall due in the period, first round first."""
    return sorted(set(found), key=_round_order)


@dataclass(frozen=True)
class FollowUpConsole:
    sections: tuple[Section, ...]
    fell_due: str  # suppressed
    empty: bool


def follow_up_console(period: Period, today: datetime.date | None = None) -> FollowUpConsole:
    today = today or timezone.localdate()
    check_ins = _check_ins(period, today)
    component_of = components({c.referral_id for c in check_ins})
    tables = (
        (
            "follow-up-rounds",
            "Check-ins by round",
            "Round",
            _round_labels(c.label for c in check_ins),
            lambda c: c.label,
        ),
        (
            "follow-up-months",
            "Check-ins by the month they fell due",
            "Month",
            [f"{month:%B %Y}" for month in period.months],
            lambda c: f"{_as_month(c.due_on):%B %Y}",
        ),
        (
            "follow-up-components",
            "Check-ins by service component",
            "Service component",
            COMPONENT.labels(Counter(component_of[c.referral_id].label for c in check_ins)),
            lambda c: component_of[c.referral_id].label,
        ),
    )
    figures = _Figures()
    totals = {key: figures.add(sum(getattr(c, key, False) for c in check_ins)) for key in SENDS}
    for state in STATES:
        totals[state] = figures.add(sum(c.state == state for c in check_ins))
    grand = figures.add(len(check_ins))
    figures.sums.append(([totals[s] for s in STATES], grand))
    placed: list[tuple[list[str], dict[str, list[int]]]] = []
    for _key, _heading, _label_heading, labels, group_of in tables:
        counts = {label: dict.fromkeys((*STATES, *SENDS), 0) for label in labels}
        for c in check_ins:
            row = counts[group_of(c)]
            row[c.state] += 1
            row["invited"] += c.invited
            row["second_reminded"] += c.second_reminded
        at: dict[str, list[int]] = {}
        for key in (*STATES, *SENDS):
            at[key] = [
                *figures.add_parts((counts[label][key] for label in labels), totals[key]),
                totals[key],
            ]
        due_parts = []
        for i, label in enumerate(labels):
            due = figures.add(sum(counts[label][s] for s in STATES))
            figures.sums.append(([at[s][i] for s in STATES], due))
            due_parts.append(due)
        figures.sums.append((due_parts, grand))
        at["due"] = [*due_parts, grand]
        placed.append((labels, at))
    shown = figures.suppressed()

    sections = []
    for (key, heading, label_heading, _labels, _group_of), (labels, at) in zip(
        tables, placed, strict=True
    ):
        rows = []
        for i, label in enumerate([*labels, TOTAL]):

            def cell(name: str, i: int = i, at: dict[str, list[int]] = at) -> Shown:
                return shown[at[name][i]]

            rows.append(
                Row(
                    label,
                    (
                        cell("due").text,
                        cell("invited").text,
                        cell("completed").text,
                        cell("overdue").text,
                        cell("missed").text,
                        percentage(cell("completed"), cell("due")),
                        cell("second_reminded").text,
                    ),
                    is_total=label == TOTAL,
                )
            )
        sections.append(
            Section(
                key=key,
                heading=heading,
                about=(
                    "Check-ins that fell due in the period. Completed, overdue and missed add up "
                    "to those that fell due; invited and reminded a second time are counted "
                    "beside them."
                ),
                columns=(
                    label_heading,
                    "Fell due",
                    "Invited",
                    "Completed",
                    "Overdue",
                    "Missed",
                    "Completed, of those due",
                    "Reminded a second time",
                ),
                rows=tuple(rows),
                chart=bar_chart(
                    key,
                    f"{heading}: completed",
                    "One bar for each row of the table after the chart: the check-ins "
                    "completed. Figures under 5 show as <5, and figures hidden to protect them "
                    "as *, without a bar.",
                    [
                        (label, (Figure(cell.number, cell.text),))
                        for label, cell in zip(
                            labels, (shown[i] for i in at["completed"][:-1]), strict=True
                        )
                    ],
                ),
                empty=not check_ins,
            )
        )
    return FollowUpConsole(
        sections=tuple(sections), fell_due=shown[grand].text, empty=not check_ins
    )
