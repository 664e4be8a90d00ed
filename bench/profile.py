"""`bench/run.py --profile`: where the time of each page goes, with pyinstrument, in-process.

After the same seeding as `make bench`, each page of bench/http_bench.py is requested through
Django's test client (full middleware, production settings, the same sessions): a few warming
requests, then PROFILED_REQUESTS under pyinstrument. The call trees are written to
var/bench-profiles/<page>.txt and a one-line summary of each is printed.

pyinstrument is a tool for this investigation only, not a requirement of the portal or of
`make bench`: `.venv/bin/pip install pyinstrument` first.
"""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from pathlib import Path

from bench.http_bench import (
    Fixtures,
    Scenario,
    queries_in_both_databases,
    scenarios,
    self_referral_scenario,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "var" / "bench-profiles"
PROFILED_REQUESTS = 30


def profile_all(fixtures: Fixtures, host: str) -> None:
    try:
        import pyinstrument  # noqa: F401 - only to say early that it is missing
    except ImportError as missing:
        raise SystemExit(
            "bench: --profile needs pyinstrument: .venv/bin/pip install pyinstrument"
        ) from missing
    FOLDER.mkdir(parents=True, exist_ok=True)
    posts = self_referral_scenario(fixtures.submitters[: PROFILED_REQUESTS + 2])
    for scenario in [*scenarios(fixtures), posts]:
        profile_one(scenario, host)
    print(f"bench: call trees in {FOLDER}")


def profile_one(scenario: Scenario, host: str) -> None:
    from django.test import Client
    from pyinstrument import Profiler

    requests = scenario.requests
    # One client, so its middleware (WhiteNoise reads the static files) is loaded once, as in a
    # gunicorn worker; each request carries its own person's cookies.
    client = Client(HTTP_HOST=host)

    def send(index: int) -> None:
        request = requests[index % len(requests)]
        client.cookies.clear()
        for part in request.cookie.split("; "):
            name, _, value = part.partition("=")
            client.cookies[name] = value
        if request.method == "POST":
            client.post(request.path, dict(urllib.parse.parse_qsl(request.body)))
        else:
            client.get(request.path)

    # A draft can be sent once: the POSTs warm with the first and count with the second.
    warming = 3 if requests[0].method == "GET" else 1
    for index in range(warming):
        send(index)
    queries = queries_in_both_databases(lambda: send(warming))
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for index in range(warming + 1, warming + 1 + PROFILED_REQUESTS):
            send(index)
    per_request = (time.perf_counter() - started) / PROFILED_REQUESTS * 1000
    name = re.sub(r"[^a-z0-9]+", "-", scenario.label.lower()).strip("-")
    (FOLDER / f"{name}.txt").write_text(
        profiler.output_text(
            unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL"))
        )
    )
    print(f"bench: {scenario.label}: {per_request:.1f} ms a request, {queries} queries")
