"""`make bench`: the portal's pages under load on PostgreSQL, with a realistic amount of data.

Run with `.venv/bin/python bench/run.py` (or `make bench`). It drops and recreates its own
database pair (portal_bench and portal_bench_confidential on 127.0.0.1:5432, or BENCH_DATABASE_URL),
migrates them with the production settings and seeds 10,000 resources (here), 50,000 learning
records and 500 team requests (bench/seed.py) and 10,000 referrals (bench/queue_bench.py). It
measures the search and the queue in-process, then starts gunicorn and measures each page under
load with wrk (bench/http_bench.py, bench/load.py), and writes the table to bench/results.md
(bench/report.py). Then the outbox send benchmark (bench/outbox.py). See bench/README.md.

BENCH_SCALE=0.1 seeds a tenth of everything and BENCH_SECONDS=3 shortens each row: for working
on the benchmark itself, never for figures.
"""

from __future__ import annotations

import http.client
import importlib
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bench import http_bench

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
RESOURCE_COUNT = round(10_000 * SCALE)
LEARNING_RECORD_COUNT = round(50_000 * SCALE)
TEAM_REQUEST_COUNT = round(500 * SCALE)
# gunicorn's sync workers: two per core, so one can run while another waits for PostgreSQL.
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
# wrk's connections, each sending its next request as soon as the last is answered: one per
# core keeps the machine busy without queueing requests behind each other, so the latencies
# are those of a busy server rather than of an overloaded one.
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", str(os.cpu_count() or 2)))
BATCH_SIZE = 1_000
REQUESTS = 500
WARM_UP = 25
SCENARIO_TIME_LIMIT_S = 120.0
SUBPROCESS_TIME_LIMIT_S = 600.0
HTTP_HOST, HTTP_PORT = "127.0.0.1", 8765
PAGE_SIZE = 20

BENCH_EMAIL = "bench.staff@bench.nhs.net"
BENCH_PASSWORD = secrets.token_urlsafe(16)

# What staff type into the catalogue's search box: specific pairs, single conditions, a phrase,
# an exclusion, and two broad queries that match most of the catalogue (the slowest to rank).
QUERIES = (
    "diabetes depression",
    "psychosis physical health checks",
    "anxiety COPD",
    "delirium",
    "eating disorders",
    "chronic pain low mood",
    "perinatal",
    "alcohol liver disease",
    "dementia care home",
    '"heart failure" depression',
    "self-harm emergency department",
    "breathlessness -asthma",
    "physical health",
    "mental health training",
)


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
            "CACHE_KEY_PREFIX": "portal-bench",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def recreate_database(url: str) -> None:
    """Drop and create one benchmark database. Refuses any name without "bench" in it."""
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

PHYSICAL = (
    "diabetes", "COPD", "asthma", "heart failure", "coronary heart disease", "stroke", "cancer",
    "chronic pain", "obesity", "chronic kidney disease", "arthritis", "epilepsy", "HIV",
    "liver disease", "irritable bowel syndrome", "fibromyalgia", "long COVID", "hypertension",
    "multiple sclerosis", "Parkinson's disease",
)  # fmt: skip
MENTAL = (
    "depression", "anxiety", "psychosis", "bipolar disorder", "schizophrenia", "eating disorders",
    "dementia", "delirium", "post-traumatic stress", "self-harm", "alcohol misuse", "drug use",
    "personality disorder", "insomnia", "health anxiety", "low mood", "perinatal depression",
)  # fmt: skip
OPENINGS = (
    "Recognising", "Managing", "Understanding", "Supporting people with", "Assessing",
    "Talking about", "Screening for", "Caring for people with", "Preventing", "Treating",
)  # fmt: skip
ENDINGS = (
    "an introduction", "a practical guide", "essentials", "masterclass", "in practice",
    "for the whole team", "case studies", "a toolkit", "refresher", "advanced skills",
)  # fmt: skip
AUDIENCES = (
    "nurses", "GPs", "pharmacists", "physiotherapists", "healthcare assistants", "receptionists",
    "paramedics", "midwives", "social workers", "psychologists", "occupational therapists",
    "junior doctors", "care home staff", "health visitors",
)  # fmt: skip
SETTINGS = (
    "the emergency department", "acute medical wards", "primary care", "community mental health "
    "teams", "inpatient mental health units", "care homes", "outpatient clinics", "maternity "
    "services", "cardiac rehabilitation", "pulmonary rehabilitation", "diabetes clinics",
)  # fmt: skip
SKILLS = (
    "physical health checks", "brief interventions", "motivational interviewing",
    "risk assessment", "care planning", "medication reviews", "shared decision making",
    "breathing techniques", "sleep hygiene", "graded activity", "safety planning",
    "communication with carers", "referral pathways", "reasonable adjustments",
    "managing breathlessness", "mental health first aid",
)  # fmt: skip
PROVIDERS = (
    "Mind & Body Programme", "NHS England e-Learning for Healthcare", "Maudsley Learning",
    "King's College London", "Health Education England", "Royal College of Psychiatrists",
    "Diabetes UK", "Local NHS trust learning and development team", "British Heart Foundation",
    "Royal College of Nursing", "Mental Health Foundation", "Local authority public health team",
)  # fmt: skip


def generated_resource(rng: random.Random, number: int) -> dict[str, Any]:
    """The fields of one varied, plausible resource, from the word lists above."""
    from learning.models import ResourceFormat

    physical, mental = rng.choice(PHYSICAL), rng.choice(MENTAL)
    audience, setting = rng.choice(AUDIENCES), rng.choice(SETTINGS)
    skill, other_skill = rng.sample(SKILLS, 2)
    title = f"{rng.choice(OPENINGS)} {physical} and {mental}: {rng.choice(ENDINGS)}"
    summary = (
        f"Helps {audience} in {setting} recognise and respond to {mental} in people living with "
        f"{physical}."
    )
    description = " ".join(
        rng.sample(
            [
                f"It covers {skill} and {other_skill}, with examples from {setting}.",
                f"People living with {physical} describe how {mental} affected their care.",
                f"You will practise {skill} with case studies written for {audience}.",
                "It explains why physical health and mental health needs so often go together, "
                "and how joined-up care improves outcomes.",
                f"It links to local services for {mental} and to support for staff wellbeing.",
                f"The training was developed with {rng.choice(AUDIENCES)} and people with lived "
                "experience.",
            ],
            k=rng.randint(2, 4),
        )
    )
    minutes = rng.choice((10, 15, 20, 30, 45, 60, 90, 120, 180, 210, 420, 840, 2100, 9000))
    in_person = rng.random() < 0.25
    return {
        "title": title,
        "slug": f"bench-{number}",
        "summary": summary,
        "description": description,
        "format": rng.choice(ResourceFormat.values),
        "level": rng.choice((1, 1, 2, 2, 3)),
        "staff_groups": [],
        "duration_minutes": minutes,
        "cost_pence": rng.choice((0, 0, 0, 0, 2500, 4500, 12000, 45000)),
        "is_online": not in_person,
        "location": "Guy's Hospital, London" if in_person else "",
        "url": f"https://learning.example.nhs.uk/bench/{number}",
        "accredited": rng.random() < 0.2,
        "co_produced": rng.random() < 0.15,
        "is_sample": True,
    }


def seed_catalogue(count: int) -> None:
    """`count` published resources with objectives and topics, in batches, then ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from learning.models import Objective, Provider, Resource, ResourceStatus, Topic

    rng = random.Random(2026)  # noqa: S311 - reproducible sample data, not security
    providers = [Provider.objects.create(name=name, slug=slugify(name)) for name in PROVIDERS]
    topic_names = [f"{p.capitalize()} and {m}" for p in PHYSICAL[:10] for m in MENTAL[:4]]
    topics = Topic.objects.bulk_create(
        [Topic(name=name, slug=slugify(name)) for name in topic_names]
    )
    objective_ids = list(Objective.objects.values_list("id", flat=True))
    objective_link = Resource.objectives.through
    topic_link = Resource.topics.through
    now = timezone.now()
    for start in range(0, count, BATCH_SIZE):
        with transaction.atomic():
            batch = Resource.objects.bulk_create(
                [
                    Resource(
                        **generated_resource(rng, number),
                        provider=rng.choice(providers),
                        status=ResourceStatus.PUBLISHED,
                        published_at=now,
                        status_changed_at=now,
                    )
                    for number in range(start, min(start + BATCH_SIZE, count))
                ]
            )
            objective_link.objects.bulk_create(
                objective_link(resource_id=resource.pk, objective_id=objective_id)
                for resource in batch
                for objective_id in rng.sample(objective_ids, rng.randint(1, 3))
            )
            topic_link.objects.bulk_create(
                topic_link(resource_id=resource.pk, topic_id=topic.pk)
                for resource in batch
                for topic in rng.sample(topics, rng.randint(0, 3))
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # bulk_create sends no signals, so forget any topics cached by an earlier run.
    from learning.queries.catalogue_search import forget_catalogue_choices

    forget_catalogue_choices()


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


# --- Measuring -----------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    timings_ms: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    queries_per_request: float | None = None
    target_p95_ms: float | None = None
    note: str = ""
    errors: int = 0

    @property
    def available(self) -> bool:
        return bool(self.timings_ms)

    def percentile(self, pct: int) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]

    @property
    def verdict(self) -> str:
        if self.target_p95_ms is None or not self.available:
            return ""
        if self.errors:
            return "MISS (errors)"
        return "PASS" if self.percentile(95) <= self.target_p95_ms else "MISS"


def run_loop(call: Callable[[str], object], label: str, requests: int = REQUESTS) -> Result:
    """Warm up, then call `call` `requests` times over QUERIES, within the time limit."""
    for index in range(min(WARM_UP, requests)):
        call(QUERIES[index % len(QUERIES)])
    result = Result(label)
    started = time.perf_counter()
    deadline = started + SCENARIO_TIME_LIMIT_S
    for index in range(requests):
        if time.perf_counter() > deadline:
            result.note = f"stopped at the {SCENARIO_TIME_LIMIT_S:.0f} s limit"
            break
        before = time.perf_counter()
        if call(QUERIES[index % len(QUERIES)]) is False:
            result.errors += 1
        result.timings_ms.append((time.perf_counter() - before) * 1000)
    result.elapsed_s = time.perf_counter() - started
    return result


def queries_for(call: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def direct_search(query: str) -> list[Any]:
    """The search query alone: websearch on search_vector, ranked, the first page."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import F

    from learning.models import Resource

    search = SearchQuery(query, search_type="websearch", config="english")
    return list(
        Resource.objects.published()
        .filter(search_vector=search)
        .select_related("provider")
        .annotate(rank=SearchRank(F("search_vector"), search))
        .order_by("-rank", "title")[:PAGE_SIZE]
    )


def match_count(query: str) -> int:
    from django.contrib.postgres.search import SearchQuery

    from learning.models import Resource

    search = SearchQuery(query, search_type="websearch", config="english")
    return Resource.objects.published().filter(search_vector=search).count()


def project_search(**facets: tuple[str, ...]) -> Callable[[str], object] | None:
    """`learning.queries.catalogue_search.search_catalogue` as the catalogue view calls it
    (search, facet counts, count and page), or None when it is not there or its shape has
    changed."""
    try:
        queries = importlib.import_module("learning.queries.catalogue_search")
        search_catalogue = queries.search_catalogue
        params_class = queries.CatalogueParams
    except (ImportError, AttributeError):
        return None
    from portal.models import User

    user = User.objects.get(email=BENCH_EMAIL)

    def call(query: str) -> object:
        found = search_catalogue(params_class(q=query, **facets), user=user)
        return list(getattr(found, "results", found))

    try:
        call(QUERIES[0])
    except Exception as error:  # noqa: BLE001 - the function is new; report, and go on
        print(
            f"bench: learning.queries.catalogue_search.search_catalogue could not be called ({error!r})"
        )
        return None
    return call


def orm_scenario(label: str, call: Callable[[str], object] | None) -> Result:
    if call is None:
        return Result(
            label, note="not yet available: learning.queries.catalogue_search.search_catalogue"
        )
    result = run_loop(call, label)
    result.queries_per_request = queries_for(lambda: call(QUERIES[0]))
    return result


def scenario_search_query_alone() -> Result:
    return orm_scenario(f"Search query alone: ranked, first {PAGE_SIZE} (ORM)", direct_search)


def scenario_search_catalogue() -> Result:
    return orm_scenario("search_catalogue(q): facet counts, count and page", project_search())


def scenario_search_catalogue_with_facets() -> Result:
    return orm_scenario(
        "search_catalogue(q, level 2, free)", project_search(level=("2",), cost=("free",))
    )


ORM_SCENARIOS = (
    scenario_search_query_alone,
    scenario_search_catalogue,
    scenario_search_catalogue_with_facets,
)


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
    deadline = time.monotonic() + 30
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
    raise SystemExit(f"gunicorn did not answer within 30 s:\n{log.read_text()[-3000:]}")


def port_is_free() -> bool:
    try:
        http.client.HTTPConnection(HTTP_HOST, HTTP_PORT, timeout=1).connect()
    except OSError:
        return True
    return False


# --- Reporting -----------------------------------------------------------------------------------


def table(results: Iterable[Result]) -> list[str]:
    lines = [
        "| scenario | requests | p50 ms | p95 ms | requests/s | queries/request | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for result in results:
        target = f"p95 ≤ {result.target_p95_ms:.0f} ms" if result.target_p95_ms else ""
        queries = "" if result.queries_per_request is None else f"{result.queries_per_request:g}"
        if result.available:
            cells = [
                str(len(result.timings_ms)),
                f"{statistics.median(result.timings_ms):.1f}",
                f"{result.percentile(95):.1f}",
                f"{len(result.timings_ms) / result.elapsed_s:.0f}",
            ]
        else:
            cells = ["", "", "", ""]
        verdict = result.verdict or ("" if result.available else result.note)
        lines.append(
            f"| {result.scenario} | {' | '.join(cells)} | {queries} | {target} | {verdict} |"
        )
    return lines


def per_query_table() -> list[str]:
    """Median of five runs of each query: the query alone, and the whole catalogue search."""
    full_search = project_search()
    lines = [
        "| query | matches | query alone, median ms | search_catalogue, median ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for query in QUERIES:
        medians = []
        for call in (direct_search, full_search):
            if call is None:
                medians.append("")
                continue
            timings = []
            for _ in range(5):
                before = time.perf_counter()
                call(query)
                timings.append((time.perf_counter() - before) * 1000)
            medians.append(f"{statistics.median(timings):.1f}")
        lines.append(f"| `{query}` | {match_count(query)} | {' | '.join(medians)} |")
    return lines


# --- Main ----------------------------------------------------------------------------------------


@contextmanager
def step(name: str, seconds: dict[str, float]) -> Iterator[None]:
    print(f"bench: {name}...", flush=True)
    started = time.perf_counter()
    yield
    seconds[name] = time.perf_counter() - started


def outbox_benchmark(env: dict[str, str], scratch: Path) -> int:
    """The outbox's send benchmark (bench/outbox.py); 1 when it misses its target."""
    from bench import outbox

    print("bench: outbox send", flush=True)
    result = outbox.run(env, scratch)
    outbox.report(result)
    return 1 if result.verdict.startswith("MISS") else 0


def seed_everything(seconds: dict[str, float]) -> http_bench.Fixtures:
    """Every seed of the benchmark, timed; what the pages under load need."""
    from django.db import connections

    from bench import http_bench, queue_bench, seed
    from learning.models import Resource
    from wellbeing.models import Referral, ReferralStatus

    with step(f"seed {RESOURCE_COUNT:,} resources and ANALYZE", seconds):
        seed_catalogue(RESOURCE_COUNT)
        staff = seed_staff_member()
    with step(f"seed {LEARNING_RECORD_COUNT:,} learning records", seconds):
        seed.seed_learning_records(LEARNING_RECORD_COUNT, extra_users=[staff])
    referral_count = round(queue_bench.REFERRAL_COUNT * SCALE)
    with step(f"seed {referral_count:,} referrals and {TEAM_REQUEST_COUNT} team requests", seconds):
        queue_bench.seed(referral_count)
        seed.seed_team_requests(TEAM_REQUEST_COUNT)
        seed.give_authenticator(queue_bench.clinician())
        seed.give_authenticator(queue_bench.seed_lead())
    # Enough finished drafts that wrk cannot run out at several times the target rate.
    submitter_count = int(http_bench.measured_seconds() * 300) + 1
    with step(f"prepare {submitter_count:,} finished self-referral drafts", seconds):
        submitters = seed.prepare_submitters(submitter_count)
    with step("ANALYZE both databases", seconds):
        for alias in ("default", "confidential"):
            with connections[alias].cursor() as cursor:
                cursor.execute("ANALYZE")
    open_referrals = Referral.objects.using("confidential").exclude(
        status__in=(ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN)
    )
    return http_bench.Fixtures(
        staff_cookie=seed.session_cookie(seed.session_keys_for([staff])[0]),
        clinician_cookie=queue_bench.clinician_cookie(),
        queries=QUERIES,
        resource_slugs=list(Resource.objects.values_list("slug", flat=True)),
        referral_ids=list(open_referrals.values_list("pk", flat=True)),
        queue_paths=queue_bench.QUEUE_PATHS,
        lead_cookie=queue_bench.lead_cookie(),
        caseload_paths=queue_bench.CASELOAD_PATHS,
        lead_home_paths=queue_bench.LEAD_HOME_PATHS,
        submitters=submitters,
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


def main() -> int:
    outbox_only = "--outbox-only" in sys.argv[1:]
    if not outbox_only and not port_is_free():
        print(f"bench: something already listens on {HTTP_HOST}:{HTTP_PORT}; stop it first.")
        return 2
    if not outbox_only:
        from bench.load import ensure_wrk

        ensure_wrk()
    databases = bench_databases()
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as scratch:
        env = production_env(databases, Path(scratch) / "static")
        os.environ.update(env)
        with step("recreate databases", seconds):
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
            return outbox_benchmark(env, Path(scratch))
        from bench import http_bench, queue_bench, report, seed

        fixtures = seed_everything(seconds)
        if "--profile" in sys.argv[1:]:
            from bench.profile import profile_all

            profile_all(fixtures, HTTP_HOST)
            return 0
        in_process: list[Result] = []
        for scenario in ORM_SCENARIOS:
            print(f"bench: {scenario.__name__}", flush=True)
            in_process.append(scenario())
        in_process.append(queue_bench.scenario_queue_page_alone())
        server = http_bench.Server(
            url=f"http://{HTTP_HOST}:{HTTP_PORT}",
            host=HTTP_HOST,
            connections=CONNECTIONS,
            scratch=Path(scratch),
        )
        try:
            with gunicorn(env, Path(scratch) / "gunicorn.log", workers=WORKERS):
                measured = http_bench.run_all(fixtures, server)
        finally:
            purge_handed_over_tasks()
        report.write(
            http=measured,
            in_process=table(in_process),
            by_query=per_query_table(),
            seeded=[
                f"{RESOURCE_COUNT:,} published resources",
                f"{LEARNING_RECORD_COUNT:,} learning records over "
                f"{seed.STAFF_WITH_RECORDS + 1:,} staff",
                f"{round(queue_bench.REFERRAL_COUNT * SCALE):,} referrals (encrypted, five scored "
                "questionnaires each)",
                f"{TEAM_REQUEST_COUNT} team requests",
                f"{len(fixtures.submitters):,} staff with a finished self-referral draft",
            ],
            setup=seconds,
            workers=WORKERS,
            connections=server.connections,
            seconds=http_bench.measured_seconds(),
            server_version=server_version(),
        )
        outbox_missed = outbox_benchmark(env, Path(scratch))
    # A missed target fails `make bench`, so it can guard a change; the tables are written first.
    # The in-process rows explain the HTTP ones and carry no target of their own.
    missed = report.missed_any(measured)
    return 1 if missed or outbox_missed else 0


if __name__ == "__main__":
    sys.exit(main())
