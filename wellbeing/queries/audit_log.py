"""Reading the audit log about a referral: the one query and the one shape behind both viewers,
my hub's "who has opened my record" and the hub lead's "who opened this record".

The log itself (append-only, hash-chained, verified) is wellbeing.audit.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from portal import roles
from wellbeing.models import (
    DATABASE,
    Assessment,
    AuditEntry,
    ContactAttempt,
    FollowUp,
    HubMessage,
    OnwardReferral,
    ReferralEvent,
    ScreeningResult,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)

STAFF_MEMBER_ROLE = "Staff member"

# The records that make up a referral, as the audit log names them (`object_type`), with the
# lookup from each to its referral. A new kind of record about a referral joins this list so
# that "who has opened my record" and the download include the looks at it.
RECORD_PARTS: tuple[tuple[type[Model], str], ...] = (
    (ScreeningResult, "referral_id"),
    (HubMessage, "referral_id"),
    (ReferralEvent, "referral_id"),
    (ContactAttempt, "referral_id"),
    (Assessment, "referral_id"),
    (SignpostedResource, "referral_id"),
    (TherapyPlan, "referral_id"),
    (TherapySession, "plan__referral_id"),
    (OnwardReferral, "referral_id"),
    (FollowUp, "referral_id"),
)

# What a hub member did, in the person's words ("Opened your questionnaire answers").
WORDS_FOR_THE_PERSON = {
    "referral": "your referral",
    "screeningresult": "your questionnaire answers",
    "hubmessage": "a message",
    "referralevent": "your referral's progress",
    "contactattempt": "a record of contacting you",
    "assessment": "your assessment",
    "signpostedresource": "the resources suggested to you",
    "therapyplan": "your therapy plan",
    "therapysession": "a therapy session record",
    "onwardreferral": "your referral to another service",
    "followup": "a check-in",
}
# What a hub member did, in the hub's words ("Opened an assessment").
WORDS_FOR_THE_HUB = {
    "referral": "the referral",
    "screeningresult": "questionnaire answers",
    "hubmessage": "a message",
    "referralevent": "the referral's progress",
    "contactattempt": "a contact attempt",
    "assessment": "an assessment",
    "signpostedresource": "a signposted resource",
    "therapyplan": "a therapy plan",
    "therapysession": "a therapy session",
    "onwardreferral": "an onward referral",
    "followup": "a follow-up",
}


@dataclass(frozen=True)
class AuditLogEntry:
    at: datetime.datetime
    name: str  # as the audit log recorded it; empty for an unnamed hub member
    role: str
    what: str
    reason: str

    @property
    def who(self) -> str:
        if self.role == STAFF_MEMBER_ROLE:
            return "The member of staff"
        return self.name or "A member of the hub"


def about_referrals(referral_ids: Sequence[int]) -> Q:
    """Audit entries about these referrals or any record that belongs to them (RECORD_PARTS)."""
    about = Q(object_type="referral", object_id__in=referral_ids)
    for model, lookup in RECORD_PARTS:
        part_ids = model._default_manager.using(DATABASE).filter(**{f"{lookup}__in": referral_ids})
        about |= Q(object_type=model._meta.model_name, object_id__in=part_ids.values("pk"))
    return about


def entries_about(
    referral_ids: Sequence[int], *, hub_staff_only: bool = False, leaving_out: str = ""
) -> QuerySet[AuditEntry]:
    """Entries about these referrals or any of their parts, newest first. My hub shows the hub
    staff's only, leaving out the person's own looks (even when they are hub staff)."""
    entries = AuditEntry.objects.using(DATABASE).filter(about_referrals(referral_ids))
    if hub_staff_only:
        entries = entries.filter(actor_role__in=sorted(roles.HUB_ROLES))
    if leaving_out:
        entries = entries.exclude(actor_ref=leaving_out)
    return entries.order_by("-at", "-id")


def describe(entry: AuditEntry, *, words: Mapping[str, str]) -> AuditLogEntry:
    """An entry in the reader's words (WORDS_FOR_THE_PERSON or WORDS_FOR_THE_HUB)."""
    return AuditLogEntry(
        at=entry.at,
        name=entry.actor_name,
        role=entry.actor_role,
        what=f"{entry.get_action_display()} {words.get(entry.object_type, 'a record')}",
        reason=entry.reason,
    )
