"""A referral as hub staff see it, and who has opened it. Reads only; each read is audited.

The referral page decrypts everything the person gave and everything the hub wrote, so opening
it writes one audit entry ("Opened the referral"). Its queries are a fixed set, one per kind of
record, however long the referral's history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from learning.queries import resources_for_signposting
from portal.models import User
from wellbeing import referral_states
from wellbeing.audit import actor_for, record_many
from wellbeing.instruments import TRAUMATIC_EVENT, not_asked
from wellbeing.models import (
    DATABASE,
    EQUALITY_QUESTIONS,
    MAX_ID,
    STAFF_GROUP_CHOICES,
    Appointment,
    Assessment,
    AuditAction,
    AuditEntry,
    CloseReason,
    ContactAttempt,
    FollowUp,
    HubMessage,
    OnwardReferral,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ScoreSource,
    ScreeningResult,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)
from wellbeing.queries import audit_log
from wellbeing.queries.appointments import missed_in_a_row
from wellbeing.queries.audit_log import AuditLogEntry
from wellbeing.queries.outcomes import OutcomeLine, outcome_lines, paired_from, readings_of
from wellbeing.queries.score_chart import ScoreChart, charts_for

AUDIT_PAGE_SIZE = 25

# Events whose detail the timeline shows from the hub's own records (the attempt, the
# assessment, the onward referral): listing the event as well would say the same thing twice.
EVENTS_SHOWN_ELSEWHERE: frozenset[str] = frozenset(
    {
        ReferralEventKind.CONTACT_ATTEMPTED,
        ReferralEventKind.ASSESSED,
        ReferralEventKind.REFERRED_ON,
        # The joined referral's own entry says it, with the answers it brought.
        ReferralEventKind.LATER_JOINED,
    }
)
EVENT_WORDS: dict[str, str] = {
    ReferralEventKind.RECEIVED: "Referral received",
    ReferralEventKind.URGENT: "Marked urgent: a questionnaire answer showed risk",
    ReferralEventKind.SUPPORT_STARTED: "Support started",
    ReferralEventKind.CLOSED: "Referral closed",
    ReferralEventKind.WITHDRAWN: "The staff member withdrew the referral",
    ReferralEventKind.JOINED_INTO: "Joined with the staff member's open referral and closed",
}
# A later referral's plain fields and the answers the open one's timeline shows once joined.
LATER_REFERRAL_FIELDS = (
    "id",
    "reference",
    "status",
    "created_at",
    "closed_at",
    "close_reason",
    "earlier_open_referral_id",
    "whats_happening",
    "hoped_for_help",
)


def _records_of_a_referral() -> dict[str, Prefetch[Any]]:
    """What the page reads besides the referral, each kind of record by the relation it is
    read through."""
    return {
        "screenings": Prefetch("screenings", queryset=ScreeningResult.objects.using(DATABASE)),
        "events": Prefetch("events", queryset=ReferralEvent.objects.using(DATABASE)),
        "contacts": Prefetch("contacts", queryset=ContactAttempt.objects.using(DATABASE)),
        "assessments": Prefetch("assessments", queryset=Assessment.objects.using(DATABASE)),
        "signposts": Prefetch("signposts", queryset=SignpostedResource.objects.using(DATABASE)),
        "therapy_plans": Prefetch(
            "therapy_plans",
            queryset=TherapyPlan.objects.using(DATABASE).prefetch_related(
                Prefetch("sessions", queryset=TherapySession.objects.using(DATABASE))
            ),
        ),
        "onward": Prefetch(
            "onward", queryset=OnwardReferral.objects.using(DATABASE).select_related("service")
        ),
        "messages": Prefetch("messages", queryset=HubMessage.objects.using(DATABASE)),
        "follow_ups": Prefetch("follow_ups", queryset=FollowUp.objects.using(DATABASE)),
        "appointments": Prefetch(
            "appointments",
            queryset=Appointment.objects.using(DATABASE).booked().order_by("starts_at", "id"),
            to_attr="booked_appointments",
        ),
        # The later referrals a referral sent while this one was open makes (ADR 0024), with
        # the answers a joined one brought.
        "later_referrals": Prefetch(
            "later_referrals",
            queryset=Referral.objects.using(DATABASE)
            .only(*LATER_REFERRAL_FIELDS)
            .order_by("created_at", "id")
            .prefetch_related(
                Prefetch("screenings", queryset=ScreeningResult.objects.using(DATABASE))
            ),
        ),
    }


def _has(relation: str, read: Prefetch[Any]) -> Exists:
    """Whether the referral has any record the prefetch would read, as a column of its row."""
    field = Referral._meta.get_field(relation)
    queryset = read.queryset
    assert queryset is not None  # noqa: S101 - every prefetch above gives its queryset
    return Exists(queryset.filter(**{field.field.name: OuterRef("pk")}))  # type: ignore[union-attr]


def _nothing(read: Prefetch[Any]) -> Prefetch[Any]:
    """The same prefetch from an empty queryset: it runs no query and leaves an empty list."""
    assert read.queryset is not None  # noqa: S101 - every prefetch above gives its queryset
    return Prefetch(read.prefetch_through, queryset=read.queryset.none(), to_attr=read.to_attr)


def _open_referral(referral_id: int) -> Referral:
    """The referral with every record the page shows, in one query for the referral (which
    also says which kinds of record it has) and one for each kind it has: most referrals have
    a few of the eleven kinds, and asking for each empty kind was most of the page's queries."""
    if not 0 < referral_id <= MAX_ID:
        raise Http404("No such referral")
    reads = _records_of_a_referral()
    referral = (
        Referral.objects.using(DATABASE)
        .select_related("team_request")
        .annotate(**{f"has_{name}": _has(name, read) for name, read in reads.items()})
        .prefetch_related(
            # The earlier open referral's plain fields (ADR 0024); no query when there is none.
            Prefetch(
                "earlier_open_referral",
                queryset=Referral.objects.using(DATABASE).only("id", "reference", "status"),
            ),
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    # A kind of record the referral has none of is read from an empty queryset: no query, and
    # the page finds an empty list where it looks, as if it had been read.
    prefetch_related_objects(
        [referral],
        *(
            read if getattr(referral, f"has_{name}") else _nothing(read)
            for name, read in reads.items()
        ),
    )
    return referral


# --- What they told us --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    multiline: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


def _label(choices: list[tuple[str, str]], value: str) -> str:
    return dict(choices).get(value, value) if value else "Not given"


def given_sections(referral: Referral) -> list[Section]:
    """Everything the member of staff gave in their referral, decrypted, as the form asked it."""
    equality = referral.equality_monitoring or {}
    known = {question.key for question in EQUALITY_QUESTIONS}
    equality_rows = [
        Row(question.name, _label(question.choices, equality.get(question.key, "")))
        for question in EQUALITY_QUESTIONS
    ]
    equality_rows += [
        Row(key.replace("_", " ").capitalize(), str(value))
        for key, value in sorted(equality.items())
        if key not in known
    ]
    return [
        Section(
            "How to contact them",
            [
                Row("Full name", referral.name),
                Row("Phone number", referral.phone or "Not given"),
                Row("Email address", referral.email or "Not given"),
                Row("Voicemail", "Yes, a message can be left" if referral.voicemail_ok else "No"),
                Row("Best time to contact", referral.best_times or "Not given", multiline=True),
            ],
        ),
        Section(
            "Their work",
            [
                Row("Organisation", referral.organisation or "Not given"),
                Row("Staff group", _label(STAFF_GROUP_CHOICES, referral.staff_group)),
                Row("Team or department", referral.team or "Not given"),
            ],
        ),
        Section(
            "What is happening for them",
            [
                Row("What is happening", referral.whats_happening, multiline=True),
                Row("Help they hope for", referral.hoped_for_help or "Not given", multiline=True),
                *(
                    [
                        Row(
                            "Something traumatic or very distressing happened",
                            _label(list(TRAUMATIC_EVENT.options), referral.traumatic_event),
                        )
                    ]
                    if referral.traumatic_event
                    else []
                ),
            ],
        ),
        Section(
            "How they heard about the hub",
            [
                Row(
                    "How they heard",
                    referral.get_how_heard_display() if referral.how_heard else "Not given",
                ),
                *([Row("Campaign", referral.campaign_code)] if referral.campaign_code else []),
            ],
        ),
        Section("Equality monitoring", equality_rows),
    ]


# --- The timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    title: str
    by: str = ""
    details: list[Row] = field(default_factory=list)
    date_only: bool = False


def _on(day: datetime.date) -> datetime.datetime:
    """A date as the start of that day (shown as the date alone)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_order(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Entries in the order they happened. A record that has only a date (an onward referral
    sent, a therapy session) happened some time that day: it follows what is timed that day,
    which it can only follow (the referral arrived, then it was assessed, then referred on),
    rather than sorting at midnight above "Referral received". Ties keep the order they were
    listed in (Python's sort is stable)."""
    return sorted(
        entries,
        key=lambda entry: (timezone.localdate(entry.at), entry.date_only, entry.at),
    )


def _notes(*rows: Row) -> list[Row]:
    return [row for row in rows if row.value]


def timeline(referral: Referral, resource_titles: dict[int, str]) -> list[TimelineEntry]:
    """Everything that happened on the referral, oldest first."""
    entries: list[TimelineEntry] = [
        TimelineEntry(event.at, EVENT_WORDS.get(event.kind, event.get_kind_display()))
        for event in referral.events.all()
        if event.kind not in EVENTS_SHOWN_ELSEWHERE
    ]
    if referral.assigned_at:
        entries.append(
            TimelineEntry(
                referral.assigned_at, f"Taken by {referral.assigned_name or 'a clinician'}"
            )
        )
    entries += [
        TimelineEntry(
            contact.at,
            f"Contact attempt: {contact.get_method_display()}, {contact.get_outcome_display().lower()}",
            contact.by_name,
            _notes(
                Row(
                    "Voicemail left although they asked for none",
                    contact.get_voicemail_override_display() if contact.voicemail_override else "",
                ),
                Row("Note", contact.note, multiline=True),
            ),
        )
        for contact in referral.contacts.all()
    ]
    entries += [
        TimelineEntry(
            assessment.at,
            f"Rapid assessment: {assessment.get_risk_level_display().lower()} risk; "
            f"{assessment.get_outcome_display().lower()}",
            assessment.by_name,
            _notes(
                Row("Notes", assessment.notes, multiline=True),
                Row("Safety plan", assessment.safety_plan, multiline=True),
                Row("Formulation", assessment.formulation, multiline=True),
            ),
        )
        for assessment in referral.assessments.all()
    ]
    entries += [
        TimelineEntry(
            signpost.at,
            "Signposted: "
            + resource_titles.get(signpost.resource_id, "a resource no longer in the catalogue"),
        )
        for signpost in referral.signposts.all()
    ]
    for plan in referral.therapy_plans.all():
        entries.append(
            TimelineEntry(
                _on(plan.started_on),
                f"Direct therapy started: {plan.get_modality_display()}, "
                f"{plan.planned_sessions} sessions planned",
                plan.therapist_name,
                date_only=True,
            )
        )
        entries += [
            TimelineEntry(
                _on(session.on),
                f"Therapy session: {session.get_attendance_display().lower()}",
                details=_notes(Row("Note", session.note, multiline=True)),
                date_only=True,
            )
            for session in plan.sessions.all()
        ]
        if plan.ended_on:
            entries.append(
                TimelineEntry(_on(plan.ended_on), "Direct therapy ended", date_only=True)
            )
    entries += [
        TimelineEntry(
            _on(onward.sent_on),
            f"Referred to {onward.service.name}: {onward.get_status_display().lower()}"
            + (
                f" on {date_format(onward.status_on, 'j F Y')}"
                if onward.status_on != onward.sent_on
                else ""
            ),
            details=_notes(Row("Note", onward.note, multiline=True)),
            date_only=True,
        )
        for onward in referral.onward.all()
    ]
    entries += [
        TimelineEntry(
            message.sent_at,
            "Message to the staff member" if message.from_hub else "Message from the staff member",
            message.author_name if message.from_hub else "",
            [Row("Message", message.body, multiline=True)],
        )
        for message in referral.messages.all()
    ]
    entries += [_follow_up_entry(follow_up) for follow_up in referral.follow_ups.all()]
    entries += [_joined_entry(later) for later in joined_referrals(referral)]
    return in_order(entries)


def joined_referrals(referral: Referral) -> list[Referral]:
    """The later referrals a clinician joined with this one (prefetched)."""
    return [
        later
        for later in referral.later_referrals.all()
        if later.close_reason == CloseReason.JOINED and later.closed_at
    ]


def later_open_referrals(referral: Referral) -> list[Referral]:
    """The person's referrals sent while this one was open and still open themselves."""
    return [later for later in referral.later_referrals.all() if later.is_open]


def _joined_entry(later: Referral) -> TimelineEntry:
    """A later referral's answers, merged into this one's history on the day it was joined."""
    sent_on = date_format(timezone.localtime(later.created_at), "j F Y")
    scores = "; ".join(
        f"{screening.instrument} {screening.total} ({screening.band})"
        for screening in sorted(later.screenings.all(), key=lambda s: (s.taken_at, s.pk))
    )
    assert later.closed_at is not None  # noqa: S101 - joined_referrals keeps closed ones
    return TimelineEntry(
        later.closed_at,
        f"Joined with later referral {later.reference}, sent {sent_on}: its answers",
        details=_notes(
            Row("What is happening", later.whats_happening, multiline=True),
            Row("Help they hope for", later.hoped_for_help, multiline=True),
            Row("Questionnaires", scores),
        ),
    )


def _follow_up_entry(follow_up: FollowUp) -> TimelineEntry:
    if follow_up.cancelled_at:
        state = "cancelled"
    elif follow_up.completed_at:
        state = "questionnaires completed"
    elif follow_up.invited_at:
        state = "invitation sent"
    else:
        state = "planned"
    return TimelineEntry(
        _on(follow_up.due_on),
        f"Follow-up re-screening ({follow_up.label}): {state}",
        date_only=True,
    )


# --- The page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotAsked:
    """A questionnaire a screening answer left out, shown in its place (never as a 0)."""

    instrument: str
    why: str


@dataclass(frozen=True)
class ScreeningGroup:
    """The screenings taken together (at referral, at each follow-up, at a session)."""

    at: datetime.datetime
    screenings: list[ScreeningResult]
    not_asked: list[NotAsked] = field(default_factory=list)

    @property
    def where(self) -> str:
        """Where they were taken, in words: "At referral", "Follow-up check-in"..."""
        sources = {s.source for s in self.screenings}
        if sources == {ScoreSource.SELF_REFERRAL}:
            return "At referral"
        return ", ".join(label for value, label in ScoreSource.choices if value in sources)


@dataclass(frozen=True)
class ActionLink:
    text: str
    url: str


# The action pages the referral page links to: (URL name, link text, the rule in
# referral_states.ACTIONS that the page itself checks). A link shows only when its rule allows
# the referral's state, so the page never offers what the action page would refuse.
ACTION_LINKS: tuple[tuple[str, str, str], ...] = (
    ("wellbeing:referral_contact", "A contact attempt", "record a contact attempt"),
    ("wellbeing:referral_assess", "The rapid assessment", "record a rapid assessment"),
    ("wellbeing:referral_urgent", "Mark urgent", "mark urgent"),
    ("wellbeing:referral_signpost", "Self-help resources to signpost", "add support"),
    ("wellbeing:referral_therapy", "Direct therapy", "add support"),
    ("wellbeing:referral_onward", "An onward referral", "add support"),
    ("wellbeing:referral_team_support", "Team-based support", "add support"),
    ("wellbeing:referral_message", "Send a secure message", "send a message"),
    ("wellbeing:referral_close", "Close the referral", "close"),
)


def actions_offered(referral: Referral) -> list[ActionLink]:
    """The actions the referral's state allows, as links to their pages."""
    return [
        ActionLink(text, reverse(url_name, args=[referral.pk]))
        for url_name, text, action in ACTION_LINKS
        if referral_states.allows(referral, action)
    ]


@dataclass(frozen=True)
class ReferralPage:
    referral: Referral
    sections: list[Section]
    screening_groups: list[ScreeningGroup]
    charts: list[ScoreChart]
    # What the scores say so far, beside the chart (wellbeing.queries.outcomes.outcome_lines).
    outcome: list[OutcomeLine]
    timeline: list[TimelineEntry]
    actions: list[ActionLink]
    # Onward referrals whose status can be updated, and therapy plans that take sessions, as
    # the state allows (empty otherwise).
    onward_to_update: list[OnwardReferral]
    plans_taking_sessions: list[TherapyPlan]
    # Booked appointments, soonest first, and whether the last two due were both missed.
    appointments: list[Appointment]
    missed_in_a_row: bool
    # The person's other referrals (ADR 0024): the earlier one still open when this was sent
    # (while both are open), the one this was joined with, and later ones still open.
    also_open: Referral | None
    joined_with: Referral | None
    later_open: list[Referral]


def _screening_groups(
    screenings: list[ScreeningResult], skipped: list[NotAsked]
) -> list[ScreeningGroup]:
    """Screenings grouped by the day they were taken: at referral, then each re-screening.
    Every group names the questionnaires the person's screening answers left out."""
    groups: dict[tuple[datetime.date, str], list[ScreeningResult]] = {}
    for screening in sorted(screenings, key=lambda s: (s.taken_at, s.pk)):
        day = timezone.localdate(screening.taken_at)
        groups.setdefault((day, screening.source), []).append(screening)
    return [
        ScreeningGroup(
            found[0].taken_at,
            found,
            # A session asks only PHQ-9 and GAD-7: nothing there was left out by an answer.
            []
            if source == ScoreSource.SESSION
            else [n for n in skipped if n.instrument not in {s.instrument for s in found}],
        )
        for (_day, source), found in groups.items()
    ]


def not_asked_for(referral: Referral) -> list[NotAsked]:
    """The questionnaires this referral's screening answers left out, and why, in words."""
    return [
        NotAsked(question.instrument, question.not_asked)
        for question in not_asked(referral.screening_answers)
    ]


def referral_page_for(user: User, referral_id: int) -> ReferralPage:
    """Everything about one referral, decrypted for a hub clinician, audited as one read."""
    with transaction.atomic(using=DATABASE):
        referral = _open_referral(referral_id)
        # A joined referral's answers are read on this page too, so its record shows the read.
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=[referral, *joined_referrals(referral)],
            reason="Opened the referral",
        )
    signposted = [signpost.resource_id for signpost in referral.signposts.all()]
    titles = (
        {r.pk: r.title for r in resources_for_signposting(ids=signposted)} if signposted else {}
    )
    screenings = list(referral.screenings.all())
    earlier = referral.earlier_open_referral
    return ReferralPage(
        referral=referral,
        sections=given_sections(referral),
        screening_groups=_screening_groups(screenings, not_asked_for(referral)),
        charts=charts_for(screenings),
        outcome=outcome_lines(paired_from(referral.pk, readings_of(screenings))),
        timeline=timeline(referral, titles),
        actions=actions_offered(referral),
        onward_to_update=(
            list(referral.onward.all())
            if referral_states.allows(referral, "update an onward referral")
            else []
        ),
        plans_taking_sessions=(
            [plan for plan in referral.therapy_plans.all() if not plan.ended_on]
            if referral_states.allows(referral, "log a therapy session")
            else []
        ),
        appointments=referral.booked_appointments,  # type: ignore[attr-defined]
        missed_in_a_row=referral.pk in missed_in_a_row([referral.pk]),
        also_open=earlier if earlier is not None and earlier.is_open and referral.is_open else None,
        joined_with=earlier if referral.close_reason == CloseReason.JOINED else None,
        later_open=later_open_referrals(referral),
    )


# --- Who opened it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditTrail:
    referral: Referral
    page: Page[AuditEntry]
    entries: list[AuditLogEntry]


def audit_trail_for(user: User, referral_id: int, page_number: str | None) -> AuditTrail:
    """Who opened or changed a referral, a page at a time, for the hub lead.

    The lead's look is itself written down: it shows that this person's referral exists and
    who has worked on it, so the member of staff sees it in "who has opened my record".
    """
    if not 0 < referral_id <= MAX_ID:
        raise Http404("No such referral")
    with transaction.atomic(using=DATABASE):
        referral = (
            Referral.objects.using(DATABASE)
            .only("id", "reference", "status")
            .filter(pk=referral_id)
            .first()
        )
        if referral is None:
            raise Http404("No such referral")
        record_many(
            actor=actor_for(user),
            action=AuditAction.READ,
            objs=[referral],
            reason="Checked who has opened the referral",
        )
        page = Paginator(audit_log.entries_about([referral_id]), AUDIT_PAGE_SIZE).get_page(
            page_number
        )
        entries = [
            audit_log.describe(entry, words=audit_log.WORDS_FOR_THE_HUB)
            for entry in page.object_list
        ]
    return AuditTrail(referral, page, entries)
