"""The audit log of the confidential store: who did what to which record, when and why.

Every read and write of a record by hub staff, and every view of "my hub", calls `record` inside
the same transaction as the work it describes, so the work and its entry stand or fall together.
Entries are hash-chained: each hash covers the entry and the hash before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connections, transaction
from django.db.models import Model
from django.utils import timezone

from portal.models import User
from portal.rules import is_hub_lead, is_hub_researcher, is_hub_staff
from wellbeing.models import DATABASE, AuditEntry
from wellbeing.pseudonyms import staff_ref_for

GENESIS_HASH = "0" * 64
# One number for PostgreSQL's advisory lock that serialises appends to the chain.
CHAIN_LOCK = 7_240_001


@dataclass(frozen=True)
class Actor:
    """Who acted, as the audit log names them: pseudonymised, with a role and, for hub staff, a
    name that the staff member can be shown ("who has opened my record")."""

    ref: str
    role: str
    name: str = ""


def actor_for(user: User) -> Actor:
    ref = staff_ref_for(user.pk)
    if is_hub_staff(user) or is_hub_researcher(user):
        role = (
            "Hub lead"
            if is_hub_lead(user)
            else "Hub clinician"
            if is_hub_staff(user)
            else "Hub researcher"
        )
        profile = getattr(user, "staff_profile", None)
        return Actor(ref, role, profile.display_name if profile else "")
    return Actor(ref, "Staff member")


def entry_hash(
    *,
    previous_hash: str,
    at: datetime,
    actor_ref: str,
    actor_role: str,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: int,
    reason: str,
) -> str:
    payload = json.dumps(
        [
            previous_hash,
            at.astimezone(UTC).isoformat(),
            actor_ref,
            actor_role,
            actor_name,
            action,
            object_type,
            int(object_id),
            reason,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(*, actor: Actor, action: str, obj: Model, reason: str) -> AuditEntry:
    """Append an entry for `obj`. Must run inside the transaction of the work it describes."""
    return record_many(actor=actor, action=action, objs=[obj], reason=reason)[0]


def record_many(
    *, actor: Actor, action: str, objs: Iterable[Model], reason: str
) -> list[AuditEntry]:
    """Append one entry per record, in one insert: a page listing twenty referrals writes twenty
    entries with one lock, one read of the chain's head and one insert, so its query count stays
    constant. Must run inside the transaction of the work it describes."""
    objs = list(objs)
    connection = connections[DATABASE]
    if not connection.in_atomic_block:
        raise RuntimeError("Audit entries are written inside the transaction of the work")
    if not objs:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    previous_hash = (
        AuditEntry.objects.using(DATABASE).order_by("-id").values_list("hash", flat=True).first()
        or GENESIS_HASH
    )
    at = timezone.now()
    entries = []
    for obj in objs:
        fields = {
            "at": at,
            "actor_ref": actor.ref,
            "actor_role": actor.role,
            "actor_name": actor.name,
            "action": str(action),
            "object_type": obj._meta.model_name or "",
            "object_id": int(obj.pk),
            "reason": reason,
        }
        digest = entry_hash(previous_hash=previous_hash, **fields)  # type: ignore[arg-type]
        entries.append(AuditEntry(**fields, previous_hash=previous_hash, hash=digest))
        previous_hash = digest
    # PostgreSQL and SQLite number a multi-row insert's rows in the order given, which is the
    # chain's order.
    return AuditEntry.objects.using(DATABASE).bulk_create(entries)


@dataclass(frozen=True)
class ChainCheck:
    entries_checked: int
    first_bad_entry: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_entry is None


def verify_chain() -> ChainCheck:
    """Walk the whole chain in order; report the first entry that was changed or does not follow
    the one before it (an entry removed, inserted or reordered)."""
    expected_previous = GENESIS_HASH
    checked = 0
    with transaction.atomic(using=DATABASE):
        for entry in AuditEntry.objects.using(DATABASE).order_by("id").iterator(chunk_size=2000):
            checked += 1
            if entry.previous_hash != expected_previous:
                return ChainCheck(
                    checked, entry.pk, "does not follow the entry before it (one was removed)"
                )
            recomputed = entry_hash(
                previous_hash=entry.previous_hash,
                at=entry.at,
                actor_ref=entry.actor_ref,
                actor_role=entry.actor_role,
                actor_name=entry.actor_name,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                reason=entry.reason,
            )
            if recomputed != entry.hash:
                return ChainCheck(checked, entry.pk, "has been changed since it was written")
            expected_previous = entry.hash
    return ChainCheck(checked)
