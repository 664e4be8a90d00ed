"""Who holds a referral: a clinician takes it ("Assign to me"), or the hub lead allocates it.

Each change is one transaction on the confidential database that writes its audit entry. Both
are conditional updates, so two people acting at once can never both win: the second finds the
row changed and is told who got there first.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from portal.models import User
from portal.permissions import is_hub_staff
from wellbeing import referral_states
from wellbeing.audit import DATABASE, Actor, actor_for, record
from wellbeing.models import MAX_ID, AuditAction, Referral, ReferralStatus
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import OPEN_STATUSES


class ReferralNotOpen(Exception):
    """The referral is closed or withdrawn: nobody can take it."""


class AlreadyTaken(Exception):
    """Someone else holds the referral now; `holder` is their name, as the audit log has it."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder

    @property
    def message(self) -> str:
        who = self.holder or "Another clinician"
        return f"{who} took this referral a moment ago."


class AlreadyYours(Exception):
    """The person asking already holds the referral."""


class NotHubStaff(Exception):
    """The chosen person is not an active hub clinician or lead."""


# Taking a referral that is waiting starts its assessment (the move referral_states allows from
# "new"); one already further on stays where it is.
_STATUS_ONCE_HELD = Case(
    When(
        status__in=referral_states.statuses_that_can_move_to(ReferralStatus.IN_ASSESSMENT),
        then=Value(ReferralStatus.IN_ASSESSMENT),
    ),
    default=F("status"),
)


def _referral_or_404(referral_id: int) -> Mapping[str, Any]:
    if not 0 < referral_id <= MAX_ID:
        raise Http404("No such referral")
    current = (
        Referral.objects.using(DATABASE)
        .filter(pk=referral_id)
        .values("status", "assigned_ref", "assigned_name")
        .first()
    )
    if current is None:
        raise Http404("No such referral")
    return current


def _hand_to(candidates: QuerySet[Referral], holder: Actor) -> bool:
    """Give `holder` whichever of `candidates` (one referral, if still as expected) is left."""
    now = timezone.now()
    changed = candidates.update(
        assigned_ref=holder.ref,
        assigned_name=holder.name,
        assigned_at=now,
        status=_STATUS_ONCE_HELD,
        updated_at=now,
    )
    return bool(changed)


def _why_not(referral_id: int, holder: Actor) -> Exception:
    """Why a conditional update changed nothing: closed, already theirs, or someone else's."""
    current = _referral_or_404(referral_id)
    if current["status"] not in OPEN_STATUSES:
        return ReferralNotOpen()
    if current["assigned_ref"] == holder.ref:
        return AlreadyYours()
    return AlreadyTaken(str(current["assigned_name"]))


def _held(referral_id: int) -> Referral:
    return (
        Referral.objects.using(DATABASE)
        .only("id", "reference", "status", "assigned_ref", "assigned_name", "assigned_at")
        .get(pk=referral_id)
    )


def do_claim(*, referral_id: int, acting_user: User) -> Referral:
    """The acting clinician takes an open referral nobody holds.

    Raises AlreadyTaken (with who took it), AlreadyYours or ReferralNotOpen when the
    conditional update finds the referral no longer free.
    """
    actor = actor_for(acting_user)
    with transaction.atomic(using=DATABASE):
        free = Referral.objects.using(DATABASE).filter(
            pk=referral_id, assigned_ref="", status__in=OPEN_STATUSES
        )
        if not _hand_to(free, actor):
            raise _why_not(referral_id, actor)
        referral = _held(referral_id)
        record(actor=actor, action=AuditAction.UPDATE, obj=referral, reason="Took the referral")
    return referral


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
    actor = actor_for(acting_user)
    holder = actor_for(clinician)
    with transaction.atomic(using=DATABASE):
        as_seen: dict[str, Any] = (
            {"assigned_at": seen_assigned_at}
            if seen_assigned_at is not None
            else {"assigned_at__isnull": True}
        )
        unchanged = (
            Referral.objects.using(DATABASE)
            .filter(pk=referral_id, status__in=OPEN_STATUSES, **as_seen)
            .exclude(assigned_ref=holder.ref)
        )
        if not _hand_to(unchanged, holder):
            raise _why_not(referral_id, holder)
        referral = _held(referral_id)
        reason = f"Allocated the referral to {holder.name or 'a clinician'}"
        record(actor=actor, action=AuditAction.UPDATE, obj=referral, reason=reason[:120])
    return referral


def holds(user: User, referral: Referral) -> bool:
    return bool(referral.assigned_ref) and referral.assigned_ref == staff_ref_for(user.pk)
