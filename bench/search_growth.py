"""The catalogue search in-process at a given size, cache miss and hit (ADR 0033's figures).

    .venv/bin/python bench/search_growth.py --resources 10000 [--seed]

With --seed it drops and recreates portal_searchbench_<size> (and its _confidential pair),
migrates them with the production settings and seeds the catalogue as `make bench` does
(bench/run.py's seed_catalogue) and one staff member; without, it reuses them. Then, through
Django's test client (the whole middleware, signed in), it times each search of SEARCHES:

- miss: the catalogue's generation is forgotten before each request, so nothing is cached;
- hit: the same URL again.

and the bare view, each REPEAT times, and prints the p50 and p95 with the queries of a request
and the load average. No HTTP, no load generator: for before-and-after checks of the search
only; `make bench` measures the pages under load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCHES = {
    "narrow: delirium": {"q": "delirium"},
    "narrow, filtered: diabetes depression, level 2": {"q": "diabetes depression", "level": "2"},
    "broad: physical health": {"q": "physical health"},
    "broad, filtered, page 3: physical health, free": {
        "q": "physical health",
        "cost": "free",
        "page": "3",
    },
    "browse: no search, level 1": {"level": "1"},
}
REPEAT = int(os.environ.get("SEARCH_BENCH_REPEAT", "40"))


def database_url(resources: int) -> str:
    base = os.environ.get("SEARCH_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    tag = os.environ.get("SEARCH_BENCH_TAG", "")  # e.g. "before", to keep two codebases apart
    return f"{base}/portal_searchbench{tag}_{resources}"


def configure(resources: int) -> None:
    url = database_url(resources)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "WELLBEING_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
            "WELLBEING_PSEUDONYM_KEY": "bench-pseudonym-key-" + "y" * 20,
            "AUDIT_CHAIN_KEY": "bench-audit-chain-key-" + "z" * 20,
            "MFA_ENCRYPTION_KEYS": "8mvzPHq1fJcC3bqKUWFb2lOp1dV6Y9wW5Lq3VYdBv0U=",
            "DATABASE_URL": url,
            "CONFIDENTIAL_DATABASE_URL": url + "_confidential",
            "REDIS_URL": os.environ.get("SEARCH_BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
            "CACHE_KEY_PREFIX": f"searchbench-{os.getpid()}",
            "LOG_LEVEL": "WARNING",
        }
    )


def seed(resources: int) -> None:
    from bench import run

    url = database_url(resources)
    run.recreate_database(url)
    run.recreate_database(url + "_confidential")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", database="default", verbosity=0)
    call_command("migrate", database="confidential", verbosity=0)
    started = time.perf_counter()
    run.seed_catalogue(run.seed_catalogue_choices(), 0, resources)
    run.seed_staff_member()
    print(f"seeded {resources:,} resources in {time.perf_counter() - started:.0f} s")


def timed(call: Callable[[], object], before: Callable[[], object] | None = None) -> list[float]:
    times = []
    for _ in range(REPEAT):
        if before:
            before()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def summary(times: list[float]) -> str:
    return f"p50 {statistics.median(times):7.1f} ms  p95 {times[int(len(times) * 0.95)]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--seed", action="store_true")
    args = parser.parse_args()
    configure(args.resources)
    if args.seed:
        seed(args.resources)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from learning.queries import catalogue_search
    from portal.models import User

    call_command("collectstatic", "--no-input", verbosity=0)
    user = User.objects.filter(staff_profile__isnull=False).first()
    if user is None:
        raise SystemExit("No staff member: run with --seed first.")
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(user)
    session = client.session
    session["portal_profile_complete"] = True
    session.save()
    url = "/learning/catalogue/"

    def get(params: dict[str, str]) -> Callable[[], object]:
        def call() -> object:
            response = client.get(url, params)
            if response.status_code != 200:
                raise SystemExit(f"{url} {params}: {response.status_code}")
            return response

        return call

    def forget() -> None:
        catalogue_search.catalogue_changed()

    def queries(call: Callable[[], object], before: Callable[[], object] | None = None) -> int:
        if before:
            before()
        with (
            CaptureQueriesContext(connections["default"]) as default,
            CaptureQueriesContext(connections["confidential"]) as confidential,
        ):
            call()
        return len(default) + len(confidential)

    for _ in range(5):  # warm the process: templates, URL resolvers, connections
        get({"q": "warm"})()
        client.get("/bench/bare/")
    print(f"{args.resources:,} resources, load average {os.getloadavg()[0]:.2f}")
    print(f"  bare view{'':41} {summary(timed(lambda: client.get('/bench/bare/')))}")
    for label, params in SEARCHES.items():
        call = get(params)
        miss = timed(call, before=forget)
        miss_queries = queries(call, before=forget)
        call()
        hit = timed(call)
        hit_queries = queries(call)
        print(f"  {label:48} miss {summary(miss)} ({miss_queries} queries)")
        print(f"  {'':48} hit  {summary(hit)} ({hit_queries} queries)")
    print(f"  load average at the end {os.getloadavg()[0]:.2f}")
    cache.clear()


if __name__ == "__main__":
    main()
