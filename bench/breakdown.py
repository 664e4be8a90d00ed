"""Where each page's time goes, in-process: SQL, template rendering and the rest of Python.

The ratio targets compare a page with the bare view, so a miss needs to say which part of the
page costs what the bare view does not. After the growth figures, at the run's largest size,
each page is requested BREAKDOWN_REQUESTS times through Django's test client (the production
settings, one request at a time, a cold page's reset before each and outside the timing), and
each request is split three ways:

- **SQL**: time inside the database driver's execute, on both databases (wall time, so it
  includes the round trip to PostgreSQL);
- **rendering**: time inside the top-level template's render (its includes and context
  processors too), less any SQL run while rendering;
- **the rest**: everything else, from the middleware and the session to the view's own Python
  (building model instances from rows, the rows a page shows, forms).

Each column is the median of its own figures, so they need not add up to the total exactly.
The bare view and the bare view rendering base.html come first: they are what every page pays.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from bench.http_bench import client_for
from bench.scenarios import BARE, Fixtures, Page, bare_page

BREAKDOWN_REQUESTS = 30


@dataclass(frozen=True)
class Split:
    total_ms: float
    sql_ms: float
    queries: int
    render_ms: float

    @property
    def rest_ms(self) -> float:
        return self.total_ms - self.sql_ms - self.render_ms


@dataclass(frozen=True)
class PageBreakdown:
    key: str
    label: str
    splits: Sequence[Split]

    def median(self, part: Callable[[Split], float]) -> float:
        return statistics.median(part(split) for split in self.splits)


class _Clock:
    """Accumulates SQL and rendering time for the request in progress."""

    def __init__(self) -> None:
        self.sql_ms = 0.0
        self.render_ms = 0.0
        self.queries = 0
        self.rendering = 0  # depth: a template rendered inside another is timed once

    def reset(self) -> None:
        self.sql_ms = self.render_ms = 0.0
        self.queries = 0

    def sql(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.sql_ms += elapsed
            self.queries += 1
            if self.rendering:
                self.render_ms -= elapsed  # counted as SQL, not as rendering


@contextmanager
def _timing(clock: _Clock) -> Iterator[None]:
    from django.db import connections
    from django.template.backends.django import Template

    original = Template.render

    def timed_render(template: Any, *args: Any, **kwargs: Any) -> Any:
        clock.rendering += 1
        started = time.perf_counter()
        try:
            return original(template, *args, **kwargs)
        finally:
            clock.rendering -= 1
            if not clock.rendering:
                clock.render_ms += (time.perf_counter() - started) * 1000

    Template.render = timed_render  # type: ignore[method-assign,assignment]
    try:
        with ExitStack() as stack:
            for alias in ("default", "confidential"):
                stack.enter_context(connections[alias].execute_wrapper(clock.sql))
            yield
    finally:
        Template.render = original  # type: ignore[method-assign]


def measure(pages: Sequence[Page], fixtures: Fixtures) -> list[PageBreakdown]:
    chosen = [bare_page(), *pages]
    found = []
    for page in chosen:
        print(f"bench: where the time goes: {page.label}", flush=True)
        found.append(_measure_one(page, fixtures))
    return found


def _measure_one(page: Page, fixtures: Fixtures) -> PageBreakdown:
    client = client_for(fixtures.cookies[page.who])
    paths = list(page.paths(fixtures, 0))
    if page.warm_every_path:
        for path in paths:
            client.get(path)
    else:
        client.get(paths[0])  # settles the session and warms this process
    clock = _Clock()
    splits = []
    with _timing(clock):
        for index in range(BREAKDOWN_REQUESTS):
            path = paths[index % len(paths)]
            if page.cold is not None:
                page.cold()
            clock.reset()
            started = time.perf_counter()
            response = client.get(path)
            total = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"bench: GET {path} answered {response.status_code}")
            splits.append(Split(total, clock.sql_ms, clock.queries, clock.render_ms))
    return PageBreakdown(page.key, page.label, splits)


def table(found: Sequence[PageBreakdown]) -> list[str]:
    bare = next(breakdown for breakdown in found if breakdown.key == BARE)
    bare_total = bare.median(lambda split: split.total_ms)
    lines = [
        "| page | total ms | SQL ms (queries) | rendering ms | the rest ms | total / bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for breakdown in found:
        total = breakdown.median(lambda split: split.total_ms)
        queries = breakdown.median(lambda split: split.queries)
        cells = [
            breakdown.label,
            f"{total:.1f}",
            f"{breakdown.median(lambda split: split.sql_ms):.1f} ({queries:g})",
            f"{breakdown.median(lambda split: split.render_ms):.1f}",
            f"{breakdown.median(lambda split: split.rest_ms):.1f}",
            f"{total / bare_total:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
