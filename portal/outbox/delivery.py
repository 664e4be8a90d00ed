"""Claiming and sending outbox messages: each one once, whatever the broker or workers do.

A batch is claimed with one conditional update (pending and due, or claimed so long ago that the
worker holding it must have died) stamped with a fresh claim token; only rows carrying that token
are sent, and each is marked sent straight after it leaves. A task delivered twice finds nothing
left to claim. The one window that can double a message is a worker killed between the mail
server accepting it and the next statement (docs/adr/0012-outbox.md).
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from portal.models import User
from portal.outbox import registry, rendering
from portal.outbox.channels import Channel, OnDemandChannel, PermanentFailure
from portal.outbox.errors import summary_of
from portal.outbox.models import OutboxMessageBase, SkipReason, Status
from portal.outbox.registry import Outbox, deliver_task

logger = logging.getLogger(__name__)


def claim_lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)


def claimable(now: datetime) -> Q:
    return Q(status=Status.PENDING, due_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - claim_lease()
    )


def quiet_until(now: datetime) -> datetime | None:
    """When quiet hours end, if `now` falls in them (local time); None outside them."""
    start, end = settings.OUTREACH_QUIET_HOURS
    if start == end:
        return None
    local = timezone.localtime(now)
    hour = local.hour + local.minute / 60
    in_quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not in_quiet:
        return None
    end_day = local.date() if hour < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(end_day, time(hour=end)))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: about 1, 2, 4 ... times the base, at most an hour."""
    ceiling = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter, not a secret


@dataclass
class _Recent:
    """What one person was sent in the last day: for the daily cap."""

    count: int
    first_at: datetime | None


class _Batch:
    def __init__(self, outbox: Outbox, token: uuid.UUID, now: datetime) -> None:
        self.outbox = outbox
        self.token = token
        self.now = now
        self.rows = outbox.messages()

    def load(self) -> list[OutboxMessageBase]:
        messages = list(
            self.rows.filter(claim_token=self.token, status=Status.SENDING).order_by(
                "-urgent", "due_at", "pk"
            )
        )
        refs = {m.recipient_ref for m in messages if m.recipient_ref}
        self.opted_out = set(
            self.outbox.opt_outs()
            .filter(recipient_ref__in=refs)
            .values_list("recipient_ref", "category")
        )
        self.user_ids = {m.pk: m.recipient_user_id() for m in messages}
        self.addresses = dict(
            User.objects.using("default")
            .filter(pk__in={uid for uid in self.user_ids.values() if uid}, is_active=True)
            .values_list("pk", "email")
        )
        self.recent = {
            row["recipient_ref"]: _Recent(row["count"], row["first_at"])
            for row in self.rows.filter(
                recipient_ref__in=refs,
                status=Status.SENT,
                category__in=[c.key for c in self.outbox.categories.values() if c.capped],
                sent_at__gte=self.now - timedelta(days=1),
            )
            .values("recipient_ref")
            .annotate(count=Count("pk"), first_at=Min("sent_at"))
        }
        return messages

    def finish(self, message: OutboxMessageBase, **fields: Any) -> None:
        self.rows.filter(pk=message.pk, claim_token=self.token).update(**fields)

    def release(self, message: OutboxMessageBase, due_at: datetime) -> str:
        """Give a claim back untried, to be sent at `due_at`."""
        self.finish(
            message,
            status=Status.PENDING,
            due_at=due_at,
            attempts=F("attempts") - 1,
            claim_token=None,
            enqueued_at=None,
        )
        return "deferred"

    def address_for(self, message: OutboxMessageBase) -> str:
        if message.recipient_address:
            return message.recipient_address
        user_id = self.user_ids.get(message.pk)
        return self.addresses.get(user_id, "") if user_id else ""

    def send_one(self, channel: Channel, message: OutboxMessageBase) -> str:
        if (message.recipient_ref, message.category) in self.opted_out:
            self.finish(message, status=Status.SKIPPED, skip_reason=SkipReason.OPTED_OUT)
            return "opted_out"
        address = self.address_for(message)
        if not address:
            self.finish(message, status=Status.SKIPPED, skip_reason=SkipReason.NO_RECIPIENT)
            return "no_recipient"
        if not message.urgent:
            quiet_end = quiet_until(self.now)
            if quiet_end is not None:
                return self.release(message, quiet_end)
            capped = self.outbox.category(message.category).capped
            recent = self.recent.get(message.recipient_ref) if capped else None
            if recent and recent.count >= settings.OUTREACH_DAILY_CAP and recent.first_at:
                return self.release(message, recent.first_at + timedelta(days=1))
        try:
            channel.send(rendering.render(self.outbox, message, address))
        except Exception as error:  # noqa: BLE001 - one bad send must not stop the batch
            return self.failed(message, error)
        self.finish(message, status=Status.SENT, sent_at=timezone.now(), last_error="")
        if self.outbox.category(message.category).capped and message.recipient_ref:
            recent = self.recent.setdefault(message.recipient_ref, _Recent(0, self.now))
            recent.count += 1
        return "sent"

    def failed(self, message: OutboxMessageBase, error: Exception) -> str:
        # Only the error's type and status code are kept or logged: its text can hold an address.
        summary = summary_of(error)
        logger.warning(
            "Sending %s message %s failed on attempt %d (%s)",
            self.outbox.label,
            message.pk,
            message.attempts,
            summary,
        )
        if isinstance(error, PermanentFailure) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            self.finish(message, status=Status.FAILED, last_error=summary, claim_token=None)
            return "failed"
        delay = retry_delay(message.attempts)
        due_at = timezone.now() + delay
        # enqueued_at=due_at: the sweep leaves it to the retry below unless that is lost too.
        self.finish(
            message,
            status=Status.PENDING,
            due_at=due_at,
            enqueued_at=due_at,
            claim_token=None,
            last_error=summary,
        )
        try:
            deliver_task().apply_async(
                (self.outbox.label, [message.pk]), countdown=delay.total_seconds()
            )
        except Exception:  # noqa: BLE001 - the sweep retries it when the broker is back
            logger.warning(
                "Could not schedule the retry of %s message %s", self.outbox.label, message.pk
            )
        return "retrying"


def claim(batch: _Batch, ids: list[int]) -> None:
    """Claim the claimable ones of `ids` for this batch, all at once.

    The rows are locked lowest id first, as anything else that changes waiting rows in bulk
    locks them (stopping or pausing a campaign: wellbeing.services.campaigns). Locking in one
    order means the two never deadlock and never split a batch: whichever locks the batch's
    first row first has the whole batch, and the other then finds those rows changed (a claim
    finds them no longer claimable; a stop finds them no longer waiting) and leaves them be.
    """
    with transaction.atomic(using=batch.outbox.database):
        locked = list(
            batch.rows.filter(pk__in=ids)
            .filter(claimable(batch.now))
            .order_by("pk")
            .select_for_update()
            .values_list("pk", flat=True)
        )
        batch.rows.filter(pk__in=locked).update(
            status=Status.SENDING,
            claim_token=batch.token,
            claimed_at=batch.now,
            attempts=F("attempts") + 1,
        )


def deliver(label: str, ids: list[int]) -> Counter[str]:
    """Claim and send these messages; returns how many ended each way."""
    outbox = registry.get(label)
    now = timezone.now()
    token = uuid.uuid4()
    batch = _Batch(outbox, token, now)
    claim(batch, ids)
    messages = batch.load()
    outcomes: Counter[str] = Counter()
    if not messages:
        return outcomes
    with OnDemandChannel() as channel:
        for message in messages:
            outcomes[batch.send_one(channel, message)] += 1
    return outcomes
