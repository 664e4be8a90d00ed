"""Anchors for the audit chain: its length and head MAC, recorded where the confidential
database's owner cannot rewrite them (ADR 0019).

`AUDIT_ANCHOR` chooses where: "database" (portal.AuditAnchor in the default database, append-only
by trigger) or the path of a file to which one JSON line is appended per anchor (make it
append-only, `chattr +a`, or ship it to a log host). The beat task `wellbeing.anchor_audit_chain`
records one every 15 minutes and `manage.py verify_audit_log` one after each clean check.
An anchor holds no wellbeing data: a count, a MAC and a time.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from portal.models import AuditAnchor
from wellbeing.audit import CHAIN_LOCK, GENESIS_HASH, Anchor
from wellbeing.models import DATABASE, AuditEntry

IN_THE_DEFAULT_DATABASE = "database"


class ChainDoesNotMatchAnchor(Exception):
    """The chain is shorter than, or differs at, its last anchor: it was cut or rewritten."""


def all_anchors() -> list[Anchor]:
    """Every anchor recorded, oldest first."""
    if settings.AUDIT_ANCHOR == IN_THE_DEFAULT_DATABASE:
        return [
            Anchor(row.entry_count, row.head_mac, row.recorded_at)
            for row in AuditAnchor.objects.order_by("id")
        ]
    path = Path(settings.AUDIT_ANCHOR)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [_from_line(line) for line in lines if line.strip()]


def latest_anchor() -> Anchor | None:
    if settings.AUDIT_ANCHOR == IN_THE_DEFAULT_DATABASE:
        row = AuditAnchor.objects.order_by("-id").first()
        return None if row is None else Anchor(row.entry_count, row.head_mac, row.recorded_at)
    anchors = all_anchors()
    return anchors[-1] if anchors else None


def _from_line(line: str) -> Anchor:
    fields = json.loads(line)
    return Anchor(
        int(fields["entries"]), fields["head_mac"], datetime.fromisoformat(fields["recorded_at"])
    )


def record_anchor() -> Anchor:
    """Record the chain's head now, after checking that the chain still reaches the last anchor
    (so a tail cut between two anchors is never anchored over). Raises ChainDoesNotMatchAnchor
    otherwise: run `manage.py verify_audit_log` to see what happened."""
    previous = latest_anchor()
    connection = connections[DATABASE]
    with transaction.atomic(using=DATABASE):
        # The same lock as appends take, so the count and the head belong together.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        entries = AuditEntry.objects.using(DATABASE).order_by("id")
        count = entries.count()
        head = entries.values_list("hash", flat=True).last() or GENESIS_HASH
        if previous is not None and previous.entry_count:
            if count < previous.entry_count:
                raise ChainDoesNotMatchAnchor(
                    f"The audit log has {count} entries, fewer than the {previous.entry_count} "
                    f"anchored at {previous.when}."
                )
            at_previous_head = entries.values_list("hash", flat=True)[previous.entry_count - 1]
            if at_previous_head != previous.head_mac:
                raise ChainDoesNotMatchAnchor(
                    f"Entry number {previous.entry_count} of the audit log no longer has the MAC "
                    f"anchored at {previous.when}."
                )
    anchor = Anchor(count, head, timezone.now())
    _store(anchor)
    return anchor


def _store(anchor: Anchor) -> None:
    if settings.AUDIT_ANCHOR == IN_THE_DEFAULT_DATABASE:
        AuditAnchor.objects.create(
            entry_count=anchor.entry_count,
            head_mac=anchor.head_mac,
            recorded_at=anchor.recorded_at,
        )
        return
    line = json.dumps(
        {
            "entries": anchor.entry_count,
            "head_mac": anchor.head_mac,
            "recorded_at": anchor.recorded_at.isoformat(),
        }
    )
    # Opened for appending only: the file may be append-only (chattr +a) to this process too.
    with Path(settings.AUDIT_ANCHOR).open("a", encoding="utf-8") as anchors:
        anchors.write(line + "\n")
