"""The drill's machines: one network namespace per host, each wired by a veth pair to a bridge
that lives in a namespace of its own, so the machine's own network is never touched.

Every name starts with PREFIX, so a run can find and remove whatever an interrupted run left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass

PREFIX = "mbdrill-"
LAN = f"{PREFIX}lan"
BRIDGE = "br0"
SUBNET_BITS = 24
COMMAND_TIME_LIMIT_S = 20


@dataclass(frozen=True)
class Host:
    name: str
    address: str

    @property
    def namespace(self) -> str:
        return f"{PREFIX}{self.name}"

    @property
    def bridge_port(self) -> str:
        return f"v-{self.name}"[:15]  # interface names are at most 15 characters


# Private addresses of our own (10.77.0.0/24), inside namespaces made by this drill.
PROXY = Host("proxy", "10.77.0.2")
WEB_A = Host("web-a", "10.77.0.11")
WEB_B = Host("web-b", "10.77.0.12")
WORKER_A = Host("worker-a", "10.77.0.21")
WORKER_B = Host("worker-b", "10.77.0.22")
BEAT = Host("beat", "10.77.0.31")
DB = Host("db", "10.77.0.40")
MAIL = Host("mail", "10.77.0.41")
CLIENT = Host("client", "10.77.0.100")
HOSTS = (PROXY, WEB_A, WEB_B, WORKER_A, WORKER_B, BEAT, DB, MAIL, CLIENT)


def ip(*args: str, check: bool = True) -> str:
    completed = subprocess.run(  # noqa: S603 - iproute2 with fixed arguments
        ["ip", *args],  # noqa: S607 - iproute2 from the PATH, as an operator runs it
        capture_output=True,
        text=True,
        timeout=COMMAND_TIME_LIMIT_S,
        check=False,
    )
    if check and completed.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {completed.stderr.strip()}")
    return completed.stdout


def our_namespaces() -> list[str]:
    names = [line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()]
    return [name for name in names if name.startswith(PREFIX)]


def pids_in(namespace: str) -> list[int]:
    return [int(pid) for pid in ip("netns", "pids", namespace, check=False).split()]


def kill_everything_in(namespace: str, *, timeout: float = 10.0) -> int:
    """SIGKILL every process in `namespace` (ours: we started them there); how many there were."""
    deadline = time.monotonic() + timeout
    killed = 0
    while time.monotonic() < deadline:
        pids = pids_in(namespace)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.2)
    return killed


def link_down(host: Host) -> None:
    """Cut the host off the network, as a power cut would: no reset, packets simply vanish."""
    ip("-n", host.namespace, "link", "set", "eth0", "down")


def build() -> None:
    """The bridge, then each host's namespace with its address on a veth pair to the bridge."""
    ip("netns", "add", LAN)
    ip("-n", LAN, "link", "add", BRIDGE, "type", "bridge")
    ip("-n", LAN, "link", "set", BRIDGE, "up")
    for host in HOSTS:
        ip("netns", "add", host.namespace)
        ip(
            *("link", "add", "eth0", "netns", host.namespace, "type", "veth"),
            *("peer", "name", host.bridge_port, "netns", LAN),
        )
        ip("-n", LAN, "link", "set", host.bridge_port, "master", BRIDGE)
        ip("-n", LAN, "link", "set", host.bridge_port, "up")
        ip("-n", host.namespace, "addr", "add", f"{host.address}/{SUBNET_BITS}", "dev", "eth0")
        ip("-n", host.namespace, "link", "set", "eth0", "up")
        ip("-n", host.namespace, "link", "set", "lo", "up")


def tear_down() -> list[str]:
    """Kill every process in our namespaces and delete them (their veths and the bridge go with
    them). Safe to run when nothing, or half of it, is there."""
    removed = []
    for namespace in our_namespaces():
        kill_everything_in(namespace)
        ip("netns", "del", namespace, check=False)
        removed.append(namespace)
    return removed
