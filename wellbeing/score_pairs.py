"""Which scores pair for a referral's outcome, and which service component it received: the
rules every outcome figure reads (the referral page, the reports, the research extract and the
per-referral outcome summaries of wellbeing.outcome_summaries).

The first scores are the self-referral's screening; the last is the latest completed later
measure (a follow-up check-in or a therapy session's measures). For PHQ-9 and GAD-7 the last is
the latest sitting that has both, so a paired outcome never mixes two days. A referral with no
later measure has no paired outcome: callers count it as such, never drop it silently.

The outcome rules themselves live in `wellbeing.outcomes` (pure Python); this module applies
them to a referral's readings and reads only plain totals, never the encrypted item answers.
It sits beside the layers (not in services/ or queries/) because both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections
from django.db.models import Q
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


def counted_pairs(scores: PairedScores) -> dict[str, tuple[int, int]]:
    """(first, last) of each questionnaire as the outcomes count it: PHQ-9 and GAD-7 from the
    paired sitting when there is a paired outcome; every other questionnaire answered at the
    self-referral and later, at its latest."""
    found: dict[str, tuple[int, int]] = {}
    if scores.outcome is not None:
        for code in PAIRED_MEASURES:
            found[code] = (scores.first[code], scores.last[code])
    for code, (total, _at) in scores.latest_other.items():
        if code in scores.first:
            found[code] = (scores.first[code], total)
    return found


def referral_in(ids: list[int], field: str = "referral_id") -> Q:
    """`field` is one of `ids`. On PostgreSQL the ids go as one array parameter: a report's
    10,000 ids as 10,000 parameters cost more to send and parse than the query itself."""
    if connections[DATABASE].vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": ids})


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
    service_id: int | None = None

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
        .filter(referral_in(ids))
        .order_by("referral_id", "at", "id")
        .values_list("referral_id", "outcome")
        .iterator(chunk_size=5000)
    ):
        outcome_of[referral_id] = outcome  # the latest wins
    onward_ids = [i for i, o in outcome_of.items() if o == AssessmentOutcome.ONWARD_REFERRAL]
    service_of: dict[int, tuple[str, int | None]] = {}
    if onward_ids:
        for referral_id, name, pk in (
            OnwardReferral.objects.using(DATABASE)
            .filter(referral_in(onward_ids))
            .order_by("referral_id", "-sent_on", "-id")
            .values_list("referral_id", "service__name", "service_id")
        ):
            service_of[referral_id] = (name, pk)  # the first sent wins (ordered newest first)
    found = {}
    for referral_id in ids:
        service = service_of.get(referral_id, ("", None))
        found[referral_id] = Component(outcome_of.get(referral_id, ""), *service)
    return found
