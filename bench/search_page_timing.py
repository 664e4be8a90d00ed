"""Time the search page in-process against the databases the last `make bench` left behind.

    .venv/bin/python bench/search_page_timing.py

Renders /learning/catalogue/?q=... 300 times through Django's test client, signed in as a bench
staff member, and prints the median and p95, with the bare view's median for scale. No HTTP and
no load generator: for before-and-after checks of a change to the page, in seconds rather than
the minutes a full `make bench` takes. Run `make bench` first.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = ["delirium", "physical health", "diabetes depression", "perinatal", "anxiety COPD"]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "BENCH_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "WELLBEING_ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
            "WELLBEING_PSEUDONYM_KEY": "bench-pseudonym-key-" + "y" * 20,
            "AUDIT_CHAIN_KEY": "bench-audit-chain-key-" + "z" * 20,
            "MFA_ENCRYPTION_KEYS": "8mvzPHq1fJcC3bqKUWFb2lOp1dV6Y9wW5Lq3VYdBv0U=",
            "DATABASE_URL": base,
            "CONFIDENTIAL_DATABASE_URL": base + "_confidential",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from portal.models import User

    call_command("collectstatic", "--no-input", verbosity=0)
    user = User.objects.filter(staff_profile__isnull=False, groups__isnull=True).first()
    if user is None:
        raise SystemExit("No bench staff member: run `make bench` first.")
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    client.force_login(user)
    session = client.session
    session["portal_profile_complete"] = True
    session.save()
    for q in SEARCHES:  # warm the caches, as a running site has them
        client.get("/learning/catalogue/", {"q": q})
    print(
        f"search page: {_time(lambda i: client.get('/learning/catalogue/', {'q': SEARCHES[i % 5]}))}"
    )
    print(f"bare view:   {_time(lambda i: client.get('/bench/bare/'))}")


def _time(request: object) -> str:
    times = []
    for i in range(300):
        started = time.perf_counter()
        request(i)  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms"


if __name__ == "__main__":
    main()
