"""The outbox's Celery tasks. They carry an outbox label and row ids, never content."""

from __future__ import annotations

from celery import shared_task

from portal.outbox import delivery, queueing, registry


@shared_task(
    name=registry.DELIVER_TASK,
    time_limit=90,
    soft_time_limit=75,
)
def deliver_messages(label: str, ids: list[int]) -> dict[str, int]:
    """Send these outbox messages (those still waiting); safe to run twice."""
    return dict(delivery.deliver(label, ids))


@shared_task(name="portal.outbox.sweep")
def sweep_outboxes() -> dict[str, int]:
    """Every minute: hand over what is due but was never handed over, or was lost."""
    return {outbox.label: queueing.sweep(outbox.label) for outbox in registry.all_outboxes()}
