"""Sending through GOV.UK Notify, against a local server that plays Notify's API.

The server listens on 127.0.0.1 only: it checks the client's signed token as Notify does, keeps
what it was sent, and answers as Notify would, or fails on demand. Nothing touches the internet.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import jwt
import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from portal.outbox import delivery, unsubscribe
from portal.outbox.queueing import queue
from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from wellbeing.models import OutboxMessage
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


@dataclass
class FakeNotify:
    """What the fake Notify received, and how it should answer the next request."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    answer_with: int = 201


def notify_handler(state: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def reply(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def error(self, status: int, kind: str, message: str) -> None:
            self.reply(
                status, {"status_code": status, "errors": [{"error": kind, "message": message}]}
            )

        def do_POST(self) -> None:
            scheme, _, token = self.headers.get("Authorization", "").partition(" ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            except jwt.InvalidTokenError:
                return self.error(403, "AuthError", "Invalid token: signature")
            if scheme != "Bearer" or claims.get("iss") != SERVICE_ID or "iat" not in claims:
                return self.error(403, "AuthError", "Invalid token: iss")
            if self.path != "/v2/notifications/email":
                return self.error(404, "BadRequestError", "Not found")
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.received.append(body)
            if state.answer_with == 400:
                return self.error(400, "BadRequestError", "email_address Not a valid email address")
            if state.answer_with >= 500:
                return self.error(state.answer_with, "Exception", "Internal server error")
            notification_id = str(uuid.uuid4())
            return self.reply(
                201,
                {
                    "id": notification_id,
                    "reference": body.get("reference"),
                    "content": {
                        "subject": body["personalisation"]["subject"],
                        "body": body["personalisation"]["body"],
                        "from_email": "mind.body.portal@notifications.service.gov.uk",
                    },
                    "uri": f"{state.url}/v2/notifications/{notification_id}",
                    "template": {
                        "id": body["template_id"],
                        "version": 1,
                        "uri": f"{state.url}/v2/template/{body['template_id']}",
                    },
                    "scheduled_for": None,
                },
            )

    return Handler


@pytest.fixture
def notify(settings, monkeypatch) -> Iterator[FakeNotify]:
    state = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), notify_handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    # A proxy in the environment must not carry local requests off the machine.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = state.url
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_TEMPLATE_IDS = {}
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def person():
    return UserFactory(with_profile=True)


@pytest.fixture
def retries():
    with mock.patch.object(deliver_messages, "apply_async") as apply_async:
        yield apply_async


def send(*messages: OutboxMessage) -> OutboxMessage:
    """Queue, then deliver as a worker would; returns the first row as it is now."""
    with mock.patch.object(deliver_messages, "delay"), transaction.atomic(using="confidential"):
        queue(list(messages))
    rows = OutboxMessage.objects.using("confidential").order_by("pk")
    delivery.deliver("wellbeing", list(rows.values_list("pk", flat=True)))
    return rows[0]


def a_message(user) -> OutboxMessage:
    return outreach.to_user(
        user.pk,
        idempotency_key="hub-message:7:notice",
        category=outreach.UPDATES,
        template="wellbeing/new_message",
        context={"path": reverse("wellbeing:my_hub")},
    )


def test_with_a_notify_key_the_outbox_sends_through_notify(notify, person):
    message = send(a_message(person))
    assert message.status == "sent"
    assert mail.outbox == []
    (request,) = notify.received
    assert request["email_address"] == person.email
    assert request["template_id"] == TEMPLATE_ID
    assert request["reference"] == "hub-message:7:notice"
    assert request["personalisation"]["subject"] == "You have a new message from the Resilience Hub"
    assert "sign in to the portal to read it" in request["personalisation"]["body"]
    unsubscribe_url = "http://localhost:8000" + unsubscribe.path_for("wellbeing", message.pk)
    assert request["one_click_unsubscribe_url"] == unsubscribe_url
    assert unsubscribe_url in request["personalisation"]["body"]


def test_a_team_inbox_email_through_notify_has_no_unsubscribe_link(notify, settings):
    settings.NOTIFY_TEMPLATE_IDS = {"wellbeing/urgent_referral": "urgent-template"}
    send(
        OutboxMessage(
            idempotency_key="referral:3:urgent-alert",
            category=outreach.DUTY,
            template="wellbeing/urgent_referral",
            recipient_address="duty@hub.test.nhs.net",
            urgent=True,
            context={"path": "/hub/"},
        )
    )
    (request,) = notify.received
    assert request["email_address"] == "duty@hub.test.nhs.net"
    assert "one_click_unsubscribe_url" not in request
    # A template may have its own Notify template.
    assert request["template_id"] == "urgent-template"


def test_a_notify_server_error_is_tried_again_later(notify, person, retries):
    notify.answer_with = 500
    message = send(a_message(person))
    assert message.status == "pending"
    assert message.last_error.startswith("HTTPError")
    assert retries.call_count == 1

    notify.answer_with = 201
    OutboxMessage.objects.using("confidential").update(due_at=message.created_at)
    delivery.deliver("wellbeing", [message.pk])
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert len(notify.received) == 2


def test_a_request_notify_refuses_fails_at_once(notify, person, retries):
    notify.answer_with = 400
    message = send(a_message(person))
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("PermanentFailure")
    assert retries.call_count == 0


def test_a_key_notify_does_not_know_fails_at_once(notify, person, settings, retries):
    settings.NOTIFY_API_KEY = f"portal_test-{SERVICE_ID}-{uuid.uuid4()}"
    message = send(a_message(person))
    assert message.status == "failed"
    assert notify.received == []
    assert retries.call_count == 0
