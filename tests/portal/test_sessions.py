"""Sessions end after an idle period and after an absolute lifetime, sooner for hub roles."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from portal import roles
from portal.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def signed_in(client, user, *, idle_for: float = 0, signed_in_for: float = 0):
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_for
    session[LAST_SEEN_AT] = now - idle_for
    session.save()
    return client


def test_signing_in_gives_the_browser_a_new_session_key(client):
    """A session key planted before sign-in (session fixation) is worth nothing after it."""
    user = UserFactory(with_profile=True)
    key_before = client.session.session_key
    assert key_before

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    key_after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert key_after != key_before
    assert not Session.objects.filter(session_key=key_before).exists()
    assert client.get(reverse("profile")).status_code == 200


def test_an_active_session_carries_on(client):
    signed_in(client, UserFactory(with_profile=True), idle_for=60)
    assert client.get(reverse("home")).status_code == 200


def test_a_session_idle_too_long_is_signed_out(client, settings):
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    signed_in(client, UserFactory(with_profile=True), idle_for=idle + 1)
    response = client.get(reverse("learning:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_session_past_its_absolute_lifetime_is_signed_out_even_when_active(client, settings):
    lifetime = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
    signed_in(client, UserFactory(with_profile=True), signed_in_for=lifetime + 1)
    assert client.get(reverse("home")).status_code == 302


def test_each_visit_restarts_the_idle_clock(client, settings):
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    signed_in(client, UserFactory(with_profile=True), idle_for=idle - 60)
    assert client.get(reverse("home")).status_code == 200
    # Half an idle period later the session is still alive, because the last visit counted.
    session = client.session
    session[LAST_SEEN_AT] -= idle / 2
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_hub_roles_reach_their_absolute_lifetime_sooner(client, settings):
    lifetime = settings.HUB_SESSION_ABSOLUTE_LIFETIME.total_seconds() + 1
    assert lifetime < settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()
    signed_in(client, UserFactory(with_profile=True), signed_in_for=lifetime)
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    hub_user = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    signed_in(client, hub_user, signed_in_for=lifetime)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_hub_roles_time_out_sooner_than_other_staff(client, settings):
    settings.SESSION_IDLE_TIMEOUT = settings.HUB_SESSION_IDLE_TIMEOUT * 2
    idle = settings.HUB_SESSION_IDLE_TIMEOUT.total_seconds() + 1
    signed_in(client, UserFactory(with_profile=True), idle_for=idle)
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    hub_user = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    signed_in(client, hub_user, idle_for=idle)
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db(databases=["default", "confidential"])
def test_hub_refusals_are_never_cached_either(client):
    client.force_login(UserFactory(with_profile=True))
    response = client.get("/hub/queue/")
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get("/hub/no-such-page/")["Cache-Control"]
