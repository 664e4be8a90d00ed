"""HAProxy in front of the two web hosts: its configuration, its certificate, and its stats.

The choices (docs/adr/0036-cluster-drill-in-network-namespaces.md):
- active health checks of /health/ every second, a host out after 2 failures (about 2 s) and
  back after 2 successes; the checks send the Host and X-Forwarded-Proto the portal expects;
- at most GUNICORN_WORKERS requests at a time on each host (`maxconn`), so a request waits in
  the proxy's queue, not in the backlog of a host that may die, and only requests a host is
  actually working on can be lost with it;
- a connection that cannot be made within a second is tried again on the other host
  (`retries`, `option redispatch 1`): nothing was sent yet, so even a POST is safe to resend;
- when a host is marked down its open sessions are closed at once (`on-marked-down
  shutdown-sessions`) rather than left to wait for the server timeout;
- TLS ends at the proxy, which tells the portal so (X-Forwarded-Proto) and appends the client's
  address to X-Forwarded-For (TRUSTED_PROXY_COUNT=1 on the web hosts, ADR 0020).
"""

from __future__ import annotations

import csv
import io
import socket
import subprocess
from pathlib import Path

from tests.drills.cluster import hosts, network

SITE = "portal.drill"
HTTPS_PORT = 443
BACKEND = "web"
BACKEND_ROW = "BACKEND"

CONFIG = """\
global
    maxconn 500
    nbthread 1
    stats socket {stats_socket} mode 600 level admin
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    option forwardfor
    option redispatch 1
    retries 2
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout queue 15s
    timeout http-request 10s
    timeout check 1s

frontend portal
    bind {proxy}:{https_port} ssl crt {certificate}
    http-request set-header X-Forwarded-Proto https
    default_backend {backend}

backend {backend}
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ ver HTTP/1.1 hdr Host {site} hdr X-Forwarded-Proto https
    http-check expect status 200
    default-server check inter 1s fastinter 500ms downinter 1s fall 2 rise 2 maxconn {maxconn} on-marked-down shutdown-sessions
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


def write_config(run_dir: Path) -> Path:
    certificate = make_certificate(run_dir)
    servers = "\n".join(
        f"    server {host.name} {host.address}:{hosts.WEB_PORT}"
        for host in (network.WEB_A, network.WEB_B)
    )
    config = run_dir / "haproxy.cfg"
    config.write_text(
        CONFIG.format(
            stats_socket=stats_socket(run_dir),
            proxy=network.PROXY.address,
            https_port=HTTPS_PORT,
            certificate=certificate,
            backend=BACKEND,
            site=SITE,
            maxconn=hosts.GUNICORN_WORKERS,
            servers=servers,
        )
    )
    return config


def make_certificate(run_dir: Path) -> Path:
    """A self-signed certificate for the site and the proxy's address; the client trusts it."""
    key, cert = run_dir / "proxy.key", certificate_file(run_dir)
    subprocess.run(  # noqa: S603 - the packaged openssl, fixed arguments
        [  # noqa: S607
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={SITE}",
            "-addext", f"subjectAltName=DNS:{SITE},IP:{network.PROXY.address}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    pem = run_dir / "proxy.pem"
    pem.write_text(cert.read_text() + key.read_text())
    return pem


def certificate_file(run_dir: Path) -> Path:
    return run_dir / "proxy.crt"


def stats_socket(run_dir: Path) -> Path:
    # A Unix socket is reached through the file system, from any network namespace.
    return run_dir / "haproxy.sock"


def server_stats(run_dir: Path) -> dict[str, dict[str, str]]:
    """`show stat` for the web backend: a row per server and BACKEND_ROW for the whole; the
    columns used are status, scur (in flight now), stot (sent in all), wretr (connections
    retried) and wredis (requests sent to another server instead)."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(2)
        connection.connect(str(stats_socket(run_dir)))
        connection.sendall(b"show stat\n")
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    text = b"".join(chunks).decode().lstrip("# ")
    rows = csv.DictReader(io.StringIO(text))
    return {
        row["svname"]: row
        for row in rows
        if row["pxname"] == BACKEND and row["svname"] != "FRONTEND"
    }
