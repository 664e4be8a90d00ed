"""'My hub': what a member of staff reads about their own referrals. Each read writes its audit
entry inside the transaction of the work. What they change (replying, withdrawing) is a service:
wellbeing.services.messaging and the referral lifecycle, wellbeing.services.referrals.

Everything here is scoped by `staff_ref`: a person only ever reaches referrals made under their
own pseudonym, and a referral that is not theirs is simply not found (never "forbidden"), so the
portal does not confirm that it exists.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from learning.queries import resources_for_signposting
from portal.models import StaffGroup, User
from wellbeing.audit import actor_for, record_many
from wellbeing.instruments import INSTRUMENTS, not_asked
from wellbeing.models import (
    DATABASE,
    EQUALITY_QUESTIONS,
    MAX_ID,
    Appointment,
    Attendance,
    AuditAction,
    HubMessage,
    OnwardReferral,
    Referral,
    ReferralEvent,
    ScreeningResult,
    SignpostedResource,
    TherapyPlan,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import audit_log
from wellbeing.queries.audit_log import Sitting
from wellbeing.queries.outcomes import plain_scores, readings_of
from wellbeing.services import follow_up, session_measures

# Sittings a page of "who has opened my record" shows.
ACCESS_LOG_PAGE_SIZE = 20


# --- Reading ------------------------------------------------------------------------------------


def my_referrals_for(user: User) -> QuerySet[Referral]:
    """The user's own referrals, newest first. Every my-hub query starts here."""
    return Referral.objects.using(DATABASE).owned_by(user).order_by("-created_at", "-id")


def my_referral_or_404(user: User, referral_id: int) -> Referral:
    """One of the user's own referrals. Someone else's, or none, is a 404 either way."""
    if not 0 < referral_id <= MAX_ID:
        raise Http404("No such referral")
    # Plain fields only; nothing encrypted is decrypted until a page needs it.
    referral = (
        my_referrals_for(user)
        .only("id", "reference", "staff_ref", "status", "created_at", "withdrawn_at")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    return referral


def _overview_queryset(user: User) -> QuerySet[Referral]:
    # Only plain fields: the overview decrypts nothing it does not show.
    return (
        my_referrals_for(user)
        # The earlier referral's reference, in the same query: "joined with RH-…" (ADR 0024).
        .select_related("earlier_open_referral")
        .only(
            "id",
            "reference",
            "status",
            "created_at",
            "withdrawn_at",
            "close_reason",
            "earlier_open_referral__reference",
        )
        .annotate(
            unread_count=Count(
                "messages", filter=Q(messages__from_hub=True, messages__read_at__isnull=True)
            )
        )
        .prefetch_related(
            Prefetch("events", queryset=ReferralEvent.objects.using(DATABASE).order_by("at", "id")),
            *_support_prefetches(),
        )
    )


def _support_prefetches() -> list[Prefetch[Any]]:
    """What the hub set up for the person, plain fields only: signposted resources, therapy
    (sessions attended), onward referrals and the check-ins that are due."""
    return [
        Prefetch("signposts", queryset=SignpostedResource.objects.using(DATABASE)),
        Prefetch(
            "therapy_plans",
            queryset=TherapyPlan.objects.using(DATABASE)
            .only("id", "referral_id", "modality", "planned_sessions", "started_on", "ended_on")
            .annotate(
                attended=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED))
            ),
        ),
        Prefetch(
            "onward",
            queryset=OnwardReferral.objects.using(DATABASE)
            .select_related("service")
            .only("id", "referral_id", "status", "sent_on", "status_on", "service__name"),
        ),
        Prefetch(
            "follow_ups",
            queryset=follow_up.due_check_ins(today=timezone.localdate()),
            to_attr="due_check_ins",
        ),
        Prefetch(
            "appointments",
            queryset=Appointment.objects.using(DATABASE)
            .booked()
            .filter(starts_at__gte=timezone.now())
            # Whether its questionnaires were answered in my hub already ("Before your session").
            .annotate(measured=Exists(ScreeningResult.objects.filter(appointment=OuterRef("pk"))))
            .order_by("starts_at", "id"),
            to_attr="upcoming_appointments",
        ),
        # The person's own scores over time, plain totals only (never the item answers).
        Prefetch(
            "screenings",
            queryset=ScreeningResult.objects.using(DATABASE)
            .only("id", "referral_id", "instrument", "total", "taken_at", "source")
            .order_by("taken_at", "id"),
            to_attr="score_history",
        ),
    ]


def _attach_scores_and_tasks(referrals: Sequence[Referral]) -> None:
    """Each referral's scores in plain words, and the booked sessions within
    PRE_SESSION_WINDOW whose questionnaires are still to answer ("Before your session")."""
    soon = timezone.now() + session_measures.PRE_SESSION_WINDOW
    for referral in referrals:
        history = referral.score_history  # type: ignore[attr-defined]
        referral.plain_scores = plain_scores(readings_of(history))  # type: ignore[attr-defined]
        referral.before_session = [  # type: ignore[attr-defined]
            appointment
            for appointment in referral.upcoming_appointments  # type: ignore[attr-defined]
            if appointment.starts_at <= soon and not appointment.measured
        ]


def _attach_signposted_resources(referrals: Sequence[Referral]) -> None:
    """Each referral's signposted resources, as the learning catalogue publishes them now (one
    query to the catalogue for them all; one since unpublished is simply not shown)."""
    wanted = {s.resource_id for referral in referrals for s in referral.signposts.all()}
    published = {r.pk: r for r in resources_for_signposting(ids=sorted(wanted))} if wanted else {}
    for referral in referrals:
        referral.signposted_resources = [  # type: ignore[attr-defined]
            published[s.resource_id] for s in referral.signposts.all() if s.resource_id in published
        ]


def overview_for(user: User) -> list[Referral]:
    """The user's referrals with their timelines, unread counts and the support the hub set up,
    audited as read."""
    with transaction.atomic(using=DATABASE):
        referrals = list(_overview_queryset(user))
        _attach_signposted_resources(referrals)
        _attach_scores_and_tasks(referrals)
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=referrals,
            reason="Viewed in my hub",
        )
    return referrals


def referral_to_withdraw(user: User, referral_id: int) -> Referral:
    """The referral the user is asking to withdraw, for the "are you sure?" page; audited."""
    with transaction.atomic(using=DATABASE):
        referral = my_referral_or_404(user, referral_id)
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=[referral],
            reason="Viewed withdrawing my referral in my hub",
        )
    return referral


def my_appointment_or_404(user: User, appointment_id: int) -> Appointment:
    """One of the user's own upcoming appointments, for asking to change it; audited. Someone
    else's, a past one or none is a 404 either way."""
    with transaction.atomic(using=DATABASE):
        appointment = (
            Appointment.objects.using(DATABASE)
            .booked()
            .select_related("referral")
            .filter(
                pk=appointment_id if 0 < appointment_id <= MAX_ID else 0,
                referral__in=my_referrals_for(user),
                starts_at__gt=timezone.now(),
            )
            .first()
        )
        if appointment is None:
            raise Http404("No such appointment")
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=[appointment.referral],
            reason="Viewed an appointment in my hub",
        )
    return appointment


@dataclass(frozen=True)
class Thread:
    referral: Referral
    messages: list[HubMessage]
    # Ids of the hub's messages that were unread until this view, to mark them "New".
    newly_read: frozenset[int]


def thread_for(user: User, referral_id: int) -> Thread:
    """A referral's messages; the hub's unread ones become read, and the view is audited."""
    with transaction.atomic(using=DATABASE):
        referral = my_referral_or_404(user, referral_id)
        messages = list(referral.messages.using(DATABASE).order_by("sent_at", "id"))
        newly_read = frozenset(m.pk for m in messages if m.from_hub and m.read_at is None)
        if newly_read:
            HubMessage.objects.using(DATABASE).filter(
                referral=referral, from_hub=True, read_at__isnull=True
            ).update(read_at=timezone.now())
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=[referral],
            reason="Read messages in my hub",
        )
    return Thread(referral, messages, newly_read)


@dataclass(frozen=True)
class AccessLog:
    referral: Referral
    page: Page[Sitting]
    sittings: list[Sitting]


def access_log_for(user: User, referral_id: int, page_number: str | None) -> AccessLog:
    """Who in the hub has opened this referral, by person and sitting, a page of sittings at a
    time; the view is audited.

    One query reads every hub entry about the referral, the fields a sitting shows only: a
    sitting can span pages of entries, so they are grouped before paging. A referral's log is
    hundreds of entries over its life, not millions, and the query count stays the same however
    many there are.
    """
    with transaction.atomic(using=DATABASE):
        referral = my_referral_or_404(user, referral_id)
        entries = audit_log.entries_about(
            [referral.pk], hub_staff_only=True, leaving_out=staff_ref_for(user.pk)
        ).only(
            "id", "at", "actor_ref", "actor_name", "actor_role", "action", "object_type", "reason"
        )
        grouped = audit_log.sittings(entries, words=audit_log.WORDS_FOR_THE_PERSON)
        page = Paginator(grouped, ACCESS_LOG_PAGE_SIZE).get_page(page_number)
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=[referral],
            reason="Viewed who has opened my record",
        )
    return AccessLog(referral, page, list(page.object_list))


# --- Downloading --------------------------------------------------------------------------------


def _screening_answers(screening: ScreeningResult) -> list[dict[str, Any]]:
    """Each item's question and the answer given, in words where the instrument is known."""
    instrument = INSTRUMENTS.get(screening.instrument)
    answers = screening.answers if isinstance(screening.answers, list) else []
    described = []
    for index, value in enumerate(answers):
        item = instrument.items[index] if instrument and index < len(instrument.items) else None
        label = ""
        if instrument and item:
            label = next(
                (o.display_label for o in instrument.options_for(item) if o.value == value), ""
            )
        described.append(
            {
                "number": index + 1,
                "question": item.text if item else "",
                "answer": label or str(value),
                "score": value,
            }
        )
    return described


def _equality_in_words(answers: dict[str, Any]) -> dict[str, str]:
    """The equality answers as the form asked them ("Age": "25 to 34"), not as stored codes."""
    return {
        question.name: dict(question.choices).get(answers[question.key], answers[question.key])
        for question in EQUALITY_QUESTIONS
        if answers.get(question.key)
    }


def export_for(user: User, *, reason: str = "Downloaded my data from my hub") -> dict[str, Any]:
    """Everything the hub holds about the user, decrypted, as plain data for a JSON download
    (with DjangoJSONEncoder, for the dates) or the printable copy.

    Audited as an export of each referral, in the same transaction as the reads.
    """
    with transaction.atomic(using=DATABASE):
        referrals = list(
            my_referrals_for(user).prefetch_related(
                Prefetch(
                    "screenings",
                    queryset=ScreeningResult.objects.using(DATABASE).order_by("taken_at", "id"),
                ),
                Prefetch(
                    "events", queryset=ReferralEvent.objects.using(DATABASE).order_by("at", "id")
                ),
                Prefetch(
                    "messages",
                    queryset=HubMessage.objects.using(DATABASE).order_by("sent_at", "id"),
                ),
            )
        )
        access = [
            audit_log.describe(entry, words=audit_log.WORDS_FOR_THE_PERSON)
            for entry in audit_log.entries_about(
                [r.pk for r in referrals], hub_staff_only=True, leaving_out=staff_ref_for(user.pk)
            )
        ]
        record_many(actor=actor_for(user), action=AuditAction.EXPORT, objs=referrals, reason=reason)
    return {
        "produced_at": timezone.now(),
        "about": (
            "Everything the Resilience Hub holds about you: your referrals, your answers, your "
            "questionnaires, your referral's progress, your messages and who in the hub has "
            "opened your record."
        ),
        "referrals": [_referral_data(referral) for referral in referrals],
        "who_has_opened_your_record": [
            {
                "at": entry.at,
                "role": entry.role,
                "name": entry.name,
                "what": entry.what,
                "reason": entry.reason,
            }
            for entry in access
        ],
    }


def _referral_data(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "status": referral.get_status_display(),
        "urgent": referral.urgent,
        "referred_at": (referral.created_at),
        "consented_at": (referral.consented_at),
        # The separate research question: True, False, or None when not answered.
        "research_consent": referral.research_consent,
        "research_consent_changed_at": referral.research_consent_changed_at,
        "withdrawn_at": (referral.withdrawn_at),
        "name": referral.name,
        "phone": referral.phone,
        "email": referral.email,
        "voicemail_ok": referral.voicemail_ok,
        "best_times_to_contact": referral.best_times,
        "organisation": referral.organisation,
        "kind_of_organisation": referral.get_sector_display() if referral.sector else "",
        "staff_group": _staff_group_label(referral.staff_group),
        "team": referral.team,
        "whats_happening": referral.whats_happening,
        "hoped_for_help": referral.hoped_for_help,
        "how_heard": referral.get_how_heard_display() if referral.how_heard else "",
        "campaign_code": referral.campaign_code,
        "equality_monitoring": _equality_in_words(referral.equality_monitoring or {}),
        "questionnaires": [
            {
                "instrument": screening.instrument,
                "title": (
                    INSTRUMENTS[screening.instrument].title
                    if screening.instrument in INSTRUMENTS
                    else screening.instrument
                ),
                "taken_at": (screening.taken_at),
                "total": screening.total,
                "band": screening.band,
                "risk": screening.risk,
                "answers": _screening_answers(screening),
            }
            for screening in referral.screenings.all()
        ],
        "questionnaires_not_asked": [
            {"instrument": question.instrument, "why": question.not_asked}
            for question in not_asked(referral.screening_answers)
        ],
        "progress": [
            {"at": (event.at), "what": event.get_kind_display()} for event in referral.events.all()
        ],
        "messages": [
            {
                "sent_at": (message.sent_at),
                "from": message_author(message),
                "read_at": (message.read_at),
                "body": message.body,
            }
            for message in referral.messages.all()
        ],
    }


def _staff_group_label(value: str) -> str:
    valid = {choice.value: choice.label for choice in StaffGroup}
    return str(valid.get(value, value))


def message_author(message: HubMessage) -> str:
    """Who a message is from, as the person reads it."""
    if not message.from_hub:
        return "You"
    return f"{message.author_name}, Resilience Hub" if message.author_name else "Resilience Hub"


# --- Auditing many records at once --------------------------------------------------------------


# --- The research question --------------------------------------------------------------------


@dataclass(frozen=True)
class ResearchAnswer:
    """The person's answer to the research question, across their referrals."""

    answer: str  # "yes", "no", "mixed" (different answers on different referrals) or ""
    changed_at: datetime.datetime | None
    referrals: int = 0

    @property
    def text(self) -> str:
        return {
            "yes": "Yes: the hub may use your answers, without your name or contact details, "
            "for research that evaluates the service.",
            "no": "No: your answers are not used for research.",
            "mixed": "You gave different answers on different referrals. Only referrals you "
            "said yes on can be used for research.",
        }.get(self.answer, "You have not answered, so your answers are not used for research.")


def research_answer_for(user: User) -> ResearchAnswer:
    """The user's answer to the research question, in one query of plain fields."""
    answers = list(
        my_referrals_for(user).values_list("research_consent", "research_consent_changed_at")
    )
    given = {consent for consent, _at in answers if consent is not None}
    latest = max((at for _consent, at in answers if at is not None), default=None)
    count = len(answers)
    if not given:
        return ResearchAnswer("", latest, count)
    if len(given) > 1:
        return ResearchAnswer("mixed", latest, count)
    answer = "yes" if given == {True} else "no"
    # An unanswered referral beside a yes is not a yes for that referral: say so.
    if answer == "yes" and any(consent is None for consent, _at in answers):
        return ResearchAnswer("mixed", latest, count)
    return ResearchAnswer(answer, latest, count)
