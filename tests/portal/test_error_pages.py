"""Error pages (400, 403, 404, 500 and a refused form) are in the NHS.UK look and show no
technical detail and nothing the visitor sent, with DEBUG off as in production."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import path, reverse

from portal import urls
from tests.factories import UserFactory
from tests.portal.test_security_headers import page_problems

pytestmark = pytest.mark.django_db

SORRY = "Sorry, there is a problem with the service"


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def assert_error_page(response: Any, status: int, heading: str, *hidden: str) -> str:
    """The page has the status, the NHS.UK header and footer with the service's details, a plain
    heading, and none of `hidden`, a stack trace or an exception's name."""
    assert response.status_code == status
    html: str = response.content.decode()
    assert f'<h1 class="nhsuk-heading-l">{heading}</h1>' in html
    assert 'class="nhsuk-header"' in html
    assert 'href="mailto:mindandbody.portal@nhs.net">Contact us</a>' in html
    assert ">Beta</strong>" in html  # the phase banner
    for text in ("Traceback", "Exception", "Error:", *hidden):
        assert text not in html
    return html


@pytest.fixture
def broken_urls(settings):
    """The portal's URLs and error handlers, plus views that fail in the ways a bug would."""

    def server_error(request):
        raise RuntimeError("secret internal detail")

    def suspicious(request):
        raise SuspiciousOperation("secret suspicion detail")

    def denied(request):
        raise PermissionDenied("secret refusal detail")

    settings.ROOT_URLCONF = type(
        "WithBrokenViews",
        (),
        {
            "urlpatterns": [
                *urls.urlpatterns,
                path("broken/", server_error),
                path("suspicious/", suspicious),
                path("denied/", denied),
            ],
            "handler400": urls.handler400,
            "handler500": urls.handler500,
        },
    )


def test_a_missing_page_says_page_not_found_without_repeating_the_address(client):
    client.force_login(UserFactory(with_profile=True))
    response = client.get("/no-such-page-alex-smith/?email=alex.smith@test.nhs.net")
    assert_error_page(response, 404, "Page not found", "alex", "no-such-page")
    assert page_problems(response) == []


def test_a_page_for_another_role_says_so_plainly(client):
    client.force_login(UserFactory(with_profile=True))
    response = client.get(reverse("learning:curate_index"))
    html = assert_error_page(response, 403, "You cannot open this page")
    assert "Your account does not have the role this page needs." in html
    assert page_problems(response) == []


def test_a_refusal_never_shows_its_reason(client, broken_urls):
    client.force_login(UserFactory(with_profile=True))
    response = client.get("/denied/")
    assert_error_page(response, 403, "You cannot open this page", "secret refusal detail")


def test_a_form_sent_without_its_csrf_token_gets_a_plain_message():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(with_profile=True))
    response = client.post("/profile/", {"display_name": "Jo Private-Name"})
    html = assert_error_page(
        response, 403, SORRY, "CSRF", "Private-Name", "cookie not set", "Referer"
    )
    assert "Nothing you sent has been saved" in html
    assert page_problems(response) == []


def test_a_server_error_shows_no_stack_trace_and_nothing_that_was_sent(client, broken_urls):
    client.raise_request_exception = False
    client.force_login(UserFactory(with_profile=True))
    response = client.post("/broken/?q=secret-query", {"note": "secret-free-text"})
    html = assert_error_page(
        response, 500, SORRY, "secret internal detail", "RuntimeError", "secret-"
    )
    assert "NHS 111" in html
    # Rendered with the request, so its one inline script carries the response's nonce.
    assert page_problems(response) == []


def test_a_suspicious_request_gets_the_plain_400_page(client, broken_urls):
    client.raise_request_exception = False
    response = client.get("/suspicious/?q=secret-query")
    html = assert_error_page(response, 400, SORRY, "secret suspicion detail", "secret-query")
    assert "We could not understand that request." in html
    assert page_problems(response) == []


def test_a_forged_host_header_gets_the_400_page_not_a_server_error(client):
    # Refused before the visitor is known: the page must not need to know who they are.
    client.raise_request_exception = False
    response = client.get("/learning/", HTTP_HOST="attacker.example")
    assert_error_page(response, 400, SORRY, "attacker.example", "ALLOWED_HOSTS")
