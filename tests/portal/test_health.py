"""The health check tells operators about the databases and the worker, and nothing personal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def test_it_reports_both_databases_and_when_the_worker_was_last_seen(client):
    beat_at = timezone.now()
    WorkerHeartbeat.objects.create(name="celery", beat_at=beat_at)
    body = client.get("/health/").json()
    assert body["databases"] == {"default": True, "confidential": True}
    assert body["worker_last_seen"] == beat_at.isoformat()
    assert body["broker"] == "redis"


def test_it_says_so_when_no_worker_has_run_yet(client):
    assert client.get("/health/").json()["worker_last_seen"] is None
