"""The benchmark's tables: printed, and written to bench/results.md with the machine and date."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bench.http_bench import BARE, Measured
from bench.load import ensure_wrk

RESULTS = Path(__file__).resolve().parent / "results.md"


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


def http_table(results: Sequence[Measured]) -> list[str]:
    bare = next((r for r in results if r.scenario.label == BARE), None)
    lines = [
        "| scenario | requests | requests/s | p50 ms | p95 ms | queries/request | vs bare "
        "| target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for result in results:
        load = result.load
        queries = "" if result.queries is None else str(result.queries)
        if load is None:
            cells = ["", "", "", ""]
            ratio = ""
        else:
            cells = [
                f"{load.requests:,}",
                f"{load.per_second:.0f}",
                f"{load.p50_ms:.1f}",
                f"{load.p95_ms:.1f}",
            ]
            value = result.ratio(bare)
            ratio = "" if value is None else f"{value:.2f}"
        if result.has_target():
            missed = result.misses(bare)
            verdict = "PASS" if not missed else "MISS: " + "; ".join(missed)
        else:
            verdict = "" if load else "not measured"
        lines.append(
            f"| {result.scenario.label} | {' | '.join(cells)} | {queries} | {ratio} "
            f"| {result.target_text()} | {verdict} |"
        )
    return lines


def missed_any(results: Sequence[Measured]) -> bool:
    bare = next((r for r in results if r.scenario.label == BARE), None)
    return any(r.has_target() and r.misses(bare) for r in results)


def write(
    *,
    http: Sequence[Measured],
    in_process: Sequence[str],
    by_query: Sequence[str],
    seeded: Sequence[str],
    setup: dict[str, float],
    workers: int,
    connections: int,
    seconds: float,
    server_version: str,
) -> None:
    notes = [f"- {r.scenario.label}: {note}" for r in http for note in r.notes]
    text = [
        "# Benchmarks (`make bench`)",
        "",
        f"Run {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} CPUs ({cpu_model()}), "
        f"load average {load_average()} at the end; Python {platform.python_version()}, "
        f"PostgreSQL {server_version}, {wrk_version()}.",
        "",
        "Seeded: " + "; ".join(seeded) + ".",
        "",
        f"gunicorn with {workers} sync workers and the production settings (bench/settings.py) on "
        f"127.0.0.1; wrk keeps {connections} connections busy for {seconds:g} s per row (after "
        "a 2 s warm-up, except self-referral, where each draft can be sent once). Latencies are "
        'wrk\'s, per request, under that load; "vs bare" is requests/s as a fraction of the '
        "bare Django view's. Queries per request are counted in-process on both databases. "
        "Commands: `make bench` (or `.venv/bin/python bench/run.py`); see bench/README.md.",
        "",
        *http_table(http),
        "",
        *(["Notes:", "", *notes, ""] if notes else []),
        "## In-process (one call at a time, no HTTP)",
        "",
        *in_process,
        "",
        "By query:",
        "",
        *by_query,
        "",
        "Set-up took: " + ", ".join(f"{step} {elapsed:.1f} s" for step, elapsed in setup.items()),
        "",
    ]
    RESULTS.write_text("\n".join(text))
    print("\n".join(text))
