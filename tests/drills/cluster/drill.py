"""The drill itself, run inside the client host's namespace by `python -m tests.drills.cluster`
(which builds the network before and removes everything after): starts every host's programs,
runs the scenarios, prints the figures and writes bench/cluster-drill-results.md."""

from __future__ import annotations

import os
import platform
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.drills.cluster import hosts, network, proxy, scenarios
from tests.drills.cluster.browser import Browser
from tests.drills.cluster.hosts import ROOT, Service, wait_until
from tests.drills.cluster.scenarios import Cluster, Outcome

RESULTS = ROOT / "bench" / "cluster-drill-results.md"
DATABASES = ("portal", "portal_confidential")
SETUP_TIME_LIMIT_S = 600


def production_env(run_dir: Path) -> dict[str, str]:
    """One environment for every host, as docs/operations.md asks: the production settings,
    the database host's PostgreSQL and Redis, the mail host, and the same keys everywhere."""
    from cryptography.fernet import Fernet

    db = network.DB.address
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CONFIDENTIAL_DATABASE_URL", "CELERY_"))
        and key not in ("REDIS_URL", "EMAIL_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.drills.cluster.settings",
            "CLUSTER_DRILL_STATIC_ROOT": str(run_dir / "static"),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": proxy.SITE,
            "TRUSTED_PROXY_COUNT": "1",
            "WELLBEING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "WELLBEING_PSEUDONYM_KEY": secrets.token_urlsafe(32),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(32),
            "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": f"postgres://postgres@{db}:{hosts.POSTGRES_PORT}/{DATABASES[0]}",
            "CONFIDENTIAL_DATABASE_URL": f"postgres://postgres@{db}:{hosts.POSTGRES_PORT}/"
            f"{DATABASES[1]}",
            "REDIS_URL": f"redis://{db}:{hosts.REDIS_PORT}/0",
            "EMAIL_URL": f"smtp://{network.MAIL.address}:{hosts.SMTP_PORT}",
            "PORTAL_URL": f"https://{proxy.SITE}",
            # Every hour is a sending hour, so the drill runs the same at any time of day.
            "OUTREACH_QUIET_HOURS": "0,0",
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def step(name: str) -> None:
    print(f"cluster drill: {name}", flush=True)


def create_databases() -> None:
    import psycopg
    from psycopg import sql

    server = f"postgresql://postgres@{network.DB.address}:{hosts.POSTGRES_PORT}/postgres"

    def answers() -> bool:
        try:
            psycopg.connect(server, connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    wait_until(answers, timeout=60, what="PostgreSQL on the database host")
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        for name in DATABASES:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [str(hosts.BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=SETUP_TIME_LIMIT_S,
        stdout=subprocess.DEVNULL,
    )


def drill_schedules() -> None:
    """The sweep every 5 s (production: every minute), as the fault drills run it every second,
    and one schedule on the minute, so the drill sees a crontab run on each side of beat's move.
    """
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    every_5_s, _ = IntervalSchedule.objects.get_or_create(
        every=scenarios.SWEEP_SECONDS, period=IntervalSchedule.SECONDS
    )
    updated = PeriodicTask.objects.filter(name=scenarios.SWEEP).update(interval=every_5_s)
    if updated != 1:
        raise RuntimeError(f"No beat schedule named {scenarios.SWEEP!r}")
    on_the_minute, _ = CrontabSchedule.objects.get_or_create(
        minute="*", hour="*", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/London",
    )  # fmt: skip
    PeriodicTask.objects.create(
        name=scenarios.EVERY_MINUTE, task="portal.record_worker_heartbeat", crontab=on_the_minute
    )


def wait_for_web(service: Service) -> None:
    probe = Browser(Path("/nonexistent"))

    def healthy() -> bool:
        service.check_alive()
        try:
            return probe.get("/health/", via=service.host).status == 200
        except OSError:
            return False

    wait_until(healthy, timeout=120, what=f"gunicorn on {service.host.name}", every=0.5)


def wait_for_log(service: Service, text: str, timeout: float = 120) -> None:
    def there() -> bool:
        service.check_alive()
        return text in service.log_text()

    wait_until(there, timeout=timeout, what=f"{service.name} on {service.host.name}", every=0.5)


def start_cluster(run_dir: Path, env: dict[str, str]) -> tuple[Cluster, str]:
    """Every host's programs, the data the scenarios need; the cluster and a second account."""
    step("database host: PostgreSQL and Redis; mail host: SMTP")
    hosts.postgres(run_dir).start()
    redis = hosts.redis(run_dir).start()
    mail = hosts.mail_sink(run_dir).start()
    create_databases()
    wait_for_log(redis, "Ready to accept connections")
    wait_until(lambda: (run_dir / "mail" / "ready").exists(), timeout=60, what="the mail host")
    mail.check_alive()

    step("migrate both databases and collect static files (production settings)")
    manage(env, "migrate", "--database", "default", "--no-input")
    manage(env, "migrate", "--database", "confidential", "--no-input")
    manage(env, "collectstatic", "--no-input")

    import django

    django.setup()
    from tests.drills.conftest import OUTBOX_TIMINGS
    from tests.factories import PASSWORD, UserFactory

    env.update({name: str(value) for name, value in OUTBOX_TIMINGS.items()})
    os.environ.update(env)
    drill_schedules()
    staff = UserFactory(with_profile=True)
    other = UserFactory(with_profile=True)

    step("web hosts: gunicorn; worker hosts: Celery workers; beat host: beat; proxy: HAProxy")
    web = [hosts.gunicorn(host, env, run_dir).start() for host in (network.WEB_A, network.WEB_B)]
    workers = [
        hosts.celery_worker(host, env, run_dir).start()
        for host in (network.WORKER_A, network.WORKER_B)
    ]
    beat = hosts.celery_beat(network.BEAT, env, run_dir).start()
    haproxy = hosts.haproxy(proxy.write_config(run_dir), run_dir).start()
    for service in web:
        wait_for_web(service)
    for service in workers:
        wait_for_log(service, " ready.")
    wait_for_log(beat, "beat: Starting")

    def both_up() -> bool:
        haproxy.check_alive()
        try:
            servers = proxy.server_stats(run_dir)
        except OSError:
            return False
        return all(
            servers.get(host.name, {}).get("status") == "UP"
            for host in (network.WEB_A, network.WEB_B)
        )

    wait_until(both_up, timeout=60, what="the proxy to see both web hosts up", every=0.5)
    certificate = proxy.certificate_file(run_dir)
    person = Browser(certificate, address="192.0.2.30")
    signed_in = person.sign_in(staff.email, PASSWORD)
    if signed_in.status != 302 or "sessionid" not in person.cookies:
        raise RuntimeError(f"Could not sign in through the proxy ({signed_in.status})")
    cluster = Cluster(
        run_dir=run_dir,
        env=env,
        certificate=certificate,
        staff_email=staff.email,
        password=PASSWORD,
        session_cookie=f"sessionid={person.cookies['sessionid']}",
        beat=beat,
        load_log=run_dir / "logs" / "client-wrk.log",
    )
    return cluster, other.email


def run_scenarios(cluster: Cluster, other_email: str) -> list[tuple[str, Outcome]]:
    runs: list[tuple[str, Callable[[], Outcome]]] = [
        ("1", lambda: scenarios.session_on_both_hosts(cluster)),
        ("2", lambda: scenarios.sign_in_limit_across_hosts(cluster, other_email)),
        ("3", lambda: scenarios.web_host_lost(cluster)),
        ("4", lambda: scenarios.worker_host_lost(cluster)),
        ("5", lambda: scenarios.beat_moved(cluster)),
        ("6", lambda: scenarios.beat_host_lost(cluster)),
    ]
    outcomes = []
    for number, run in runs:
        step(f"scenario {number}")
        outcome = run()
        print(f"  {'PASS' if outcome.passed else 'FAIL'}: {outcome.claim}: {outcome.figure}")
        outcomes.append((number, outcome))
    return outcomes


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(outcomes: list[tuple[str, Outcome]], seconds: float, load_before: str) -> None:
    lines = [
        "# Cluster drill figures",
        "",
        "Written by `make cluster-drill` (tests/drills/cluster/, run as root): the portal on nine",
        "network namespaces of one machine (a proxy, two web hosts, two worker hosts, a beat host,",
        "a database host with PostgreSQL and Redis, a mail host and a client), production",
        "settings, HAProxy in front, and wrk sending signed-in pages through it throughout.",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores), load average {load_before} before and {load_average()} "
        f"after; {seconds:.0f} s in all.",
        "",
        "| # | what the drill shows | result | figures |",
        "| --- | --- | --- | --- |",
    ]
    for number, outcome in outcomes:
        verdict = "PASS" if outcome.passed else "FAIL"
        lines.append(f"| {number} | {outcome.claim} | {verdict} | {outcome.figure} |")
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text)
    print()
    print(text)


def main() -> int:
    run_dir = Path(sys.argv[1])
    started, load_before = time.monotonic(), load_average()
    env = production_env(run_dir)
    os.environ.update(env)
    cluster, other_email = start_cluster(run_dir, env)
    outcomes = run_scenarios(cluster, other_email)
    report(outcomes, time.monotonic() - started, load_before)
    return 0 if all(outcome.passed for _, outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
