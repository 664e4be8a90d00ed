"""Error pages are in the NHS.UK look and show no technical detail."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_page_not_found_in_plain_english(client):
    client.force_login(UserFactory(with_profile=True))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "nhsuk-header" in html


def test_a_form_sent_without_its_csrf_token_gets_a_plain_message(settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(with_profile=True))
    response = client.post("/profile/", {"display_name": "Jo"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing you sent has been saved" in html
    assert "CSRF" not in html


def test_a_server_error_shows_no_stack_trace(client, settings):
    from django.urls import path

    from portal import urls

    def broken(request):
        raise RuntimeError("secret internal detail")

    settings.ROOT_URLCONF = type(
        "U", (), {"urlpatterns": [*urls.urlpatterns, path("broken/", broken)]}
    )
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html
