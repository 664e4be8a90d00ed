"""The outcome of referrals read from the confidential store, and what it says in words.

`paired_scores` reads many referrals' first and latest totals at once (the research extract);
the rules for which scores pair and which component a referral received are in
wellbeing.score_pairs, imported here for the pages that read them with these. The outcome
rules themselves live in `wellbeing.outcomes` (pure Python). Only plain totals are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import DATABASE, ScoreSource, ScreeningResult
from wellbeing.outcomes import PAIRED_MEASURES, PairedOutcome, reliable_change
from wellbeing.score_pairs import (
    COMPONENT_LABELS,
    NOT_ASSESSED,
    Component,
    PairedScores,
    Reading,
    components,
    paired_from,
    readings_of,
    referral_in,
)

__all__ = [
    "COMPONENT_LABELS",
    "NOT_ASSESSED",
    "Component",
    "OutcomeLine",
    "PairedScores",
    "Reading",
    "components",
    "outcome_lines",
    "paired_from",
    "paired_scores",
    "plain_scores",
    "readings_of",
    "worse_flag",
]


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
    scores = ScreeningResult.objects.using(DATABASE).filter(referral_in(ids))
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
