"""The real services a fault drill breaks on purpose: a private Redis, an SMTP server that counts
what it accepts, and Celery workers as separate processes (see README.md here)."""

from __future__ import annotations

import asyncio
import email
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller
from django.conf import settings

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    return path


def wait_until(
    check: Callable[[], bool], *, timeout: float, what: str, every: float = 0.1
) -> float:
    """Poll `check` until it holds; returns the seconds it took, fails the test after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"Gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
    return time.monotonic() - started


# --- Redis -----------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a spare port, so stopping it disturbs nobody else.

    No persistence: stopping it loses every task it held, as a crashed Redis without AOF would.
    """

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        with suppress(redis.RedisError):
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        return False

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the packaged redis-server, fixed arguments
            [
                redis_server(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=10, what="the private Redis to answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Send this process's tasks (`.delay()`) through `url`, and back afterwards.

    Results stay on the suite's own Redis (the workers are told so): this process listens for
    them, and a listener on a Redis the drill stops would retry noisily until the run ends.
    """
    conf = app.conf
    # Django's settings give both spellings (CELERY_BROKER_URL and broker_url): set each.
    keys = ("CELERY_BROKER_URL", "broker_url")
    before = {key: conf.get(key) for key in keys}

    def forget_connections() -> None:
        # The app caches its connection pool and its producer pool.
        if app._pool is not None:  # type: ignore[attr-defined]
            app._pool.force_close_all()  # type: ignore[attr-defined]
            app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    conf.update(dict.fromkeys(keys, url))
    forget_connections()
    try:
        yield
    finally:
        conf.update(before)
        forget_connections()


# --- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    body: str
    unsubscribe: str


class MailServer:
    """A real SMTP server in this process, counting every message it accepts.

    `refusing` answers 451 (try again later) to every recipient, as a greylisting or overloaded
    server does. `hold()` makes each message that arrives wait before it is accepted, so a test
    can kill a worker in the middle of a send and be sure the server never accepted it.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.refusing = False
        self.delay = 0.0
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._held = 0
        self._holding = threading.Event()
        self._released = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailServer:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
        self._controller.stop()

    # aiosmtpd's handler hooks -------------------------------------------------------------

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refusing:
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._holding.is_set():
            with self._lock:
                self._held += 1
            while not self._released.is_set():
                await asyncio.sleep(0.02)
            # Its sender was killed while it waited: nobody is there to accept it for.
            return "451 4.3.0 Sender went away"
        parsed = email.message_from_bytes(envelope.content)
        payload = parsed.get_payload(decode=True)
        body = payload.decode() if isinstance(payload, bytes) else ""
        with self._lock:
            self._received.extend(
                Received(
                    to,
                    str(parsed["Subject"]),
                    body,
                    str(parsed["List-Unsubscribe"] or ""),
                )
                for to in envelope.rcpt_tos
            )
        return "250 Message accepted"

    # What the tests use ---------------------------------------------------------------------

    def hold(self) -> None:
        self._released.clear()
        self._holding.set()

    def release(self) -> None:
        self._holding.clear()
        self._released.set()

    @property
    def held(self) -> int:
        with self._lock:
            return self._held

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        return len(self.received)

    def per_recipient(self) -> Counter[str]:
        return Counter(message.to for message in self.received)


# --- Workers ---------------------------------------------------------------------------------


def database_url(alias: str) -> str:
    """The URL of this test session's database (pytest-django's test_... copy) for `alias`."""
    db = settings.DATABASES[alias]
    user = quote(str(db["USER"]), safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(*, broker: str, mail_port: int, outbox: Mapping[str, int]) -> dict[str, str]:
    """What a worker needs to act on this test's data: its databases and the same keys.

    In DEBUG without keys, settings makes keys per process, and a worker with other keys could
    neither read the encrypted account ids nor make the same pseudonyms.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DB_CONN_MAX_AGE": "0",
        "DATABASE_URL": database_url("default"),
        "CONFIDENTIAL_DATABASE_URL": database_url("confidential"),
        "REDIS_URL": broker,
        "CELERY_RESULT_BACKEND": app.conf.result_backend,
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "WELLBEING_ENCRYPTION_KEYS": ",".join(settings.WELLBEING_ENCRYPTION_KEYS),
        "WELLBEING_PSEUDONYM_KEY": settings.WELLBEING_PSEUDONYM_KEY,
        "AUDIT_CHAIN_KEY": settings.AUDIT_CHAIN_KEY,
        "MFA_ENCRYPTION_KEYS": ",".join(settings.MFA_ENCRYPTION_KEYS),
        "OUTREACH_QUIET_HOURS": "0,0",
        "LOG_LEVEL": "INFO",
        **{name: str(value) for name, value in outbox.items()},
    }


class Worker:
    """`celery worker` as its own process group (prefork, two children), as in production."""

    def __init__(self, name: str, env: Mapping[str, str], folder: Path) -> None:
        self.name = name
        self.env = dict(env)
        self.log = folder / f"worker-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
                [
                    str(CELERY),
                    "-A",
                    "portal",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=2",
                    "-n",
                    f"{self.name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, timeout=60, what=f"worker {self.name} to be ready", every=0.2)
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited:\n{self.log_text()[-3000:]}")
        return " ready." in self.log_text()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the worker and its pool children at once: no shutdown, no acks."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown: finish the task in hand
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
