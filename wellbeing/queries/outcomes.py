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
    paired = {referral_id: PairedScores(referral_id) for referral_id in ids}
    rows = (
        ScreeningResult.objects.using(DATABASE)
        .filter(referral_id__in=ids)
        .order_by("referral_id", "taken_at", "id")
        .values_list("referral_id", "instrument", "total", "taken_at", "source")
    )
    # Later sittings, grouped by (when, where) so a pair comes from one sitting.
    sittings: dict[int, dict[tuple[datetime, str], dict[str, int]]] = {}
    for referral_id, code, total, taken_at, source in rows.iterator(chunk_size=5000):
        scores = paired[referral_id]
        if source == ScoreSource.SELF_REFERRAL:
            scores.first.setdefault(code, total)
            continue
        sittings.setdefault(referral_id, {}).setdefault((taken_at, source), {})[code] = total
        if code not in PAIRED_MEASURES:
            scores.latest_other[code] = (total, taken_at)
    for referral_id, by_sitting in sittings.items():
        scores = paired[referral_id]
        for (taken_at, source), totals in sorted(by_sitting.items(), reverse=True):
            if all(code in totals for code in PAIRED_MEASURES):
                scores.last = {code: totals[code] for code in PAIRED_MEASURES}
                scores.last_at, scores.last_source = taken_at, source
                break
    return paired


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
