"""`bench/run.py --profile`: where the time of each page goes, with pyinstrument, in-process.

After the same seeding as `make bench`, each registry page (bench/scenarios.py; BENCH_ONLY
narrows them) is requested through Django's test client (full middleware, production settings,
the same sessions): a few warming requests, then PROFILED_REQUESTS under pyinstrument (a cold
page's reset before each, outside nothing: the reset is part of what is profiled, and small).
The call trees are written to var/bench-profiles/<page>.txt and a one-line summary of each is
printed.

pyinstrument is a tool for this investigation only, not a requirement of the portal or of
`make bench`: `.venv/bin/pip install pyinstrument` first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from bench.http_bench import client_for, queries_in_both_databases
from bench.scenarios import Fixtures, Page

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "var" / "bench-profiles"
PROFILED_REQUESTS = int(os.environ.get("BENCH_PROFILED_REQUESTS", "30"))


def profile_all(pages: Sequence[Page], fixtures: Fixtures) -> None:
    try:
        import pyinstrument  # noqa: F401 - only to say early that it is missing
    except ImportError as missing:
        raise SystemExit(
            "bench: --profile needs pyinstrument: .venv/bin/pip install pyinstrument"
        ) from missing
    FOLDER.mkdir(parents=True, exist_ok=True)
    for page in pages:
        profile_one(page, fixtures)
    print(f"bench: call trees in {FOLDER}")


def profile_one(page: Page, fixtures: Fixtures) -> None:
    from pyinstrument import Profiler

    paths = list(page.paths(fixtures, 0))
    client = client_for(fixtures.cookies[page.who])

    def send(index: int) -> None:
        if page.cold is not None:
            page.cold()
        client.get(paths[index % len(paths)])

    for index in range(3):
        send(index)
    queries = queries_in_both_databases(lambda: send(3))
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for index in range(4, 4 + PROFILED_REQUESTS):
            send(index)
    per_request = (time.perf_counter() - started) / PROFILED_REQUESTS * 1000
    (FOLDER / f"{page.key}.txt").write_text(
        profiler.output_text(
            unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL"))
        )
    )
    print(f"bench: {page.label}: {per_request:.1f} ms a request, {queries} queries")
