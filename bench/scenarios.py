"""The pages `make bench` measures: one registry entry each.

To add a page, append a `Page` to PAGES: a short key (for BENCH_ONLY and the growth table), a
label, whose session requests it, and a function from the seeded `Fixtures` to the paths to
request. Give it targets if it has any. Nothing else changes: the run interleaves it with the
bare view, counts its queries, and puts it in both tables (bench/README.md, "Adding a page").

    Page("outcomes", "Hub reports: outcomes", who="lead",
         paths=lambda f: ["/hub/reports/outcomes/"], target_ratio=0.40),
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.urls import BARE_PATH, BARE_TEMPLATE_PATH

BARE = "bare"
SEARCH_COLD = "search-cold"


@dataclass
class Fixtures:
    """What the seeding made for the pages to request: sessions by role, and the rows."""

    cookies: dict[str, str]  # "staff", "clinician", "lead": a signed-in session's cookie
    resource_slugs: Sequence[str]
    referral_ids: Sequence[int]
    search_paths: Sequence[str]  # distinct varied searches (bench/search_traffic.py)
    rounds: int
    extra: dict[str, Any] = field(default_factory=dict)

    def search_slice(self, round_number: int) -> list[str]:
        """The searches of one round: a fresh slice each round, so a cold pass never repeats."""
        size = len(self.search_paths) // self.rounds
        return list(self.search_paths[round_number * size : (round_number + 1) * size])


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    # The paths to request in a round (the round's number is given: searches change each round).
    paths: Callable[[Fixtures, int], Sequence[str]]
    who: str = "staff"
    # Measured cold: `cold` is called before the round (the catalogue's generation changes),
    # then each path is requested once; requests/s is over that one pass.
    cold: Callable[[], None] | None = None
    # Warmed by one pass over every path before it is measured (cached pages), rather than by a
    # short warm-up.
    warm_every_path: bool = False
    target_p95_ms: float | None = None
    target_ratio: float | None = None
    # In the growth table (in-process p50 at each size), with up to this many of its paths.
    grow: bool = True


def same(*paths: str) -> Callable[[Fixtures, int], Sequence[str]]:
    return lambda fixtures, round_number: paths


def catalogue_changed() -> None:
    """A curator's edit: saving a resource starts a new catalogue generation (learning/signals.py),
    so every cached search is forgotten, however the search cache is keyed."""
    from learning.models import Resource

    resource = Resource.objects.order_by("pk").first()
    if resource is not None:
        resource.save()


def _sample(values: Sequence[Any], count: int, seed: int) -> list[Any]:
    import random

    rng = random.Random(seed)  # noqa: S311 - which rows to open, not security
    return rng.sample(list(values), min(count, len(values)))


# --- Deep queue pages: reached as a clinician reaches them, by its links --------------------------

_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)


def _links(html: str) -> list[tuple[str, str]]:
    return [
        (href.replace("&amp;", "&"), re.sub(r"<[^>]+>", " ", text))
        for href, text in _LINK.findall(html)
    ]


def deep_queue_paths(fixtures: Fixtures, round_number: int) -> Sequence[str]:
    """The queue's last page, with and without a filter, and the page 40 "Next"s in: found by
    following the page's own links in this process (whatever its pagination is)."""
    cached = fixtures.extra.get("deep_queue_paths")
    if cached is None:
        cached = fixtures.extra["deep_queue_paths"] = _find_deep_queue_paths(
            fixtures.cookies["clinician"]
        )
    return cached


def _find_deep_queue_paths(cookie: str) -> list[str]:
    from bench.http_bench import client_for

    client = client_for(cookie)
    paths = []
    for start in ("/hub/queue/", "/hub/queue/?assigned=unassigned"):
        html = client.get(start).content.decode()
        last = [href for href, text in _links(html) if "Last" in text]
        numbered = [
            (int(m.group(1)), href)
            for href, _ in _links(html)
            if (m := re.search(r"[?&]page=(\d+)", href))
        ]
        if last:
            paths.append(start.split("?")[0] + last[0] if last[0].startswith("?") else last[0])
        elif numbered:
            paths.append(start.split("?")[0] + max(numbered)[1])
    path = "/hub/queue/"
    for _ in range(40):
        html = client.get(path).content.decode()
        following = [href for href, text in _links(html) if "Next" in text]
        if not following:
            break
        path = "/hub/queue/" + following[0] if following[0].startswith("?") else following[0]
    paths.append(path)
    return paths


PAGES: list[Page] = [
    Page(
        "bare-template",
        "Bare view rendering base.html (second baseline)",
        same(BARE_TEMPLATE_PATH),
        grow=False,
    ),
    Page(
        "catalogue",
        "Catalogue list (pages and facets, no search)",
        same(
            "/learning/catalogue/",
            "/learning/catalogue/?page=2",
            "/learning/catalogue/?page=50",
            "/learning/catalogue/?level=2",
            "/learning/catalogue/?cost=free&level=1",
        ),
    ),
    Page(
        SEARCH_COLD,
        "Catalogue search, varied, cold (each URL once after the generation changes)",
        lambda fixtures, round_number: fixtures.search_slice(round_number),
        cold=catalogue_changed,
        target_ratio=0.50,
    ),
    Page(
        "search-warm",
        "Catalogue search, varied, warm (the same URLs, cached)",
        lambda fixtures, round_number: fixtures.search_slice(round_number),
        warm_every_path=True,
        target_ratio=0.70,
        grow=False,  # a cache hit's cost does not depend on the catalogue's size
    ),
    Page(
        "search-broad",
        'Catalogue search, broad ("physical health", cold)',
        same(
            "/learning/catalogue/?q=physical+health",
            "/learning/catalogue/?q=mental+health+training",
        ),
        cold=catalogue_changed,
    ),
    Page(
        "resource",
        "Resource page",
        lambda fixtures, round_number: [
            f"/learning/resources/{slug}/" for slug in _sample(fixtures.resource_slugs, 200, 5)
        ],
    ),
    Page("pathway", "Pathway (/learning/)", same("/learning/"), target_ratio=0.50),
    Page(
        "pathway-ranked",
        "Pathway ranked by a self-assessment (/learning/)",
        same("/learning/"),
        who="assessed",
        target_ratio=0.50,
    ),
    Page(
        "queue",
        "Triage queue (filters and first pages in turn)",
        same(
            "/hub/queue/",
            "/hub/queue/?assigned=unassigned",
            "/hub/queue/?risk=high",
            "/hub/queue/?status=new",
            "/hub/queue/?assigned=mine",
        ),
        who="clinician",
        target_p95_ms=80.0,
        target_ratio=0.50,
    ),
    Page(
        "queue-deep",
        "Triage queue, deep pages (last, last unassigned, 40 pages in)",
        deep_queue_paths,
        who="clinician",
        target_p95_ms=80.0,
        target_ratio=0.50,
    ),
    Page(
        "caseload",
        "My caseload (clinician; pages 1, 2 and 10)",
        same("/hub/caseload/", "/hub/caseload/?page=2", "/hub/caseload/?page=10"),
        who="clinician",
        target_ratio=0.40,
    ),
    Page(
        "lead-home",
        "Hub lead's home page (today's figures)",
        same("/hub/lead/"),
        who="lead",
        target_ratio=0.40,
    ),
    Page(
        "outcomes",
        "Hub reports: outcomes (lead; 24 months, every referral paired)",
        lambda fixtures, round_number: list(_outcomes_paths()),
        who="lead",
        target_p95_ms=300.0,
    ),
    Page(
        "reports",
        "Hub reports: referrals, access and waiting (lead; 24 months)",
        lambda fixtures, round_number: list(_reports_paths()),
        who="lead",
    ),
    Page(
        "referral",
        "Referral page (clinician; audited read)",
        lambda fixtures, round_number: [
            f"/hub/referrals/{pk}/" for pk in _sample(fixtures.referral_ids, 200, 7)
        ],
        who="clinician",
        target_ratio=0.40,
    ),
]


def _outcomes_paths() -> Sequence[str]:
    from bench.outcomes_bench import outcomes_paths

    return outcomes_paths()


def _reports_paths() -> Sequence[str]:
    from bench.outcomes_bench import reports_paths

    return reports_paths()


def bare_page() -> Page:
    return Page(BARE, "Bare Django view (baseline)", same(BARE_PATH), grow=False)


def chosen(only: str) -> list[Page]:
    """The registry, or the entries named in BENCH_ONLY (comma-separated keys)."""
    if not only:
        return list(PAGES)
    keys = {key.strip() for key in only.split(",") if key.strip()}
    unknown = keys - {page.key for page in PAGES}
    if unknown:
        raise SystemExit(
            f"bench: BENCH_ONLY names no page {sorted(unknown)}; pages: "
            + ", ".join(page.key for page in PAGES)
        )
    return [page for page in PAGES if page.key in keys]
