"""`make bench`: the portal's pages under load on PostgreSQL, with a realistic amount of data.

Run with `.venv/bin/python bench/run.py` (or `make bench`, `make bench SIZE=100k`). It creates
its own database pair for this run, migrates it with the production settings and seeds it at
each size up to SIZE (1k, 10k, 100k: resources and referrals; five times as many learning
records), measuring every page in-process at each size (the growth table, bench/growth.py).
At the last size it starts gunicorn and measures every page of the registry
(bench/scenarios.py) under load with wrk, in rounds, each page between two runs of the bare
view (bench/http_bench.py), then self-referral's sends and the outbox's send benchmark
(bench/outbox.py). It writes the tables to bench/results.md (bench/report.py) and drops its
databases unless BENCH_KEEP=1. See bench/README.md.

BENCH_ONLY=queue,queue-deep measures only those registry entries; SIZE=1k with BENCH_SECONDS=2
checks the benchmark itself works: never figures.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import vocabulary as words  # noqa: E402 - once the project is on the path

if TYPE_CHECKING:
    from bench.scenarios import Fixtures

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

# Each run has its own id: its databases, its cache prefix and its port are its own, so two runs
# (two helpers, or CI beside a developer) never share a cache entry or a row.
RUN_ID = secrets.token_hex(4)
SERVER_URL = os.environ.get("BENCH_SERVER_URL") or "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASE_URL = f"{SERVER_URL}/portal_bench_{RUN_ID}"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
# gunicorn's sync workers: two per core, so one can run while another waits for PostgreSQL.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
# wrk's connections, each sending its next request as soon as the last is answered: one per
# core keeps the machine busy without queueing requests behind each other.
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", str(os.cpu_count() or 2)))
BATCH_SIZE = 2_000
LEARNING_RECORDS_PER_RESOURCE = 5
# Learning records of each member of staff whose pages are measured (bench.staff and its
# self-assessed copy): seeded once, at the first size, so the same person is measured at each.
MEASURED_PERSON_RECORDS = 25
TEAM_REQUEST_COUNT = 500
SUBPROCESS_TIME_LIMIT_S = 1800.0
HTTP_HOST = "127.0.0.1"
# Distinct varied searches; each round's cold pass takes its own slice of them.
SEARCHES_PER_ROUND = 150

BENCH_EMAIL = "bench.staff@bench.nhs.net"
BENCH_PASSWORD = secrets.token_urlsafe(16)


def sizes_up_to(chosen: str) -> list[int]:
    """The sizes a run seeds and measures in turn, up to SIZE: 1k, 10k, 100k."""
    if chosen not in SIZES:
        raise SystemExit(f"bench: SIZE is one of {', '.join(SIZES)}, not {chosen!r}")
    return [size for size in SIZES.values() if size <= SIZES[chosen]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HTTP_HOST, 0))
        return int(probe.getsockname()[1])


HTTP_PORT = int(os.environ.get("BENCH_PORT", "0")) or free_port()


# --- Environment and databases -------------------------------------------------------------------


@dataclass(frozen=True)
class Databases:
    default: str
    confidential: str


def bench_databases() -> Databases:
    default = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    confidential = os.environ.get("BENCH_CONFIDENTIAL_DATABASE_URL", f"{default}_confidential")
    return Databases(default, confidential)


def production_env(databases: Databases, static_root: Path) -> dict[str, str]:
    """The environment of a production deployment, on the benchmark's own databases."""
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CONFIDENTIAL_DATABASE_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATIC_ROOT": str(static_root),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HTTP_HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "WELLBEING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "WELLBEING_PSEUDONYM_KEY": secrets.token_urlsafe(32),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(32),
            "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": databases.default,
            "CONFIDENTIAL_DATABASE_URL": databases.confidential,
            "CACHE_KEY_PREFIX": f"portal-bench-{RUN_ID}",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def recreate_database(url: str, create: bool = True) -> None:
    """Drop (and create) one benchmark database. Refuses any name without "bench" in it."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: benchmark database names contain 'bench'.")
    server = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=SUBPROCESS_TIME_LIMIT_S,
        stdout=subprocess.DEVNULL,
    )


# --- Seeding -------------------------------------------------------------------------------------


@dataclass
class Catalogue:
    providers: list[Any]
    topics: list[Any]
    objective_ids: list[int]


def seed_catalogue_choices() -> Catalogue:
    """The providers and topics the resources are filed under."""
    from django.utils.text import slugify

    from learning.models import Objective, Provider, Topic

    providers = Provider.objects.bulk_create(
        [Provider(name=name, slug=slugify(name)) for name in words.PROVIDERS]
    )
    topic_names = [f"{p.capitalize()} and {m}" for p in words.PHYSICAL[:10] for m in words.MENTAL[:4]]  # fmt: skip
    topics = Topic.objects.bulk_create(
        [Topic(name=name, slug=slugify(name)) for name in topic_names]
    )
    objective_ids = list(Objective.objects.values_list("id", flat=True))
    return Catalogue(providers, topics, objective_ids)


def seed_catalogue(catalogue: Catalogue, start: int, stop: int) -> list[int]:
    """Published resources number `start` to `stop`, with objectives and topics; their ids."""
    from django.db import transaction
    from django.utils import timezone

    from learning.models import Resource, ResourceStatus

    rng = random.Random(2026 + start)  # noqa: S311 - reproducible sample data, not security
    objective_link = Resource.objectives.through
    topic_link = Resource.topics.through
    now = timezone.now()
    ids: list[int] = []
    for batch_start in range(start, stop, BATCH_SIZE):
        with transaction.atomic():
            batch = Resource.objects.bulk_create(
                [
                    Resource(
                        **words.generated_resource(rng, number),
                        provider=rng.choice(catalogue.providers),
                        status=ResourceStatus.PUBLISHED,
                        published_at=now,
                        status_changed_at=now,
                    )
                    for number in range(batch_start, min(batch_start + BATCH_SIZE, stop))
                ]
            )
            objective_link.objects.bulk_create(
                objective_link(resource_id=resource.pk, objective_id=objective_id)
                for resource in batch
                for objective_id in rng.sample(catalogue.objective_ids, rng.randint(1, 3))
            )
            topic_link.objects.bulk_create(
                topic_link(resource_id=resource.pk, topic_id=topic.pk)
                for resource in batch
                for topic in rng.sample(catalogue.topics, rng.randint(0, 3))
            )
        ids.extend(resource.pk for resource in batch)
    return ids


def seed_staff_member() -> Any:
    """A member of staff with a verified address and a profile, and no role that needs MFA."""
    from allauth.account.models import EmailAddress

    from portal.models import CaringFrequency, StaffGroup, StaffProfile, User

    user = User.objects.create_user(BENCH_EMAIL, BENCH_PASSWORD)
    EmailAddress.objects.create(user=user, email=BENCH_EMAIL, verified=True, primary=True)
    StaffProfile.objects.create(
        user=user,
        display_name="Bench Staff",
        staff_group=StaffGroup.NURSING_MIDWIFERY_REGISTERED,
        job_title="Staff nurse",
        organisation="Benchmark Trust",
        is_clinical=True,
        cares_for_both=CaringFrequency.SOMETIMES,
    )
    return user


# --- gunicorn ------------------------------------------------------------------------------------


@contextmanager
def gunicorn(env: dict[str, str], log: Path, workers: int = 2) -> Iterator[None]:
    """gunicorn with `workers` sync workers on 127.0.0.1:8765, stopped however the block ends."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(GUNICORN), "portal.wsgi", "-w", str(workers), "-b", f"{HTTP_HOST}:{HTTP_PORT}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_answering(process, log)
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_until_answering(process: subprocess.Popen[bytes], log: Path) -> None:
    # Four workers importing Django on a busy machine can take a minute.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection(HTTP_HOST, HTTP_PORT, timeout=2)
            connection.request("GET", "/health/", headers={"Host": HTTP_HOST})
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within 180 s:\n{log.read_text()[-3000:]}")


def port_is_free() -> bool:
    try:
        http.client.HTTPConnection(HTTP_HOST, HTTP_PORT, timeout=1).connect()
    except OSError:
        return True
    return False


# --- Main ----------------------------------------------------------------------------------------


@contextmanager
def step(name: str, seconds: dict[str, float]) -> Iterator[None]:
    print(f"bench: {name}...", flush=True)
    started = time.perf_counter()
    yield
    seconds[name] = time.perf_counter() - started


def analyze() -> None:
    """VACUUM ANALYZE, as autovacuum leaves a production database between bulk loads: the
    planner's statistics, and the visibility map an index-only scan needs."""
    from django.db import connections

    for alias in ("default", "confidential"):
        with connections[alias].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


class Hub:
    """The seeded data that grows with each size, and what the pages need from it."""

    def __init__(self, seconds: dict[str, float]) -> None:
        from bench import pathway_bench, queue_bench, seed

        self.seconds = seconds
        self.size = 0
        with step("seed the catalogue's choices, staff, the clinician and the lead", seconds):
            self.catalogue = seed_catalogue_choices()
            self.staff = seed_staff_member()
            # The same profile, ranked by a self-assessment (issue 15's pathway row).
            self.assessed = pathway_bench.seed_assessed_copy_of(self.staff)[1]
            self.learners = seed.create_learners()
            queue_bench.seed_clinician()
            seed.give_authenticator(queue_bench.clinician())
            seed.give_authenticator(queue_bench.seed_lead())
            seed.seed_team_requests(TEAM_REQUEST_COUNT)
        self.cookies = {
            "staff": seed.session_cookie(seed.session_keys_for([self.staff])[0]),
            "assessed": seed.session_cookie(seed.session_keys_for([self.assessed])[0]),
            "clinician": queue_bench.clinician_cookie(),
            "lead": queue_bench.lead_cookie(),
        }

    def grow_to(self, size: int) -> None:
        from bench import outcomes_bench, pathway_bench, queue_bench, seed

        start, self.size = self.size, size
        with step(f"seed resources {start:,} to {size:,}", self.seconds):
            new_ids = seed_catalogue(self.catalogue, start, size)
        records = (size - start) * LEARNING_RECORDS_PER_RESOURCE
        with step(f"seed about {records:,} learning records", self.seconds):
            seed.seed_learning_records(self.learners, new_ids, records)
            if start == 0:
                # The people whose pages are measured keep the same learning at every size, as a
                # real person's does while the catalogue grows: a page that shows what someone
                # has begun grows with them, not with the catalogue (ADR 0037).
                seed.seed_learning_records([self.staff], new_ids, MEASURED_PERSON_RECORDS)
                pathway_bench.copy_learning_records(self.staff, self.assessed)
        with step(f"tie resources {start:,} to {size:,} to statements; self-assess", self.seconds):
            pathway_bench.seed_self_assessment(self.assessed)
        with step(f"seed referrals {start:,} to {size:,}", self.seconds):
            queue_bench.seed(start, size)
        with step(f"give {size:,} referrals paired scores (outcomes)", self.seconds):
            outcomes_bench.seed_paired_scores(size)
        with step(f"VACUUM ANALYZE at {size:,}", self.seconds):
            analyze()

    def fixtures(self, rounds: int) -> Fixtures:
        from django.urls import reverse

        from bench import search_traffic
        from bench.scenarios import Fixtures
        from learning.models import Provider, Resource, ResourceFormat, Topic
        from wellbeing.models import Referral, ReferralStatus

        open_referrals = Referral.objects.using("confidential").exclude(
            status__in=(ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN)
        )
        searches = search_traffic.search_paths(
            reverse("learning:catalogue"),
            SEARCHES_PER_ROUND * rounds,
            formats=list(ResourceFormat.values),
            topics=list(Topic.objects.order_by("slug").values_list("slug", flat=True)),
            providers=list(Provider.objects.order_by("slug").values_list("slug", flat=True)),
            objectives=[str(n) for n in range(1, len(self.catalogue.objective_ids) + 1)],
        )
        return Fixtures(
            cookies=self.cookies,
            resource_slugs=list(Resource.objects.order_by("pk").values_list("slug", flat=True)),
            referral_ids=list(open_referrals.order_by("pk").values_list("pk", flat=True)),
            search_paths=searches,
            rounds=rounds,
        )


def server_version() -> str:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return str(row[0]) if row else "unknown"


def purge_handed_over_tasks() -> None:
    """Self-referral handed its confirmation emails to the broker, where no worker of ours
    listens: take them off again, so nothing is left for another worker to pick up."""
    from portal.celery import app

    try:
        removed = app.control.purge()
    except Exception as error:  # noqa: BLE001 - a broker we cannot reach holds nothing of ours
        print(f"bench: could not purge the broker ({error!r})")
    else:
        print(f"bench: removed {removed} tasks handed to the broker", flush=True)


def outbox_benchmark(env: dict[str, str], scratch: Path) -> tuple[int, list[str]]:
    """The outbox's send benchmark (bench/outbox.py): 1 when it misses its target, and its lines."""
    from bench import outbox

    print("bench: outbox send", flush=True)
    result = outbox.run(env, scratch)
    lines = outbox.report(result)
    return (1 if result.verdict.startswith("MISS") else 0), lines


def main() -> int:
    outbox_only = "--outbox-only" in sys.argv[1:]
    sizes = sizes_up_to(os.environ.get("SIZE", "10k"))
    if not outbox_only:
        from bench.load import ensure_wrk

        ensure_wrk()
    databases = bench_databases()
    seconds: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch:
            return _run(databases, sizes, seconds, Path(scratch), outbox_only)
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            from django.db import connections

            connections.close_all()
            recreate_database(databases.default, create=False)
            recreate_database(databases.confidential, create=False)
        else:
            print(f"bench: kept {databases.default} and {databases.confidential}")


def _run(
    databases: Databases, sizes: list[int], seconds: dict[str, float], scratch: Path,
    outbox_only: bool,
) -> int:  # fmt: skip
    env = production_env(databases, scratch / "static")
    os.environ.update(env)
    print(f"bench: run {RUN_ID}: {databases.default}, cache prefix "
          f"{env['CACHE_KEY_PREFIX']}, port {HTTP_PORT}", flush=True)  # fmt: skip
    with step("create databases", seconds):
        recreate_database(databases.default)
        recreate_database(databases.confidential)
    with step("migrate", seconds):
        manage(env, "migrate", "--database", "default", "--no-input")
        manage(env, "migrate", "--database", "confidential", "--no-input")
    with step("collect static files", seconds):
        manage(env, "collectstatic", "--no-input")

    import django

    django.setup()
    if outbox_only:
        return outbox_benchmark(env, scratch)[0]
    from bench import breakdown, growth, http_bench, report, scenarios, seed

    pages = scenarios.chosen(os.environ.get("BENCH_ONLY", ""))
    hub = Hub(seconds)
    grown = growth.Growth()
    for size in sizes:
        hub.grow_to(size)
        with step(f"growth at {size:,}", seconds):
            growth.measure(pages, hub.fixtures(http_bench.rounds()), size, grown)
    if "--profile" in sys.argv[1:]:
        from bench.profile import profile_all

        profile_all(pages, hub.fixtures(http_bench.rounds()))
        return 0
    with step(f"where the time goes at {hub.size:,}", seconds):
        split = breakdown.measure(pages, hub.fixtures(http_bench.rounds()))
    if "--breakdown" in sys.argv[1:]:
        print("\n".join(breakdown.table(split)))
        return 0
    submitter_count = int(http_bench.measured_seconds() * 300) + 1
    with step(f"prepare {submitter_count:,} finished self-referral drafts", seconds):
        submitters = seed.prepare_submitters(submitter_count)
        analyze()
    fixtures = hub.fixtures(http_bench.rounds())
    server = http_bench.Server(
        url=f"http://{HTTP_HOST}:{HTTP_PORT}",
        host=HTTP_HOST,
        connections=CONNECTIONS,
        scratch=scratch,
    )
    load_at_start = report.load_average()
    try:
        with gunicorn(env, scratch / "gunicorn.log", workers=WORKERS):
            measured = http_bench.run_rounds(pages, fixtures, server)
            sent = http_bench.run_self_referral(submitters, server)
    finally:
        purge_handed_over_tasks()
    outbox_missed, outbox_lines = 0, list[str]()
    if not os.environ.get("BENCH_ONLY"):
        outbox_missed, outbox_lines = outbox_benchmark(env, scratch)
    report.write(
        http=measured,
        self_referral=sent,
        growth=grown,
        breakdown=split,
        outbox=outbox_lines,
        seeded=[
            f"{hub.size:,} published resources",
            f"about {hub.size * LEARNING_RECORDS_PER_RESOURCE:,} learning records over "
            f"{seed.STAFF_WITH_RECORDS:,} staff, and {MEASURED_PERSON_RECORDS} for each member "
            "of staff whose pages are measured, the same at every size",
            f"{hub.size:,} referrals (encrypted, five scored questionnaires each)",
            f"{TEAM_REQUEST_COUNT} team requests",
            f"{len(submitters):,} staff with a finished self-referral draft",
        ],
        setup=seconds,
        workers=WORKERS,
        connections=server.connections,
        searches=len(fixtures.search_paths),
        load_at_start=load_at_start,
        server_version=server_version(),
    )
    # A missed target fails `make bench`, so it can guard a change; the tables are written first.
    missed = report.missed_any(measured, sent, grown)
    return 1 if missed or outbox_missed else 0


if __name__ == "__main__":
    sys.exit(main())
