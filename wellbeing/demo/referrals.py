"""Sample referrals for development: every state, some urgent, some near or past the target.

Development only (seed_demo refuses to run without DEBUG). Every name says it is sample data; the
records are encrypted and audited like real ones, so the hub's pages behave as they will in use.
Safe to run again: referrals are found by their RH-DEMO reference.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.models import User
from wellbeing import audit, outcome_summaries
from wellbeing.instruments import INSTRUMENTS, is_asked, score
from wellbeing.models import (
    DATABASE,
    Appointment,
    Assessment,
    AssessmentOutcome,
    AuditAction,
    CloseReason,
    ContactAttempt,
    FollowUp,
    HubMessage,
    OnwardReferral,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralStatus,
    RiskLevel,
    ScoreSource,
    ScreeningResult,
    Sector,
    Service,
    TherapyPlan,
    TherapySession,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.working_days import add_working_days

DEMO_ACTOR = audit.Actor(ref="demo-data", role="System", name="Demo data")


@dataclass(frozen=True)
class DemoReferral:
    number: int
    status: str
    level: int  # 0-3: how high the questionnaire answers are
    working_days_ago: int
    risk: bool = False
    staff_group: str = "nursing_midwifery_registered"
    assigned: bool = False
    assessed: str = ""  # an AssessmentOutcome, when assessed
    close_reason: str = ""
    owned_by_demo_staff: bool = False
    # Later scores (issue 14): (days after the referral, where, totals). Therapy sessions'
    # scores go with the demo therapy sessions; a check-in's with a completed follow-up.
    later: tuple[tuple[int, str, dict[str, int]], ...] = ()


DEMO_REFERRALS = (
    DemoReferral(1, ReferralStatus.NEW, 3, 0, risk=True, staff_group="medical_dental"),
    DemoReferral(2, ReferralStatus.NEW, 2, 1, staff_group="allied_health_professionals"),
    DemoReferral(3, ReferralStatus.NEW, 2, 5, staff_group="additional_clinical_services"),
    DemoReferral(4, ReferralStatus.NEW, 1, 2, staff_group="administrative_clerical"),
    DemoReferral(5, ReferralStatus.IN_ASSESSMENT, 2, 1, assigned=True),
    DemoReferral(6, ReferralStatus.IN_ASSESSMENT, 3, 3, risk=True, assigned=True),
    # Reliable recovery over two therapy sessions (PHQ-9 16 to 9, GAD-7 14 to 7).
    DemoReferral(
        7,
        ReferralStatus.IN_SUPPORT,
        2,
        20,
        assigned=True,
        assessed=AssessmentOutcome.DIRECT_THERAPY,
        owned_by_demo_staff=True,
        later=(
            (8, ScoreSource.SESSION, {"PHQ-9": 14, "GAD-7": 11}),
            (15, ScoreSource.SESSION, {"PHQ-9": 9, "GAD-7": 7}),
        ),
    ),
    # Not at caseness at the start: no reliable change, and recovery does not apply.
    DemoReferral(
        8,
        ReferralStatus.IN_SUPPORT,
        1,
        25,
        assigned=True,
        assessed="self_help",
        later=((30, ScoreSource.CHECK_IN, {"PHQ-9": 5, "GAD-7": 4, "AUDIT-C": 3, "WSAS": 8}),),
    ),
    # Reliable deterioration (GAD-7 14 to 19, PCL-5 40 to 58): "Worse since the last measure".
    DemoReferral(
        9,
        ReferralStatus.IN_SUPPORT,
        2,
        25,
        assigned=True,
        assessed="onward_referral",
        later=(
            (
                30,
                ScoreSource.CHECK_IN,
                {"PHQ-9": 20, "GAD-7": 19, "PCL-5": 58, "AUDIT-C": 6, "WSAS": 26},
            ),
        ),
    ),
    # Reliable improvement from below caseness (GAD-7 7 to 2); recovery does not apply.
    DemoReferral(
        10,
        ReferralStatus.CLOSED,
        1,
        40,
        assigned=True,
        assessed="self_help",
        close_reason="self_help",
        later=((30, ScoreSource.CHECK_IN, {"PHQ-9": 3, "GAD-7": 2, "AUDIT-C": 2, "WSAS": 4}),),
    ),
    # No later score: counted as "no paired score yet", never dropped.
    DemoReferral(11, ReferralStatus.CLOSED, 2, 30, close_reason=CloseReason.NO_CONTACT),
    DemoReferral(12, ReferralStatus.WITHDRAWN, 1, 8),
)


# Most samples agreed to research, so a demo study has an extract; one said no and one did not
# answer, so the demo shows both left out. A few work outside NHS trusts.
DEMO_RESEARCH_ANSWERS: dict[int, bool | None] = {6: False, 12: None}
DEMO_SECTORS = {2: Sector.EMERGENCY_SERVICES, 3: Sector.CARE_HOME, 4: Sector.CARE_HOME}


def _answers(code: str, level: int, risk: bool) -> Any:  # EncryptedJSONField takes any JSON
    instrument = INSTRUMENTS[code]
    answers = []
    for item in instrument.items:
        options = item.options or instrument.options
        answers.append(options[min(level, len(options) - 1)].value)
    if code == "PHQ-9":  # item 9 is the risk item: only the urgent samples answer it
        options = instrument.items[-1].options or instrument.options
        answers[-1] = options[1].value if risk else options[0].value
    return answers


def _answers_for_total(code: str, total: int) -> Any:  # stored by EncryptedJSONField
    """Item answers that add up to `total`, filling items in order and never PHQ-9's risk
    item: a demo score that is not meant to show risk never does."""
    instrument = INSTRUMENTS[code]
    answers, left = [], total
    for item in instrument.items:
        most = (
            0
            if (code == "PHQ-9" and item.number == 9)
            else max(option.value for option in instrument.options_for(item))
        )
        answers.append(min(most, left))
        left -= answers[-1]
    if left:
        raise ValueError(f"{code} cannot total {total}")
    return answers


def _later_scores(
    referral: Referral, sample: DemoReferral, sessions: dict[datetime.date, TherapySession]
) -> None:
    """The sample's later scores: at therapy sessions (linked to the session that day) or at a
    completed check-in (with its follow-up, done)."""
    for days, source, totals in sample.later:
        taken_at = referral.created_at + datetime.timedelta(days=days)
        session = sessions.get(timezone.localdate(taken_at))
        if source == ScoreSource.CHECK_IN:
            # The schedule's first check-in (4 weeks after the outcome), answered.
            FollowUp.objects.using(DATABASE).filter(
                referral=referral, label="4 weeks", completed_at__isnull=True
            ).update(
                invited_at=taken_at - datetime.timedelta(hours=3),
                completed_at=taken_at,
            )
        ScreeningResult.objects.using(DATABASE).bulk_create(
            ScreeningResult(
                referral=referral,
                source=source,
                instrument=code,
                answers=(answers := _answers_for_total(code, total)),
                total=(result := score(code, answers)).total,
                band=result.band,
                risk=result.risk,
                taken_at=taken_at,
                session=session,
            )
            for code, total in totals.items()
        )


def _created_at(working_days_ago: int) -> datetime.datetime:
    day = timezone.localdate()
    # Step back over working days, so "past target" samples stay past it on any weekday.
    back = day
    while working_days_ago and add_working_days(back, working_days_ago) > day:
        back -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(back, datetime.time(9, 30)))


def _clinician() -> User | None:
    return User.objects.filter(email="clinician@demo.nhs.net").first()


def _demo_staff() -> User | None:
    return User.objects.filter(email="staff@demo.nhs.net").first()


def seed_demo_referrals() -> int:
    """Create the sample referrals that are missing; returns how many were created."""
    clinician = _clinician()
    staff = _demo_staff()
    created = 0
    for sample in DEMO_REFERRALS:
        reference = f"RH-DEMO-{sample.number:02d}"
        if Referral.objects.using(DATABASE).filter(reference=reference).exists():
            continue
        with transaction.atomic(using=DATABASE):
            referral = _create(sample, reference, clinician, staff)
            # Scores written with bulk_create send no signal: the reports' outcome summary is
            # worked out once the referral is whole (ADR 0042).
            outcome_summaries.refresh([referral.pk])
        created += 1
    return created


def _create(
    sample: DemoReferral, reference: str, clinician: User | None, staff: User | None
) -> Referral:
    created_at = _created_at(sample.working_days_ago)
    owner = staff if sample.owned_by_demo_staff and staff else None
    clinician_ref = staff_ref_for(clinician.pk) if clinician else ""
    referral = Referral.objects.using(DATABASE).create(
        reference=reference,
        staff_ref=staff_ref_for(owner.pk) if owner else f"demo-{uuid.uuid4().hex}",
        owner_key=str(owner.pk) if owner else "",
        submission_key=uuid.uuid4(),
        status=sample.status,
        urgent=sample.risk,
        created_at=created_at,
        consented_at=created_at,
        name=f"Sample person {sample.number} (sample data)",
        phone="07700 900000",
        email=f"sample.person{sample.number}@demo.nhs.net",
        voicemail_ok=True,
        best_times="Weekday mornings",
        organisation="Demo Health and Care Partnership (sample data)",
        staff_group=sample.staff_group,
        team="Sample team",
        whats_happening="Sample text: sleeping badly and feeling on edge after difficult shifts.",
        hoped_for_help="Sample text: someone to talk to.",
        how_heard="colleague",
        # Half the samples said no traumatic event, so the demo shows a PCL-5 not asked.
        traumatic_event="yes" if sample.number % 2 else "no",
        assigned_ref=clinician_ref if sample.assigned else "",
        assigned_name="Casey Clinician" if sample.assigned and clinician else "",
        assigned_at=created_at + datetime.timedelta(hours=2) if sample.assigned else None,
        withdrawn_at=timezone.now() if sample.status == ReferralStatus.WITHDRAWN else None,
        sector=DEMO_SECTORS.get(sample.number, Sector.NHS_TRUST),
        research_consent=(research := DEMO_RESEARCH_ANSWERS.get(sample.number, True)),
        research_consent_changed_at=created_at if research is not None else None,
    )
    ScreeningResult.objects.using(DATABASE).bulk_create(
        ScreeningResult(
            referral=referral,
            instrument=code,
            answers=(answers := _answers(code, sample.level, sample.risk)),
            total=(result := score(code, answers)).total,
            band=result.band,
            risk=result.risk,
            taken_at=created_at,
        )
        for code in INSTRUMENTS
        if is_asked(code, referral.screening_answers)
    )
    events = [ReferralEvent(referral=referral, kind=ReferralEventKind.RECEIVED, at=created_at)]
    if sample.risk:
        events.append(
            ReferralEvent(referral=referral, kind=ReferralEventKind.URGENT, at=created_at)
        )
    later = created_at + datetime.timedelta(days=1)
    if sample.assigned:
        ContactAttempt.objects.using(DATABASE).create(
            referral=referral,
            at=later,
            method="phone",
            outcome="reached" if sample.assessed else "voicemail",
            by_ref=clinician_ref,
            by_name="Casey Clinician",
        )
        events.append(
            ReferralEvent(referral=referral, kind=ReferralEventKind.CONTACT_ATTEMPTED, at=later)
        )
    sessions: dict[datetime.date, TherapySession] = {}
    if sample.assessed:
        sessions = _assess(referral, sample, later, clinician_ref, events)
    _later_scores(referral, sample, sessions)
    if sample.status == ReferralStatus.CLOSED:
        # Closed a week after the assessment, or after its last later score if that is later:
        # closing cancels check-ins still to come, so none is answered after it.
        last_score = max((days for days, _source, _totals in sample.later), default=0)
        referral.closed_at = max(
            later + datetime.timedelta(days=7),
            created_at + datetime.timedelta(days=last_score + 1),
        )
        referral.close_reason = sample.close_reason
        referral.save(using=DATABASE, update_fields=["closed_at", "close_reason"])
        events.append(
            ReferralEvent(referral=referral, kind=ReferralEventKind.CLOSED, at=referral.closed_at)
        )
    if sample.status == ReferralStatus.WITHDRAWN:
        events.append(
            ReferralEvent(referral=referral, kind=ReferralEventKind.WITHDRAWN, at=timezone.now())
        )
    ReferralEvent.objects.using(DATABASE).bulk_create(events)
    audit.record(actor=DEMO_ACTOR, action=AuditAction.CREATE, obj=referral, reason="Demo data")
    return referral


def _assess(
    referral: Referral,
    sample: DemoReferral,
    at: datetime.datetime,
    clinician_ref: str,
    events: list[ReferralEvent],
) -> dict[datetime.date, TherapySession]:
    """The sample's assessment and the support it led to; its therapy sessions by day."""
    sessions: dict[datetime.date, TherapySession] = {}
    Assessment.objects.using(DATABASE).create(
        referral=referral,
        at=at,
        by_ref=clinician_ref,
        by_name="Casey Clinician",
        notes="Sample notes: work stress after a run of night shifts; good support at home.",
        risk_level=RiskLevel.LOW,
        formulation="Sample formulation: stress reaction with low mood, no risk to self.",
        outcome=sample.assessed,
    )
    referral.assessed_at = at
    referral.risk_level = RiskLevel.LOW
    referral.save(using=DATABASE, update_fields=["assessed_at", "risk_level"])
    events.append(ReferralEvent(referral=referral, kind=ReferralEventKind.ASSESSED, at=at))
    if sample.assessed == AssessmentOutcome.DIRECT_THERAPY:
        plan = TherapyPlan.objects.using(DATABASE).create(
            referral=referral,
            modality="cbt",
            planned_sessions=6,
            started_on=timezone.localdate(at),
            therapist_ref=clinician_ref,
            therapist_name="Casey Clinician",
        )
        # The sessions fall on the days of the sample's session scores, which join them.
        for days in [d for d, source, _t in sample.later if source == ScoreSource.SESSION] or [
            8,
            15,
        ]:
            on = timezone.localdate(referral.created_at + datetime.timedelta(days=days))
            sessions[on] = TherapySession.objects.using(DATABASE).create(
                plan=plan, on=on, attendance="attended"
            )
        # One appointment waiting for its attendance, one to come (ADR 0028): the caseload,
        # "My appointments" and my hub show them, and the one to come gets its reminder.
        today_at = timezone.localtime().replace(second=0, microsecond=0)
        for starts_at, mode, place in (
            (
                today_at.replace(hour=14, minute=0) - datetime.timedelta(days=1),
                "in_person",
                "Resilience Hub, room 2",
            ),
            # Within two days, so my hub shows "Before your session" (ADR 0039).
            (today_at.replace(hour=10, minute=0) + datetime.timedelta(days=1), "video", ""),
        ):
            Appointment.objects.using(DATABASE).create(
                referral=referral,
                plan=plan,
                clinician_ref=clinician_ref,
                clinician_name="Casey Clinician",
                starts_at=starts_at,
                minutes=50,
                mode=mode,
                place=place,
            )
        HubMessage.objects.using(DATABASE).create(
            referral=referral,
            from_hub=True,
            author_ref=clinician_ref,
            author_name="Casey Clinician",
            body="Sample message: see you on Tuesday at 10:00 for your next session.",
            sent_at=at + datetime.timedelta(days=8),
        )
    if sample.assessed == AssessmentOutcome.ONWARD_REFERRAL:
        service = Service.objects.using(DATABASE).filter(active=True).first()
        if service is not None:  # the directory is seeded by a migration
            OnwardReferral.objects.using(DATABASE).create(
                referral=referral, service=service, sent_on=timezone.localdate(at)
            )
            events.append(
                ReferralEvent(referral=referral, kind=ReferralEventKind.REFERRED_ON, at=at)
            )
    events.append(ReferralEvent(referral=referral, kind=ReferralEventKind.SUPPORT_STARTED, at=at))
    FollowUp.objects.using(DATABASE).create(
        referral=referral,
        label="4 weeks",
        due_on=timezone.localdate(at) + datetime.timedelta(weeks=4),
    )
    return sessions
