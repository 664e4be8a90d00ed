"""The pages measured under load through gunicorn with wrk, and their targets.

Each scenario is a list of requests (bench/load.py) that wrk replays with every connection busy
for BENCH_SECONDS, after a short warm-up. "Queries per request" is counted in this process with
Django's test client, the same settings and the same session, on both databases.

Self-referral is measured differently: each POST sends a different person's finished draft
through the real check-your-answers view (session and CSRF token checked), once; it counts as
sent only when it redirects to the "sent" page. Afterwards the referrals and the outbox are
counted: none is lost when there is one referral, and one email in the outbox, for each.
"""

from __future__ import annotations

import os
import random
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import Load, Request, run_wrk
from bench.seed import Submitter

TARGET_SEARCH_P95_MS = 50.0
TARGET_SEARCH_RATIO = 0.5
TARGET_QUEUE_P95_MS = 80.0
TARGET_SUBMISSIONS_PER_S = 50.0
WARM_UP_SECONDS = 2.0


def measured_seconds() -> float:
    return float(os.environ.get("BENCH_SECONDS", "10"))


@dataclass
class Scenario:
    label: str
    requests: list[Request]
    expect_status: int = 200
    expect_location: str = ""
    once: bool = False
    target_p95_ms: float | None = None
    target_ratio: float | None = None
    target_per_second: float | None = None


@dataclass
class Measured:
    scenario: Scenario
    load: Load | None = None
    queries: int | None = None
    notes: list[str] = field(default_factory=list)
    # (what was checked, whether it held): self-referral's "none lost".
    checks: list[tuple[str, bool]] = field(default_factory=list)

    def ratio(self, bare: Measured | None) -> float | None:
        if self.load is None or bare is None or bare.load is None or not bare.load.per_second:
            return None
        return self.load.per_second / bare.load.per_second

    def misses(self, bare: Measured | None) -> list[str]:
        """What fell short of a target; empty when every target was met (or there is none)."""
        scenario, load = self.scenario, self.load
        if load is None:
            return ["not measured"]
        missed = []
        if load.failed or load.socket_errors:
            missed.append(f"{load.failed + load.socket_errors} unexpected answers or errors")
        if scenario.target_p95_ms is not None and load.p95_ms > scenario.target_p95_ms:
            missed.append(f"p95 {load.p95_ms:.0f} ms > {scenario.target_p95_ms:.0f} ms")
        ratio = self.ratio(bare)
        if scenario.target_ratio is not None and (ratio is None or ratio < scenario.target_ratio):
            missed.append(f"{ratio or 0:.0%} of the bare view < {scenario.target_ratio:.0%}")
        if scenario.target_per_second is not None and load.per_second < scenario.target_per_second:
            missed.append(f"{load.per_second:.0f}/s < {scenario.target_per_second:.0f}/s")
        missed.extend(what for what, held in self.checks if not held)
        return missed

    def has_target(self) -> bool:
        s = self.scenario
        return any(
            t is not None for t in (s.target_p95_ms, s.target_ratio, s.target_per_second)
        ) or bool(self.checks)

    def target_text(self) -> str:
        s = self.scenario
        parts = []
        if s.target_p95_ms is not None:
            parts.append(f"p95 ≤ {s.target_p95_ms:.0f} ms")
        if s.target_ratio is not None:
            parts.append(f"≥ {s.target_ratio:.0%} of bare")
        if s.target_per_second is not None:
            parts.append(f"≥ {s.target_per_second:.0f}/s, none lost")
        return ", ".join(parts)


# --- Counting queries in this process ------------------------------------------------------------


def queries_in_both_databases(call: Callable[[], object]) -> int:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        call()
    return len(default) + len(confidential)


def _client(cookie: str, host: str) -> object:
    from django.test import Client

    client = Client(HTTP_HOST=host)
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        client.cookies[name] = value
    return client


def get_queries(request: Request, host: str) -> int | None:
    """Queries of one GET after a first, warming one; None unless it answers 200."""
    client = _client(request.cookie, host)
    if client.get(request.path).status_code != 200:  # type: ignore[attr-defined]
        return None
    return queries_in_both_databases(lambda: client.get(request.path))  # type: ignore[attr-defined]


def post_queries(request: Request, host: str, expect_location: str) -> int | None:
    """Queries of sending one draft; None unless it is sent. Its check page is opened first."""
    client = _client(request.cookie, host)
    client.get(request.path)  # type: ignore[attr-defined]
    data = dict(urllib.parse.parse_qsl(request.body))
    answers: list[object] = []

    def send() -> None:
        answers.append(client.post(request.path, data))  # type: ignore[attr-defined]

    count = queries_in_both_databases(send)
    response = answers[0]
    sent = response.status_code == 302 and response["Location"] == expect_location  # type: ignore[attr-defined,index]
    return count if sent else None


# --- The scenarios ------------------------------------------------------------------------------


@dataclass
class Fixtures:
    """What the scenarios need from the seeding."""

    staff_cookie: str
    clinician_cookie: str
    queries: Sequence[str]
    resource_slugs: Sequence[str]
    referral_ids: Sequence[int]
    queue_paths: Sequence[str]
    lead_cookie: str
    caseload_paths: Sequence[str]
    lead_home_paths: Sequence[str]
    submitters: Sequence[Submitter]


BARE = "Bare Django view (baseline)"
SELF_REFERRAL = "Self-referral: send a finished draft (POST)"


def scenarios(fixtures: Fixtures) -> list[Scenario]:
    from django.urls import reverse

    from bench.urls import BARE_PATH

    staff, clinician = fixtures.staff_cookie, fixtures.clinician_cookie
    catalogue = reverse("learning:catalogue")
    listings = ("", "?page=2", "?page=50", "?level=2", "?cost=free&level=1", "?page=3&level=3")
    rng = random.Random(5)  # noqa: S311 - which pages to open, not security
    return [
        Scenario(BARE, [Request(BARE_PATH, staff)]),
        Scenario(
            "Catalogue list (pages and facets, no search)",
            [Request(f"{catalogue}{query}", staff) for query in listings],
        ),
        Scenario(
            "Catalogue search (?q=, 14 queries)",
            [
                Request(f"{catalogue}?{urllib.parse.urlencode({'q': q})}", staff)
                for q in fixtures.queries
            ],
            target_p95_ms=TARGET_SEARCH_P95_MS,
            target_ratio=TARGET_SEARCH_RATIO,
        ),
        Scenario(
            "Resource page",
            [
                Request(reverse("learning:resource", args=[slug]), staff)
                for slug in rng.sample(list(fixtures.resource_slugs), 200)
            ],
        ),
        Scenario("Pathway (/learning/)", [Request(reverse("learning:index"), staff)]),
        Scenario(
            "Triage queue (filters and pages in turn)",
            [Request(path, clinician) for path in fixtures.queue_paths],
            target_p95_ms=TARGET_QUEUE_P95_MS,
        ),
        Scenario(
            "My caseload (clinician; pages in turn)",
            [Request(path, clinician) for path in fixtures.caseload_paths],
        ),
        Scenario(
            "Hub lead's home page (today's figures)",
            [Request(path, fixtures.lead_cookie) for path in fixtures.lead_home_paths],
        ),
        Scenario(
            "Referral page (clinician; audited read)",
            [
                Request(reverse("wellbeing:referral", args=[pk]), clinician)
                for pk in rng.sample(list(fixtures.referral_ids), 200)
            ],
        ),
    ]


def self_referral_scenario(submitters: Sequence[Submitter]) -> Scenario:
    from django.urls import reverse

    check = reverse("wellbeing:refer_check")
    return Scenario(
        SELF_REFERRAL,
        [Request(check, s.cookie, method="POST", body=s.body) for s in submitters],
        expect_status=302,
        expect_location=reverse("wellbeing:refer_sent"),
        once=True,
        target_per_second=TARGET_SUBMISSIONS_PER_S,
    )


# --- Running ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    host: str
    connections: int
    scratch: Path


def measure(scenario: Scenario, server: Server, warm_up: bool = True) -> Load:
    options = {
        "url": server.url,
        "host": server.host,
        "connections": server.connections,
        "scratch": server.scratch,
        "expect_status": scenario.expect_status,
        "expect_location": scenario.expect_location,
        "once": scenario.once,
    }
    if warm_up:
        run_wrk(scenario.requests, seconds=WARM_UP_SECONDS, **options)  # type: ignore[arg-type]
    return run_wrk(scenario.requests, seconds=measured_seconds(), **options)  # type: ignore[arg-type]


def run_page(scenario: Scenario, server: Server) -> Measured:
    print(f"bench: {scenario.label}", flush=True)
    result = Measured(scenario, queries=get_queries(scenario.requests[0], server.host))
    if result.queries is None:
        result.notes.append(f"GET {scenario.requests[0].path} did not answer 200")
        return result
    result.load = measure(scenario, server)
    if result.load.failed:
        result.notes.append(f"{result.load.failed} answers were not {scenario.expect_status}")
    return result


def run_self_referral(submitters: Sequence[Submitter], server: Server) -> Measured:
    """Send every draft but the first once (the first is counted in this process), then count
    the referrals and emails that exist for them."""
    from wellbeing.models import OutboxMessage, Referral, ReferralDraft

    print(f"bench: {SELF_REFERRAL}", flush=True)
    in_process, loaded = submitters[0], submitters[1:]
    scenario = self_referral_scenario(loaded)
    probe = self_referral_scenario([in_process])
    result = Measured(
        scenario, queries=post_queries(probe.requests[0], server.host, scenario.expect_location)
    )
    if result.queries is None:
        result.notes.append("sending a draft in this process did not reach the sent page")
        return result
    # No warm-up: a draft can be sent once, and the server is warm from the pages before.
    load = result.load = measure(scenario, server, warm_up=False)
    time.sleep(2)  # requests in flight when wrk stopped still finish on the server
    refs = [s.staff_ref for s in loaded]
    referrals = Referral.objects.using("confidential").filter(staff_ref__in=refs)
    made = referrals.count()
    keys = [f"referral:{pk}:received" for pk in referrals.values_list("pk", flat=True)]
    emails = OutboxMessage.objects.using("confidential").filter(idempotency_key__in=keys).count()
    drafts = ReferralDraft.objects.using("confidential").filter(staff_ref__in=refs).count()
    in_flight = made - load.ok
    result.checks = [
        (
            f"{made:,} referrals for {load.ok:,} 'sent' answers",
            0 <= in_flight <= server.connections,
        ),
        (f"{made:,} referrals + {drafts:,} drafts = {len(loaded):,}", made + drafts == len(loaded)),
        (f"{emails:,} confirmation emails queued for {made:,} referrals", emails == made),
    ]
    result.notes.append(
        f"{load.ok:,} drafts answered as sent in {load.seconds:.1f} s; {made:,} referrals made "
        f"({in_flight} more than answered: requests still in flight when wrk stopped, which the "
        f"server finished), {emails:,} confirmation emails in the outbox, {drafts:,} of the "
        f"{len(loaded):,} prepared drafts still waiting; none vanished"
        if made + drafts == len(loaded)
        else "SOME DRAFTS VANISHED WITHOUT A REFERRAL"
    )
    if load.exhausted:
        result.notes.append(
            "wrk ran out of prepared drafts before the time was up, so requests/s is a floor"
        )
    return result


def run_all(fixtures: Fixtures, server: Server) -> list[Measured]:
    results = [run_page(scenario, server) for scenario in scenarios(fixtures)]
    results.append(run_self_referral(fixtures.submitters, server))
    return results
