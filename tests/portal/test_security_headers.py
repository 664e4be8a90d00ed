"""Every page of the portal sends the security headers a browser needs to protect the people using
it: a Content-Security-Policy that lets only this site's scripts and the page's own nonce run,
no sniffing, no framing, a same-origin referrer and opener, and no caching of the hub's, the
account and the back-office pages on a shared computer. HSTS is checked under production settings.

The pages are the access matrix's (tests/portal/test_access_matrix.py): each page is opened by a
visitor who can open it, and every hub and account page by every visitor, refusals included.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tests.access import PERSONAS, kwargs_for, portal_world, routes, sign_in_as, url_for
from tests.portal.test_access_matrix import MATRIX
from tests.portal.test_settings import PRODUCTION_ENVIRONMENT, run_manage

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

NEVER_CACHED = ("/hub/", "/accounts/", "/admin/")
# django-celery-beat's periodic task form has an inline script (it translates a crontab into
# words) that the policy blocks; the form works without it. Listed so that a new one fails.
THIRD_PARTY_INLINE_SCRIPTS = {
    "admin:django_celery_beat_periodictask_add",
    "admin:django_celery_beat_periodictask_change",
}


def representative(key: str) -> str:
    """The first visitor who can open the page, or the first visitor if nobody gets a 200."""
    return next((p for p in PERSONAS if MATRIX[key][p] == 200), PERSONAS[0])


def keys_for(persona: str) -> list[str]:
    everyone = {key for key, r in routes().items() if r.route.startswith(("hub/", "accounts/"))}
    return sorted({key for key in MATRIX if representative(key) == persona} | everyone)


def policy(response: Any) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def header_problems(response: Any, path: str) -> list[str]:
    csp = policy(response)
    problems = []
    if not csp:
        return ["no Content-Security-Policy"]
    for directive, sources in csp.items():
        if "'unsafe-inline'" in sources or "'unsafe-eval'" in sources:
            problems.append(f"{directive} allows {sources}")
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "style-src": ["'self'"],
    }
    problems += [f"{d} is {csp.get(d)}" for d, want in expected.items() if csp.get(d) != want]
    script_src = csp.get("script-src", [])
    if [s for s in script_src if not s.startswith("'nonce-")] != ["'self'"]:
        problems.append(f"script-src is {script_src}")
    wanted = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    problems += [
        f"{name}: {response.get(name)}" for name, v in wanted.items() if response.get(name) != v
    ]
    if path.startswith(NEVER_CACHED) and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control: {response.get('Cache-Control')}")
    return problems


def page_problems(response: Any) -> list[str]:
    """What in an HTML page the policy would block: inline scripts without this response's nonce,
    scripts from elsewhere, inline styles and inline event handlers."""
    if "text/html" not in response.get("Content-Type", ""):
        return []
    html = response.content.decode()
    nonces = [s.removeprefix("'nonce-")[:-1] for s in policy(response).get("script-src", [])]
    problems = []
    for tag in re.findall(r"<script\b[^>]*>", html):
        source = re.search(r'\bsrc="([^"]*)"', tag)
        if source:
            if not source[1].startswith("/") or source[1].startswith("//"):
                problems.append(f"script from elsewhere: {tag}")
        elif "application/json" not in tag:  # data, not run
            nonce = re.search(r'\bnonce="([^"]*)"', tag)
            if not nonce or nonce[1] not in nonces or not nonce[1]:
                problems.append(f"inline script without the nonce: {tag}")
    problems += [f"inline style: {m}" for m in re.findall(r"<[^>]*\sstyle=[^>]*>", html)[:3]]
    problems += [f"inline handler: {m}" for m in re.findall(r"\son[a-z]+=\"", html)[:3]]
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_sends_the_security_headers(client, sign_in, persona):
    world = portal_world()
    sign_in_as(persona, client, sign_in, world)
    problems: dict[str, list[str]] = {}
    for key in keys_for(persona):
        path = url_for(key, kwargs_for(key, world))
        response = client.get(path)
        found = header_problems(response, path)
        if key not in THIRD_PARTY_INLINE_SCRIPTS:
            found += page_problems(response)
        if found:
            problems[f"{key} {path} {response.status_code}"] = found
    assert problems == {}


def test_the_known_third_party_inline_scripts_are_still_there(client):
    """If django-celery-beat drops its inline script, THIRD_PARTY_INLINE_SCRIPTS must shrink."""
    world = portal_world()
    sign_in_as("superuser", client, None, world)
    for key in THIRD_PARTY_INLINE_SCRIPTS:
        response = client.get(url_for(key, kwargs_for(key, world)))
        assert response.status_code == 200
        assert any("inline script" in p for p in page_problems(response)), key


def test_each_response_gets_a_fresh_nonce_that_the_page_uses(client, staff_user):
    client.force_login(staff_user)
    first, second = client.get(reverse("home")), client.get(reverse("home"))
    nonces = []
    for response in (first, second):
        (nonce,) = [s for s in policy(response)["script-src"] if s.startswith("'nonce-")]
        assert f'nonce="{nonce[7:-1]}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_hsts_is_sent_over_https_once_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    secure = client.get(reverse("home"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # A browser ignores HSTS over plain HTTP, so it is never sent there.
    assert "Strict-Transport-Security" not in client.get(reverse("home"))


def test_production_settings_send_hsts_for_a_year_and_move_plain_http_to_https():
    script = (
        "from django.http import HttpResponse; "
        "from django.middleware.security import SecurityMiddleware; "
        "from django.test import RequestFactory; "
        "page = SecurityMiddleware(lambda request: HttpResponse('ok')); "
        "requests = RequestFactory(HTTP_HOST='portal.example.nhs.uk'); "
        "print(page(requests.get('/', HTTP_X_FORWARDED_PROTO='https'))"
        "['Strict-Transport-Security']); "
        "plain = page(requests.get('/learning/', HTTP_X_FORWARDED_PROTO='http')); "
        "print(plain.status_code, plain['Location'])"
    )
    result = run_manage("shell", "--no-imports", "-c", script, environment=PRODUCTION_ENVIRONMENT)
    assert result.stdout.splitlines() == [
        "max-age=31536000; includeSubDomains; preload",
        "301 https://portal.example.nhs.uk/learning/",
    ], result.stderr
