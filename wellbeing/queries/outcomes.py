"""Which scores pair for a referral's outcome, read from the confidential store.

The first is the self-referral's screening; the last is the latest completed later measure (a
follow-up check-in or a therapy session's measures). For PHQ-9 and GAD-7 the last is the latest
sitting that has both, so a paired outcome never mixes two days. A referral with no later
measure has no paired outcome: callers count it as such, never drop it silently.

The rules themselves live in `wellbeing.outcomes` (pure Python); this module only reads totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    DATABASE,
    Assessment,
    AssessmentOutcome,
    OnwardReferral,
    ScoreSource,
    ScreeningResult,
)
from wellbeing.outcomes import PAIRED_MEASURES, PairedOutcome, paired_outcome, reliable_change


@dataclass
class PairedScores:
    """One referral's first and latest scores, and the outcome they give."""

    referral_id: int
    first: dict[str, int] = field(default_factory=dict)
    # The latest later sitting holding both PHQ-9 and GAD-7, and when and where it was taken.
    last: dict[str, int] = field(default_factory=dict)
    last_at: datetime | None = None
    last_source: str = ""
    # The latest later total of every other questionnaire, with its own date.
    latest_other: dict[str, tuple[int, datetime]] = field(default_factory=dict)

    @property
    def outcome(self) -> PairedOutcome | None:
        """The paired PHQ-9/GAD-7 outcome, or None without a first and a later pair."""
        if not self.last or not all(code in self.first for code in PAIRED_MEASURES):
            return None
        return paired_outcome(first=self.first, last=self.last)

    def other_changes(self) -> dict[str, int]:
        """Reliable change (-1 better, 0 none, 1 worse) of each other questionnaire measured
        at the start and later, where the instrument publishes an index."""
        changes: dict[str, int] = {}
        for code, (total, _at) in self.latest_other.items():
            if code in self.first and INSTRUMENTS[code].reliable_change is not None:
                changes[code] = reliable_change(code, self.first[code], total)
        return changes


@dataclass(frozen=True)
class Reading:
    """One questionnaire total: what, how much, when and where (plain fields only)."""

    instrument: str
    total: int
    taken_at: datetime
    source: str


def readings_of(screenings: Iterable[ScreeningResult]) -> list[Reading]:
    """Screenings already loaded (a page's prefetch), as readings in the order they were taken."""
    ordered = sorted(screenings, key=lambda s: (s.taken_at, s.pk))
    return [Reading(s.instrument, s.total, s.taken_at, s.source) for s in ordered]


def paired_from(referral_id: int, readings: Iterable[Reading]) -> PairedScores:
    """One referral's paired scores from its readings in the order taken: the pure rule behind
    `paired_scores`, for a page that has loaded the screenings already (no query)."""
    scores = PairedScores(referral_id)
    # Later sittings, grouped by (when, where) so a pair comes from one sitting.
    sittings: dict[tuple[datetime, str], dict[str, int]] = {}
    for reading in readings:
        code, total = reading.instrument, reading.total
        if reading.source == ScoreSource.SELF_REFERRAL:
            scores.first.setdefault(code, total)
            continue
        sittings.setdefault((reading.taken_at, reading.source), {})[code] = total
        if code not in PAIRED_MEASURES:
            scores.latest_other[code] = (total, reading.taken_at)
    for (taken_at, source), totals in sorted(sittings.items(), reverse=True):
        if all(code in totals for code in PAIRED_MEASURES):
            scores.last = {code: totals[code] for code in PAIRED_MEASURES}
            scores.last_at, scores.last_source = taken_at, source
            break
    return scores


def paired_scores(referral_ids: Iterable[int]) -> dict[int, PairedScores]:
    """The paired scores of each referral in `referral_ids` (every id has an entry), reading
    only the scores' plain totals: the encrypted item answers are never read.

    On PostgreSQL, three queries that let the database pick each first and latest total
    (DISTINCT ON), so a report over 10,000 referrals reads three rows a referral rather than
    every score; elsewhere (SQLite, `make run`) one query over every score, sorted out here.
    Both give the same answer (tests/wellbeing/test_outcome_pairs.py)."""
    ids = list(referral_ids)
    if not ids:
        return {}
    if connections[DATABASE].vendor == "postgresql":
        return _paired_scores_in_sql(ids)
    return _paired_scores_in_python(ids)


def _referral_in(ids: list[int], field: str = "referral_id") -> Q:
    """`field` is one of `ids`. On PostgreSQL the ids go as one array parameter: a report's
    10,000 ids as 10,000 parameters cost more to send and parse than the query itself."""
    if connections[DATABASE].vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": ids})


def _paired_scores_in_python(ids: list[int]) -> dict[int, PairedScores]:
    readings: dict[int, list[Reading]] = {referral_id: [] for referral_id in ids}
    rows = (
        ScreeningResult.objects.using(DATABASE)
        .filter(referral_id__in=ids)
        .order_by("referral_id", "taken_at", "id")
        .values_list("referral_id", "instrument", "total", "taken_at", "source")
    )
    for referral_id, code, total, taken_at, source in rows.iterator(chunk_size=5000):
        readings[referral_id].append(Reading(code, total, taken_at, source))
    return {referral_id: paired_from(referral_id, found) for referral_id, found in readings.items()}


def _paired_scores_in_sql(ids: list[int]) -> dict[int, PairedScores]:
    # Plain fetches, not .iterator(): outside a transaction a server-side cursor is declared
    # WITH HOLD, which copies the whole result first; a few rows a referral fit in memory.
    paired = {referral_id: PairedScores(referral_id) for referral_id in ids}
    scores = ScreeningResult.objects.using(DATABASE).filter(_referral_in(ids))
    later = scores.exclude(source=ScoreSource.SELF_REFERRAL)
    # The first self-referral total of each questionnaire.
    for referral_id, code, total in (
        scores.filter(source=ScoreSource.SELF_REFERRAL)
        .order_by("referral_id", "instrument", "taken_at", "id")
        .distinct("referral_id", "instrument")
        .values_list("referral_id", "instrument", "total")
    ):
        paired[referral_id].first[code] = total
    # The latest later sitting with both PHQ-9 and GAD-7 (a sitting: the same moment and place).
    phq, gad = PAIRED_MEASURES
    partner = (
        ScreeningResult.objects.using(DATABASE)
        .filter(
            referral=OuterRef("referral"),
            taken_at=OuterRef("taken_at"),
            source=OuterRef("source"),
            instrument=gad,
        )
        .order_by("-id")
        .values("total")[:1]
    )
    for referral_id, first_measure, second_measure, taken_at, source in (
        later.filter(instrument=phq)
        .annotate(partner_total=Subquery(partner))
        .filter(partner_total__isnull=False)
        .order_by("referral_id", "-taken_at", "-source", "-id")
        .distinct("referral_id")
        .values_list("referral_id", "total", "partner_total", "taken_at", "source")
    ):
        found = paired[referral_id]
        found.last = {phq: first_measure, gad: second_measure}
        found.last_at, found.last_source = taken_at, source
    # The latest later total of every other questionnaire.
    for referral_id, code, total, taken_at in (
        later.exclude(instrument__in=PAIRED_MEASURES)
        .order_by("referral_id", "instrument", "-taken_at", "-id")
        .distinct("referral_id", "instrument")
        .values_list("referral_id", "instrument", "total", "taken_at")
    ):
        paired[referral_id].latest_other[code] = (total, taken_at)
    return paired


# --- What the outcome says, in words --------------------------------------------------------------

# NHS.UK tag colours by what a line says; every line says it in words too, never by colour alone.
BETTER, WORSE, MIXED, NEUTRAL = "green", "red", "orange", "grey"


@dataclass(frozen=True)
class OutcomeLine:
    """One statement about a referral's outcome for the clinician: words, a tag colour, and
    the figures behind it."""

    words: str
    tag: str
    detail: str = ""


def _moves(codes: Iterable[str], first: dict[str, int], last: dict[str, int]) -> str:
    return " and ".join(f"{code} ({first[code]} to {last[code]})" for code in codes)


def _paired_lines(outcome: PairedOutcome) -> list[OutcomeLine]:
    first, last = dict(outcome.first), dict(outcome.last)
    fell = [c for c in PAIRED_MEASURES if reliable_change(c, first[c], last[c]) < 0]
    rose = [c for c in PAIRED_MEASURES if reliable_change(c, first[c], last[c]) > 0]
    both = _moves(PAIRED_MEASURES, first, last)
    if outcome.reliable_improvement:
        change = OutcomeLine(f"Reliable improvement on {_moves(fell, first, last)}", BETTER, both)
    elif outcome.reliable_deterioration:
        change = OutcomeLine(
            "Reliable deterioration: review",
            WORSE,
            f"Rose reliably: {_moves(rose, first, last)}. All: {both}",
        )
    elif fell and rose:
        change = OutcomeLine(
            "Mixed change: review",
            MIXED,
            f"Better on {_moves(fell, first, last)}, worse on {_moves(rose, first, last)}",
        )
    else:
        change = OutcomeLine(
            "No reliable change",
            NEUTRAL,
            f"{both}: a change must be 6 or more on PHQ-9, or 4 or more on GAD-7",
        )
    threshold = "PHQ-9 of 10 or more, or GAD-7 of 8 or more"
    if outcome.recovery is None:
        recovery = OutcomeLine(
            "Recovery does not apply",
            NEUTRAL,
            f"Below the clinical threshold at referral ({threshold})",
        )
    elif outcome.reliable_recovery:
        recovery = OutcomeLine(
            "Recovered (reliable recovery)",
            BETTER,
            f"Above the clinical threshold at referral ({threshold}), below it now, with "
            "reliable improvement",
        )
    elif outcome.recovery:
        recovery = OutcomeLine(
            "Recovered",
            BETTER,
            f"Above the clinical threshold at referral ({threshold}) and below it now, without "
            "reliable improvement",
        )
    else:
        recovery = OutcomeLine(
            "Not recovered", NEUTRAL, f"Still at or above the clinical threshold ({threshold})"
        )
    return [change, recovery]


def _other_lines(scores: PairedScores) -> list[OutcomeLine]:
    lines = []
    for code, instrument in INSTRUMENTS.items():
        if code in PAIRED_MEASURES or code not in scores.latest_other or code not in scores.first:
            continue
        start, (latest, _at) = scores.first[code], scores.latest_other[code]
        moved = f"{code} ({start} to {latest})"
        index = instrument.reliable_change
        if index is None:
            lines.append(
                OutcomeLine(moved, NEUTRAL, "No published reliable change index for this measure")
            )
            continue
        reliable = f"a change of more than {index.threshold:.1f} is reliable"
        change = reliable_change(code, start, latest)
        if change < 0:
            lines.append(OutcomeLine(f"Reliable improvement on {moved}", BETTER, reliable))
        elif change > 0:
            lines.append(OutcomeLine(f"Reliable deterioration on {moved}: review", WORSE, reliable))
        else:
            lines.append(OutcomeLine(f"No reliable change on {moved}", NEUTRAL, reliable))
    return lines


def outcome_lines(scores: PairedScores) -> list[OutcomeLine]:
    """What a referral's scores say so far, for the clinician beside the score chart.

    "No paired score yet" when there is no later sitting with both PHQ-9 and GAD-7 (or none at
    the self-referral); then the reliable change of each other questionnaire measured twice.
    """
    outcome = scores.outcome
    if outcome is None:
        why = (
            "No PHQ-9 and GAD-7 at the self-referral to pair with"
            if not all(code in scores.first for code in PAIRED_MEASURES)
            else "Needs PHQ-9 and GAD-7 together at a later session or check-in"
        )
        lines = [OutcomeLine("No paired score yet", NEUTRAL, why)]
    else:
        lines = _paired_lines(outcome)
    return lines + _other_lines(scores)


# --- Worse since the last measure (the queue's flag) ---------------------------------------------

WORSE_SINCE_LAST = "Worse since the last measure"
WORSE_THAN_AT_REFERRAL = "Worse than at referral"


def worse_flag(readings: Iterable[Reading]) -> str:
    """The queue's flag when a referral's latest score rose reliably, in words; "" when none.

    For every questionnaire with a reliable change threshold (PHQ-9 and GAD-7 nationally, the
    others by a published index), its latest total is compared with the one before it, and with
    the self-referral's: a reliable rise on any is a flag (hazard log H16). Looked at per
    questionnaire, so a session that took only PHQ-9 still counts.
    """
    by_code: dict[str, list[int]] = {}
    first: dict[str, int] = {}
    for reading in readings:
        by_code.setdefault(reading.instrument, []).append(reading.total)
        if reading.source == ScoreSource.SELF_REFERRAL:
            first.setdefault(reading.instrument, reading.total)
    since_last = than_first = False
    for code, totals in by_code.items():
        instrument = INSTRUMENTS.get(code)
        if instrument is None or len(totals) < 2:
            continue
        if code not in PAIRED_MEASURES and instrument.reliable_change is None:
            continue
        if reliable_change(code, totals[-2], totals[-1]) > 0:
            since_last = True
        elif code in first and reliable_change(code, first[code], totals[-1]) > 0:
            than_first = True
    if since_last:
        return WORSE_SINCE_LAST
    return WORSE_THAN_AT_REFERRAL if than_first else ""


# The hub's service components, as the outcomes report and the research extract name them.
NOT_ASSESSED = "Not yet assessed"
COMPONENT_LABELS: dict[str, str] = {
    AssessmentOutcome.SELF_HELP: "Self-help",
    AssessmentOutcome.TEAM_SUPPORT: "Team-based support",
    AssessmentOutcome.DIRECT_THERAPY: "Direct therapy",
    AssessmentOutcome.ONWARD_REFERRAL: "Onward referral",
    AssessmentOutcome.CLOSE: "Closed after assessment",
}


@dataclass(frozen=True)
class Component:
    """The service component a referral received: its latest rapid assessment's outcome, and
    for an onward referral the service it went to (the first, by date sent)."""

    outcome: str  # an AssessmentOutcome value, or "" when not assessed
    service: str = ""

    @property
    def label(self) -> str:
        if not self.outcome:
            return NOT_ASSESSED
        label = COMPONENT_LABELS[self.outcome]
        return f"{label}: {self.service}" if self.service else label


def components(referral_ids: Iterable[int]) -> dict[int, Component]:
    """Each referral's component (every id has an entry), in two queries."""
    ids = list(referral_ids)
    outcome_of: dict[int, str] = {}
    for referral_id, outcome in (
        Assessment.objects.using(DATABASE)
        .filter(_referral_in(ids))
        .order_by("referral_id", "at", "id")
        .values_list("referral_id", "outcome")
        .iterator(chunk_size=5000)
    ):
        outcome_of[referral_id] = outcome  # the latest wins
    onward_ids = [i for i, o in outcome_of.items() if o == AssessmentOutcome.ONWARD_REFERRAL]
    service_of: dict[int, str] = {}
    if onward_ids:
        for referral_id, service in (
            OnwardReferral.objects.using(DATABASE)
            .filter(_referral_in(onward_ids))
            .order_by("referral_id", "-sent_on", "-id")
            .values_list("referral_id", "service__name")
        ):
            service_of[referral_id] = service  # the first sent wins (ordered newest first)
    return {
        referral_id: Component(outcome_of.get(referral_id, ""), service_of.get(referral_id, ""))
        for referral_id in ids
    }


# --- My scores, for the member of staff -----------------------------------------------------------

# What each questionnaire asks about, in the words my hub uses: no bands, no clinical labels
# ("moderately severe", "caseness", "deterioration"), which read as a diagnosis to the person
# and can alarm (hazard log H16).
PLAIN_TOPICS: dict[str, str] = {
    "PHQ-9": "low mood",
    "GAD-7": "anxiety",
    "PCL-5": "reactions to a stressful experience",
    "AUDIT-C": "alcohol use",
    "WSAS": "day-to-day impact on work and life",
}
PLAIN_WHERE: dict[str, str] = {
    ScoreSource.SELF_REFERRAL: "When you referred yourself",
    ScoreSource.CHECK_IN: "Check-in",
    ScoreSource.SESSION: "Therapy session",
}


@dataclass(frozen=True)
class PlainSitting:
    """The questionnaires answered at one time, as my hub lists them."""

    at: datetime
    where: str
    cells: list[str]  # per heading: "8 out of 27", or "" when not answered that time


@dataclass(frozen=True)
class PlainScores:
    headings: list[str]  # "Low mood (PHQ-9)": the questionnaires answered at least once
    sittings: list[PlainSitting]
    changes: list[str]  # one plain sentence per questionnaire answered more than once


def _plain_change(code: str, first: Reading, latest: Reading) -> str:
    topic, a, b = PLAIN_TOPICS.get(code, code), first.total, latest.total
    then = (
        "when you referred yourself"
        if first.source == ScoreSource.SELF_REFERRAL
        else f"on {timezone.localtime(first.taken_at):%-d %B %Y}"
    )
    instrument = INSTRUMENTS.get(code)
    if instrument is None or (code not in PAIRED_MEASURES and instrument.reliable_change is None):
        return f"Your {topic} score was {a} {then}, and {b} the latest time."
    change = reliable_change(code, a, b)
    if change < 0:
        return (
            f"Your {topic} score has gone down from {a} {then} to {b}. A lower score means "
            "these things have bothered you less."
        )
    if change > 0:
        return (
            f"Your {topic} score has gone up from {a} {then} to {b}. A higher score means these "
            "things have bothered you more. If things feel harder, you can tell your therapist "
            "or send the hub a message."
        )
    return (
        f"Your {topic} score is much the same as {then} ({a} then, {b} now). Small ups and "
        "downs from one time to the next are normal."
    )


def plain_scores(readings: Iterable[Reading]) -> PlainScores:
    """A member of staff's own scores over time, in plain words for my hub: totals "out of"
    the most a questionnaire can score, and whether each went down, up or stayed much the same
    since they referred themselves, by the same reliable change rules the hub uses."""
    ordered = list(readings)
    sittings: dict[tuple[datetime, str], dict[str, str]] = {}
    by_code: dict[str, list[Reading]] = {}
    for reading in ordered:
        instrument = INSTRUMENTS.get(reading.instrument)
        most = f" out of {instrument.max_total}" if instrument else ""
        sittings.setdefault((reading.taken_at, reading.source), {})[reading.instrument] = (
            f"{reading.total}{most}"
        )
        by_code.setdefault(reading.instrument, []).append(reading)
    codes = [code for code in INSTRUMENTS if code in by_code]
    return PlainScores(
        headings=[f"{PLAIN_TOPICS.get(code, code).capitalize()} ({code})" for code in codes],
        sittings=[
            PlainSitting(
                at, PLAIN_WHERE.get(source, source), [totals.get(code, "") for code in codes]
            )
            for (at, source), totals in sittings.items()
        ],
        changes=[
            _plain_change(code, by_code[code][0], by_code[code][-1])
            for code in codes
            if len(by_code[code]) > 1
        ],
    )
