"""Reads of the portal app that other code may use."""

from __future__ import annotations

from datetime import datetime

from django.db import connections

from portal.models import StaffProfile, User, WorkerHeartbeat


def staff_profile_for(user: User) -> StaffProfile | None:
    return StaffProfile.objects.filter(user=user).first()


def last_worker_heartbeat() -> datetime | None:
    beat = WorkerHeartbeat.objects.filter(name="celery").only("beat_at").first()
    return beat.beat_at if beat else None


def databases_answering() -> dict[str, bool]:
    """Whether each configured database answers a trivial query."""
    answers = {}
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            answers[alias] = True
        except Exception:  # noqa: BLE001 - any failure means "not answering"
            answers[alias] = False
    return answers
