"""The hub lead's reports: counts for a period, every figure already suppressed.

Each section is a fixed number of aggregate queries on the confidential database, however many
referrals there are, and reads only plain fields (status, dates, staff group, organisation,
assessment outcomes, screening totals, equality monitoring categories, attendance counts):
nothing here decrypts anything. What leaves this module is text that has been through
portal.suppression, so neither the page nor the CSV can show a count from 1 to 4, nor a zero
that would give one away.

Time to assessment is counted in working days (bank holidays included), which SQL cannot do,
so the median is worked out in Python from one list of dates: fine at a hub's scale, and the
same on PostgreSQL and SQLite (`make run`), which has no percentile_cont.
"""

from __future__ import annotations

import datetime
import functools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from portal.charts import BarChart, Figure, bar_chart
from portal.suppression import (
    HIDDEN,
    Shown,
    percentage,
    statistic,
    suppress_figures,
    suppress_line,
    suppress_table,
)
from wellbeing import outcome_summaries
from wellbeing.contact_targets import contact_target
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    DATABASE,
    EQUALITY_QUESTIONS,
    STAFF_GROUP_CHOICES,
    AssessmentOutcome,
    CloseReason,
    EqualityQuestion,
    MeasureSummary,
    Referral,
    ReferralStatus,
    TeamSession,
    TeamSupportType,
)
from wellbeing.working_days import working_days_between

NOT_GIVEN = "Not given"

# The equality questions tabled answer by answer. Sex and ethnic group are in the uptake table
# (men, minority ethnic staff), as the hub has always reported them.
EQUALITY_TABLES = tuple(
    question for question in EQUALITY_QUESTIONS if question.key not in ("sex", "ethnic_group")
)

# Equality monitoring as the self-referral asks it (wellbeing.forms.self_referral.EqualityForm).
SEX_ANSWERS = ("female", "male")
# The form asks the five top-level ONS groups; "White" includes every White background.
WHITE = "white"
ETHNIC_GROUP_ANSWERS = ("asian", "black", "mixed", WHITE, "other")
# Care homes and emergency services have no staff group of their own, so they are found by
# the organisation the person typed. The page says which words count.
CARE_HOME_WORDS = ("care home", "nursing home", "residential home")
EMERGENCY_SERVICE_WORDS = ("ambulance", "fire and rescue", "fire & rescue", "police")


# --- The period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole months, `first` to `last` inclusive (each the first day of its month)."""

    first: datetime.date
    last: datetime.date

    @property
    def months(self) -> list[datetime.date]:
        months = []
        month = self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    @property
    def starts(self) -> datetime.datetime:
        return _start_of(self.first)

    @property
    def ends(self) -> datetime.datetime:
        """The first moment after the period."""
        return _start_of(next_month(self.last))

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_twelve_months(today: datetime.date | None = None) -> Period:
    """The default: this month and the 11 before it."""
    this_month = (today or timezone.localdate()).replace(day=1)
    return Period(first=months_back(this_month, 11), last=this_month)


# --- What a section holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[str, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    about: str
    columns: tuple[str, ...]  # the first names the row labels
    rows: tuple[Row, ...]
    chart: BarChart | None
    summary: tuple[tuple[str, str], ...] = ()
    empty: bool = False


def _chart(key: str, title: str, bars: Iterable[tuple[str, Shown]]) -> BarChart:
    return bar_chart(
        key,
        title,
        "One bar for each row of the table after the chart, which has the same figures. "
        "Figures under 5 show as <5, and figures hidden to protect them as *, without a bar.",
        [(label, (Figure(shown.number, shown.text),)) for label, shown in bars],
    )


def _counted_section(
    key: str,
    heading: str,
    about: str,
    label_heading: str,
    counts: Sequence[tuple[str, int]],
    shown: tuple[Sequence[Shown], Shown] | None = None,
) -> Section:
    """A one-column table of counts with its total, and a chart of the same figures. `shown` is
    the cells and total already suppressed with figures in other tables; without it the table
    is suppressed on its own."""
    cells, total = shown or suppress_line([n for _label, n in counts])
    labels = [label for label, _n in counts]
    rows = tuple(Row(label, (shown.text,)) for label, shown in zip(labels, cells, strict=True))
    return Section(
        key=key,
        heading=heading,
        about=about,
        columns=(label_heading, "Referrals"),
        rows=(*rows, Row("Total", (total.text,), is_total=True)),
        chart=_chart(key, heading, zip(labels, cells, strict=True)),
        empty=not any(n for _label, n in counts),
    )


# --- The queries --------------------------------------------------------------------------------


def _referrals(period: Period) -> QuerySet[Referral]:
    return Referral.objects.using(DATABASE).filter(
        created_at__gte=period.starts, created_at__lt=period.ends
    )


def _as_month(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value.replace(day=1)


class _Figures:
    """Counts that the report publishes in more than one table, with every sum a reader can see
    between them, to be suppressed together (portal.suppression.suppress_figures)."""

    def __init__(self) -> None:
        self.values: list[int] = []
        self.sums: list[tuple[list[int], int]] = []

    def add(self, value: int) -> int:
        self.values.append(value)
        return len(self.values) - 1

    def add_parts(self, values: Iterable[int], whole: int) -> list[int]:
        """Counts that add up to the figure `whole`."""
        parts = [self.add(value) for value in values]
        self.sums.append((parts, whole))
        return parts

    def suppressed(self) -> tuple[Shown, ...]:
        return suppress_figures(self.values, self.sums)


def _referral_sections(period: Period) -> tuple[Section, ...]:
    """Referrals by month, by staff group and by organisation, uptake by group, then referrals
    by each equality question the report tables (EQUALITY_TABLES).

    The months, staff groups, organisations and equality tables have one total, the period's
    referrals, and the uptake's care home and emergency services rows are out of those that
    named an organisation: that total less the organisation table's "Not given". Suppressed one
    table at a time, a total hidden in one table would be shown by another and give the hidden
    counts away (ADR 0021).
    """
    by_month = _counts_by_month(period)
    by_group = _counts_by_staff_group(period)
    by_organisation = _counts_by_organisation(period)
    answers_given = _equality_answers(period)
    groups = _uptake_counts(answers_given, by_organisation)
    figures = _Figures()
    everyone = figures.add(sum(n for _label, n in by_month))
    by_answer = _counts_by_equality_answer(answers_given, everyone=figures.values[everyone])
    month = figures.add_parts((n for _label, n in by_month), everyone)
    group = figures.add_parts((n for _label, n in by_group), everyone)
    organisation = figures.add_parts((n for _label, n in by_organisation), everyone)
    answers = [
        figures.add_parts((n for _label, n in by_answer[question.key]), everyone)
        for question in EQUALITY_TABLES
    ]
    not_given = organisation[-1]
    named = figures.add(figures.values[everyone] - figures.values[not_given])
    figures.sums.append(([named, not_given], everyone))
    uptake = []
    for label, n, base in groups:
        whole = named if base is None else figures.add(base)
        members = figures.add_parts((n, figures.values[whole] - n), whole)
        uptake.append((label, members, whole))
    shown = figures.suppressed()

    def line(parts: list[int]) -> tuple[list[Shown], Shown]:
        return [shown[i] for i in parts], shown[everyone]

    return (
        _month_section(by_month, line(month)),
        _staff_group_section(by_group, line(group)),
        _organisation_section(by_organisation, line(organisation)),
        _uptake_section(
            [(label, shown[n], shown[other], shown[whole]) for label, (n, other), whole in uptake],
            empty=not any(figures.values[whole] for _label, _members, whole in uptake),
        ),
        *(
            _equality_section(question, by_answer[question.key], line(parts))
            for question, parts in zip(EQUALITY_TABLES, answers, strict=True)
        ),
    )


def referrals_by_month(period: Period) -> Section:
    """The section as the report shows it, suppressed with the tables that share its total."""
    return _referral_sections(period)[0]


def referrals_by_staff_group(period: Period) -> Section:
    return _referral_sections(period)[1]


def referrals_by_organisation(period: Period) -> Section:
    return _referral_sections(period)[2]


def under_represented_groups(period: Period) -> Section:
    return _referral_sections(period)[3]


def referrals_by_equality_answers(period: Period) -> list[Section]:
    """Referrals by age, disability, sexual orientation and religion or belief, as the report
    shows them."""
    return list(_referral_sections(period)[4:])


# Each referral's answers to the equality questions, by question key ("" for no answer).
Answers = dict[str, str]


def _equality_answers(period: Period) -> list[tuple[Answers, int]]:
    """One query: the period's referrals counted by their answers to every equality question
    together. Grouping by the answers reads each referral's answers once, where a count per
    answer read them once per answer offered."""
    columns = {
        f"answer_{index}": KeyTextTransform(question.key, "equality_monitoring")
        for index, question in enumerate(EQUALITY_QUESTIONS)
    }
    rows = (
        _referrals(period).annotate(**columns).values(*columns).annotate(n=Count("pk")).order_by()
    )
    return [
        (
            {
                question.key: row[f"answer_{index}"] or ""
                for index, question in enumerate(EQUALITY_QUESTIONS)
            },
            row["n"],
        )
        for row in rows
    ]


def _counts_by_equality_answer(
    answers_given: list[tuple[Answers, int]], *, everyone: int
) -> dict[str, list[tuple[str, int]]]:
    """Each tabled equality question's answers, with "Not given" (no answer, or an answer no
    longer offered) as what is left of the period's `everyone`."""
    tables = {}
    for question in EQUALITY_TABLES:
        counts: dict[str, int] = {}
        for answers, n in answers_given:
            counts[answers[question.key]] = counts.get(answers[question.key], 0) + n
        rows = [(label, counts.get(value, 0)) for value, label in question.choices]
        rows.append((NOT_GIVEN, everyone - sum(n for _label, n in rows)))
        tables[question.key] = rows
    return tables


def _equality_section(
    question: EqualityQuestion, counts: list[tuple[str, int]], shown: tuple[list[Shown], Shown]
) -> Section:
    return _counted_section(
        f"equality-{question.key.replace('_', '-')}",
        f"Referrals by {question.name[0].lower()}{question.name[1:]}",
        (
            f"The answer people chose to the optional equality question on "
            f"{question.name[0].lower()}{question.name[1:]}. Compare each share with the "
            "workforce's to see who the hub may be under-serving. Not given: people who left "
            "the question blank, or referred themselves before it was asked."
        ),
        question.name,
        counts,
        shown,
    )


def _counts_by_month(period: Period) -> list[tuple[str, int]]:
    counts = {
        _as_month(row["month"]): row["n"]
        for row in _referrals(period)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(f"{month:%B %Y}", counts.get(month, 0)) for month in period.months]


def _month_section(counts: list[tuple[str, int]], shown: tuple[list[Shown], Shown]) -> Section:
    return _counted_section(
        "month",
        "Referrals by month",
        "Self-referrals received in each month.",
        "Month",
        counts,
        shown,
    )


def _counts_by_staff_group(period: Period) -> list[tuple[str, int]]:
    counts = {
        row["staff_group"]: row["n"]
        for row in _referrals(period).values("staff_group").annotate(n=Count("pk")).order_by()
    }
    rows = [(label, counts.pop(value, 0)) for value, label in STAFF_GROUP_CHOICES]
    rows.append((NOT_GIVEN, sum(counts.values())))  # blank, or a group no longer offered
    return rows


def _staff_group_section(
    counts: list[tuple[str, int]], shown: tuple[list[Shown], Shown]
) -> Section:
    return _counted_section(
        "staff-group",
        "Referrals by staff group",
        "The staff group people chose when they referred themselves.",
        "Staff group",
        counts,
        shown,
    )


def _counts_by_organisation(period: Period) -> list[tuple[str, int]]:
    """Named organisations largest first, then "Not given" last."""
    counts: dict[str, int] = {}
    for row in _referrals(period).values("organisation").annotate(n=Count("pk")).order_by():
        label = row["organisation"].strip() or NOT_GIVEN
        counts[label] = counts.get(label, 0) + row["n"]
    named = sorted((item for item in counts.items() if item[0] != NOT_GIVEN), key=_largest_first)
    return [*named, (NOT_GIVEN, counts.get(NOT_GIVEN, 0))]


def _organisation_section(
    counts: list[tuple[str, int]], shown: tuple[list[Shown], Shown]
) -> Section:
    return _counted_section(
        "organisation",
        "Referrals by organisation",
        "The organisation as people typed it, so one organisation may appear under more than "
        "one spelling.",
        "Organisation",
        counts,
        shown,
    )


def _largest_first(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0].lower()


@dataclass(frozen=True)
class _Timing:
    """Referrals received in the period against their rapid-assessment target, as of now."""

    working_days: list[int]  # from arrival to assessment, for each assessed referral
    within: int  # assessed before the target passed
    after: int  # assessed after it
    waiting_past: int  # not assessed, still waiting, and the target has passed: missed too

    @property
    def assessed(self) -> int:
        return self.within + self.after


def _timing(period: Period, now: datetime.datetime) -> _Timing:
    """One query: the assessed referrals and those still waiting, each against its own target
    (wellbeing.contact_targets: working days when routine, hours when urgent).

    Grouped in SQL by the day a referral arrived and the day it was assessed (local days), so
    the working-day calendar is walked once per pair of days, not once per referral. An urgent
    target counts hours from a moment, so whether it was met (or has passed) is asked of each
    referral in SQL, in the same query."""
    waiting = (ReferralStatus.NEW, ReferralStatus.IN_ASSESSMENT)
    urgent_due = ExpressionWrapper(
        Coalesce("urgent_since", "created_at")
        + datetime.timedelta(hours=settings.HUB_URGENT_CONTACT_TARGET_HOURS),
        output_field=DateTimeField(),
    )
    rows = (
        _referrals(period)
        .filter(Q(assessed_at__isnull=False) | Q(status__in=waiting))
        .annotate(
            received_on=TruncDate("created_at"),
            assessed_on=TruncDate("assessed_at"),
            urgent_due=urgent_due,
        )
        .annotate(
            # Urgent only: assessed before its target, or (still waiting) the target not passed.
            in_time=Case(
                When(urgent=False, then=Value(None)),
                When(assessed_at__isnull=False, assessed_at__lt=F("urgent_due"), then=Value(True)),
                When(assessed_at__isnull=True, urgent_due__gt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(null=True),
            ),
        )
        .values_list("received_on", "assessed_on", "urgent", "in_time")
        .annotate(n=Count("pk"))
        .order_by()
    )
    working_days: list[int] = []
    within = after = waiting_past = 0
    for received_on, assessed_on, urgent, in_time, n in rows:
        if urgent:
            met, passed = bool(in_time), not in_time
        else:
            due_at, first_day_past = _routine_target(
                received_on, settings.HUB_CONTACT_TARGET_WORKING_DAYS
            )
            passed = now >= due_at
            met = assessed_on is not None and assessed_on < first_day_past
        if assessed_on is None:
            waiting_past += n * passed
            continue
        working_days += [_working_days_between(received_on, assessed_on)] * n
        if met:
            within += n
        else:
            after += n
    return _Timing(working_days, within, after, waiting_past)


@functools.lru_cache(maxsize=4096)
def _routine_target(
    received_on: datetime.date, working_days: int
) -> tuple[datetime.datetime, datetime.date]:
    """A routine target depends only on the day a referral arrived (and the target's length,
    a setting, so part of the key): the moment it passes, and the first day past it."""
    received_at = timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))
    target = contact_target(received_at, urgent=False)
    return target.due_at, timezone.localdate(target.due_at)


_working_days_between = functools.lru_cache(maxsize=16_384)(working_days_between)


def _assessment_sections(
    period: Period, now: datetime.datetime | None = None
) -> tuple[Section, Section]:
    """Time to assessment and outcomes. Recording an assessment sets `assessed_at`, so the
    assessed referrals of the first are the referrals of the second: where their totals agree
    they are suppressed together, or a total hidden in one would be shown by the other (ADR
    0021). Referrals still waiting past their target count as missing it (issue 13): a share
    "within the target" of the assessed alone would read 100% while people wait."""
    timing = _timing(period, now or timezone.now())
    by_outcome = _counts_by_outcome(period)
    outcome_counts = [n for _label, n in by_outcome]
    figures = _Figures()
    counted = figures.add(timing.assessed + timing.waiting_past)
    assessed = figures.add(timing.assessed)
    waiting_past = figures.add(timing.waiting_past)
    timing_parts = [
        *figures.add_parts((timing.within, timing.after), assessed),
        waiting_past,
    ]
    figures.sums.append((timing_parts, counted))
    figures.sums.append(([assessed, waiting_past], counted))
    shared_total = sum(outcome_counts) == timing.assessed
    if shared_total:
        outcome_parts = figures.add_parts(outcome_counts, assessed)
    shown = figures.suppressed()
    timing_shown = ([shown[i] for i in timing_parts], shown[counted])
    if shared_total:
        outcome_shown = ([shown[i] for i in outcome_parts], shown[assessed])
    else:
        outcome_shown = _as_lists(suppress_line(outcome_counts))
    return (
        _time_to_assessment_section(timing, timing_shown),
        _outcomes_section(by_outcome, outcome_shown),
    )


def _as_lists(line: tuple[tuple[Shown, ...], Shown]) -> tuple[list[Shown], Shown]:
    return list(line[0]), line[1]


def time_to_assessment(period: Period, now: datetime.datetime | None = None) -> Section:
    """The section as the report shows it, suppressed with the outcomes it shares a total with."""
    return _assessment_sections(period, now)[0]


def outcomes(period: Period) -> Section:
    return _assessment_sections(period)[1]


def _time_to_assessment_section(timing: _Timing, shown: tuple[list[Shown], Shown]) -> Section:
    cells, total = shown
    days = timing.working_days
    median = statistics.median(days) if days else None
    routine = settings.HUB_CONTACT_TARGET_WORKING_DAYS
    urgent = settings.HUB_URGENT_CONTACT_TARGET_HOURS
    return Section(
        key="time-to-assessment",
        heading="Time from referral to assessment",
        about=(
            f"Referrals received in the period that have had a rapid assessment, or are still "
            f"waiting for one after their target. The target is {routine} working days "
            f"(Monday to Friday, not bank holidays) from the day the referral arrived, or "
            f"{urgent} hours, counted on every day, for an urgent referral. A referral still "
            f"waiting past its target has missed it. The median counts assessed referrals "
            f"only, in working days."
        ),
        columns=("Against the target", "Referrals"),
        rows=(
            Row("Assessed within the target", (cells[0].text,)),
            Row("Assessed after the target", (cells[1].text,)),
            Row("Still waiting, past the target", (cells[2].text,)),
            Row("Total", (total.text,), is_total=True),
        ),
        chart=_chart(
            "time-to-assessment",
            "Referrals assessed within the target, after it, and still waiting past it",
            [
                ("Assessed within the target", cells[0]),
                ("Assessed after the target", cells[1]),
                ("Still waiting, past the target", cells[2]),
            ],
        ),
        summary=(
            ("Median time to assessment", _in_working_days(median, len(days))),
            ("Met the target", percentage(cells[0], total)),
        ),
        empty=not (timing.assessed or timing.waiting_past),
    )


def _in_working_days(median: float | None, base: int) -> str:
    text = statistic(median, base, places=1)
    if text == HIDDEN:
        return text
    return f"{text} working day{'' if text == '1' else 's'}"


def _counts_by_outcome(period: Period) -> list[tuple[str, int]]:
    """Assessed referrals by their latest assessment's outcome, from their outcome summaries
    (ADR 0042)."""
    referrals = _referrals(period)
    outcome_summaries.ensure_current(referrals)
    counts = {
        row["outcome"]: row["n"]
        for row in referrals.exclude(outcome_summary__component="")
        .values(outcome=F("outcome_summary__component"))
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(label, counts.get(value, 0)) for value, label in AssessmentOutcome.choices]


def _outcomes_section(counts: list[tuple[str, int]], shown: tuple[list[Shown], Shown]) -> Section:
    return _counted_section(
        "outcomes",
        "Outcomes of rapid assessments",
        "For referrals received in the period that have been assessed: the outcome of the "
        "latest assessment.",
        "Outcome",
        counts,
        shown,
    )


def closed_referrals(period: Period) -> Section:
    counts = {
        row["close_reason"]: row["n"]
        for row in _referrals(period)
        .filter(status=ReferralStatus.CLOSED)
        .values("close_reason")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [(label, counts.pop(value, 0)) for value, label in CloseReason.choices]
    rows.append((NOT_GIVEN, sum(counts.values())))
    return _counted_section(
        "closed",
        "Why referrals were closed",
        "Referrals received in the period and since closed, by the reason given.",
        "Reason",
        rows,
    )


def score_change(period: Period) -> Section:
    """First against latest total, per questionnaire, for referrals screened at least twice.

    Every questionnaire the hub uses scores higher for more difficulty, so a lower latest
    total is an improvement.
    """
    referrals = _referrals(period)
    outcome_summaries.ensure_current(referrals)
    # Per questionnaire, from each referral's first and latest total (ADR 0042): how many
    # improved, stayed the same and got worse, and the changes' sum for the mean.
    change = ExpressionWrapper(F("latest") - F("first"), output_field=IntegerField())
    counted = {
        row["instrument"]: row
        for row in MeasureSummary.objects.using(DATABASE)
        .filter(referral__in=referrals, times__gte=2)
        .values("instrument")
        .annotate(
            improved=Count("pk", filter=Q(latest__lt=F("first"))),
            same=Count("pk", filter=Q(latest=F("first"))),
            worse=Count("pk", filter=Q(latest__gt=F("first"))),
            people=Count("pk"),
            change=Sum(change),
        )
        .order_by()
    }
    codes = list(dict.fromkeys([*INSTRUMENTS, *sorted(counted)]))
    grid = [
        [counted[code][kind] if code in counted else 0 for kind in ("improved", "same", "worse")]
        for code in codes
    ]
    table = suppress_table(grid, row_totals=True)
    assert table.row_totals is not None  # noqa: S101 - asked for above
    rows = []
    for code, cells, total in zip(codes, table.cells, table.row_totals, strict=True):
        people = counted[code]["people"] if code in counted else 0
        mean = counted[code]["change"] / people if people else None
        rows.append(
            Row(
                code,
                (*(cell.text for cell in cells), total.text, statistic(mean, people, places=1)),
            )
        )
    return Section(
        key="score-change",
        heading="Change in scores between first and latest screening",
        about=(
            "For referrals received in the period that have completed the same questionnaire "
            "at least twice: the latest total against the first. On every questionnaire a "
            "lower score means less difficulty, so a negative mean change is an improvement. "
            "The PCL-5 is asked only of people who said something traumatic or very distressing "
            "had happened to them, or preferred not to say: people who said no are not in its "
            "row, rather than counted with a score of 0."
        ),
        columns=("Questionnaire", "Improved", "Same", "Worse", "People", "Mean change"),
        rows=tuple(rows),
        chart=_chart(
            "score-change",
            "People whose scores improved, by questionnaire",
            [(code, cells[0]) for code, cells in zip(codes, table.cells, strict=True)],
        ),
        empty=not counted,
    )


def team_sessions(period: Period, now: datetime.datetime | None = None) -> Section:
    delivered = (
        TeamSession.objects.using(DATABASE)
        .filter(
            starts_at__gte=period.starts,
            starts_at__lt=min(period.ends, now or timezone.now()),
            cancelled_at__isnull=True,
        )
        .values(support_type=F("request__support_type"))
        .annotate(sessions=Count("pk"), attended=Sum("attended"))
        .order_by()
    )
    counts = {row["support_type"]: (row["sessions"], row["attended"] or 0) for row in delivered}
    kinds = TeamSupportType.choices
    table = suppress_table(
        [list(counts.get(value, (0, 0))) for value, _label in kinds], column_totals=True
    )
    assert table.column_totals is not None  # noqa: S101 - asked for above
    rows = [
        Row(label, tuple(cell.text for cell in cells))
        for (_value, label), cells in zip(kinds, table.cells, strict=True)
    ]
    rows.append(Row("Total", tuple(t.text for t in table.column_totals), is_total=True))
    return Section(
        key="team-sessions",
        heading="Team sessions delivered",
        about=(
            "Sessions for teams that took place in the period and were not cancelled, with the "
            "number of people the facilitator recorded as attending."
        ),
        columns=("Type of support", "Sessions", "People attending"),
        rows=tuple(rows),
        chart=_chart(
            "team-sessions",
            "Team sessions delivered, by type of support",
            [(label, cells[0]) for (_value, label), cells in zip(kinds, table.cells, strict=True)],
        ),
        empty=not counts,
    )


def _uptake_counts(
    answers_given: list[tuple[Answers, int]], by_organisation: list[tuple[str, int]]
) -> list[tuple[str, int, int | None]]:
    """Each group's referrals and the referrals that answered its question; None where that is
    the referrals that named an organisation, which the organisation table already implies."""
    men = sex_answered = minority = ethnic_answered = 0
    for answers, n in answers_given:
        if answers["sex"] in SEX_ANSWERS:
            sex_answered += n
            men += n * (answers["sex"] == "male")
        if answers["ethnic_group"] in ETHNIC_GROUP_ANSWERS:
            ethnic_answered += n
            minority += n * (answers["ethnic_group"] != WHITE)

    def named_with(words: Sequence[str]) -> int:
        return sum(
            n
            for organisation, n in by_organisation
            if organisation != NOT_GIVEN and any(word in organisation.lower() for word in words)
        )

    return [
        ("Men", men, sex_answered),
        ("Minority ethnic staff", minority, ethnic_answered),
        ("Care home staff", named_with(CARE_HOME_WORDS), None),
        ("Emergency services staff", named_with(EMERGENCY_SERVICE_WORDS), None),
    ]


def _uptake_section(groups: list[tuple[str, Shown, Shown, Shown]], *, empty: bool) -> Section:
    rows = tuple(
        Row(label, (n.text, others.text, base.text, percentage(n, base)))
        for label, n, others, base in groups
    )
    care_words = ", ".join(f"“{w}”" for w in CARE_HOME_WORDS)
    emergency_words = ", ".join(f"“{w}”" for w in EMERGENCY_SERVICE_WORDS)
    return Section(
        key="uptake",
        heading="Uptake by groups that hubs have found under-represented",
        about=(
            "Each share is of the referrals that answered the question. Sex and ethnic group "
            "come from the optional equality questions; people who preferred not to say, or "
            "did not answer, are left out of both the group and the people who answered. "
            "Minority ethnic staff are those who chose an ethnic group other than White (the "
            "form asks the five top-level groups, so White includes every White background). "
            "Care homes and emergency services have no staff group of their own, so they are "
            f"found by the organisation people typed: care home staff are those whose "
            f"organisation contains {care_words}; emergency services staff, "
            f"{emergency_words}. Those shares are of referrals that named an organisation."
        ),
        columns=("Group", "Referrals from the group", "Other referrals", "Answered", "Share"),
        rows=rows,
        chart=_chart(
            "uptake",
            "Referrals from each under-represented group",
            [(label, n) for label, n, _others, _base in groups],
        ),
        empty=empty,
    )


def hub_report(period: Period) -> list[Section]:
    """Every section, in the order the page and the CSV show them."""
    by_month, by_staff_group, by_organisation, uptake, *by_equality = _referral_sections(period)
    timing, by_outcome = _assessment_sections(period)
    return [
        by_month,
        by_staff_group,
        by_organisation,
        timing,
        by_outcome,
        closed_referrals(period),
        score_change(period),
        team_sessions(period),
        uptake,
        *by_equality,
    ]


def csv_rows(period: Period, sections: Sequence[Section]) -> list[list[str]]:
    """The report as CSV rows: one block per section, with only the suppressed figures."""
    rows: list[list[str]] = [
        [f"Resilience Hub report, {period}"],
        [
            "<5 means fewer than 5, possibly 0. "
            "* means hidden so that a figure under 5 cannot be worked out."
        ],
    ]
    for section in sections:
        rows += [[], [section.heading], list(section.columns)]
        rows += [[row.label, *row.figures] for row in section.rows]
        rows += [[label, value] for label, value in section.summary]
    return rows
