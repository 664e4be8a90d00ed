"""`make cluster-drill` (as root): build the drill's network, run the drill inside the client
host's namespace, then remove every namespace, process and file it made, however it ended.

A run first removes whatever an interrupted run left (namespaces named mbdrill-*, and the run
folder var/cluster-drill/), so a second run works after a first one was stopped half-way.
CLUSTER_DRILL_KEEP=1 keeps the run folder (logs, configuration) for a look afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from tests.drills.cluster import network
from tests.drills.cluster.hosts import BIN, ROOT, postgres_bin

RUN_DIR = ROOT / "var" / "cluster-drill"
TIME_LIMIT_S = 20 * 60
# What the hosts run, from Debian's packages: command, package.
PACKAGES = (
    ("haproxy", "haproxy"),
    ("wrk", "wrk"),
    ("redis-server", "redis-server"),
    ("openssl", "openssl"),
)


def ensure_installed() -> None:
    """Install what is missing with apt-get, as scripts/test-services.sh and `make bench` do."""
    missing = [package for command, package in PACKAGES if shutil.which(command) is None]
    if missing:
        print(f"cluster drill: installing {' '.join(missing)} with apt-get", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", *missing],
        ):
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, timeout=900)  # noqa: S603
    postgres_bin()


def print_log_tails(run_dir: Path) -> None:
    for log in sorted((run_dir / "logs").glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()[-15:]
        print(f"\n--- {log.name} (last {len(lines)} lines)")
        print("\n".join(lines))


def stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    if os.geteuid() != 0:
        print("cluster drill: network namespaces need root (sudo make cluster-drill)")
        return 2
    ensure_installed()
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    left = network.tear_down()
    if left:
        print(f"cluster drill: removed what an earlier run left: {', '.join(left)}")
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    RUN_DIR.mkdir(parents=True)
    code = 1
    try:
        network.build()
        completed = subprocess.run(  # noqa: S603 - our own driver, in the client's namespace
            [  # noqa: S607
                "ip", "netns", "exec", network.CLIENT.namespace,
                str(BIN / "python"), "-m", "tests.drills.cluster.drill", str(RUN_DIR),
            ],
            cwd=ROOT,
            timeout=TIME_LIMIT_S,
            check=False,
        )  # fmt: skip
        code = completed.returncode
    except subprocess.TimeoutExpired:
        print(f"cluster drill: stopped at the {TIME_LIMIT_S} s limit")
    finally:
        if code != 0 and RUN_DIR.exists():
            print_log_tails(RUN_DIR)
        removed = network.tear_down()
        print(f"cluster drill: removed {len(removed)} namespaces and everything in them")
        if os.environ.get("CLUSTER_DRILL_KEEP") != "1":
            shutil.rmtree(RUN_DIR, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
