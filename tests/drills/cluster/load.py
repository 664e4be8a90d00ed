"""A bounded load from wrk through the proxy, running while a scenario does its work.

wrk runs for at most `seconds`; `stop()` ends it sooner with SIGINT, on which wrk stops sending,
waits for nothing more and prints its figures (bench/load.py installs wrk when it is missing).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.load import ensure_wrk
from tests.drills.cluster.network import PROXY
from tests.drills.cluster.proxy import HTTPS_PORT, SITE

SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
# Signed-in pages every member of staff uses: home, the learning pathway, the catalogue.
PATHS = ("/", "/learning/", "/learning/catalogue/")
REQUEST_TIMEOUT = "20s"


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    ok: int
    failed: int  # answered, but not with a 200
    socket_errors: int  # no answer: connection refused or reset, or timed out
    by_server: dict[str, int]
    last_second: dict[str, int]
    statuses: dict[str, int]

    @property
    def lost(self) -> int:
        return self.failed + self.socket_errors

    def summary(self) -> str:
        servers = ", ".join(f"{name} {count}" for name, count in sorted(self.by_server.items()))
        return (
            f"{self.requests} requests in {self.seconds:.0f} s ({servers}), "
            f"{self.lost} failed, p95 {self.p95_ms:.0f} ms"
        )


class Load:
    def __init__(self, cookie: str, *, connections: int, seconds: float, log: Path) -> None:
        self.log = log
        self.seconds = seconds
        env = {
            **os.environ,
            "DRILL_PATHS": " ".join(PATHS),
            "DRILL_HOST": SITE,
            "DRILL_COOKIE": cookie,
        }
        with log.open("w") as output:
            self.process = subprocess.Popen(  # noqa: S603 - the packaged wrk, our own script
                [
                    ensure_wrk(),
                    "-t1",
                    f"-c{connections}",
                    f"-d{seconds:g}s",
                    f"--timeout={REQUEST_TIMEOUT}",
                    "-s",
                    str(SCRIPT),
                    f"https://{PROXY.address}:{HTTPS_PORT}/",
                ],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> Figures:
        """Stop now (or wait for the end of its time) and read wrk's figures."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=self.seconds + 60)
        text = self.log.read_text()
        line = next((line for line in text.splitlines() if line.startswith("DRILL ")), None)
        if line is None:
            raise RuntimeError(
                f"wrk printed no figures ({self.process.returncode}):\n{text[-2000:]}"
            )
        figures = json.loads(line.removeprefix("DRILL "))
        return Figures(
            requests=figures["requests"],
            seconds=figures["duration_us"] / 1e6,
            p50_ms=figures["p50_us"] / 1000,
            p95_ms=figures["p95_us"] / 1000,
            ok=figures["ok"],
            failed=figures["failed"],
            socket_errors=sum(
                figures[kind]
                for kind in ("connect_errors", "read_errors", "write_errors", "timeouts")
            ),
            by_server=figures["by_server"],
            last_second=figures["last_second"],
            statuses=figures["statuses"],
        )
