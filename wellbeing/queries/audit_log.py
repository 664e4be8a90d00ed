"""Reading the audit log about a referral: the one query and the one shape behind both viewers,
my hub's "who has opened my record" and the hub lead's "who opened this record".

My hub groups the entries into sittings (`sittings`): a clinician's three minutes on a referral
can write twenty entries, and a member of staff wants to know who looked and when, with each
entry one click away. The log itself keeps every entry.

The log itself (append-only, hash-chained, verified) is wellbeing.audit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

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
# Reads by one person less than this far apart are one sitting (my hub's "who has opened my
# record"): long enough for a rapid assessment with pauses, short enough that a look the next
# morning is its own line.
SITTING_GAP = datetime.timedelta(minutes=30)
# What a sitting's entries did, in the person's words; anything but opening or downloading
# (adding a note, an assessment, a message; changing a status) is "added to or changed".
SITTING_VERBS = {
    "opened": "looked at",
    "downloaded": "downloaded",
    "changed": "added to or changed",
}

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


@dataclass
class Sitting:
    """Consecutive entries by one person, each less than SITTING_GAP after the one before."""

    actor_ref: str
    name: str
    role: str
    started: datetime.datetime
    ended: datetime.datetime
    entries: list[AuditLogEntry] = field(default_factory=list)  # newest first
    counts: dict[str, int] = field(default_factory=dict)  # by kind: opened, downloaded, changed

    @property
    def who(self) -> str:
        return self.name or "A member of the hub"

    @property
    def what(self) -> str:
        """What they did, in words: "looked at your record 20 times and changed it once"."""
        done: list[str] = []
        for kind in ("opened", "downloaded", "changed"):
            count = self.counts.get(kind, 0)
            if count:
                # The first phrase names the record; the rest say "it".
                record = "it" if done else "your record"
                done.append(f"{SITTING_VERBS[kind]} {record} {_times(count)}")
        return " and ".join(done)

    @property
    def when(self) -> str:
        """ "at 10:02 on 2 December 2026", "between 10:02 and 10:05 on 2 December 2026", or
        across midnight "between 23:50 on 1 December 2026 and 00:10 on 2 December 2026"."""
        started, ended = timezone.localtime(self.started), timezone.localtime(self.ended)
        day = "j F Y"
        if started.date() != ended.date():
            return (
                f"between {date_format(started, 'H:i')} on {date_format(started, day)} and "
                f"{date_format(ended, 'H:i')} on {date_format(ended, day)}"
            )
        if date_format(started, "H:i") == date_format(ended, "H:i"):
            return f"at {date_format(started, 'H:i')} on {date_format(started, day)}"
        return (
            f"between {date_format(started, 'H:i')} and {date_format(ended, 'H:i')} on "
            f"{date_format(started, day)}"
        )

    @property
    def summary(self) -> str:
        return f"{self.who}, {self.role.lower()}, {self.what} {self.when}"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def sittings(entries: Iterable[AuditEntry], *, words: Mapping[str, str]) -> list[Sitting]:
    """Entries grouped by person and sitting, the latest sitting first.

    `entries` may come in any order. A sitting is one person's entries with gaps under
    SITTING_GAP between them, whoever else looked in between: two clinicians on a referral at
    once are two sittings, not one broken into pieces.
    """
    open_sitting: dict[str, Sitting] = {}
    found: list[Sitting] = []
    for entry in sorted(entries, key=lambda e: (e.at, e.pk or 0)):
        current = open_sitting.get(entry.actor_ref)
        if current is None or entry.at - current.ended >= SITTING_GAP:
            current = Sitting(
                actor_ref=entry.actor_ref,
                name=entry.actor_name,
                role=entry.actor_role,
                started=entry.at,
                ended=entry.at,
            )
            open_sitting[entry.actor_ref] = current
            found.append(current)
        current.ended = entry.at
        # The latest name and role they worked under in the sitting.
        current.name, current.role = entry.actor_name or current.name, entry.actor_role
        current.entries.append(describe(entry, words=words))
        kind = {"read": "opened", "export": "downloaded"}.get(entry.action, "changed")
        current.counts[kind] = current.counts.get(kind, 0) + 1
    for sitting in found:
        sitting.entries.reverse()  # newest first, as the rest of the page reads
    return sorted(found, key=lambda s: s.ended, reverse=True)


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
