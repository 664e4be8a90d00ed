"""Measures at every direct-therapy session (issue 14, ADR 0039): PHQ-9 and GAD-7 taken at a
session by the clinician, or answered in my hub by the member of staff before a booked one.

NHS Talking Therapies asks for both at every session, so a last score exists even when someone
stops early. They are ScreeningResult rows with source "session" and join the score history,
the chart and the paired outcome (wellbeing.queries.outcomes). A risk answer to PHQ-9 question 9
takes the self-referral's path (wellbeing.services.follow_up.raise_risk): urgent, on the
timeline, the duty inbox alerted at once, crisis contacts on the page (hazard log H15).

The clinician enters totals, and the answer to PHQ-9 question 9 whenever a PHQ-9 total is given:
a total alone cannot show risk (a total of 3 may be three answers of 1, or one of 3 to question
9). The member of staff answers every item, as at a check-in.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from portal.models import User
from wellbeing import audit, outcome_summaries
from wellbeing.instruments import INSTRUMENTS, Score, score
from wellbeing.models import (
    DATABASE,
    MAX_ID,
    Appointment,
    AppointmentStatus,
    AuditAction,
    Referral,
    ScoreSource,
    ScreeningResult,
    TherapySession,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import NotAllowed
from wellbeing.services import follow_up, outreach

# The questionnaires of every session, in the order asked.
SESSION_CODES: tuple[str, ...] = ("PHQ-9", "GAD-7")
PHQ_9 = INSTRUMENTS["PHQ-9"]
# PHQ-9's risk question: a total entered without its answer could hide thoughts of self-harm.
RISK_ITEM = next(rule.item for rule in PHQ_9.risk_rules)
# How long before a booked session my hub offers its questionnaires ("Before your session").
PRE_SESSION_WINDOW = datetime.timedelta(days=2)


@dataclass(frozen=True)
class SessionTotals:
    """What a clinician enters at a session, each optional: the PHQ-9 total with the answer to
    its question 9, and the GAD-7 total."""

    phq9: int | None = None
    phq9_item_9: int | None = None
    gad7: int | None = None

    @property
    def empty(self) -> bool:
        return self.phq9 is None and self.gad7 is None

    def problem(self) -> str | None:
        """Why these totals cannot be saved, in words; None when they can. The forms ask the
        same questions beside each field; this is the services' own check."""
        for code, total in (("PHQ-9", self.phq9), ("GAD-7", self.gad7)):
            if total is None:
                continue
            instrument = INSTRUMENTS[code]
            if isinstance(total, bool) or not isinstance(total, int):
                return f"The {code} total must be a whole number."
            if not instrument.min_total <= total <= instrument.max_total:
                return f"The {code} total must be from 0 to {instrument.max_total}."
        if self.phq9 is None:
            return None
        allowed = [option.value for option in PHQ_9.options]
        if self.phq9_item_9 is None or self.phq9_item_9 not in allowed:
            return f"Give the answer to PHQ-9 question {RISK_ITEM} with the PHQ-9 total."
        if self.phq9_item_9 > self.phq9:
            return f"The PHQ-9 total cannot be less than the answer to question {RISK_ITEM}."
        return None

    def scores(self) -> dict[str, tuple[Score, Any]]:
        """Each total given, scored as a Score, with what is stored as its answers: the totals
        were entered, not the items, and PHQ-9 keeps its question 9."""
        scored: dict[str, tuple[Score, Any]] = {}
        if self.phq9 is not None:
            risk = self.phq9_item_9 is not None and self.phq9_item_9 > 0
            scored["PHQ-9"] = (
                Score(
                    "PHQ-9",
                    self.phq9,
                    PHQ_9.band_for(self.phq9).label,
                    risk,
                    (RISK_ITEM,) if risk else (),
                ),
                {"entered_as": "total", f"item_{RISK_ITEM}": self.phq9_item_9},
            )
        if self.gad7 is not None:
            gad_7 = INSTRUMENTS["GAD-7"]
            scored["GAD-7"] = (
                Score("GAD-7", self.gad7, gad_7.band_for(self.gad7).label, False, ()),
                {"entered_as": "total"},
            )
        return scored


def _save(
    referral: Referral,
    scored: Mapping[str, tuple[Score, Any]],
    *,
    taken_at: datetime.datetime,
    session: TherapySession | None = None,
    appointment: Appointment | None = None,
) -> bool:
    """The scores as one sitting (one `taken_at`), inside the caller's transaction; whether any
    answer showed risk."""
    ScreeningResult.objects.using(DATABASE).bulk_create(
        ScreeningResult(
            referral=referral,
            source=ScoreSource.SESSION,
            instrument=code,
            answers=answers,
            total=result.total,
            band=result.band,
            risk=result.risk,
            taken_at=taken_at,
            session=session,
            appointment=appointment,
        )
        for code, (result, answers) in scored.items()
    )
    outcome_summaries.refresh([referral.pk])  # bulk_create sends no signal (ADR 0042)
    return any(result.risk for result, _answers in scored.values())


def record_at_session(
    referral: Referral,
    session: TherapySession,
    totals: SessionTotals,
    *,
    taken_at: datetime.datetime,
    appointment: Appointment | None = None,
) -> bool:
    """Save a clinician's session totals, inside the caller's (locked) transaction; a risk
    answer raises the referral's risk as at self-referral. Whether it did."""
    problem = totals.problem()
    if problem:
        raise NotAllowed(problem)
    if totals.empty:
        return False
    risk = _save(
        referral, totals.scores(), taken_at=taken_at, session=session, appointment=appointment
    )
    if risk:
        follow_up.raise_risk(
            referral,
            at=timezone.now(),
            alert=outreach.risk_at_session(f"session:{session.pk}"),
        )
    return risk


def link_to_session(appointment: Appointment, session: TherapySession) -> int:
    """Measures answered in my hub before an appointment belong to its session once attendance
    is recorded (inside that transaction)."""
    return (
        ScreeningResult.objects.using(DATABASE)
        .filter(appointment=appointment, session__isnull=True)
        .update(session=session)
    )


def measured_before(appointment: Appointment) -> list[ScreeningResult]:
    """The measures the member of staff answered in my hub for this appointment, if any."""
    return list(
        ScreeningResult.objects.using(DATABASE)
        .filter(appointment=appointment)
        .only("id", "instrument", "total", "band", "risk", "taken_at")
        .order_by("id")
    )


# --- Before your session, in my hub --------------------------------------------------------------


class PreSessionDone(Exception):
    """The questionnaires were answered already (a second tab, a double click), or the session
    has started or been cancelled meanwhile."""


def _pre_session_for(user: User, appointment_id: int) -> Appointment:
    """One of the user's own booked appointments within PRE_SESSION_WINDOW of starting, whose
    questionnaires are not yet answered; anything else is a 404."""
    if not 0 < appointment_id <= MAX_ID:
        raise Http404("No such appointment")
    now = timezone.now()
    found = (
        Appointment.objects.using(DATABASE)
        .select_related("referral")
        .only(
            "id",
            "starts_at",
            "minutes",
            "mode",
            "status",
            "referral_id",
            "referral__id",
            "referral__reference",
            "referral__status",
        )
        .filter(
            pk=appointment_id,
            status=AppointmentStatus.BOOKED,
            referral__staff_ref=staff_ref_for(user.pk),
            starts_at__gt=now,
            starts_at__lte=now + PRE_SESSION_WINDOW,
            scores__isnull=True,
        )
        .first()
    )
    if found is None:
        raise Http404("No such appointment")
    return found


def pre_session_for(user: User, appointment_id: int) -> Appointment:
    """The appointment whose questionnaires the user is about to answer; the look is audited
    like every my-hub page."""
    with transaction.atomic(using=DATABASE):
        appointment = _pre_session_for(user, appointment_id)
        audit.record(
            actor=audit.actor_for(user),
            action=AuditAction.READ,
            obj=appointment.referral,
            reason="Opened the questionnaires before a therapy session in my hub",
        )
    return appointment


@dataclass(frozen=True)
class PreSession:
    appointment: Appointment
    results: dict[str, Score]

    @property
    def risk(self) -> bool:
        return any(result.risk for result in self.results.values())


def do_complete_pre_session(
    *, user: User, appointment_id: int, answers: Mapping[str, Sequence[int]]
) -> PreSession:
    """Save the member of staff's PHQ-9 and GAD-7 before a booked session, once.

    `answers` holds the item answers of each of SESSION_CODES, validated by the forms; score()
    refuses anything else. The appointment row is locked, and a second submit finds the
    questionnaires answered (PreSessionDone). A risk answer takes the self-referral's path.
    """
    with transaction.atomic(using=DATABASE):
        try:
            appointment = _pre_session_for(user, appointment_id)
        except Http404:
            raise PreSessionDone from None
        results = {code: score(code, answers[code]) for code in SESSION_CODES}
        locked = (
            Appointment.objects.using(DATABASE)
            .select_for_update()
            .filter(pk=appointment.pk, status=AppointmentStatus.BOOKED)
            .first()
        )
        if (
            locked is None
            or ScreeningResult.objects.using(DATABASE).filter(appointment=locked).exists()
        ):
            raise PreSessionDone
        now = timezone.now()
        referral = appointment.referral
        risk = _save(
            referral,
            {code: (result, list(answers[code])) for code, result in results.items()},
            taken_at=now,
            appointment=appointment,
        )
        if risk:
            follow_up.raise_risk(
                referral,
                at=now,
                alert=outreach.risk_at_session(f"appointment:{appointment.pk}:pre-session"),
            )
        audit.record(
            actor=audit.actor_for(user),
            action=AuditAction.CREATE,
            obj=referral,
            reason="Answered the questionnaires before a therapy session in my hub",
        )
    return PreSession(appointment, results)
