"""The referral lifecycle: every change of a referral's status happens here, and only here.

    submit ──► new ──► in_assessment ──► in_support ──► closed      (a clinician, with a reason)
                 │          ▲   │                 └───► withdrawn   (the member of staff)
                 │   claim, allocate or first contact; assessment with any outcome but close
                 └─ close / withdraw from any open state; closed and withdrawn are final

Each `do_*` function works the same way (`_changing`): one transaction on the confidential
database that locks the referral's row, checks the move against the one state table
(wellbeing.referral_states), applies it, and writes the timeline event the member of staff sees
and the audit entry, in that transaction. Emails are outbox rows queued in the same transaction
and sent after commit. A refusal is `NotAllowed` (or a subclass naming why), with a message for
the person who asked; nothing changes.

Closing and withdrawing are both ways out of a referral and share one step, `_finish`: pending
check-ins and appointments still to come are cancelled and any open therapy plan ends
(ADR 0014).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from portal.models import User
from portal.outbox.queueing import queue
from portal.rules import is_hub_staff
from wellbeing import audit
from wellbeing.instruments import score
from wellbeing.models import (
    CLOSE_REASONS_TO_CHOOSE,
    DATABASE,
    MAX_ID,
    Assessment,
    AssessmentOutcome,
    AuditAction,
    CloseReason,
    ContactAttempt,
    ContactOutcome,
    Referral,
    ReferralDraft,
    ReferralEvent,
    ReferralEventKind,
    RiskLevel,
    ScreeningResult,
    TherapyPlan,
    UrgentReason,
    VoicemailOverride,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import (
    CLOSED,
    IN_ASSESSMENT,
    IN_SUPPORT,
    MOVES,
    NEW,
    WITHDRAWN,
    NotAllowed,
    describe,
    move,
    require,
)
from wellbeing.services import appointments, follow_up, outreach, support
from wellbeing.services.self_referral import (
    Step,
    asked_instruments,
    first_incomplete_step,
    screening_answers,
)
from wellbeing.services.support import OutcomeDetail

# What a clinician may give as the reason for closing; "joined" belongs to joining alone.
_CHOSEN_CLOSE_REASONS = frozenset(value for value, _label in CLOSE_REASONS_TO_CHOOSE)
# A plan, safety plan or formulation is needed before someone at this risk leaves the assessment.
RISK_NEEDING_SAFETY_PLAN = (RiskLevel.MODERATE, RiskLevel.HIGH)
# No 0/O, 1/I/L or U: read aloud over the phone or copied by hand, nothing is mistaken.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 10

# The plain fields a change needs; nothing the clinician did not ask for is decrypted. owner_key
# is how a message's email finds its reader.
LOCKED_FIELDS = (
    "id",
    "reference",
    "staff_ref",
    "status",
    "urgent",
    "urgent_since",
    "assigned_ref",
    "assigned_name",
    "assigned_at",
    "assessed_at",
    "risk_level",
    "closed_at",
    "close_reason",
    "withdrawn_at",
    "team_request_id",
    "earlier_open_referral_id",
    "owner_key",
    "updated_at",
)
_SAVED_FIELDS = [
    f.removesuffix("_id")
    for f in LOCKED_FIELDS
    if f not in ("id", "reference", "staff_ref", "owner_key")
]


# --- Refusals -----------------------------------------------------------------------------------


class ReferralNotOpen(NotAllowed):
    """The referral is closed or withdrawn: nobody can take it."""


class AlreadyTaken(NotAllowed):
    """Someone else holds the referral now; `holder` is their name, as the audit log has it."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder

    @property
    def message(self) -> str:
        who = self.holder or "Another clinician"
        return f"{who} took this referral a moment ago."


class AlreadyYours(NotAllowed):
    """The person asking already holds the referral."""


class NotHubStaff(NotAllowed):
    """The chosen person is not an active hub clinician or lead."""


class ReferralCannotBeWithdrawn(NotAllowed):
    """The referral is already closed or withdrawn."""


class DraftGone(Exception):
    """The draft was sent from elsewhere or has expired, and made no referral to show."""


class IncompleteReferral(Exception):
    """The draft is missing answers; `step` is the first page still to answer."""

    def __init__(self, step: Step) -> None:
        super().__init__(f"The referral is missing the {step.slug!r} step")
        self.step = step


# --- The one locking idiom ----------------------------------------------------------------------


def lock(referral_id: int) -> Referral:
    """The referral's row (plain fields only), locked until the transaction ends: changes to one
    referral are taken one at a time. Call inside `transaction.atomic(using=DATABASE)`."""
    found = (
        Referral.objects.using(DATABASE)
        .select_for_update()
        .only(*LOCKED_FIELDS)
        .filter(pk=referral_id)
        .first()
        if 0 < referral_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404("No such referral")
    return found


@contextmanager
def changing(referral: Referral, action: str | None = None) -> Iterator[Referral]:
    """The transaction every change to a referral works in: its row locked, and `action` (a key
    of wellbeing.referral_states.ACTIONS) refused unless the referral's state allows it."""
    with transaction.atomic(using=DATABASE):
        locked = lock(referral.pk)
        if action is not None:
            require(locked, action)
        yield locked


def save(referral: Referral, now: datetime.datetime) -> None:
    """Save the locked referral's plain fields (in the transaction that locked it)."""
    referral.updated_at = now
    referral.save(using=DATABASE, update_fields=_SAVED_FIELDS)


def record_events(referral: Referral, kinds: Sequence[str], now: datetime.datetime) -> None:
    """The timeline events the member of staff sees in my hub (no clinical detail)."""
    ReferralEvent.objects.using(DATABASE).bulk_create(
        ReferralEvent(referral=referral, kind=kind, at=now) for kind in kinds
    )


def audit_change(
    user: User, referral: Referral, reason: str, action: str = AuditAction.UPDATE
) -> None:
    audit.record(actor=audit.actor_for(user), action=action, obj=referral, reason=reason[:120])


def _hold(referral: Referral, holder: audit.Actor, now: datetime.datetime) -> None:
    """`holder` holds the referral from now; one that is waiting starts its assessment."""
    referral.assigned_ref = holder.ref
    referral.assigned_name = holder.name[:80]
    referral.assigned_at = now
    if referral.status == NEW:
        move(referral, IN_ASSESSMENT)


def _take_if_unassigned(referral: Referral, user: User, now: datetime.datetime) -> None:
    """Whoever first works on an unassigned referral holds it, as if they had claimed it."""
    if not referral.assigned_ref:
        _hold(referral, audit.actor_for(user), now)


def _finish(referral: Referral, to: str, now: datetime.datetime, *, close_reason: str = "") -> None:
    """The one way out of a referral, closed or withdrawn: the move, when, why, and stopping
    what follows a referral (pending check-ins, appointments still to come, open therapy plans). In memory and in the
    caller's transaction; the caller saves the referral."""
    move(referral, to)
    if to == CLOSED:
        referral.closed_at = now
        referral.close_reason = close_reason
    else:
        referral.withdrawn_at = now
    follow_up.cancel_pending(referral, at=now)
    appointments.cancel_upcoming(referral, now)
    TherapyPlan.objects.using(DATABASE).filter(referral=referral, ended_on__isnull=True).update(
        ended_on=timezone.localdate(now)
    )


# --- Submit: a self-referral becomes a referral -------------------------------------------------


@dataclass(frozen=True)
class Submission:
    referral: Referral
    created: bool


def new_reference() -> str:
    """An opaque reference like RH-7K2M-Q9XD: random, so it says nothing about who or when."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"RH-{chars[:4]}-{chars[4:]}"


RESEARCH_ANSWERS = {"yes": True, "no": False}


def _referral_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    contact, work, about = data["contact"], data["work"], data["about"]
    equality = {key: value for key, value in data["equality"].items() if value}
    return {
        "name": contact["name"],
        "phone": contact["phone"],
        "email": contact["email"],
        "voicemail_ok": contact["voicemail_ok"] == "yes",
        "best_times": contact.get("best_times", ""),
        "organisation": work.get("organisation", ""),
        "sector": work.get("sector", ""),
        "staff_group": work.get("staff_group", ""),
        "team": work.get("team", ""),
        "whats_happening": about["whats_happening"],
        "hoped_for_help": about.get("hoped_for_help", ""),
        "how_heard": data["heard"]["how_heard"],
        "campaign_code": data.get("campaign", ""),
        "equality_monitoring": equality,
        "traumatic_event": screening_answers(data).get("traumatic_event", ""),
        # The separate research question: unanswered stays None, never counted as a yes.
        "research_consent": RESEARCH_ANSWERS.get(data["consent"].get("research_consent", "")),
    }


def _create_with_unique_reference(fields: Mapping[str, Any]) -> Referral | None:
    """Create the referral under a fresh reference, retrying on the rare collision.

    None means the submission key is already taken: the same draft was sent a moment ago.
    """
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic(using=DATABASE):
                return Referral.objects.using(DATABASE).create(reference=new_reference(), **fields)
        except IntegrityError:
            taken = Referral.objects.using(DATABASE).filter(submission_key=fields["submission_key"])
            if taken.exists():
                return None
    raise RuntimeError(f"No unused referral reference after {REFERENCE_ATTEMPTS} attempts")


def do_submit_referral(*, user: User, draft: ReferralDraft) -> Submission:
    """Send a draft as a referral: once, however many times it is sent.

    The draft's one-time submission key is the referral's, so sending the same draft again (a
    refresh, a double click) finds the referral already made. One transaction: the referral, its
    scored questionnaires, its first timeline events and an audit entry are written and the
    draft is deleted. Any risk answer marks the referral urgent, and the outbox gets the
    confirmation email, and the duty alert when urgent (links only). Raises IncompleteReferral
    if a page is still unanswered, DraftGone if the draft expired.
    """
    staff_ref = staff_ref_for(user.pk)
    with transaction.atomic(using=DATABASE):
        # The lock makes a second, simultaneous send wait here; it then finds no draft.
        locked = (
            ReferralDraft.objects.using(DATABASE)
            .select_for_update()
            .filter(pk=draft.pk, staff_ref=staff_ref)
            .first()
        )
        existing = Referral.objects.using(DATABASE).filter(
            staff_ref=staff_ref, submission_key=draft.submission_key
        )
        if locked is None or existing.exists():
            already = existing.first()
            if already is None:
                raise DraftGone
            return Submission(already, created=False)

        missing = first_incomplete_step(locked.data)
        if missing is not None:
            raise IncompleteReferral(missing)
        # Only what was asked: answers to a questionnaire later skipped stay unsent (and are
        # deleted with the draft), so no one reads a score the person withdrew.
        results = {
            code: score(code, locked.data["questionnaires"][code])
            for code in asked_instruments(locked.data)
        }
        # Sent while another is open ("things have changed"): linked, so the hub sees the pair.
        earlier_open = (
            Referral.objects.using(DATABASE)
            .filter(staff_ref=staff_ref)
            .open()
            .only("id")
            .order_by("created_at", "id")
            .first()
        )
        urgent = any(result.risk for result in results.values())
        now = timezone.now()
        fields = _referral_fields(locked.data)
        referral = _create_with_unique_reference(
            {
                "staff_ref": staff_ref,
                "owner_key": str(user.pk),
                "submission_key": locked.submission_key,
                "urgent": urgent,
                "created_at": now,
                "consented_at": now,
                "earlier_open_referral": earlier_open,
                **fields,
                "research_consent_changed_at": (
                    now if fields["research_consent"] is not None else None
                ),
            }
        )
        if referral is None:
            return Submission(existing.get(), created=False)
        ScreeningResult.objects.using(DATABASE).bulk_create(
            ScreeningResult(
                referral=referral,
                instrument=code,
                answers=locked.data["questionnaires"][code],
                total=result.total,
                band=result.band,
                risk=result.risk,
                taken_at=now,
            )
            for code, result in results.items()
        )
        # No outcome summary yet: a new referral has nothing to pair, and the reports work out
        # any missing summary before counting (ADR 0042), which keeps sending a referral fast.
        kinds = [ReferralEventKind.RECEIVED] + ([ReferralEventKind.URGENT] if urgent else [])
        record_events(referral, kinds, now)
        audit_change(user, referral, "Self-referral", AuditAction.CREATE)
        locked.delete()
        # In this transaction: the emails exist exactly when the referral does. They are handed
        # to Celery after commit, and a broker that is down only delays them (portal/outbox/).
        queue(outreach.referral_received(referral))
    return Submission(referral, created=True)


# --- Assign: a clinician takes a referral, or the hub lead allocates it -------------------------


def holds(user: User, referral: Referral) -> bool:
    return bool(referral.assigned_ref) and referral.assigned_ref == staff_ref_for(user.pk)


def _hand_over(
    referral_id: int,
    holder: audit.Actor,
    *,
    acting_user: User,
    reason: str,
    taken_meanwhile: Callable[[Referral], bool],
) -> Referral:
    """Give the referral to `holder`, unless it is closed, already theirs, or someone took it
    while the person asking was looking (`taken_meanwhile`). The row is locked, so of two people
    acting at once the second waits and is then told who got there first."""
    now = timezone.now()
    with transaction.atomic(using=DATABASE):
        locked = lock(referral_id)
        if not locked.is_open:
            raise ReferralNotOpen(locked.reference)
        if locked.assigned_ref == holder.ref:
            raise AlreadyYours(locked.reference)
        if taken_meanwhile(locked):
            raise AlreadyTaken(locked.assigned_name)
        _hold(locked, holder, now)
        save(locked, now)
        audit_change(acting_user, locked, reason)
    return locked


def do_claim(*, referral_id: int, acting_user: User) -> Referral:
    """The acting clinician takes an open referral nobody holds.

    The row is locked, so of two clinicians pressing "Assign to me" at once the second waits and
    is then told who got there first (AlreadyTaken). AlreadyYours or ReferralNotOpen otherwise.
    """
    return _hand_over(
        referral_id,
        audit.actor_for(acting_user),
        acting_user=acting_user,
        reason="Took the referral",
        taken_meanwhile=lambda referral: bool(referral.assigned_ref),
    )


def do_allocate(
    *,
    referral_id: int,
    clinician: User,
    acting_user: User,
    seen_assigned_at: datetime.datetime | None,
) -> Referral:
    """The hub lead gives an open referral to a hub clinician (or takes it from one).

    `seen_assigned_at` is the assignment the lead's page showed (None: nobody held it). If it
    has changed since, someone took the referral meanwhile: AlreadyTaken, and nothing changes.
    """
    if not (clinician.is_active and is_hub_staff(clinician)):
        raise NotHubStaff
    holder = audit.actor_for(clinician)
    return _hand_over(
        referral_id,
        holder,
        acting_user=acting_user,
        reason=f"Allocated the referral to {holder.name or 'a clinician'}",
        taken_meanwhile=lambda referral: referral.assigned_at != seen_assigned_at,
    )


# --- Assess: first contact, the rapid assessment and its outcome --------------------------------


def received_minute(referral: Referral) -> datetime.datetime:
    """The minute the referral arrived: the earliest a contact attempt, typed to the minute, can
    be. A call at 14:05 about a referral received at 14:05:30 is possible."""
    return referral.created_at.replace(second=0, microsecond=0)


def do_mark_urgent(*, referral: Referral, acting_user: User, reason: str) -> Referral:
    """A clinician marks a referral waiting for its rapid assessment urgent: its target becomes
    hours on every day (wellbeing.contact_targets, ADR 0026), counted from now, and
    the queue, the nudges and the duty alert chase it as they chase one urgent from the start."""
    with changing(referral, "mark urgent") as locked:
        now = timezone.now()
        locked.urgent = True
        locked.urgent_since = now
        save(locked, now)
        record_events(locked, [ReferralEventKind.URGENT], now)
        audit_change(acting_user, locked, f"Marked urgent: {UrgentReason(reason).label}")
    return locked


def do_record_contact(
    *,
    referral: Referral,
    acting_user: User,
    at: datetime.datetime,
    method: str,
    outcome: str,
    note: str = "",
    voicemail_override: str = "",
) -> ContactAttempt:
    """Record an attempt to reach the member of staff. The first one on a new referral moves it
    to assessment and, if nobody holds it yet, gives it to the clinician who made it.

    The record cannot contradict itself: an attempt before the referral arrived or in the
    future is refused, and so is a voicemail for someone who asked for none, unless
    `voicemail_override` (a VoicemailOverride) says why; that reason is audited."""
    if at > timezone.now():
        raise NotAllowed("A contact attempt cannot be in the future.")
    if voicemail_override and voicemail_override not in VoicemailOverride.values:
        raise NotAllowed("Choose why a voicemail was left.")
    with changing(referral, "record a contact attempt") as locked:
        if at < received_minute(locked):
            raise NotAllowed("A contact attempt cannot be before the referral was received.")
        left_voicemail = outcome == ContactOutcome.VOICEMAIL
        if left_voicemail and not locked.voicemail_ok and not voicemail_override:
            raise NotAllowed(
                "They asked the hub not to leave a voicemail. Choose why one was left."
            )
        override = voicemail_override if left_voicemail and not locked.voicemail_ok else ""
        now = timezone.now()
        _take_if_unassigned(locked, acting_user, now)
        if locked.status == NEW:
            move(locked, IN_ASSESSMENT)
        save(locked, now)
        actor = audit.actor_for(acting_user)
        attempt = ContactAttempt.objects.using(DATABASE).create(
            referral=locked,
            at=at,
            method=method,
            outcome=outcome,
            note=note,
            by_ref=actor.ref,
            by_name=actor.name[:80],
            voicemail_override=override,
        )
        record_events(locked, [ReferralEventKind.CONTACT_ATTEMPTED], now)
        reason = "Recorded a contact attempt"
        if override:
            reason += f"; voicemail left against their wish: {VoicemailOverride(override).label}"
        audit_change(acting_user, locked, reason)
    return attempt


def do_record_assessment(
    *,
    referral: Referral,
    acting_user: User,
    notes: str,
    risk_level: str,
    safety_plan: str,
    formulation: str,
    outcome: str,
    detail: OutcomeDetail,
) -> Assessment:
    """Record the rapid assessment and act on its outcome, all or nothing.

    Self-help signposts learning resources; team-based support links the referral to a team
    request; direct therapy starts a therapy plan; onward referral refers to a service from the
    directory (wellbeing.services.support sets each up); close finishes the referral with a
    reason. Every outcome but close moves the referral into support and plans the follow-up
    check-ins from today.
    """
    if risk_level not in RiskLevel.values:
        raise NotAllowed("Choose the risk level.")
    if risk_level in RISK_NEEDING_SAFETY_PLAN and not safety_plan.strip():
        raise NotAllowed("A safety plan is needed when risk is moderate or high.")
    if outcome not in AssessmentOutcome.values:
        raise NotAllowed("Choose the outcome of the assessment.")
    with changing(referral, "record a rapid assessment") as locked:
        now = timezone.now()
        _take_if_unassigned(locked, acting_user, now)
        if locked.status == NEW:
            move(locked, IN_ASSESSMENT)
        actor = audit.actor_for(acting_user)
        assessment = Assessment.objects.using(DATABASE).create(
            referral=locked,
            at=now,
            by_ref=actor.ref,
            by_name=actor.name[:80],
            notes=notes,
            risk_level=risk_level,
            safety_plan=safety_plan,
            formulation=formulation,
            outcome=outcome,
        )
        locked.assessed_at = now
        locked.risk_level = risk_level
        kinds: list[str] = [ReferralEventKind.ASSESSED]
        if outcome == AssessmentOutcome.CLOSE:
            if detail.close_reason not in _CHOSEN_CLOSE_REASONS:
                raise NotAllowed("Choose why the referral is being closed.")
            _finish(locked, CLOSED, now, close_reason=detail.close_reason)
            kinds.append(ReferralEventKind.CLOSED)
        else:
            move(locked, IN_SUPPORT)
            if outcome == AssessmentOutcome.SELF_HELP:
                support.signpost(locked, detail.resource_ids, now)
            elif outcome == AssessmentOutcome.TEAM_SUPPORT:
                support.link_team(locked, detail.team_request)
            elif outcome == AssessmentOutcome.DIRECT_THERAPY:
                support.start_therapy(locked, acting_user, detail.modality, detail.planned_sessions)
            else:
                support.refer_onward(
                    locked, detail.service, timezone.localdate(now), detail.onward_note
                )
            kinds.append(
                ReferralEventKind.REFERRED_ON
                if outcome == AssessmentOutcome.ONWARD_REFERRAL
                else ReferralEventKind.SUPPORT_STARTED
            )
            follow_up.plan_follow_ups(locked, start=timezone.localdate(now))
        save(locked, now)
        record_events(locked, kinds, now)
        audit_change(acting_user, locked, "Recorded the rapid assessment")
    return assessment


# --- The ways out: close and withdraw -----------------------------------------------------------


def do_close(*, referral: Referral, acting_user: User, reason: str) -> Referral:
    """A clinician closes the referral with a reason (`_finish`). A closed referral is not
    re-opened (wellbeing/referral_states.py)."""
    if reason not in _CHOSEN_CLOSE_REASONS:
        raise NotAllowed("Choose why the referral is being closed.")
    with changing(referral, "close") as locked:
        now = timezone.now()
        _finish(locked, CLOSED, now, close_reason=reason)
        save(locked, now)
        record_events(locked, [ReferralEventKind.CLOSED], now)
        audit_change(acting_user, locked, "Closed the referral")
    return locked


def do_withdraw_referral(*, referral: Referral, acting_user: User) -> Referral:
    """The member of staff withdraws their own open referral (`_finish`): the hub will not
    contact them about it again. Asking twice withdraws it once; the second is refused."""
    if referral.staff_ref != staff_ref_for(acting_user.pk):
        raise Http404("No such referral")
    with changing(referral) as locked:
        if not MOVES.allows(locked.status, WITHDRAWN):
            raise ReferralCannotBeWithdrawn(locked.reference)
        now = timezone.now()
        _finish(locked, WITHDRAWN, now)
        save(locked, now)
        record_events(locked, [ReferralEventKind.WITHDRAWN], now)
        audit_change(acting_user, locked, "Withdrew my referral in my hub", AuditAction.WITHDRAW)
    referral.status, referral.withdrawn_at = locked.status, locked.withdrawn_at
    return locked


# --- Joining a referral sent while another was open -----------------------------------------------


class NothingToJoin(NotAllowed):
    """The referral was not sent while another was open, or that one is no longer open."""


def do_join_to_open_referral(*, referral: Referral, acting_user: User) -> Referral:
    """Join a referral sent while the person's earlier one was open into that one (ADR 0024).

    The later referral closes as "joined" (`_finish`) and keeps pointing to the open one, whose
    timeline shows the later answers as a dated entry (wellbeing.queries.referral_page); the
    member of staff sees in my hub that the two were joined. Both rows are locked, lower id
    first, so two clinicians joining at once cannot deadlock; the second is refused. Returns
    the open referral.
    """
    with transaction.atomic(using=DATABASE):
        earlier_id = (
            Referral.objects.using(DATABASE)
            .filter(pk=referral.pk)
            .values_list("earlier_open_referral_id", flat=True)
            .first()
        )
        if earlier_id is None:
            raise NothingToJoin(
                f"Referral {referral.reference} was not sent while another referral was open."
            )
        first, second = sorted((referral.pk, earlier_id))
        locked = {found.pk: found for found in (lock(first), lock(second))}
        later, earlier = locked[referral.pk], locked[earlier_id]
        require(later, "close")
        if not earlier.is_open:
            raise NothingToJoin(
                f"Referral {earlier.reference} is {describe(earlier.status)}, so nothing can be "
                "joined with it. Close this referral in the usual way if it is not needed."
            )
        now = timezone.now()
        _finish(later, CLOSED, now, close_reason=CloseReason.JOINED)
        save(later, now)
        save(earlier, now)
        record_events(later, [ReferralEventKind.JOINED_INTO], now)
        record_events(earlier, [ReferralEventKind.LATER_JOINED], now)
        audit_change(acting_user, later, f"Joined with referral {earlier.reference} and closed")
        audit_change(acting_user, earlier, f"Joined referral {later.reference} with this one")
    return earlier
