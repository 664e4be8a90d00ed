"""What runs on each host: PostgreSQL and Redis on the database host, the mail server, gunicorn on
the web hosts, Celery workers, beat and HAProxy. Each is started with `ip netns exec HOST`, so
it listens on that host's address only, and writes its log under the run's folder."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.drills.cluster import network
from tests.drills.cluster.network import Host

ROOT = Path(__file__).resolve().parents[3]
BIN = ROOT / ".venv" / "bin"
POSTGRES_PORT = 5432
REDIS_PORT = 6379
SMTP_PORT = 2525
WEB_PORT = 8000
GUNICORN_WORKERS = 2
WORKER_CONCURRENCY = 2


def wait_until(
    check: Callable[[], bool], *, timeout: float, what: str, every: float = 0.2
) -> float:
    """Poll `check` until it holds; the seconds it took. Gives up after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"Gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
    return time.monotonic() - started


@dataclass
class Service:
    """One long-running program on one host."""

    host: Host
    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
                ["ip", "netns", "exec", self.host.namespace, *self.command],  # noqa: S607
                cwd=ROOT,
                env=dict(self.env),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def check_alive(self) -> None:
        if not self.running():
            raise RuntimeError(
                f"{self.name} on {self.host.name} exited:\n{self.log_text()[-3000:]}"
            )

    def stop(self, timeout: float = 30.0) -> float:
        """SIGTERM (a clean stop: beat saves its schedule, a worker finishes its task); seconds."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            raise RuntimeError(f"{self.name} on {self.host.name} did not stop in time") from error
        return time.monotonic() - started


def lose_host(host: Host) -> int:
    """The host is lost mid-work: off the network first (packets vanish, nothing answers), then
    every process on it killed with SIGKILL. How many processes were killed."""
    network.link_down(host)
    return network.kill_everything_in(host.namespace)


# --- The database host -------------------------------------------------------------------------


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("cluster drill: PostgreSQL is not installed (apt-get install postgresql)")
    return Path(found[-1])


def postgres(run_dir: Path) -> Service:
    """A private PostgreSQL cluster made for this run, listening on the database host only."""
    data, sockets = run_dir / "postgres", run_dir / "pg-socket"
    for folder in (data, sockets):
        folder.mkdir(parents=True)
        shutil.chown(folder, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(  # noqa: S603 - the packaged initdb, fixed arguments
        [
            *as_postgres,
            str(postgres_bin() / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("host all all 10.77.0.0/24 trust\n")
    settings = {
        "listen_addresses": network.DB.address,
        "port": str(POSTGRES_PORT),
        "unix_socket_directories": str(sockets),
        "max_connections": "200",
        # Throwaway data: no need to survive a power cut of this machine.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    command = [*as_postgres, str(postgres_bin() / "postgres"), "-D", str(data)]
    for name, value in settings.items():
        command += ["-c", f"{name}={value}"]
    return Service(
        network.DB, "postgres", command, os.environ, run_dir / "logs" / "db-postgres.log"
    )


def redis(run_dir: Path) -> Service:
    command = [
        shutil.which("redis-server") or "redis-server",
        *("--bind", network.DB.address, "--port", str(REDIS_PORT)),
        *("--save", "", "--appendonly", "no", "--protected-mode", "no"),
        *("--dir", str(run_dir)),
    ]
    return Service(network.DB, "redis", command, os.environ, run_dir / "logs" / "db-redis.log")


# --- The mail host -----------------------------------------------------------------------------


def mail_sink(run_dir: Path) -> Service:
    folder = run_dir / "mail"
    folder.mkdir()
    command = [
        str(BIN / "python"),
        *("-m", "tests.drills.cluster.mail_sink"),
        *(str(folder), network.MAIL.address, str(SMTP_PORT)),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return Service(network.MAIL, "smtp", command, env, run_dir / "logs" / "mail-smtp.log")


# --- The portal's processes --------------------------------------------------------------------


def gunicorn(host: Host, env: Mapping[str, str], run_dir: Path) -> Service:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi",
        *("--workers", str(GUNICORN_WORKERS), "--bind", f"{host.address}:{WEB_PORT}"),
        *("--timeout", "30", "--graceful-timeout", "5"),
    ]
    return Service(host, "gunicorn", command, env, run_dir / "logs" / f"{host.name}-gunicorn.log")


def celery_worker(host: Host, env: Mapping[str, str], run_dir: Path) -> Service:
    command = [
        str(BIN / "celery"),
        *("-A", "portal", "worker", "--pool=prefork", f"--concurrency={WORKER_CONCURRENCY}"),
        *("-n", f"{host.name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        "--loglevel=INFO",
    ]
    return Service(host, "worker", command, env, run_dir / "logs" / f"{host.name}-worker.log")


def celery_beat(host: Host, env: Mapping[str, str], run_dir: Path) -> Service:
    command = [
        str(BIN / "celery"),
        *("-A", "portal", "beat", "--loglevel=INFO"),
        f"--pidfile={run_dir / f'beat-{host.name}.pid'}",
    ]
    return Service(host, "beat", command, env, run_dir / "logs" / f"{host.name}-beat.log")


def haproxy(config: Path, run_dir: Path) -> Service:
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    subprocess.run(  # noqa: S603 - the packaged haproxy checking our config
        [binary, "-c", "-q", "-f", str(config)], check=True, capture_output=True, timeout=30
    )
    return Service(
        network.PROXY,
        "haproxy",
        [binary, "-db", "-f", str(config)],
        os.environ,
        run_dir / "logs" / "proxy-haproxy.log",
    )
