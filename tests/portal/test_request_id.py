"""Every request and Celery task has an id that its log lines carry; production logs one JSON
object per line, with no query string, request object or exception text in it."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from celery.signals import task_postrun, task_prerun
from django.urls import reverse

from portal.celery import app
from portal.logging import current_request_id
from portal.tasks import record_worker_heartbeat
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.portal.json_logs import json_log
from tests.portal.test_settings import PRODUCTION_ENVIRONMENT, run_manage

REQUEST_ID = re.compile(r"[0-9a-f]{32}")
PROXY_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("health"))["X-Request-ID"]
    second = client.get(reverse("health"))["X-Request-ID"]
    assert REQUEST_ID.fullmatch(first)
    assert REQUEST_ID.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_the_proxys_request_id_is_used_only_when_it_is_trusted(client, settings):
    assert client.get(reverse("health"), HTTP_X_REQUEST_ID=PROXY_ID)["X-Request-ID"] != PROXY_ID
    settings.TRUST_X_REQUEST_ID = True
    assert client.get(reverse("health"), HTTP_X_REQUEST_ID=PROXY_ID)["X-Request-ID"] == PROXY_ID


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "Zebedee Quillfeather",
        "zq.lighthouse@nhs.net",
        "0f8fad5b",  # too short to be an id
        "a" * 65,  # too long
        f"{PROXY_ID}\nINFO forged line",
        f"{PROXY_ID} 07700913557",
    ],
)
def test_a_request_id_that_is_not_an_id_is_replaced_even_from_a_trusted_proxy(
    client, settings, header
):
    settings.TRUST_X_REQUEST_ID = True
    returned = client.get(reverse("health"), HTTP_X_REQUEST_ID=header)["X-Request-ID"]
    assert REQUEST_ID.fullmatch(returned)


@pytest.mark.django_db
def test_a_requests_log_lines_carry_its_id_even_those_django_writes_after_the_response(client):
    client.force_login(UserFactory(with_profile=True))
    resource = ResourceFactory()
    with json_log() as log:
        # A 400 that the view returns is logged by Django after every middleware has finished.
        bad = client.post(reverse("learning:comment", kwargs={"slug": resource.slug}), {})
        missing = client.get("/learning/nowhere/")
        logging.getLogger("portal").warning("Between requests")
    assert (bad.status_code, missing.status_code) == (400, 404)
    by_message = {line["message"]: line for line in log.lines()}
    comment_path = reverse("learning:comment", kwargs={"slug": resource.slug})
    assert by_message[f"Bad Request: {comment_path}"]["request_id"] == bad["X-Request-ID"]
    assert by_message[f"Bad Request: {comment_path}"]["status_code"] == 400
    assert by_message["Not Found: /learning/nowhere/"]["request_id"] == missing["X-Request-ID"]
    assert by_message["Between requests"]["request_id"] is None


@pytest.mark.django_db
def test_query_strings_are_never_logged_a_search_can_hold_anything(client):
    with json_log() as log:
        client.get("/learning/nowhere/?q=Zebedee+Quillfeather&page=2")
        # Django's development server logs the whole request line.
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /learning/catalogue/?q=Zebedee+Quillfeather HTTP/1.1", "200", "5"
        )
        logging.getLogger("portal").info("Opened /learning/catalogue/?q=Zebedee for %s", "ward")
    assert "Quillfeather" not in log.text
    assert "Zebedee" not in log.text
    messages = [line["message"] for line in log.lines()]
    assert "Not Found: /learning/nowhere/" in messages
    assert '"GET /learning/catalogue/ HTTP/1.1" 200 5' in messages
    assert "Opened /learning/catalogue/ for ward" in messages


@pytest.mark.django_db
def test_the_request_django_passes_to_its_logger_is_never_written(client):
    with json_log() as log:
        client.get("/learning/nowhere/", HTTP_USER_AGENT="Zebedee's browser")
    (line,) = log.lines()
    assert set(line) == {"time", "level", "logger", "message", "request_id", "status_code"}
    assert "Zebedee" not in log.text


def test_a_line_is_one_json_object_with_time_level_logger_message_and_request_id():
    with json_log() as log:
        logging.getLogger("portal.outbox").warning("Sending %s message %d failed", "hub", 7)
    (line,) = log.lines()
    assert line["level"] == "WARNING"
    assert line["logger"] == "portal.outbox"
    assert line["message"] == "Sending hub message 7 failed"
    assert line["request_id"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert len(log.text.splitlines()) == 1


def test_a_message_with_newlines_stays_on_one_line():
    with json_log() as log:
        logging.getLogger("portal").warning("first\nERROR forged second line")
    assert len(log.text.splitlines()) == 1
    assert log.lines()[0]["message"] == "first\nERROR forged second line"


def test_an_exception_is_logged_by_type_and_place_never_by_its_text():
    with json_log() as log:
        try:
            try:
                raise KeyError("zq.lighthouse@nhs.net")
            except KeyError as error:
                raise ValueError("Key (email)=(zq.lighthouse@nhs.net) already exists") from error
        except ValueError:
            logging.getLogger("portal").exception("Could not save")
    (line,) = log.lines()
    assert line["message"] == "Could not save"
    assert line["exception"]["type"] == "ValueError <- KeyError"
    assert (
        "test_an_exception_is_logged_by_type_and_place_never_by_its_text"
        in (line["exception"]["stack"])
    )
    assert "zq.lighthouse" not in log.text


def test_celerys_task_failure_line_keeps_the_exceptions_type_but_not_its_text():
    with json_log() as log:
        # As celery.app.trace logs a failed task: the exception's repr in the arguments.
        logging.getLogger("celery.app.trace").error(
            "Task %(name)s[%(id)s] %(description)s: %(exc)s",
            {
                "name": "portal.outbox.deliver",
                "id": "abc",
                "description": "raised unexpected",
                "exc": "IntegrityError('Key (email)=(zq.lighthouse@nhs.net) already exists')",
            },
        )
        logging.getLogger("celery.worker.request").error(
            "Task handler raised error: %r", ValueError("zq.lighthouse@nhs.net")
        )
    assert [line["message"] for line in log.lines()] == [
        "Task portal.outbox.deliver[abc] raised unexpected: IntegrityError(...)",
        "Task handler raised error: ValueError(...)",
    ]
    assert "zq.lighthouse" not in log.text


def test_production_writes_json_and_debugging_writes_plain_text():
    script = "import logging; logging.getLogger('portal').warning('Hello from %s', 'here')"
    production = run_manage("shell", "-c", script, environment=PRODUCTION_ENVIRONMENT)
    line = json.loads(production.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"], line["request_id"]) == (
        "WARNING",
        "portal",
        "Hello from here",
        None,
    )
    debugging = run_manage("shell", "-c", script, environment={"DJANGO_DEBUG": "1"})
    assert "WARNING portal [None] Hello from here" in debugging.stderr


def test_a_celery_task_takes_its_task_id_as_the_request_id():
    task = app.tasks["portal.record_worker_heartbeat"]
    task_prerun.send(sender=task, task_id="c0ffee00c0ffee00", task=task, args=(), kwargs={})
    assert current_request_id() == "c0ffee00c0ffee00"
    with json_log() as log:
        logging.getLogger("portal").info("Inside the task")
    task_postrun.send(sender=task, task_id="c0ffee00c0ffee00", task=task, args=(), kwargs={})
    assert log.lines()[0]["request_id"] == "c0ffee00c0ffee00"
    assert current_request_id() is None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_workers_log_lines_carry_the_task_id(caplog):
    from celery.contrib.testing.worker import start_worker  # type: ignore[import-untyped]

    caplog.set_level(logging.INFO, logger="celery.app.trace")
    # The worker's start configures logging from settings.LOGGING again (Celery's Django fixup
    # runs django.setup()), so the handler is added once it has started.
    with (
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        json_log() as log,
    ):
        result = record_worker_heartbeat.delay()
        assert result.get(timeout=20)
        deadline = time.monotonic() + 5
        while "succeeded" not in log.text and time.monotonic() < deadline:
            time.sleep(0.1)
    # "Task ... succeeded" is written while the task runs; "received" before it starts.
    (succeeded,) = [
        line
        for line in log.lines()
        if result.id in line["message"] and "succeeded" in line["message"]
    ]
    assert succeeded["request_id"] == result.id
    # Celery did not take the root logger over with its own format.
    formatters = [type(handler.formatter) for handler in logging.getLogger().handlers]
    assert not any(formatter.__module__.startswith("celery") for formatter in formatters)
