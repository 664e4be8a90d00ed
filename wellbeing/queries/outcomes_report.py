"""The Outcomes part of the hub lead's report: did people get better, in each service component
and in each group of staff, and how many referrals each rate rests on (ADR 0040).

Counted over **eligible** referrals received in the period: assessed, and either closed (or
withdrawn) or received at least ELIGIBLE_AFTER ago, long enough for the first check-in and its
reminders. Of those, the ones with a paired outcome (wellbeing.queries.outcomes.paired_scores)
give the rates; completeness says how many that is of the eligible, per component, so a rate is
never read without its denominator.

Every count goes through portal.suppression together with every sum a reader can see between
the tables (the components, each breakdown and the completeness table share their totals), as
the rest of the report does (ADRs 0015, 0021). A rate, its interval and a mean are shown only
when the counts they come from are shown and rest on at least 5 referrals.

A fixed number of queries, whatever the number of referrals: one for the eligible referrals,
one for their scores, two for their components. Nothing encrypted is read.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from portal.charts import Figure, bar_chart
from portal.suppression import HIDDEN, MINIMUM_BASE, Shown, percentage, statistic
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    DATABASE,
    ETHNIC_GROUP_CHOICES,
    SEX_CHOICES,
    STAFF_GROUP_CHOICES,
    AssessmentOutcome,
    Referral,
    ReferralStatus,
    Sector,
)
from wellbeing.outcomes import PAIRED_MEASURES, PairedOutcome, paired_outcome
from wellbeing.queries.outcomes import (
    COMPONENT_LABELS,
    NOT_ASSESSED,
    Component,
    PairedScores,
    components,
    paired_scores,
)
from wellbeing.queries.reports import NOT_GIVEN, Period, Row, Section, _Figures
from wellbeing.statistics import MeanChange, mean_change, wilson_interval

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
class Eligible:
    """One eligible referral: the plain categories the breakdowns count by."""

    referral_id: int
    staff_group: str
    sex: str
    ethnic_group: str
    organisation: str
    sector: str


@dataclass
class _Tally:
    """The counts of one row of a table, over referrals with a paired outcome."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, outcome: PairedOutcome) -> None:
        c = self.counts
        c["paired"] += 1
        c["case_at_start"] += outcome.caseness_at_start
        c["recovered"] += bool(outcome.recovery)
        c["improved"] += outcome.reliable_improvement
        c["reliably_recovered"] += bool(outcome.reliable_recovery)
        c["deteriorated"] += outcome.reliable_deterioration


@dataclass(frozen=True)
class OutcomesReport:
    """The Outcomes part of the report: its sections in page order, and what it rests on."""

    sections: tuple[Section, ...]
    eligible_text: str  # the eligible referrals and those with paired scores, suppressed
    paired_text: str
    message: str = ""  # why there is nothing to show, in words, when there is not


# --- Reading -------------------------------------------------------------------------------------


def eligible_referrals(period: Period, now: datetime.datetime) -> list[Eligible]:
    """Referrals received in the period that were assessed and have had time to be measured
    again: closed or withdrawn since, or received ELIGIBLE_AFTER ago or more. One query."""
    rows = (
        Referral.objects.using(DATABASE)
        .filter(
            created_at__gte=period.starts,
            created_at__lt=period.ends,
            assessed_at__isnull=False,
        )
        .filter(
            Q(status__in=(ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN))
            | Q(created_at__lte=now - ELIGIBLE_AFTER)
        )
        .order_by()
        .values_list("pk", "staff_group", "equality_monitoring", "organisation", "sector")
    )
    found = []
    for pk, staff_group, equality, organisation, sector in rows:
        answers = equality if isinstance(equality, dict) else {}
        found.append(
            Eligible(
                referral_id=pk,
                staff_group=staff_group or "",
                sex=str(answers.get("sex") or ""),
                ethnic_group=str(answers.get("ethnic_group") or ""),
                organisation=(organisation or "").strip(),
                sector=sector or "",
            )
        )
    return found


# --- Grouping --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grouping:
    key: str
    heading: str
    label_heading: str
    about: str
    group_of: Callable[[Eligible, Component], str]
    labels: Callable[[Sequence[str]], list[str]]  # every row, in order, from the groups found


def _fixed(choices: Sequence[tuple[str, str]]) -> Callable[[Sequence[str]], list[str]]:
    def labels(_found: Sequence[str]) -> list[str]:
        return [label for _value, label in choices] + [NOT_GIVEN]

    return labels


def _choice(choices: Sequence[tuple[str, str]]) -> Callable[[str], str]:
    """The label of a stored value, or "Not given" for a blank or one no longer offered."""
    labels = dict(choices)

    def label(value: str) -> str:
        return labels.get(value, NOT_GIVEN)

    return label


_STAFF_GROUP = _choice(STAFF_GROUP_CHOICES)
_SEX = _choice(SEX_CHOICES)
_ETHNIC_GROUP = _choice(ETHNIC_GROUP_CHOICES)
_SECTOR = _choice(Sector.choices)


def _component_labels(found: Sequence[str]) -> list[str]:
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


def _organisation_labels(found: Sequence[str]) -> list[str]:
    """Named organisations, most referrals first, then "Not given"."""
    counts: dict[str, int] = {}
    for label in found:
        counts[label] = counts.get(label, 0) + 1
    named = sorted((o for o in counts if o != NOT_GIVEN), key=lambda o: (-counts[o], o.lower()))
    return [*named, NOT_GIVEN]


COMPONENT = _Grouping(
    key="outcomes-by-component",
    heading="Outcomes by service component",
    label_heading="Service component",
    about=(
        "The service component is the outcome of each referral's latest rapid assessment; an "
        "onward referral is shown by the service it went to."
    ),
    group_of=lambda _e, component: component.label,
    labels=_component_labels,
)
BREAKDOWNS = (
    _Grouping(
        key="outcomes-by-staff-group",
        heading="Outcomes by staff group",
        label_heading="Staff group",
        about="The staff group people chose when they referred themselves.",
        group_of=lambda e, _c: _STAFF_GROUP(e.staff_group),
        labels=_fixed(STAFF_GROUP_CHOICES),
    ),
    _Grouping(
        key="outcomes-by-sex",
        heading="Outcomes by sex",
        label_heading="Sex",
        about="From the optional equality questions. Not given: left blank.",
        group_of=lambda e, _c: _SEX(e.sex),
        labels=_fixed(SEX_CHOICES),
    ),
    _Grouping(
        key="outcomes-by-ethnic-group",
        heading="Outcomes by ethnic group",
        label_heading="Ethnic group",
        about="From the optional equality questions (the five top-level ONS groups).",
        group_of=lambda e, _c: _ETHNIC_GROUP(e.ethnic_group),
        labels=_fixed(ETHNIC_GROUP_CHOICES),
    ),
    _Grouping(
        key="outcomes-by-organisation",
        heading="Outcomes by organisation",
        label_heading="Organisation",
        about="The organisation as people typed it, most referrals first.",
        group_of=lambda e, _c: e.organisation or NOT_GIVEN,
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
        group_of=lambda e, _c: _SECTOR(e.sector),
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
    group, and the mean change in scores, all suppressed together."""
    now = now or timezone.now()
    eligible = eligible_referrals(period, now)
    ids = [e.referral_id for e in eligible]
    scores = paired_scores(ids)
    component_of = components(ids)
    outcome_of: dict[int, PairedOutcome] = {}
    for referral_id, paired in scores.items():
        if paired.last and all(code in paired.first for code in PAIRED_MEASURES):
            outcome_of[referral_id] = _outcome(
                *(paired.first[code] for code in PAIRED_MEASURES),
                *(paired.last[code] for code in PAIRED_MEASURES),
            )

    groupings = (COMPONENT, *BREAKDOWNS)
    group_of = {
        g.key: {e.referral_id: g.group_of(e, component_of[e.referral_id]) for e in eligible}
        for g in groupings
    }
    labels = {g.key: g.labels(list(group_of[g.key].values())) for g in groupings}
    index = {key: {label: i for i, label in enumerate(found)} for key, found in labels.items()}

    tallies = {g.key: [_Tally() for _ in labels[g.key]] for g in groupings}
    overall = _Tally()
    eligible_by_component = [0] * len(labels[COMPONENT.key])
    for e in eligible:
        eligible_by_component[index[COMPONENT.key][group_of[COMPONENT.key][e.referral_id]]] += 1
        outcome = outcome_of.get(e.referral_id)
        if outcome is None:
            continue
        overall.add(outcome)
        for g in groupings:
            tallies[g.key][index[g.key][group_of[g.key][e.referral_id]]].add(outcome)

    # Mean change per questionnaire, by component and overall.
    component_labels = labels[COMPONENT.key]
    pairs: dict[str, list[list[tuple[float, float]]]] = {
        code: [[] for _ in range(len(component_labels) + 1)] for code in INSTRUMENTS
    }
    for e in eligible:
        paired_ = scores[e.referral_id]
        row = index[COMPONENT.key][group_of[COMPONENT.key][e.referral_id]]
        for code, (first, last) in _pairs_of(paired_, e.referral_id in outcome_of).items():
            pairs[code][row].append((first, last))
            pairs[code][-1].append((first, last))

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
    eligible_total = figures.add(len(eligible))
    without_parts = []
    eligible_parts = []
    for row, n in enumerate(eligible_by_component):
        with_ = paired_parts[row]
        without = figures.add(n - figures.values[with_])
        whole = figures.add(n)
        figures.sums.append(([with_, without], whole))
        without_parts.append(without)
        eligible_parts.append(whole)
    without_total = figures.add(len(eligible) - overall.counts["paired"])
    figures.sums.append(([totals["paired"], without_total], eligible_total))
    figures.sums.append((eligible_parts, eligible_total))
    figures.sums.append((without_parts, without_total))
    # People per questionnaire: PHQ-9 and GAD-7 are the paired referrals themselves.
    people_at: dict[str, list[int]] = {}
    for code in INSTRUMENTS:
        if code in PAIRED_MEASURES:
            people_at[code] = paired_parts
        else:
            total = figures.add(len(pairs[code][-1]))
            parts = figures.add_parts((len(p) for p in pairs[code][:-1]), total)
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
            empty=not eligible,
        ),
        _rates_section(
            COMPONENT,
            component_labels,
            {key: pick(at) for key, at in shown_at[COMPONENT.key].items()},
            empty=empty,
        ),
        _mean_section(
            component_labels,
            {code: [mean_change(p) for p in pairs[code]] for code in INSTRUMENTS},
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
    if not eligible:
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


@functools.lru_cache(maxsize=65_536)
def _outcome(*totals: int) -> PairedOutcome:
    """`PairedScores.outcome` for the first and last totals in PAIRED_MEASURES order, worked
    out once per distinct set of totals: at 10,000 referrals most repeat, and checking each
    total's range is most of the report's time otherwise."""
    half = len(PAIRED_MEASURES)
    return paired_outcome(
        first=dict(zip(PAIRED_MEASURES, totals[:half], strict=True)),
        last=dict(zip(PAIRED_MEASURES, totals[half:], strict=True)),
    )


def _pairs_of(scores: PairedScores, has_outcome: bool) -> dict[str, tuple[int, int]]:
    """(first, last) of each questionnaire measured at the start and later."""
    found: dict[str, tuple[int, int]] = {}
    if has_outcome:
        for code in PAIRED_MEASURES:
            found[code] = (scores.first[code], scores.last[code])
    for code, (total, _at) in scores.latest_other.items():
        if code in scores.first:
            found[code] = (scores.first[code], total)
    return found
