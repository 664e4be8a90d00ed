"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.submission_keys import FormClient

BOTH_DATABASES = ["default", "confidential"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every database test may use both databases: a signed-in request reads the person's hub
    roles from the confidential store (ADR 0023), whichever app's page it is."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or marker.kwargs.get("databases"):
            continue
        item.add_marker(
            pytest.mark.django_db(*marker.args, **{**marker.kwargs, "databases": BOTH_DATABASES}),
            append=False,
        )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and used TOTP codes live in the shared cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> FormClient:
    """pytest-django's client, posting forms with their one-time key as a browser does."""
    return FormClient()


@pytest.fixture
def staff_user(db):
    return UserFactory(with_profile=True)


@pytest.fixture
def sign_in(client):
    """Sign in through allauth's form, as a person would (force_login skips allauth's records)."""

    def sign_in_as(user):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    return sign_in_as


@pytest.fixture
def without_the_starter_framework(db):
    """The starter framework's statements (migration learning 0005) taken away, for tests that
    build the statements a person answers themselves and count them."""
    from learning.models import Competency

    Competency.objects.filter(is_starter=True).delete()


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    """Tests run at any hour: quiet hours are off unless a test sets them with a fixed clock."""
    settings.OUTREACH_QUIET_HOURS = (0, 0)


@receiver(connection_created)
def _let_the_flush_empty_the_audit_tables(sender, connection, **kwargs):
    """The flush after a transactional test TRUNCATEs every table, and the audit log and its
    anchors refuse TRUNCATE unless the session allows it (ADR 0019). Only the test suite does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET audit_log.allow_truncate = 'on'")
