"""The audit log of the confidential store: who did what to which record, when and why.

Every read and write of a record by hub staff, and every view of "my hub", calls `record` inside
the same transaction as the work it describes, so the work and its entry stand or fall together.
Entries are chained: each entry's MAC (HMAC-SHA256 under the audit chain key, which is not in
the database) covers the entry and the MAC before it. Entries written before the chain was keyed
keep their plain SHA-256; the first keyed entry after them seals them (ADR 0019).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
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


# The `key_id` of entries written before the chain was keyed (plain SHA-256).
UNKEYED = ""


def key_id_for(key: str) -> str:
    """A fingerprint that names a key in each entry without revealing it, so verification knows
    which key to use after a rotation."""
    return hmac.new(key.encode(), b"audit chain key id", hashlib.sha256).hexdigest()[:16]


def chain_keys() -> dict[str, str]:
    """Every key that may have sealed an entry, by key id: the current one and any retired."""
    keys = [settings.AUDIT_CHAIN_KEY, *settings.AUDIT_CHAIN_RETIRED_KEYS]
    return {key_id_for(key): key for key in keys if key}


def entry_mac(
    *,
    key: str,
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
    """The entry's seal: HMAC-SHA256 under `key` of its fields, its key id and the MAC before."""
    payload = _payload(
        key_id_for(key),
        previous_hash,
        at,
        actor_ref,
        actor_role,
        actor_name,
        action,
        object_type,
        object_id,
        reason,
    )
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


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
    """The plain SHA-256 of entries written before the chain was keyed: checked, never written."""
    payload = _payload(
        None,
        previous_hash,
        at,
        actor_ref,
        actor_role,
        actor_name,
        action,
        object_type,
        object_id,
        reason,
    )
    return hashlib.sha256(payload).hexdigest()


def _payload(
    key_id: str | None,
    previous_hash: str,
    at: datetime,
    actor_ref: str,
    actor_role: str,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: int,
    reason: str,
) -> bytes:
    # Unkeyed entries' payload is exactly what it was before keying, so they still verify.
    prefix = [] if key_id is None else [key_id]
    return json.dumps(
        [
            *prefix,
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
    ).encode()


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
    key = settings.AUDIT_CHAIN_KEY
    key_id = key_id_for(key)
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
        mac = entry_mac(key=key, previous_hash=previous_hash, **fields)  # type: ignore[arg-type]
        entries.append(AuditEntry(**fields, previous_hash=previous_hash, hash=mac, key_id=key_id))
        previous_hash = mac
    # PostgreSQL and SQLite number a multi-row insert's rows in the order given, which is the
    # chain's order.
    return AuditEntry.objects.using(DATABASE).bulk_create(entries)


@dataclass(frozen=True)
class Anchor:
    """The chain's head as recorded outside the confidential database (wellbeing.audit_anchors)."""

    entry_count: int
    head_mac: str
    recorded_at: datetime

    @property
    def when(self) -> str:
        return f"{self.recorded_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


@dataclass(frozen=True)
class ChainCheck:
    entries_checked: int
    first_bad_entry: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def _expected_seal(entry: AuditEntry, key: str | None) -> str:
    fields: dict[str, Any] = {
        "previous_hash": entry.previous_hash,
        "at": entry.at,
        "actor_ref": entry.actor_ref,
        "actor_role": entry.actor_role,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
    }
    if key is None:
        return entry_hash(**fields)
    return entry_mac(key=key, **fields)


def verify_chain(anchors: Sequence[Anchor] = ()) -> ChainCheck:
    """Walk the whole chain in order; report the first entry that was changed or does not follow
    the one before it (an entry removed, inserted or reordered). With anchors, also report a
    chain shorter than the longest anchored (its tail cut, or emptied) or one whose entry at an
    anchored length no longer has the anchored MAC (rewritten). Every anchor is checked, not
    only the newest, so a forged newer anchor cannot hide a cut."""
    anchored_at: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored_at.setdefault(anchor.entry_count, []).append(anchor)
    longest = max(anchors, key=lambda anchor: anchor.entry_count, default=None)
    keys = chain_keys()
    expected_previous = GENESIS_HASH
    checked = 0
    keyed = False
    with transaction.atomic(using=DATABASE):
        for entry in AuditEntry.objects.using(DATABASE).order_by("id").iterator(chunk_size=2000):
            checked += 1
            if entry.previous_hash != expected_previous:
                return ChainCheck(
                    checked, entry.pk, "does not follow the entry before it (one was removed)"
                )
            if entry.key_id == UNKEYED:
                if keyed:
                    # Unkeyed entries only ever come before the keyed ones: a later one was
                    # written by someone without the key.
                    return ChainCheck(
                        checked,
                        entry.pk,
                        "is not sealed with the audit chain key, though entries before it are "
                        "(the chain was rewritten)",
                    )
                key = None
            elif entry.key_id in keys:
                keyed = True
                key = keys[entry.key_id]
            else:
                return ChainCheck(
                    checked,
                    entry.pk,
                    "is sealed with a key this server does not have "
                    "(add it to AUDIT_CHAIN_RETIRED_KEYS, or the entry was forged)",
                )
            if not hmac.compare_digest(_expected_seal(entry, key), entry.hash):
                return ChainCheck(checked, entry.pk, "has been changed since it was written")
            for anchor in anchored_at.get(checked, ()):
                if entry.hash != anchor.head_mac:
                    return ChainCheck(
                        checked,
                        entry.pk,
                        f"no longer has the MAC anchored at {anchor.when} "
                        "(the chain was rewritten)",
                    )
            expected_previous = entry.hash
    if checked and not keyed:
        return ChainCheck(
            checked,
            None,
            "no entry is sealed with the audit chain key (the chain was rewritten, or "
            "migration wellbeing 0011 has not run)",
        )
    if longest and checked < longest.entry_count:
        when = longest.when
        if checked == 0:
            problem = (
                f"the log is empty, but it had {longest.entry_count} entries when anchored at "
                f"{when} (it was emptied: TRUNCATE or DELETE)"
            )
        else:
            problem = (
                f"the log has {checked} entries, but it had {longest.entry_count} when anchored "
                f"at {when} (the newest were removed)"
            )
        return ChainCheck(checked, None, problem)
    return ChainCheck(checked)
