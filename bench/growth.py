"""How each page's time grows with the data: in-process p50 at each size the run reaches.

In this process, one request at a time through Django's test client (the production settings,
no HTTP, no other load from the benchmark): each page's paths in turn, GROWTH_REQUESTS times.
A cold page's reset (the catalogue's generation) is made before each of its requests, so a
search is measured uncached at every size. The figures at the different sizes are taken in the
same run, minutes apart, as the seeding grows the same databases.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.http_bench import client_for
from bench.scenarios import Fixtures, Page

GROWTH_REQUESTS = 15
TARGET_GROWTH = 1.5  # p50 at 100,000 rows over p50 at 10,000


@dataclass
class Growth:
    sizes: list[int] = field(default_factory=list)
    # page key -> size -> p50 ms
    p50_ms: dict[str, dict[int, float]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def measure(pages: Sequence[Page], fixtures: Fixtures, size: int, growth: Growth) -> None:
    growth.sizes.append(size)
    for page in pages:
        if not page.grow:
            continue
        print(f"bench: growth at {size:,}: {page.label}", flush=True)
        client = client_for(fixtures.cookies[page.who])
        paths = list(page.paths(fixtures, 0))
        client.get(paths[0])  # settles the session and warms this process
        timings = []
        for index in range(GROWTH_REQUESTS):
            path = paths[index % len(paths)]
            if page.cold is not None:
                page.cold()
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"bench: GET {path} answered {response.status_code}")
        growth.labels[page.key] = page.label
        growth.p50_ms.setdefault(page.key, {})[size] = statistics.median(timings)
