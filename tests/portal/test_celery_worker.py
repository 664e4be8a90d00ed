"""A real Celery worker on Redis runs the portal's tasks end to end."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker  # type: ignore[import-untyped]
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from portal.celery import app
from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat


def test_the_broker_is_redis_in_the_test_suite():
    assert settings.REDIS_URL.startswith("redis://"), "make test runs the suite against Redis"
    assert app.conf.broker_url == settings.REDIS_URL


def test_celery_is_configured_for_safe_delivery():
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.task_time_limit


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_task_sent_through_redis():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = record_worker_heartbeat.delay()
        assert result.get(timeout=20)
    deadline = time.monotonic() + 5
    while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert WorkerHeartbeat.objects.get(name="celery").beat_at is not None


@pytest.mark.django_db
def test_beat_runs_the_heartbeat_every_minute_from_the_database_schedule():
    task = PeriodicTask.objects.get(task="portal.record_worker_heartbeat")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db(transaction=True)
def test_beat_writes_each_run_as_it_sends_it_so_a_beat_started_elsewhere_does_not_repeat_it():
    """A beat whose machine is lost never gets to save its schedule on the way out; the beat
    started on another machine must still know what it ran (`make cluster-drill`, scenario 6)."""
    from datetime import timedelta

    from django.utils import timezone
    from django_celery_beat.models import IntervalSchedule
    from django_celery_beat.schedulers import DatabaseScheduler

    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    long_ago = timezone.now() - timedelta(hours=1)
    names = ["A heartbeat", "Another heartbeat"]
    for name in names:
        PeriodicTask.objects.create(
            name=name,
            task="portal.record_worker_heartbeat",
            interval=every_minute,
            last_run_at=long_ago,
        )
    schedulers = [DatabaseScheduler(app=app)]
    try:
        lost = schedulers[0]
        for name in names:  # beat's first send writes anyway; the second is the one that counts
            lost.apply_async(lost.schedule[name])
        saved = dict(PeriodicTask.objects.filter(name__in=names).values_list("name", "last_run_at"))
        assert all(saved[name] > long_ago for name in names), saved
        schedulers.append(elsewhere := DatabaseScheduler(app=app))
        assert [elsewhere.schedule[name].is_due().is_due for name in names] == [False, False]
    finally:
        app.control.purge()  # no worker of this test takes the two tasks it sent
        for scheduler in schedulers:  # while the test database is there to write to
            scheduler.close()


@pytest.mark.django_db
def test_every_scheduled_task_is_a_task_the_workers_know():
    """A schedule naming a task that does not exist would fail silently every time beat runs."""
    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert scheduled - set(app.tasks) == set()
    assert "portal.outbox.sweep" in scheduled
    assert "portal.clear_expired_sessions" in scheduled
    assert "portal.prune_submission_keys" in scheduled


@pytest.mark.django_db
def test_clearing_sessions_removes_expired_ones_only():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from portal.tasks import clear_expired_sessions

    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=now + timedelta(1))
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
