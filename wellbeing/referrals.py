"""Self-referral: the steps, the encrypted draft, and sending it as a referral.

State changes are the `do_*` functions, each one transaction on the confidential database; the
rest reads. A draft lives in the confidential database, encrypted, never in the session
(docs/adr/0011-referral-drafts.md). What the draft holds::

    {"contact": {...}, "work": {...}, "about": {...},
     "questionnaires": {"PHQ-9": [0, 1, None, ...], ...},   # None: not answered yet
     "heard": {...}, "equality": {...}, "consent": {...}, "campaign": "WINTER26"}
"""

from __future__ import annotations

import datetime
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import User
from portal.outbox.queueing import queue
from wellbeing import audit, outreach
from wellbeing.instruments import INSTRUMENTS, get_instrument, score
from wellbeing.models import (
    AuditAction,
    Referral,
    ReferralDraft,
    ReferralEvent,
    ReferralEventKind,
    ScreeningResult,
)
from wellbeing.pseudonyms import staff_ref_for

DATABASE = "confidential"


# --- The steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One question page. `instrument` names the questionnaire a questionnaire page asks."""

    slug: str
    title: str
    instrument: str = ""

    @property
    def is_questionnaire(self) -> bool:
        return bool(self.instrument)


STEPS: tuple[Step, ...] = (
    Step("contact", "How to contact you"),
    Step("work", "Your work"),
    Step("about", "What is happening for you"),
    *(
        Step(code.lower(), instrument.purpose, instrument=code)
        for code, instrument in INSTRUMENTS.items()
    ),
    Step("heard", "How you heard about the hub"),
    Step("equality", "Equality monitoring"),
    Step("consent", "Consent"),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def step_after(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def step_before(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def stored_answers(data: Mapping[str, Any], step: Step) -> Any:
    """What the draft holds for `step`, or None if the page has not been answered."""
    if step.is_questionnaire:
        return data.get("questionnaires", {}).get(step.instrument)
    return data.get(step.slug)


def is_step_complete(data: Mapping[str, Any], step: Step) -> bool:
    answers = stored_answers(data, step)
    if step.is_questionnaire:
        instrument = get_instrument(step.instrument)
        return (
            isinstance(answers, list)
            and len(answers) == len(instrument.items)
            and all(isinstance(answer, int) for answer in answers)
        )
    return isinstance(answers, dict)


def first_incomplete_step(data: Mapping[str, Any]) -> Step | None:
    return next((step for step in STEPS if not is_step_complete(data, step)), None)


def risk_items(code: str, answers: list[int | None] | None) -> tuple[int, ...]:
    """Items whose answers already meet a risk rule, even in a questionnaire not yet finished:
    an answer to PHQ-9 item 9 needs crisis contacts at once, whatever else is missing."""
    instrument = get_instrument(code)
    found = []
    for rule in instrument.risk_rules:
        if answers and len(answers) >= rule.item:
            answer = answers[rule.item - 1]
            if isinstance(answer, int) and rule.is_met_by(answer):
                found.append(rule.item)
    return tuple(found)


def draft_has_risk(data: Mapping[str, Any]) -> bool:
    questionnaires = data.get("questionnaires", {})
    return any(risk_items(code, questionnaires.get(code)) for code in INSTRUMENTS)


# --- Dates ----------------------------------------------------------------------------------------


# --- Reading -----------------------------------------------------------------------------------


def current_draft(user: User) -> ReferralDraft | None:
    """The user's draft referral, unless it has expired (an expired draft is as good as gone)."""
    return (
        ReferralDraft.objects.using(DATABASE)
        .filter(staff_ref=staff_ref_for(user.pk), expires_at__gt=timezone.now())
        .first()
    )


def referral_for_submission(*, user: User, submission_key: uuid.UUID) -> Referral | None:
    """The referral a draft with this key became, if this user sent it."""
    return (
        Referral.objects.using(DATABASE)
        .filter(staff_ref=staff_ref_for(user.pk), submission_key=submission_key)
        .first()
    )


def latest_referral_for(user: User, *, within: datetime.timedelta) -> Referral | None:
    """The user's most recent referral, if sent within `within` (for the confirmation page)."""
    return (
        Referral.objects.using(DATABASE)
        .filter(staff_ref=staff_ref_for(user.pk), created_at__gte=timezone.now() - within)
        .order_by("-created_at", "-id")
        .first()
    )


# --- Saving the draft --------------------------------------------------------------------------

CAMPAIGN_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _draft_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.HUB_DRAFT_HOURS)


def do_save_draft(
    *, user: User, step: Step | None = None, answers: Any = None, campaign: str | None = None
) -> ReferralDraft:
    """Keep `answers` to `step` in the user's draft, starting one if needed.

    Every save moves the expiry on, so a draft is kept while someone is working on it. An
    expired draft is started afresh: its answers are not brought back. `campaign` is the
    outreach campaign someone came from (`?campaign=`), kept if it looks like a code.
    """
    staff_ref = staff_ref_for(user.pk)
    with transaction.atomic(using=DATABASE):
        draft = (
            ReferralDraft.objects.using(DATABASE)
            .select_for_update()
            .filter(staff_ref=staff_ref)
            .first()
        )
        if draft is not None and draft.expires_at <= timezone.now():
            draft.delete()
            draft = None
        if draft is None:
            draft = ReferralDraft(staff_ref=staff_ref, submission_key=uuid.uuid4())
        data = dict(draft.data)
        if step is not None:
            if step.is_questionnaire:
                data["questionnaires"] = {
                    **data.get("questionnaires", {}),
                    step.instrument: answers,
                }
            else:
                data[step.slug] = answers
        if campaign is not None and CAMPAIGN_CODE.fullmatch(campaign):
            data["campaign"] = campaign
        draft.data = data
        draft.expires_at = _draft_expiry()
        try:
            with transaction.atomic(using=DATABASE):
                draft.save(using=DATABASE)
        except IntegrityError:
            # Another request (a second tab) started the draft a moment ago: save into that one.
            draft = (
                ReferralDraft.objects.using(DATABASE).select_for_update().get(staff_ref=staff_ref)
            )
            draft.data = {**draft.data, **data}
            draft.expires_at = _draft_expiry()
            draft.save(using=DATABASE)
    return draft


# --- Sending --------------------------------------------------------------------------------------

# No 0/O, 1/I/L or U: read aloud over the phone or copied by hand, nothing is mistaken.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_ATTEMPTS = 10


def new_reference() -> str:
    """An opaque reference like RH-7K2M-Q9XD: random, so it says nothing about who or when."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"RH-{chars[:4]}-{chars[4:]}"


class DraftGone(Exception):
    """The draft was sent from elsewhere or has expired, and made no referral to show."""


class IncompleteReferral(Exception):
    """The draft is missing answers; `step` is the first page still to answer."""

    def __init__(self, step: Step) -> None:
        super().__init__(f"The referral is missing the {step.slug!r} step")
        self.step = step


@dataclass(frozen=True)
class Submission:
    referral: Referral
    created: bool


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
        "staff_group": work.get("staff_group", ""),
        "team": work.get("team", ""),
        "whats_happening": about["whats_happening"],
        "hoped_for_help": about.get("hoped_for_help", ""),
        "how_heard": data["heard"]["how_heard"],
        "campaign_code": data.get("campaign", ""),
        "equality_monitoring": equality,
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

    One transaction: the referral, its scored questionnaires, its first timeline events and an
    audit entry are written and the draft is deleted. Any risk answer marks the referral urgent,
    and the outbox gets the confirmation email, and the duty alert when urgent (links only).
    Sending the same draft again (a refresh, a double click) finds the referral already made.
    Raises IncompleteReferral if a page is still unanswered, DraftGone if the draft expired.
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
        results = {code: score(code, locked.data["questionnaires"][code]) for code in INSTRUMENTS}
        urgent = any(result.risk for result in results.values())
        now = timezone.now()
        referral = _create_with_unique_reference(
            {
                "staff_ref": staff_ref,
                "owner_key": str(user.pk),
                "submission_key": locked.submission_key,
                "urgent": urgent,
                "created_at": now,
                "consented_at": now,
                **_referral_fields(locked.data),
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
        kinds = [ReferralEventKind.RECEIVED] + ([ReferralEventKind.URGENT] if urgent else [])
        ReferralEvent.objects.using(DATABASE).bulk_create(
            ReferralEvent(referral=referral, kind=kind, at=now) for kind in kinds
        )
        audit.record(
            actor=audit.actor_for(user),
            action=AuditAction.CREATE,
            obj=referral,
            reason="Self-referral",
        )
        locked.delete()
        # In this transaction: the emails exist exactly when the referral does. They are handed
        # to Celery after commit, and a broker that is down only delays them (portal/outbox/).
        queue(outreach.referral_received(referral))
    return Submission(referral, created=True)
