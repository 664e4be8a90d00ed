"""The benchmark's tables: printed, and written to bench/results.md with the machine and date."""

from __future__ import annotations

import itertools
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bench.breakdown import PageBreakdown
from bench.breakdown import table as breakdown_table
from bench.growth import TARGET_GROWTH, Growth
from bench.http_bench import (
    SELF_REFERRAL,
    TARGET_SUBMISSIONS_PER_S,
    PageFigures,
    SelfReferral,
    bare_seconds,
    measured_seconds,
    rounds,
)
from bench.load import ensure_wrk
from bench.scenarios import BARE


def results_file() -> Path:
    """bench/results.md at the default size; bench/results-100k.md (and so on) at another."""
    size = os.environ.get("SIZE", "10k")
    name = "results.md" if size == "10k" else f"results-{size}.md"
    return Path(__file__).resolve().parent / name


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def wrk_version() -> str:
    completed = subprocess.run(  # noqa: S603 - the packaged wrk
        [ensure_wrk(), "--version"], capture_output=True, text=True, check=False
    )
    first_line = (completed.stdout or completed.stderr).split("\n", 1)[0]
    return first_line.split(" [", 1)[0].strip() or "wrk"


def _target_text(figures: PageFigures) -> str:
    page, parts = figures.page, []
    if page.target_p95_ms is not None:
        parts.append(f"p95 ≤ {page.target_p95_ms:.0f} ms")
    if page.target_ratio is not None:
        parts.append(f"≥ {page.target_ratio:.2f} of bare")
    return ", ".join(parts)


def http_table(results: Sequence[PageFigures]) -> list[str]:
    lines = [
        "| page | runs | requests | requests/s | p50 ms | p95 ms (worst) | queries miss / hit "
        "| vs bare, median (min) | load | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for result in results:
        if not result.runs:
            lines.append(f"| {result.page.label} | 0 |  |  |  |  |  |  |  |  | not measured |")
            continue
        ratios = result.ratios
        ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f})" if ratios else "1.00"
        worst = max(run.load.p95_ms for run in result.runs)
        if result.has_target():
            missed = result.misses()
            verdict = "PASS" if not missed else "MISS: " + "; ".join(missed)
        else:
            verdict = ""
        lines.append(
            f"| {result.page.label} | {len(result.runs)} "
            f"| {sum(run.load.requests for run in result.runs):,} "
            f"| {result.median(lambda run: run.load.per_second):.0f} "
            f"| {result.median(lambda run: run.load.p50_ms):.1f} "
            f"| {result.median(lambda run: run.load.p95_ms):.1f} ({worst:.0f}) "
            f"| {result.queries.text() if result.queries else ''} | {ratio} "
            f"| {result.median(lambda run: run.load_average):.2f} "
            f"| {_target_text(result)} | {verdict} |"
        )
    return lines


def self_referral_row(sent: SelfReferral) -> list[str]:
    load = sent.load
    missed = sent.misses()
    verdict = "PASS" if not missed else "MISS: " + "; ".join(missed)
    figures = (
        f"{load.requests:,} | {load.per_second:.0f} | {load.p50_ms:.1f} | {load.p95_ms:.1f}"
        if load
        else " |  |  | "
    )
    return [
        "| page | requests | requests/s | p50 ms | p95 ms | queries | load | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        f"| {SELF_REFERRAL} | {figures} | {sent.queries if sent.queries is not None else ''} "
        f"| {sent.load_average:.2f} | ≥ {TARGET_SUBMISSIONS_PER_S:.0f}/s, none lost | {verdict} |",
    ]


def growth_misses(grown: Growth) -> dict[str, float]:
    """Pages whose p50 at 100,000 rows is over TARGET_GROWTH times their p50 at 10,000."""
    if 100_000 not in grown.sizes or 10_000 not in grown.sizes:
        return {}
    ratios = {key: by_size[100_000] / by_size[10_000] for key, by_size in grown.p50_ms.items()}
    return {key: ratio for key, ratio in ratios.items() if ratio > TARGET_GROWTH}


def growth_table(grown: Growth) -> list[str]:
    sizes = grown.sizes
    pairs = [(b, a) for a, b in itertools.pairwise(sizes)]
    header = ["page", *(f"p50 ms at {size:,}" for size in sizes)]
    header += [f"{high // 1000}k / {low // 1000}k" for high, low in pairs]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    for key, by_size in grown.p50_ms.items():
        cells = [grown.labels[key], *(f"{by_size[size]:.1f}" for size in sizes)]
        for high, low in pairs:
            ratio = by_size[high] / by_size[low]
            flag = " MISS" if high == 100_000 and low == 10_000 and ratio > TARGET_GROWTH else ""
            cells.append(f"{ratio:.2f}{flag}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def missed_any(results: Sequence[PageFigures], sent: SelfReferral, grown: Growth) -> bool:
    pages = any(r.has_target() and r.misses() for r in results if r.page.key != BARE)
    return pages or bool(sent.misses()) or bool(growth_misses(grown))


def write(
    *,
    http: Sequence[PageFigures],
    self_referral: SelfReferral,
    growth: Growth,
    breakdown: Sequence[PageBreakdown],
    outbox: Sequence[str],
    seeded: Sequence[str],
    setup: dict[str, float],
    workers: int,
    connections: int,
    searches: int,
    load_at_start: str,
    server_version: str,
) -> None:
    notes = [f"- {r.page.label}: {note}" for r in http for note in r.notes]
    notes += [f"- {SELF_REFERRAL}: {note}" for note in self_referral.notes]
    text = [
        "# Benchmarks (`make bench`)",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPUs ({cpu_model()}), "
        f"load average {load_at_start} at the start of the rounds and {load_average()} at the "
        f"end; Python {platform.python_version()}, PostgreSQL {server_version}, {wrk_version()}.",
        "",
        "Seeded: " + "; ".join(seeded) + ".",
        "",
        f"gunicorn with {workers} sync workers and the production settings (bench/settings.py) on "
        f"127.0.0.1; wrk keeps {connections} connections busy. {rounds()} rounds; in each, every "
        f"page runs between two runs of the bare view ({bare_seconds():g} s each), after a 1 s "
        f"warm-up for {measured_seconds():g} s; a cold page sends each of its URLs once after "
        f"the catalogue's generation changes ({searches:,} distinct varied searches, a new "
        "slice each round), and the warm search replays the same slice once cached. "
        '"vs bare" is the page\'s requests/s over the mean of the bare runs either side of it: '
        "the median of the rounds and, in brackets, the lowest. requests/s, p50 and p95 are "
        "medians of the rounds (the worst round's p95 in brackets); load is the median "
        "one-minute load average at the end of each run. Queries are counted in-process on both "
        "databases, on a miss and on a hit (one figure when they are the same). "
        "Commands: `make bench` (or `make bench SIZE=100k`); see bench/README.md.",
        "",
        *http_table(http),
        "",
        *self_referral_row(self_referral),
        "",
        *(["Notes:", "", *notes, ""] if notes else []),
        "## Growth (in-process p50, one request at a time, the same run)",
        "",
        f"Target: p50 at 100,000 within {TARGET_GROWTH} times p50 at 10,000. Searches are "
        "measured cold (the generation changes before each request).",
        "",
        *growth_table(growth),
        "",
        f"## Where the time goes (in-process medians at {growth.sizes[-1]:,}, one request at a "
        "time)",
        "",
        "Each request split into time in SQL (both databases, round trips included), in "
        "rendering templates (less SQL run while rendering) and the rest (middleware, session, "
        "the view's Python); bench/breakdown.py. A page at 0.50 of the bare view's requests/s "
        "has twice the bare view's time in all.",
        "",
        *breakdown_table(breakdown),
        "",
        *(["## Outbox", "", *outbox[2:], ""] if outbox else []),
        "Set-up took: " + ", ".join(f"{step} {elapsed:.1f} s" for step, elapsed in setup.items()),
        "",
    ]
    results_file().write_text("\n".join(text))
    print("\n".join(text))
