"""The link checker, against a web server started by the test on 127.0.0.1: nothing here
reaches the internet."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from learning import tasks
from learning.models import Resource
from learning.tasks import check_resource_links, check_url
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db

seen_user_agents: list[str] = []


class Handler(BaseHTTPRequestHandler):
    ROUTES = {
        "/ok": (200, None),
        "/missing": (404, None),
        "/error": (500, None),
        "/moved": (301, "/ok"),
        "/moved-to-missing": (302, "/missing"),
        "/loop": (302, "/loop"),
    }

    def _answer(self, with_body: bool) -> None:
        seen_user_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/no-head" and self.command == "HEAD":
            status, location = 405, None
        elif self.path == "/no-head":
            status, location = 200, None
        else:
            status, location = self.ROUTES.get(self.path, (404, None))
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2" if with_body else "0")
        self.end_headers()
        if with_body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch):
    # A proxy in the environment must not swallow requests to our own test server.
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("path", "status", "broken"),
    [
        ("/ok", 200, False),
        ("/missing", 404, True),
        ("/error", 500, True),
        ("/moved", 200, False),
        ("/moved-to-missing", 404, True),
        ("/no-head", 200, False),
        ("/loop", 302, True),
    ],
)
def test_a_link_is_judged_by_its_final_answer(server, path, status, broken):
    result = check_url(server + path)
    assert (result.status, result.broken) == (status, broken)


def test_a_server_that_does_not_answer_is_broken_with_no_status(monkeypatch):
    monkeypatch.setattr(tasks, "TIMEOUT_SECONDS", 1)
    # Nothing listens on port 9 (discard) of the loopback address in the test environment.
    result = check_url("http://127.0.0.1:9/")
    assert (result.status, result.broken) == (None, True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "not a url"])
def test_only_web_addresses_are_checked(url):
    assert check_url(url).broken


def test_the_checker_says_who_it_is(server):
    seen_user_agents.clear()
    check_url(server + "/ok")
    assert seen_user_agents
    assert all(agent.startswith("MindAndBodyStaffPortal-LinkChecker") for agent in seen_user_agents)


def test_the_task_records_results_for_published_resources_only(server):
    working = ResourceFactory(url=server + "/ok")
    broken = ResourceFactory(url=server + "/missing")
    draft = ResourceFactory(url=server + "/missing", status="draft")
    edited_at = Resource.objects.get(pk=working.pk).updated_at
    before = timezone.now()

    assert check_resource_links.apply().get() == {"checked": 2, "broken": 1}

    working.refresh_from_db()
    broken.refresh_from_db()
    draft.refresh_from_db()
    assert (working.link_status, working.link_broken) == (200, False)
    assert (broken.link_status, broken.link_broken) == (404, True)
    assert working.link_checked_at >= before
    assert draft.link_checked_at is None
    assert working.updated_at == edited_at, "a link check is not a curator's edit"


def test_a_fixed_link_is_no_longer_broken(server):
    resource = ResourceFactory(url=server + "/ok", link_broken=True, link_status=404)
    check_resource_links()
    resource.refresh_from_db()
    assert resource.link_broken is False


def test_the_task_is_registered_under_its_public_name():
    from portal.celery import app

    assert check_resource_links.name == "learning.check_resource_links"
    app.loader.import_default_modules()
    assert "learning.check_resource_links" in app.tasks
