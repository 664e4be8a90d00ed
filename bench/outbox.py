"""Benchmark the outbox: one worker sending a 10,000-person campaign to the file email backend.

Part of `make bench` (bench/run.py calls `run`); `bench/run.py --outbox-only` runs it alone. It
writes 10,000 accounts and one campaign invitation for each to the outbox of the benchmark's
databases, starts one `celery worker --concurrency=2` on a private redis-server with
`EMAIL_URL=filemail://...`, hands every id over in batches as the sweep would, and times how
long until every row is sent. Then it reads the files back: each address must appear once.
See bench/README.md.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from wellbeing.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
CELERY = ROOT / ".venv" / "bin" / "celery"
OUTBOX_RESULTS = ROOT / "bench" / "outbox-results.md"

MESSAGES = 10_000
TARGET_SECONDS = 60.0
TIME_LIMIT_S = 300.0
ADDRESS = "outbox.bench.{}@bench.nhs.net"


@dataclass
class OutboxResult:
    messages: int
    seconds: float
    sent: int
    emails: int
    duplicates: int
    template: str

    @property
    def verdict(self) -> str:
        complete = self.sent == self.messages == self.emails and not self.duplicates
        if not complete:
            return "MISS (not all sent once)"
        return "PASS" if self.seconds < TARGET_SECONDS else "MISS"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    return path


def wait_for(check: Callable[[], bool], what: str, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: gave up waiting for {what}")
        time.sleep(0.1)


@contextmanager
def private_redis(folder: Path) -> Iterator[str]:
    """A redis-server of our own, so the benchmark's queue is nobody else's."""
    import redis

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the packaged redis-server, fixed arguments
        [
            redis_server(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=1)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    try:
        wait_for(answers, "the private Redis", 10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """One `celery worker`, prefork with two processes, stopped however the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
            [
                str(CELERY),
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "-n",
                "bench@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def ready() -> bool:
            if process.poll() is not None:
                raise SystemExit(f"bench: the worker exited:\n{log.read_text()[-3000:]}")
            return " ready." in log.read_text(errors="replace")

        try:
            try:
                wait_for(ready, "the worker to be ready", 60)
            except SystemExit:
                print(log.read_text(errors="replace")[-3000:])
                raise
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def seed(count: int) -> tuple[list[int], str]:
    """`count` accounts and a campaign invitation in the outbox for each; the rows' ids."""
    from django.db import transaction

    from portal.iterables import batched
    from portal.models import User
    from wellbeing.models import OutboxMessage
    from wellbeing.services import outreach

    # The campaign's own template when it is there; the follow-up invitation is the same shape.
    template = "wellbeing/campaign_invitation"
    if not (ROOT / "templates" / "emails" / f"{template}.txt").exists():
        template = "wellbeing/follow_up_invite"
    users = User.objects.bulk_create(
        (User(email=ADDRESS.format(number)) for number in range(count)), batch_size=2000
    )
    for chunk in batched(users, 2000):
        with transaction.atomic(using="confidential"):
            OutboxMessage.objects.using("confidential").bulk_create(
                outreach.to_user(
                    user.pk,
                    idempotency_key=f"bench:outbox:{user.pk}",
                    category=outreach.OUTREACH,
                    template=template,
                    context={"path": "/wellbeing/"},
                )
                for user in chunk
            )
    return list(ours().values_list("pk", flat=True)), template


def ours() -> QuerySet[OutboxMessage]:
    """This benchmark's rows: the other benchmarks' data may have queued emails of its own."""
    from wellbeing.models import OutboxMessage

    return OutboxMessage.objects.using("confidential").filter(
        idempotency_key__startswith="bench:outbox:"
    )


def read_back(folder: Path) -> Counter[str]:
    """How many emails each address got, from the file backend's files."""
    counts: Counter[str] = Counter()
    for path in folder.iterdir():
        counts.update(re.findall(r"^To: (.+)$", path.read_text(), flags=re.MULTILINE))
    return counts


def run(env: dict[str, str], scratch: Path) -> OutboxResult:
    """Seed, start the worker, hand every id over, and time until every row is sent."""
    from celery import Celery
    from django.conf import settings

    from portal.iterables import batched

    ids, template = seed(MESSAGES)
    mail = Path(tempfile.mkdtemp(prefix="mail-", dir=scratch))
    with private_redis(scratch) as broker:
        worker_env = {
            **env,
            "REDIS_URL": broker,
            # django-environ drops the first slash of the path: "filemail://" + "//tmp/...".
            "EMAIL_URL": f"filemail:///{mail}",
            # A campaign invitation counts towards the daily cap, and quiet hours hold it back:
            # neither should decide how fast the worker can send.
            "OUTREACH_DAILY_CAP": str(MESSAGES),
            "OUTREACH_QUIET_HOURS": "0,0",
            # The worker's "ready." line, which says when to start the clock, is an INFO record.
            "LOG_LEVEL": "INFO",
        }
        with worker(worker_env, scratch / "worker.log"):
            client = Celery("bench-client", broker=broker)
            started = time.perf_counter()
            # As the sweep hands over due rows: tasks of OUTBOX_BATCH_SIZE ids.
            for batch in batched(ids, settings.OUTBOX_BATCH_SIZE):
                client.send_task("portal.outbox.deliver", args=("wellbeing", list(batch)))
            rows = ours()
            deadline = started + TIME_LIMIT_S
            while rows.exclude(status="sent").exists() and time.perf_counter() < deadline:
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            client.close()
    received = read_back(mail)
    return OutboxResult(
        messages=MESSAGES,
        seconds=seconds,
        sent=rows.filter(status="sent").count(),
        emails=sum(received.values()),
        duplicates=sum(count - 1 for count in received.values() if count > 1),
        template=template,
    )


def report(result: OutboxResult) -> list[str]:
    """The outbox table, printed and written to bench/outbox-results.md."""
    lines = [
        "# Outbox send benchmark",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPUs. One `celery worker "
        f"--concurrency=2` (production settings) on a private Redis, sending {result.messages:,} "
        f"campaign invitations (`{result.template}`, category hub_outreach) to the file email "
        "backend. Written by `bench/outbox.py`; see bench/README.md. Load average "
        + ", ".join(f"{value:.2f}" for value in os.getloadavg())
        + " when it ended (the machine's other work shares its cores).",
        "",
        "| scenario | messages | seconds | messages/s | sent | emails written | duplicates "
        "| target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        f"| one worker sends a campaign | {result.messages:,} | {result.seconds:.1f} | "
        f"{result.messages / result.seconds:.0f} | {result.sent:,} | {result.emails:,} | "
        f"{result.duplicates} | under {TARGET_SECONDS:.0f} s, no duplicates | {result.verdict} |",
        "",
    ]
    OUTBOX_RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))
    return lines
