"""`make bench` says where each page's time goes (bench/breakdown.py, ADR 0045): the split must
find SQL and template rendering where they happen, or a missed target would be blamed on the
wrong part of the page."""

from __future__ import annotations

import pytest

from bench import breakdown
from bench.scenarios import BARE, PAGES, Fixtures
from tests.factories import UserFactory

BARE_TEMPLATE = next(page for page in PAGES if page.key == "bare-template")


@pytest.mark.urls("bench.urls")
@pytest.mark.django_db
def test_the_split_finds_the_queries_and_the_rendering_of_each_request(client, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    client.force_login(UserFactory(with_profile=True))
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    fixtures = Fixtures(
        cookies={"staff": cookie}, resource_slugs=[], referral_ids=[], search_paths=[], rounds=1
    )

    bare, template = breakdown.measure([BARE_TEMPLATE], fixtures)

    assert (bare.key, template.key) == (BARE, "bare-template")
    assert len(bare.splits) == len(template.splits) == breakdown.BREAKDOWN_REQUESTS
    # The bare view renders nothing; base.html is rendered on every request.
    assert all(split.render_ms == 0 for split in bare.splits)
    assert all(split.render_ms > 0 for split in template.splits)
    # Every signed-in request reads its session and its user, and the time is counted as SQL.
    assert all(
        split.queries >= 2 and split.sql_ms > 0 for split in [*bare.splits, *template.splits]
    )
    assert all(split.rest_ms > 0 for split in [*bare.splits, *template.splits])
    lines = breakdown.table([bare, template])
    assert lines[2].startswith(f"| {bare.label} |")
    assert lines[2].endswith("| 1.0 |")
    assert lines[3].startswith(f"| {template.label} |")
