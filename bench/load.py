"""Load with wrk: install it when missing, replay a scenario's requests, read its figures back.

wrk is Debian's package. `ensure_wrk` installs it with apt-get when it is missing and we are root
(as scripts/test-services.sh installs Chromium), so `make bench` works on a fresh CI machine.
bench/wrk.lua does the replaying and counting; see its header for the request file's format.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "wrk.lua"
WRK_TIMEOUT = "10s"


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("bench: wrk is missing and installing it needs root: apt-get install wrk")
    print("bench: installing wrk with apt-get", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: apt-get did not install wrk")
    return found


@dataclass(frozen=True)
class Request:
    """One request wrk sends: `cookie` is the whole Cookie header, `body` a urlencoded form."""

    path: str
    cookie: str
    method: str = "GET"
    body: str = ""

    def line(self) -> str:
        fields = (self.method, self.path, self.cookie, self.body)
        if any("\t" in field or "\n" in field for field in fields):
            raise ValueError(f"A request field holds a tab or a newline: {fields!r}")
        return "\t".join(fields)


@dataclass(frozen=True)
class Load:
    """What wrk measured: latencies of completed requests; "ok" answers are the expected ones."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    ok: int
    failed: int
    socket_errors: int
    exhausted: bool

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    requests: Sequence[Request],
    *,
    url: str,
    host: str,
    seconds: float,
    connections: int,
    scratch: Path,
    expect_status: int = 200,
    expect_location: str = "",
    once: bool = False,
) -> Load:
    """Replay `requests` against `url` with `connections` kept busy for `seconds`."""
    threads = min(2, connections)
    request_file = scratch / "wrk-requests.tsv"
    request_file.write_text("\n".join(request.line() for request in requests) + "\n")
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(request_file),
        "BENCH_THREADS": str(threads),
        "BENCH_HOST": host,
        "BENCH_ONCE": "1" if once else "0",
        "BENCH_EXPECT_STATUS": str(expect_status),
        "BENCH_EXPECT_LOCATION": expect_location,
    }
    completed = subprocess.run(  # noqa: S603 - the packaged wrk, our own script
        [
            ensure_wrk(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            f"--timeout={WRK_TIMEOUT}",
            "-s",
            str(SCRIPT),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    line = next((line for line in completed.stdout.splitlines() if line.startswith("BENCH ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
    figures = json.loads(line.removeprefix("BENCH "))
    return Load(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        ok=figures["ok"],
        failed=figures["failed"],
        socket_errors=figures["socket_errors"],
        exhausted=bool(figures["exhausted"]),
    )
