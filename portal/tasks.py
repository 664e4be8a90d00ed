"""Background tasks of the portal app."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from portal.models import WorkerHeartbeat
from portal.outbox.tasks import deliver_messages, sweep_outboxes
from portal.submission_keys import prune_used_keys

__all__ = [
    "clear_expired_sessions",
    "deliver_messages",
    "prune_submission_keys",
    "record_worker_heartbeat",
    "sweep_outboxes",
]


@shared_task(name="portal.record_worker_heartbeat")
def record_worker_heartbeat() -> str:
    """Record that a worker is alive; the health page shows when it last ran."""
    beat_at = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name="celery", defaults={"beat_at": beat_at})
    return beat_at.isoformat()


@shared_task(name="portal.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: delete expired sessions (and with them the "Your sessions" rows they named)."""
    call_command("clearsessions")


@shared_task(name="portal.prune_submission_keys")
def prune_submission_keys() -> dict[str, int]:
    """Nightly: delete one-time submission keys past their use (portal.submission_keys); the
    result is counts by table, nothing more."""
    return prune_used_keys()
