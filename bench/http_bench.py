"""The pages under load through gunicorn with wrk: interleaved with the bare view, in rounds.

Each round runs the bare view, then a page, then the bare view again, and so on through the
registry (bench/scenarios.py), so every page's requests/s is divided by the mean of the two bare
runs either side of it, taken within seconds of it on the same machine. A page measured cold
(the catalogue search) gets a fresh slice of its URLs each round, each requested once after the
catalogue's generation changes; a warm page is warmed first and replayed for BENCH_SECONDS.

Queries are counted in this process with Django's test client, the same settings and session,
on both databases: on a miss (first request after a cold page's reset) and on a hit (the same
request again).

Self-referral is measured once, after the rounds: each POST sends a different person's finished
draft through the real check-your-answers view (session and CSRF token checked), once; it counts
as sent only when it redirects to the "sent" page. Afterwards the referrals and the outbox are
counted: none is lost when there is one referral, and one email in the outbox, for each.
"""

from __future__ import annotations

import os
import statistics
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Load, Request, run_wrk
from bench.scenarios import BARE, Fixtures, Page, bare_page
from bench.seed import Submitter

TARGET_SUBMISSIONS_PER_S = 50.0
WARM_UP_SECONDS = 1.0
# A cold pass and a warm-every-path warm-up end when every path is sent, or at this limit.
ONCE_LIMIT_SECONDS = 60.0


def measured_seconds() -> float:
    return float(os.environ.get("BENCH_SECONDS", "4"))


def bare_seconds() -> float:
    return float(os.environ.get("BENCH_BARE_SECONDS", "3"))


def rounds() -> int:
    return max(3, int(os.environ.get("BENCH_ROUNDS", "3")))


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


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


def client_for(cookie: str) -> Any:
    from django.test import Client

    from bench.run import HTTP_HOST

    client = Client(HTTP_HOST=HTTP_HOST)
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        client.cookies[name] = value
    return client


@dataclass(frozen=True)
class Queries:
    miss: int | None
    hit: int | None
    failed_path: str = ""

    def text(self) -> str:
        if self.miss is None:
            return "not 200"
        return f"{self.miss}" if self.miss == self.hit else f"{self.miss} / {self.hit}"


def count_queries(page: Page, path: str, cookie: str) -> Queries:
    """Queries of one GET on a miss (after a cold page's reset) and on a hit (again); the
    first request settles the session's once-a-sign-in checks."""
    from bench.urls import BARE_PATH

    client = client_for(cookie)
    client.get(BARE_PATH)
    if page.cold is not None:
        page.cold()
    else:
        client.get(path)
    answers: list[Any] = []
    miss = queries_in_both_databases(lambda: answers.append(client.get(path)))
    hit = queries_in_both_databases(lambda: answers.append(client.get(path)))
    if any(answer.status_code != 200 for answer in answers):
        return Queries(None, None, path)
    return Queries(miss, hit)


def post_queries(request: Request, expect_location: str) -> int | None:
    """Queries of sending one draft; None unless it is sent. Its check page is opened first."""
    client = client_for(request.cookie)
    client.get(request.path)
    data = dict(urllib.parse.parse_qsl(request.body))
    answers: list[Any] = []
    count = queries_in_both_databases(lambda: answers.append(client.post(request.path, data)))
    response = answers[0]
    sent = response.status_code == 302 and response["Location"] == expect_location
    return count if sent else None


# --- Rounds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    host: str
    connections: int
    scratch: Path


@dataclass(frozen=True)
class Run:
    """One measured run of one page in one round."""

    load: Load
    load_average: float
    ratio: float | None = None  # requests/s over the mean of the bare runs either side


@dataclass
class PageFigures:
    page: Page
    runs: list[Run] = field(default_factory=list)
    queries: Queries | None = None
    notes: list[str] = field(default_factory=list)

    def median(self, value: Callable[[Run], float]) -> float:
        return statistics.median(value(run) for run in self.runs)

    @property
    def ratios(self) -> list[float]:
        return [run.ratio for run in self.runs if run.ratio is not None]

    @property
    def failed(self) -> int:
        return sum(run.load.failed + run.load.socket_errors for run in self.runs)

    def misses(self) -> list[str]:
        page = self.page
        if not self.runs:
            return ["not measured"]
        missed = []
        if self.failed:
            missed.append(f"{self.failed} unexpected answers or errors")
        p95 = self.median(lambda run: run.load.p95_ms)
        if page.target_p95_ms is not None and p95 > page.target_p95_ms:
            missed.append(f"p95 {p95:.0f} ms > {page.target_p95_ms:.0f} ms")
        if page.target_ratio is not None:
            ratio = statistics.median(self.ratios) if self.ratios else 0.0
            if ratio < page.target_ratio:
                missed.append(f"{ratio:.2f} of bare < {page.target_ratio:.2f}")
        return missed

    def has_target(self) -> bool:
        return self.page.target_p95_ms is not None or self.page.target_ratio is not None


def _requests(page: Page, fixtures: Fixtures, round_number: int) -> list[Request]:
    cookie = fixtures.cookies[page.who]
    return [Request(path, cookie) for path in page.paths(fixtures, round_number)]


def _wrk(requests: list[Request], server: Server, seconds: float, once: bool = False) -> Load:
    return run_wrk(
        requests,
        url=server.url,
        host=server.host,
        seconds=seconds,
        connections=server.connections,
        scratch=server.scratch,
        once=once,
    )


def measure_page(page: Page, fixtures: Fixtures, server: Server, round_number: int) -> Load:
    requests = _requests(page, fixtures, round_number)
    if page.cold is not None:
        page.cold()
        return _wrk(requests, server, ONCE_LIMIT_SECONDS, once=True)
    if page.warm_every_path:
        _wrk(requests, server, ONCE_LIMIT_SECONDS, once=True)
    else:
        _wrk(requests, server, WARM_UP_SECONDS)
    return _wrk(requests, server, measured_seconds())


def run_rounds(pages: Sequence[Page], fixtures: Fixtures, server: Server) -> list[PageFigures]:
    """Every page in every round, each between two runs of the bare view."""
    bare = PageFigures(bare_page())
    figures = {page.key: PageFigures(page) for page in pages}
    for page in pages:
        figures[page.key].queries = count_queries(
            page, page.paths(fixtures, 0)[0], fixtures.cookies[page.who]
        )
    bare.queries = count_queries(
        bare.page, bare.page.paths(fixtures, 0)[0], fixtures.cookies["staff"]
    )
    bare_requests = _requests(bare.page, fixtures, 0)
    _wrk(bare_requests, server, WARM_UP_SECONDS)

    def run_bare() -> Load:
        load = _wrk(bare_requests, server, bare_seconds())
        bare.runs.append(Run(load, load_average()))
        return load

    for round_number in range(rounds()):
        print(f"bench: round {round_number + 1} of {rounds()}", flush=True)
        before = run_bare()
        for page in pages:
            print(f"bench:   {page.label}", flush=True)
            load = measure_page(page, fixtures, server, round_number)
            after = run_bare()
            either_side = (before.per_second + after.per_second) / 2
            ratio = load.per_second / either_side if either_side else None
            figures[page.key].runs.append(Run(load, load_average(), ratio))
            if load.failed:
                figures[page.key].notes.append(
                    f"round {round_number + 1}: {load.failed} answers were not 200"
                )
            before = after
    return [bare, *figures.values()]


# --- Self-referral ------------------------------------------------------------------------------

SELF_REFERRAL = "Self-referral: send a finished draft (POST)"


@dataclass
class SelfReferral:
    load: Load | None = None
    queries: int | None = None
    load_average: float = float("nan")
    notes: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)

    def misses(self) -> list[str]:
        if self.load is None:
            return ["not measured"]
        missed = [what for what, held in self.checks if not held]
        if self.load.failed or self.load.socket_errors:
            missed.append(f"{self.load.failed + self.load.socket_errors} unexpected answers")
        if self.load.per_second < TARGET_SUBMISSIONS_PER_S:
            missed.append(f"{self.load.per_second:.0f}/s < {TARGET_SUBMISSIONS_PER_S:.0f}/s")
        return missed


def run_self_referral(submitters: Sequence[Submitter], server: Server) -> SelfReferral:
    """Send every draft but the first once (the first is counted in this process), then count
    the referrals and emails that exist for them."""
    from django.urls import reverse

    from wellbeing.models import OutboxMessage, Referral, ReferralDraft

    print(f"bench: {SELF_REFERRAL}", flush=True)
    check, sent = reverse("wellbeing:refer_check"), reverse("wellbeing:refer_sent")
    in_process, loaded = submitters[0], submitters[1:]
    result = SelfReferral(
        queries=post_queries(
            Request(check, in_process.cookie, method="POST", body=in_process.body), sent
        )
    )
    if result.queries is None:
        result.notes.append("sending a draft in this process did not reach the sent page")
        return result
    # No warm-up: a draft can be sent once, and the server is warm from the pages before.
    load = result.load = run_wrk(
        [Request(check, s.cookie, method="POST", body=s.body) for s in loaded],
        url=server.url,
        host=server.host,
        seconds=measured_seconds(),
        connections=server.connections,
        scratch=server.scratch,
        expect_status=302,
        expect_location=sent,
        once=True,
    )
    result.load_average = load_average()
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


__all__ = ["BARE", "PageFigures", "SelfReferral", "Server", "run_rounds", "run_self_referral"]
