"""The Outcomes part of the hub lead's report: did people get better, in each service component
and in each group of staff, and how many referrals each rate rests on (ADR 0040).

Counted over **eligible** referrals received in the period: assessed, and either closed (or
withdrawn) or received at least ELIGIBLE_AFTER ago, long enough for the first check-in and its
reminders. Of those, the ones with a paired outcome (wellbeing.score_pairs) give the rates; completeness says how many that is of the eligible, per component, so a rate is
never read without its denominator.

Every count goes through portal.suppression together with every sum a reader can see between
the tables (the components, each breakdown and the completeness table share their totals), as
the rest of the report does (ADRs 0015, 0021). A rate, its interval and a mean are shown only
when the counts they come from are shown and rest on at least 5 referrals.

Added up in SQL from each referral's outcome summary, worked out when its scores and assessments
change (wellbeing.outcome_summaries, ADR 0042): a fixed number of queries, whatever the number
of referrals, and no referral's scores read one by one. Nothing encrypted is read.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.charts import Figure, bar_chart
from portal.suppression import HIDDEN, MINIMUM_BASE, Shown, percentage, statistic
from wellbeing import outcome_summaries
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    DATABASE,
    ETHNIC_GROUP_CHOICES,
    SEX_CHOICES,
    STAFF_GROUP_CHOICES,
    AssessmentOutcome,
    MeasureSummary,
    Referral,
    ReferralStatus,
    Sector,
)
from wellbeing.outcomes import PAIRED_MEASURES
from wellbeing.queries.reports import NOT_GIVEN, Period, Row, Section, _Figures
from wellbeing.score_pairs import COMPONENT_LABELS, NOT_ASSESSED, Component
from wellbeing.statistics import MeanChange, PairSums, mean_change_of, wilson_interval

# Long enough after arriving for the first check-in (4 weeks after the outcome, which comes
# within a few working days) and its two reminders a week apart to be answered (ADR 0040).
ELIGIBLE_AFTER = datetime.timedelta(weeks=8)

ALL = "All referrals with paired scores"
EVERYONE = "All eligible referrals"

# The rates, in the order the tables show them: (key, heading, denominator key).
RATES = (
    ("recovered", "Recovery", "case_at_start"),
    ("improved", "Reliable improvement", "paired"),
    ("reliably_recovered", "Reliable recovery", "case_at_start"),
    ("deteriorated", "Reliable deterioration", "paired"),
)
COUNTS = ("paired", "case_at_start", "recovered", "improved", "reliably_recovered", "deteriorated")
OTHER_MEASURES = tuple(code for code in INSTRUMENTS if code not in PAIRED_MEASURES)


@dataclass(frozen=True)
class OutcomesReport:
    """The Outcomes part of the report: its sections in page order, and what it rests on."""

    sections: tuple[Section, ...]
    eligible_text: str  # the eligible referrals and those with paired scores, suppressed
    paired_text: str
    message: str = ""  # why there is nothing to show, in words, when there is not


# What each count of COUNTS counts, as a flag of the referral's outcome summary.
_FLAGS = {
    "paired": "paired",
    "case_at_start": "caseness_at_start",
    "recovered": "recovered",
    "improved": "reliably_improved",
    "reliably_recovered": "reliably_recovered",
    "deteriorated": "reliably_deteriorated",
}


@dataclass
class _Group:
    """One row of a table: the eligible referrals in it and the counts of COUNTS among them."""

    eligible: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, eligible: int, counts: Mapping[str, int]) -> None:
        self.eligible += eligible
        for key in COUNTS:
            self.counts[key] += counts[key]


# --- Reading -------------------------------------------------------------------------------------


def eligible_referrals(period: Period, now: datetime.datetime) -> QuerySet[Referral]:
    """Referrals received in the period that were assessed and have had time to be measured
    again: closed or withdrawn since, or received ELIGIBLE_AFTER ago or more."""
    return Referral.objects.using(DATABASE).filter(_eligible(period, now)).order_by()


def _eligible(period: Period, now: datetime.datetime, through: str = "") -> Q:
    """`eligible_referrals` as a condition, on the referral or `through` a relation to it."""
    return Q(
        **{
            f"{through}created_at__gte": period.starts,
            f"{through}created_at__lt": period.ends,
            f"{through}assessed_at__isnull": False,
        }
    ) & (
        Q(**{f"{through}status__in": (ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN)})
        | Q(**{f"{through}created_at__lte": now - ELIGIBLE_AFTER})
    )


def _groups(eligible: QuerySet[Referral], grouping: _Grouping) -> dict[str, _Group]:
    """One query: the eligible referrals and their outcome counts, by the grouping's label."""
    rows = (
        eligible.annotate(**grouping.columns)
        .values(*grouping.columns)
        .annotate(eligible=Count("pk"), **_flag_counts())
        .order_by()
    )
    found: dict[str, _Group] = {}
    for row in rows:
        found.setdefault(grouping.label_of(row), _Group()).add(row["eligible"], row)
    return found


def _all_groups(
    eligible: QuerySet[Referral], groupings: Sequence[_Grouping], *, one_pass: bool | None = None
) -> dict[str, dict[str, _Group]]:
    """`_groups` for every grouping. On PostgreSQL in one query, one pass over the referrals
    with GROUPING SETS (a table each); elsewhere (SQLite, `make run`) one query per grouping.
    Both give the same answer (tests/wellbeing/test_outcome_summaries.py)."""
    if one_pass is None:
        one_pass = connections[DATABASE].vendor == "postgresql"
    if not one_pass:
        return {g.key: _groups(eligible, g) for g in groupings}
    # Every column named apart, and never NULL: in a GROUPING SETS row the columns of the other
    # groupings are NULL, which is how a row says whose it is.
    columns: dict[str, Any] = {}
    owner: list[tuple[_Grouping, dict[str, str]]] = []
    for index, grouping in enumerate(groupings):
        names = {}
        for name, expression in grouping.columns.items():
            names[f"g{index}_{name}"] = name
            columns[f"g{index}_{name}"] = Coalesce(expression, Value(""), output_field=CharField())
        owner.append((grouping, names))
    query = (
        eligible.annotate(**columns)
        .values(*columns)
        .annotate(eligible=Count("pk"), **_flag_counts())
        .order_by()
    )
    sql, params = query.query.get_compiler(using=DATABASE).as_sql()
    grouped = re.search(r" GROUP BY ([0-9]+(?:, [0-9]+)*)$", sql)
    if grouped is None:  # not the SQL this was written for: count grouping by grouping
        return _all_groups(eligible, groupings, one_pass=False)
    position = {name: i + 1 for i, name in enumerate(columns)}
    sets = ", ".join(
        "(" + ", ".join(str(position[name]) for name in names) + ")" for _g, names in owner
    )
    sql = f"{sql[: grouped.start()]} GROUP BY GROUPING SETS ({sets})"
    found: dict[str, dict[str, _Group]] = {g.key: {} for g in groupings}
    with connections[DATABASE].cursor() as cursor:
        cursor.execute(sql, params)
        heads = [column.name for column in cursor.description or ()]
        for values in cursor.fetchall():
            row = dict(zip(heads, values, strict=True))
            for grouping, names in owner:
                if all(row[name] is not None for name in names):
                    mine = {plain: row[name] for name, plain in names.items()}
                    label = grouping.label_of(mine)
                    found[grouping.key].setdefault(label, _Group()).add(row["eligible"], row)
                    break
    return found


def _flag_counts() -> dict[str, Count]:
    return {
        key: Count("pk", filter=Q(**{f"outcome_summary__{flag}": True}))
        for key, flag in _FLAGS.items()
    }


def _pair_sums(period: Period, now: datetime.datetime) -> dict[str, dict[str, PairSums]]:
    """One query: per questionnaire, per component label, the sums of the pairs the outcomes
    count (wellbeing.score_pairs.counted_pairs)."""
    first, last = F("counted_first"), F("counted_last")
    whole: IntegerField[int, int] = IntegerField()
    rows = (
        MeasureSummary.objects.using(DATABASE)
        .filter(
            _eligible(period, now, through="referral__"),
            counted_first__isnull=False,
            counted_last__isnull=False,
        )
        .annotate(service=F("onward_service__name"))
        .values("instrument", "component", "service")
        .annotate(
            people=Count("pk"),
            first=Sum(ExpressionWrapper(first, output_field=whole)),
            first_squared=Sum(ExpressionWrapper(first * first, output_field=whole)),
            last=Sum(ExpressionWrapper(last, output_field=whole)),
            last_squared=Sum(ExpressionWrapper(last * last, output_field=whole)),
            first_times_last=Sum(ExpressionWrapper(first * last, output_field=whole)),
        )
        .order_by()
    )
    sums: dict[str, dict[str, PairSums]] = {code: {} for code in INSTRUMENTS}
    for row in rows:
        label = COMPONENT.label_of(row)
        found = PairSums.from_products(
            people=row["people"],
            first=row["first"],
            first_squared=row["first_squared"],
            last=row["last"],
            last_squared=row["last_squared"],
            first_times_last=row["first_times_last"],
        )
        by_label = sums.setdefault(row["instrument"], {})
        by_label[label] = by_label.get(label, PairSums()) + found
    return sums


# --- Grouping --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grouping:
    key: str
    heading: str
    label_heading: str
    about: str
    # The columns a group is read by (a name for each, and what it reads on the referral), and
    # the label of a group from them.
    columns: Mapping[str, Any]
    label_of: Callable[[Mapping[str, Any]], str]
    labels: Callable[[Mapping[str, int]], list[str]]  # every row, in order, from the groups found


def _fixed(choices: Sequence[tuple[str, str]]) -> Callable[[Mapping[str, int]], list[str]]:
    def labels(_found: Mapping[str, int]) -> list[str]:
        return [label for _value, label in choices] + [NOT_GIVEN]

    return labels


def _choice(column: str, choices: Sequence[tuple[str, str]]) -> Callable[[Mapping[str, Any]], str]:
    """The label of a stored value, or "Not given" for a blank or one no longer offered."""
    labels = dict(choices)

    def label(row: Mapping[str, Any]) -> str:
        return labels.get(str(row[column] or ""), NOT_GIVEN)

    return label


def _component_label(row: Mapping[str, Any]) -> str:
    return Component(row["component"] or "", row["service"] or "").label


def _component_labels(found: Mapping[str, int]) -> list[str]:
    """Each component, with an onward referral split by service (alphabetically)."""
    onward = COMPONENT_LABELS[AssessmentOutcome.ONWARD_REFERRAL]
    services = sorted({label for label in found if label.startswith(f"{onward}: ")})
    labels = []
    for outcome, label in COMPONENT_LABELS.items():
        if outcome == AssessmentOutcome.ONWARD_REFERRAL:
            labels += services
            if onward in found:  # an onward referral whose service is not recorded
                labels.append(onward)
        else:
            labels.append(label)
    if NOT_ASSESSED in found:
        labels.append(NOT_ASSESSED)
    return labels


def _organisation_labels(found: Mapping[str, int]) -> list[str]:
    """Named organisations, most referrals first, then "Not given"."""
    named = sorted((o for o in found if o != NOT_GIVEN), key=lambda o: (-found[o], o.lower()))
    return [*named, NOT_GIVEN]


COMPONENT = _Grouping(
    key="outcomes-by-component",
    heading="Outcomes by service component",
    label_heading="Service component",
    about=(
        "The service component is the outcome of each referral's latest rapid assessment; an "
        "onward referral is shown by the service it went to."
    ),
    columns={
        "component": F("outcome_summary__component"),
        "service": F("outcome_summary__onward_service__name"),
    },
    label_of=_component_label,
    labels=_component_labels,
)
BREAKDOWNS = (
    _Grouping(
        key="outcomes-by-staff-group",
        heading="Outcomes by staff group",
        label_heading="Staff group",
        about="The staff group people chose when they referred themselves.",
        columns={"group": F("staff_group")},
        label_of=_choice("group", STAFF_GROUP_CHOICES),
        labels=_fixed(STAFF_GROUP_CHOICES),
    ),
    _Grouping(
        key="outcomes-by-sex",
        heading="Outcomes by sex",
        label_heading="Sex",
        about="From the optional equality questions. Not given: left blank.",
        columns={"group": KeyTextTransform("sex", "equality_monitoring")},
        label_of=_choice("group", SEX_CHOICES),
        labels=_fixed(SEX_CHOICES),
    ),
    _Grouping(
        key="outcomes-by-ethnic-group",
        heading="Outcomes by ethnic group",
        label_heading="Ethnic group",
        about="From the optional equality questions (the five top-level ONS groups).",
        columns={"group": KeyTextTransform("ethnic_group", "equality_monitoring")},
        label_of=_choice("group", ETHNIC_GROUP_CHOICES),
        labels=_fixed(ETHNIC_GROUP_CHOICES),
    ),
    _Grouping(
        key="outcomes-by-organisation",
        heading="Outcomes by organisation",
        label_heading="Organisation",
        about="The organisation as people typed it, most referrals first.",
        columns={"group": F("organisation")},
        label_of=lambda row: (row["group"] or "").strip() or NOT_GIVEN,
        labels=_organisation_labels,
    ),
    _Grouping(
        key="outcomes-by-sector",
        heading="Outcomes by sector",
        label_heading="Sector",
        about=(
            "The kind of organisation people work for, as they chose it. Care home and "
            "emergency services staff are groups hubs have found hard to reach."
        ),
        columns={"group": F("sector")},
        label_of=_choice("group", Sector.choices),
        labels=_fixed(Sector.choices),
    ),
)


# --- Building the report ---------------------------------------------------------------------


def _rate(count: Shown, base: Shown) -> tuple[str, float | None]:
    """ "12 (60%, 39% to 78%)", or the count with "*" for a rate that cannot be shown: its
    count or base hidden, or a base under 5."""
    if count.number is None or base.number is None or base.number < MINIMUM_BASE:
        return f"{count.text} ({HIDDEN})", None
    share = count.number / base.number
    interval = wilson_interval(count.number, base.number)
    return (
        f"{count.text} ({_percent(share)}, {_percent(interval.low)} to {_percent(interval.high)})",
        share,
    )


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _rates_section(
    grouping: _Grouping, labels: list[str], shown: dict[str, list[Shown]], *, empty: bool
) -> Section:
    """One row per group and one for everyone: the referrals with paired scores, those at
    caseness at the start, and each rate with its count and interval."""
    rows = []
    chart_bars = []
    for i, label in enumerate([*labels, ALL]):
        figures = [shown["paired"][i].text, shown["case_at_start"][i].text]
        recovery_share = None
        for key, _heading, base in RATES:
            text, share = _rate(shown[key][i], shown[base][i])
            figures.append(text)
            if key == "recovered":
                recovery_share = share
        rows.append(Row(label, tuple(figures), is_total=label == ALL))
        if label != ALL:
            number = None if recovery_share is None else round(100 * recovery_share)
            chart_bars.append(
                (label, (Figure(number, HIDDEN if number is None else f"{number}%"),))
            )
    return Section(
        key=grouping.key,
        heading=grouping.heading,
        about=(
            f"{grouping.about} Each rate is followed by its count and the 95% Wilson interval, "
            "and rests on the referrals in the first two columns: recovery and reliable "
            "recovery on those at caseness at the start, reliable improvement and "
            "deterioration on all with paired scores."
        ),
        columns=(
            grouping.label_heading,
            "With paired scores",
            "At caseness at the start",
            *(f"{heading} (rate, 95% interval)" for _key, heading, _base in RATES),
        ),
        rows=tuple(rows),
        chart=bar_chart(
            grouping.key,
            f"Recovery rate, {grouping.heading[len('Outcomes ') :]}",
            "One bar for each row of the table after the chart: the share of people at "
            "caseness at the start who recovered. A rate resting on fewer than 5 people, or on "
            "a hidden count, shows as * without a bar.",
            chart_bars,
        ),
        empty=empty,
    )


def _completeness_section(
    labels: list[str],
    eligible: list[Shown],
    paired: list[Shown],
    missing: list[Shown],
    *,
    empty: bool,
) -> Section:
    """Eligible referrals, those with paired scores and those without, per component."""
    rows = []
    bars = []
    for i, label in enumerate([*labels, EVERYONE]):
        share = percentage(paired[i], eligible[i])
        rows.append(
            Row(
                label,
                (eligible[i].text, paired[i].text, missing[i].text, share),
                is_total=label == EVERYONE,
            )
        )
        if label != EVERYONE:
            number = None if share == HIDDEN else int(share[:-1])
            bars.append((label, (Figure(number, share),)))
    return Section(
        key="outcomes-completeness",
        heading="Completeness: referrals with paired scores",
        about=(
            "The rates below rest on these referrals. Eligible: received in the period, "
            "assessed, and closed since or received at least "
            f"{ELIGIBLE_AFTER.days // 7} weeks ago, so there has been time for a follow-up "
            "check-in or a therapy session to measure again. With paired scores: PHQ-9 and "
            "GAD-7 at self-referral and again at one later sitting. A low share means the "
            "rates describe only the people who answered again, who may have done better "
            "than those who did not."
        ),
        columns=("Service component", "Eligible", "With paired scores", "Without", "Share"),
        rows=tuple(rows),
        summary=(
            (
                "The outcomes rest on",
                f"{paired[-1].text} referrals with paired scores, of {eligible[-1].text} eligible",
            ),
        ),
        chart=bar_chart(
            "outcomes-completeness",
            "Share of eligible referrals with paired scores, by service component",
            "One bar for each row of the table after the chart. A share resting on fewer than "
            "5 referrals, or on a hidden count, shows as * without a bar.",
            bars,
        ),
        empty=empty,
    )


def _mean_text(change: MeanChange | None, people: Shown) -> tuple[str, str]:
    """The mean change with its 95% interval, and d_av: "*" from fewer than 5 people or when
    the number of people is hidden."""
    if change is None or people.number is None:
        return HIDDEN, HIDDEN
    mean = statistic(change.mean, change.people, places=1)
    if mean == HIDDEN or change.interval is None:
        return HIDDEN, HIDDEN
    low = statistic(change.interval.low, change.people, places=1)
    high = statistic(change.interval.high, change.people, places=1)
    effect = (
        statistic(change.effect_size, change.people, places=2)
        if change.effect_size is not None
        else HIDDEN
    )
    return f"{mean} ({low} to {high})", effect


def _mean_section(
    labels: list[str],
    changes: dict[str, list[MeanChange | None]],
    people: dict[str, list[Shown]],
    *,
    empty: bool,
) -> Section:
    rows = []
    for code in INSTRUMENTS:
        for i, label in enumerate([*labels, ALL]):
            if people[code][i].number == 0:
                continue
            mean, effect = _mean_text(changes[code][i], people[code][i])
            rows.append(Row(f"{code}: {label}", (people[code][i].text, mean, effect), label == ALL))
    return Section(
        key="outcomes-mean-change",
        heading="Mean change in scores by service component",
        about=(
            "Last score minus first, for each questionnaire answered at self-referral and "
            "again later (PHQ-9 and GAD-7 at the same later sitting; the others at their "
            "latest). On every questionnaire a lower score means less difficulty, so a "
            "negative change is an improvement. In brackets, the 95% confidence interval of "
            "the mean (t distribution). Effect size: Cohen's d_av, the mean change divided by "
            "the average of the standard deviations at the first and last sitting; about "
            "-0.2 is small, -0.5 medium and -0.8 large. Shown only from 5 people or more."
        ),
        columns=("Questionnaire and component", "People", "Mean change (95% interval)", "d_av"),
        rows=tuple(rows),
        chart=None,
        empty=empty,
    )


def outcomes_report(period: Period, now: datetime.datetime | None = None) -> OutcomesReport:
    """The Outcomes sections for `period`: completeness, the rates by component and by each
    group, and the mean change in scores, all suppressed together.

    Added up in SQL from each referral's outcome summary (ADR 0042): one query to find any
    summary to work out first, one per table, one for the mean changes."""
    now = now or timezone.now()
    eligible = eligible_referrals(period, now)
    outcome_summaries.ensure_current(eligible)
    groupings = (COMPONENT, *BREAKDOWNS)
    groups = _all_groups(eligible, groupings)
    labels = {
        g.key: g.labels({label: group.eligible for label, group in groups[g.key].items()})
        for g in groupings
    }
    tallies = {
        g.key: [groups[g.key].get(label, _Group()) for label in labels[g.key]] for g in groupings
    }
    # Every eligible referral is in one component: the components add up to everyone.
    overall = _Group()
    for group in groups[COMPONENT.key].values():
        overall.add(group.eligible, group.counts)
    eligible_by_component = [t.eligible for t in tallies[COMPONENT.key]]
    component_labels = labels[COMPONENT.key]
    pair_sums = _pair_sums(period, now)
    sums: dict[str, list[PairSums]] = {}
    for code in INSTRUMENTS:
        by_label = pair_sums.get(code, {})
        rows = [by_label.get(label, PairSums()) for label in component_labels]
        sums[code] = [*rows, sum(rows, PairSums())]

    # Every figure, with every sum between them, suppressed together.
    figures = _Figures()
    totals = {key: figures.add(overall.counts[key]) for key in COUNTS}
    shown_at: dict[str, dict[str, list[int]]] = {}
    for g in groupings:
        shown_at[g.key] = {}
        for key in COUNTS:
            parts = figures.add_parts((t.counts[key] for t in tallies[g.key]), totals[key])
            shown_at[g.key][key] = [*parts, totals[key]]
    # Completeness: eligible = with + without, per component and overall; "with" is the
    # component table's "paired", the same figures.
    paired_parts = shown_at[COMPONENT.key]["paired"]
    eligible_total = figures.add(overall.eligible)
    without_parts = []
    eligible_parts = []
    for row, n in enumerate(eligible_by_component):
        with_ = paired_parts[row]
        without = figures.add(n - figures.values[with_])
        whole = figures.add(n)
        figures.sums.append(([with_, without], whole))
        without_parts.append(without)
        eligible_parts.append(whole)
    without_total = figures.add(overall.eligible - overall.counts["paired"])
    figures.sums.append(([totals["paired"], without_total], eligible_total))
    figures.sums.append((eligible_parts, eligible_total))
    figures.sums.append((without_parts, without_total))
    # People per questionnaire: PHQ-9 and GAD-7 are the paired referrals themselves.
    people_at: dict[str, list[int]] = {}
    for code in INSTRUMENTS:
        if code in PAIRED_MEASURES:
            people_at[code] = paired_parts
        else:
            total = figures.add(sums[code][-1].people)
            parts = figures.add_parts((s.people for s in sums[code][:-1]), total)
            people_at[code] = [*parts, total]

    shown = figures.suppressed()

    def pick(positions: Iterable[int]) -> list[Shown]:
        return [shown[i] for i in positions]

    empty = overall.counts["paired"] == 0
    sections = [
        _completeness_section(
            component_labels,
            pick([*eligible_parts, eligible_total]),
            pick(paired_parts),
            pick([*without_parts, without_total]),
            empty=not overall.eligible,
        ),
        _rates_section(
            COMPONENT,
            component_labels,
            {key: pick(at) for key, at in shown_at[COMPONENT.key].items()},
            empty=empty,
        ),
        _mean_section(
            component_labels,
            {code: [mean_change_of(s) for s in sums[code]] for code in INSTRUMENTS},
            {code: pick(at) for code, at in people_at.items()},
            empty=empty,
        ),
        *(
            _rates_section(
                g,
                labels[g.key],
                {key: pick(at) for key, at in shown_at[g.key].items()},
                empty=empty,
            )
            for g in BREAKDOWNS
        ),
    ]
    if not overall.eligible:
        message = (
            f"No referral received in {period} is eligible for outcomes yet: a referral counts "
            f"once it has been assessed and either closed or received at least "
            f"{ELIGIBLE_AFTER.days // 7} weeks ago."
        )
    elif empty:
        message = (
            f"None of the eligible referrals received in {period} has paired scores yet: "
            "no one has answered the questionnaires again at a check-in or a therapy session."
        )
    else:
        message = ""
    return OutcomesReport(
        sections=tuple(sections),
        eligible_text=shown[eligible_total].text,
        paired_text=shown[totals["paired"]].text,
        message=message,
    )
