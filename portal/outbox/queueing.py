"""Writing outbox rows in the caller's transaction, handing them to Celery on commit, and the
sweep that hands over again whatever a lost hand-off left behind."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.iterables import batched
from portal.outbox import registry
from portal.outbox.delivery import claimable
from portal.outbox.models import OutboxMessageBase, Status

logger = logging.getLogger(__name__)


def queue(messages: Sequence[OutboxMessageBase]) -> None:
    """Write messages as part of the caller's transaction; send those due now once it commits.

    A message whose idempotency key is already in the outbox is left as it is, so calling this
    again for the same event never makes a second email. Messages due later are sent by the
    sweep when their time comes.
    """
    if not messages:
        return
    outbox = registry.for_model(type(messages[0]))
    now = timezone.now()
    for message in messages:
        message.enqueued_at = now if message.due_at <= now else None
    outbox.messages().bulk_create(messages, ignore_conflicts=True, batch_size=500)
    due_keys = [m.idempotency_key for m in messages if m.due_at <= now]
    ids: list[int] = []
    for keys in batched(due_keys, 1000):
        ids.extend(
            outbox.messages()
            .filter(idempotency_key__in=keys, status=Status.PENDING)
            .values_list("pk", flat=True)
        )
    if ids:
        transaction.on_commit(lambda: hand_off(outbox.label, ids), using=outbox.database)


def hand_off(label: str, ids: Iterable[int]) -> None:
    """Give messages to the broker in batches. If it is down, the sweep sends them later."""
    outbox = registry.get(label)
    deliver_messages = registry.deliver_task()
    for batch in batched(ids, settings.OUTBOX_BATCH_SIZE):
        try:
            deliver_messages.delay(label, list(batch))
        except Exception as error:  # noqa: BLE001 - a broker outage must not undo the change
            logger.warning(
                "Could not hand %d %s messages to the broker (%s); the sweep will send them",
                len(batch),
                label,
                type(error).__name__,
            )
            outbox.messages().filter(pk__in=batch, status=Status.PENDING).update(enqueued_at=None)


def sweep(label: str) -> int:
    """Hand to the broker every due message whose hand-off was lost; returns how many."""
    outbox = registry.get(label)
    rows = outbox.messages()
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    ids = list(
        rows.filter(claimable(now))
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
        .order_by("-urgent", "due_at")
        .values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_LIMIT]
    )
    for chunk in batched(ids, 1000):
        rows.filter(pk__in=chunk).update(enqueued_at=now)
    hand_off(label, ids)
    return len(ids)
