"""Load with wrk: install it when missing, replay a scenario's requests, read its figures back.

wrk is Debian's package. `ensure_wrk` installs it with apt-get when it is missing and we are root
(as scripts/test-services.sh installs Chromium), so `make bench` works on a fresh CI machine.
bench/wrk.lua does the replaying and counting; see its header for the request file's format.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
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
    done_file = scratch / "wrk-done"
    done_file.write_text("")
    env["BENCH_DONE_FILE"] = str(done_file)
    command = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={WRK_TIMEOUT}",
        "-s",
        str(SCRIPT),
        url,
    ]
    process = subprocess.Popen(  # noqa: S603 - the packaged wrk, our own script
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + seconds + 60
    # wrk sleeps out its whole -d; once every thread has sent each of its requests once, an
    # interrupt makes it stop and report at once (it handles SIGINT so).
    while once and process.poll() is None and time.monotonic() < deadline:
        if done_file.read_text().count("done") >= threads:
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.05)
    try:
        stdout, stderr = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    line = next((line for line in completed.stdout.splitlines() if line.startswith("BENCH ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stderr[-2000:]}")
    figures = json.loads(line.removeprefix("BENCH "))
    # Sent once each, the threads stop when their requests are answered: the rate is over the
    # time from the first request to the last answer, not over wrk's whole -d.
    elapsed_us = figures["busy_us"] if once and figures["busy_us"] else figures["duration_us"]
    return Load(
        requests=figures["requests"],
        seconds=elapsed_us / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        ok=figures["ok"],
        failed=figures["failed"],
        socket_errors=figures["socket_errors"],
        exhausted=bool(figures["exhausted"]),
    )
