"""Fixtures for the fault drills: a private Redis, a counting mail server and real workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import transaction

from portal.models import User
from portal.outbox import queueing
from portal.outbox.models import Status
from portal.outbox.queueing import queue
from tests.drills.services import (
    MailServer,
    PrivateRedis,
    Worker,
    celery_broker,
    wait_until,
    worker_env,
)
from wellbeing.models import OutboxMessage
from wellbeing.services import outreach

# Production's timings compressed so a drill takes seconds: a dead worker's claim lapses after
# 5 s (not 300), a lost hand-off is handed over again after 3 s (not 120), retries start at 1 s.
OUTBOX_TIMINGS = {
    "OUTBOX_CLAIM_LEASE_SECONDS": 5,
    "OUTBOX_REQUEUE_AFTER_SECONDS": 3,
    "OUTBOX_RETRY_BASE_SECONDS": 1,
    "OUTBOX_MAX_ATTEMPTS": 3,
}
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "drill-results.md"


@pytest.fixture
def outbox_timings(settings):
    """The same timings in this process (where the tests run the sweep) as in the workers."""
    for name, value in OUTBOX_TIMINGS.items():
        setattr(settings, name, value)
    return OUTBOX_TIMINGS


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        with celery_broker(server.url):
            yield server
    finally:
        server.stop()


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


@pytest.fixture
def start_worker(
    private_redis, mail_server, outbox_timings, tmp_path
) -> Iterator[Callable[[str], Worker]]:
    """`start_worker("a")` runs a worker on the private Redis; all are stopped at the end."""
    started: list[Worker] = []
    env = worker_env(broker=private_redis.url, mail_port=mail_server.port, outbox=outbox_timings)

    def start(name: str) -> Worker:
        worker = Worker(name, env, tmp_path)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def make_recipients(count: int, prefix: str) -> list[User]:
    """Active accounts with distinct addresses, so each email names its message's recipient."""
    return User.objects.bulk_create(
        User(email=f"{prefix}{number}@drill.test.nhs.net") for number in range(count)
    )


def queue_notices(users: list[User], key: str) -> None:
    """One "you have a new message" email per user, through the outbox as the hub queues them."""
    with transaction.atomic(using="confidential"):
        queue(
            [
                outreach.to_user(
                    user.pk,
                    idempotency_key=f"drill:{key}:{user.pk}",
                    category=outreach.UPDATES,
                    template="wellbeing/new_message",
                    context={"path": "/wellbeing/my-hub/"},
                )
                for user in users
            ]
        )


def outbox_rows():
    return OutboxMessage.objects.using("confidential")


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in outbox_rows().values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def drain(*, timeout: float, sweep_every: float = 1.0) -> float:
    """Run the sweep as beat would (only more often) until no message is waiting; seconds taken."""
    waiting = outbox_rows().filter(status__in=[Status.PENDING, Status.SENDING])

    def done() -> bool:
        if not waiting.exists():
            return True
        queueing.sweep("wellbeing")
        return False

    return wait_until(done, timeout=timeout, what="every message to be sent", every=sweep_every)


def record(drill: str, figures: str) -> None:
    """Print a drill's figures and keep them in bench/drill-results.md for the record."""
    line = f"| {drill} | {figures} |"
    print(f"\ndrill: {drill}: {figures}")
    lines = RESULTS.read_text().splitlines() if RESULTS.exists() else []
    kept = [row for row in lines if not row.startswith(f"| {drill} |")]
    if not kept:
        kept = [
            "# Fault drill figures",
            "",
            "Written by `make drill` (tests/drills/); each row is the latest run of that drill.",
            "",
            "| drill | figures |",
            "| --- | --- |",
        ]
    RESULTS.write_text("\n".join([*kept, line]) + "\n")
