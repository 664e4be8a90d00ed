"""Self-referral: the steps and the encrypted draft. Sending the draft as a referral is the
first step of the referral lifecycle, `wellbeing.services.referrals.do_submit_referral`.

`do_save_draft` is one transaction on the confidential database; the rest reads. A draft lives in the confidential database, encrypted, never in the session
(docs/adr/0011-referral-drafts.md). What the draft holds::

    {"contact": {...}, "work": {...}, "about": {...},
     "questionnaires": {"PHQ-9": [0, 1, None, ...], ...},   # None: not answered yet
     "trauma": {"traumatic_event": "no"},                    # asks the PCL-5 or not
     "heard": {...}, "equality": {...}, "consent": {...}, "campaign": "WINTER26"}

A questionnaire behind a screening question (`wellbeing.instruments.SCREENING_QUESTIONS`) is
skipped, and counts as complete, when the answer says it is not asked; answers already given to
it stay in the draft (the person may change their mind back) but are never sent.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import User
from wellbeing.instruments import INSTRUMENTS, SCREENING_QUESTIONS, get_instrument, is_asked
from wellbeing.models import (
    DATABASE,
    Referral,
    ReferralDraft,
)
from wellbeing.pseudonyms import staff_ref_for

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


# The page that asks each screening question, by the instrument it comes before.
SCREENING_STEPS = {"PCL-5": Step("trauma", "Something traumatic or very distressing")}
if set(SCREENING_STEPS) != set(SCREENING_QUESTIONS):
    raise RuntimeError("Every screening question needs its page, and every page its question")

STEPS: tuple[Step, ...] = (
    Step("contact", "How to contact you"),
    Step("work", "Your work"),
    Step("about", "What is happening for you"),
    *(
        step
        for code, instrument in INSTRUMENTS.items()
        for step in (
            *([SCREENING_STEPS[code]] if code in SCREENING_STEPS else []),
            Step(code.lower(), instrument.purpose, instrument=code),
        )
    ),
    Step("heard", "How you heard about the hub"),
    Step("equality", "Equality monitoring"),
    Step("consent", "Consent"),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def screening_answers(data: Mapping[str, Any]) -> dict[str, Any]:
    """The screening questions' answers in a draft, by field (`{"traumatic_event": "no"}`)."""
    answers: dict[str, Any] = {}
    for step in SCREENING_STEPS.values():
        stored = data.get(step.slug)
        if isinstance(stored, dict):
            answers.update(stored)
    return answers


def asked_steps(data: Mapping[str, Any]) -> list[Step]:
    """The pages this draft's answers so far lead through, in order."""
    return [step for step in STEPS if is_step_asked(data, step)]


def step_number(step: Step, data: Mapping[str, Any]) -> int:
    """Where `step` comes among the pages the draft's answers lead through, counting from 1:
    "Step 3 of 11"."""
    asked = asked_steps(data)
    return asked.index(step) + 1 if step in asked else STEPS.index(step) + 1


def is_step_asked(data: Mapping[str, Any], step: Step) -> bool:
    """Whether the draft's answers so far lead to this page (a skipped questionnaire does not)."""
    return not step.is_questionnaire or is_asked(step.instrument, screening_answers(data))


def asked_instruments(data: Mapping[str, Any]) -> list[str]:
    """The questionnaires this draft asks, in order: every one unless a screening answer skips it."""
    answers = screening_answers(data)
    return [code for code in INSTRUMENTS if is_asked(code, answers)]


def step_after(step: Step, data: Mapping[str, Any] | None = None) -> Step | None:
    """The next page the draft's answers lead to."""
    following = STEPS[STEPS.index(step) + 1 :]
    return next((s for s in following if is_step_asked(data or {}, s)), None)


def step_before(step: Step, data: Mapping[str, Any] | None = None) -> Step | None:
    """The page before this one, as the draft's answers led."""
    before = STEPS[: STEPS.index(step)]
    return next((s for s in reversed(before) if is_step_asked(data or {}, s)), None)


def stored_answers(data: Mapping[str, Any], step: Step) -> Any:
    """What the draft holds for `step`, or None if the page has not been answered."""
    if step.is_questionnaire:
        return data.get("questionnaires", {}).get(step.instrument)
    return data.get(step.slug)


def is_step_complete(data: Mapping[str, Any], step: Step) -> bool:
    if not is_step_asked(data, step):
        return True
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
    return any(risk_items(code, questionnaires.get(code)) for code in asked_instruments(data))


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


def open_referral_for(user: User) -> Referral | None:
    """The user's earliest referral the hub is still working on, plain fields only: the start
    page tells them about it before they begin another (a new one sent anyway is linked to it,
    wellbeing.services.referrals.do_submit_referral)."""
    return (
        Referral.objects.using(DATABASE)
        .owned_by(user)
        .open()
        .only("id", "reference", "status", "created_at")
        .order_by("created_at", "id")
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
