"""The link checker, against a web server started by the test on 127.0.0.1: nothing here
reaches the internet. The server's address is on LINK_CHECK_ALLOWED_HOSTS unless a test says
otherwise; every other private or internal address is refused without being asked."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from learning import link_checker
from learning.link_checker import check_url, is_public_address
from learning.models import Resource
from learning.tasks import check_resource_links
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db

seen_user_agents: list[str] = []
seen_paths: list[str] = []


class Handler(BaseHTTPRequestHandler):
    ROUTES = {
        "/ok": (200, None),
        "/missing": (404, None),
        "/error": (500, None),
        "/moved": (301, "/ok"),
        "/moved-to-missing": (302, "/missing"),
        "/loop": (302, "/loop"),
        "/to-metadata": (302, "http://169.254.169.254/latest/meta-data/"),
        "/to-file": (302, "file:///etc/passwd"),
    }

    def _answer(self, with_body: bool) -> None:
        seen_user_agents.append(self.headers.get("User-Agent", ""))
        seen_paths.append(self.path)
        if self.path.startswith("/to-localhost"):
            # The same server by another name, which the allow-list does not hold.
            port = self.headers["Host"].rsplit(":", 1)[1]
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
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
def server(monkeypatch, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]
    seen_paths.clear()
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


def test_a_server_that_does_not_answer_is_broken_with_no_status(monkeypatch, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(link_checker, "TIMEOUT_SECONDS", 1)
    # Nothing listens on port 9 (discard) of the loopback address in the test environment.
    result = check_url("http://127.0.0.1:9/")
    assert (result.status, result.broken, result.refused) == (None, True, False)


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

    assert check_resource_links.apply().get() == {"checked": 2, "broken": 1, "refused": 0}

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


# --- Private and internal addresses (SSRF) -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://127.0.0.1:8000/admin/",
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0.0.0.0/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://169.254.169.254/latest/meta-data/",  # a cloud's instance metadata
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "https://240.0.0.1/",
    ],
)
def test_private_and_internal_addresses_are_refused_unasked(url, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = []
    assert check_url(url) == link_checker.LinkCheck(None, broken=True, refused=True)


def test_the_allow_list_is_needed_even_for_the_test_server(server, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["intranet.example.nhs.uk"]
    assert check_url(server + "/ok").refused
    assert seen_paths == [], "a refused address is never asked"


def test_a_host_on_the_allow_list_is_checked_by_its_name(server, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["LOCALHOST"]
    result = check_url(server.replace("127.0.0.1", "localhost") + "/ok")
    assert (result.status, result.broken, result.refused) == (200, False, False)


def test_a_redirect_into_a_private_address_is_not_followed(server):
    assert check_url(server + "/to-metadata") == link_checker.LinkCheck(
        None, broken=True, refused=True
    )
    assert seen_paths == ["/to-metadata"], "HEAD was refused at the redirect and not retried"


def test_a_redirect_to_another_name_for_an_allowed_server_is_refused(server):
    assert check_url(server + "/to-localhost").refused
    assert "/ok" not in seen_paths


def test_a_redirect_away_from_the_web_is_not_followed(server):
    result = check_url(server + "/to-file")
    assert (result.status, result.broken, result.refused) == (302, True, False)


def test_a_name_that_resolves_to_any_private_address_is_refused(monkeypatch, settings):
    """A public name that also resolves inside the network (a DNS rebinding trick) is refused;
    the check is made on the addresses the connection would use, so nothing is asked."""
    settings.LINK_CHECK_ALLOWED_HOSTS = []
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connected.append(address))
    assert check_url("https://learning.example.org/course").refused
    assert connected == []


def test_an_environment_proxy_is_not_used(server, monkeypatch):
    # A proxy would connect for the checker, past its address check; nothing listens on port 9.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert check_url(server + "/ok").status == 200
    assert seen_paths == ["/ok"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2a00:1450:4009:81f::200e", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1%eth0", False),
    ],
)
def test_public_addresses_are_told_from_internal_ones(address, public):
    assert is_public_address(address) is public


def test_the_task_records_a_refused_link_as_broken_without_asking_it(server, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = []
    resource = ResourceFactory(url=server + "/ok")

    assert check_resource_links() == {"checked": 1, "broken": 1, "refused": 1}

    resource.refresh_from_db()
    assert (resource.link_status, resource.link_broken) == (None, True)
    assert resource.link_checked_at is not None
    assert seen_paths == []
