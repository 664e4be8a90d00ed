"""The Celery application: outreach, reminders and other background work."""

from __future__ import annotations

import logging
import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

from portal.logging import set_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_through_django_settings(**kwargs: Any) -> None:
    """Workers and beat log through settings.LOGGING, as the web does (JSON in production),
    instead of Celery replacing the root handler with its own format."""
    if not logging.getLogger().handlers:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)


@task_prerun.connect
def _task_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    """A task's log lines carry its id, as a request's carry the request id."""
    set_request_id(task_id)


@task_postrun.connect
def _forget_task_request_id(**kwargs: Any) -> None:
    set_request_id(None)
