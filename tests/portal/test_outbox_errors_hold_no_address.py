"""A mail server's refusal leaves only the error's type and status code in the outbox row.

A refusal quotes the address it refused; kept beside a referral's idempotency key, the
confidential database alone linked a person to a referral (issue 12, finding 5). A real SMTP
server (aiosmtpd, as the drills use) refuses each recipient here, quoting the address as Postfix
does when it greylists.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.db import connections, transaction
from django.urls import reverse

from portal.models import OutboxMessage as PortalMessage
from portal.outbox import delivery, registry
from portal.outbox.failures import describe
from portal.outbox.queueing import queue
from portal.outbox.tasks import deliver_messages
from tests.drills.services import MailServer
from tests.factories import UserFactory
from wellbeing.models import OutboxMessage as HubMessage
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

ADDRESS = "marigold.fenwick@test.nhs.net"


class RefusingMailServer(MailServer):
    """Refuses every recipient with `code`, quoting the address in its reply."""

    code = 450

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.code >= 500:
            return f"{self.code} 5.1.1 <{address}>: Recipient address rejected: User unknown"
        return f"{self.code} 4.2.1 <{address}>: Recipient address rejected: Greylisted"


@pytest.fixture
def mail_server(settings) -> Iterator[RefusingMailServer]:
    server = RefusingMailServer()
    with server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


@pytest.fixture
def person():
    return UserFactory(with_profile=True, email=ADDRESS)


def a_hub_notice(person) -> HubMessage:
    return outreach.to_user(
        person.pk,
        idempotency_key="hub-message:77:notice",
        category=outreach.UPDATES,
        template="wellbeing/new_message",
        context={"path": reverse("wellbeing:my_hub")},
    )


def a_curator_reminder(person) -> PortalMessage:
    return PortalMessage(
        idempotency_key=f"reviews:curator:{person.pk}:2026-01-12",
        category="curator_reminders",
        template="learning/curator_reviews",
        recipient_ref=str(person.pk),
        context={"path": "/learning/curate/", "review_due": 2, "broken_links": 0},
    )


BUILDERS = {"wellbeing": a_hub_notice, "portal": a_curator_reminder}


def send_and_fail(label: str, person) -> Any:
    """Queue one email and let a worker try it, as the on-commit hand-off would."""
    outbox = registry.get(label)
    with transaction.atomic(using=outbox.database):
        queue([BUILDERS[label](person)])
    message = outbox.messages().get()
    with mock.patch.object(deliver_messages, "apply_async"):  # the retry, were there one
        delivery.deliver(label, [message.pk])
    return outbox.messages().get(pk=message.pk)


def whole_row(label: str, pk: int) -> str:
    """The row as the database holds it, every column, read with SQL."""
    outbox = registry.get(label)
    with connections[outbox.database].cursor() as cursor:
        table = outbox.message_model._meta.db_table
        query = f"SELECT row_to_json(t)::text FROM {table} t WHERE id = %s"  # noqa: S608 - our table
        cursor.execute(query, [pk])
        return str(cursor.fetchone()[0])


@pytest.mark.parametrize("label", ["wellbeing", "portal"])
@pytest.mark.parametrize(
    ("code", "status", "kept"),
    [(450, "pending", "SMTPRecipientsRefused 450"), (550, "failed", "PermanentFailure 550")],
)
def test_a_refused_address_leaves_only_the_errors_type_and_code_in_the_row_and_the_log(
    mail_server, person, caplog, label, code, status, kept
):
    mail_server.code = code
    caplog.set_level(logging.DEBUG)
    message = send_and_fail(label, person)
    assert (message.status, message.last_error) == (status, kept)
    row = whole_row(label, message.pk)
    assert ADDRESS not in row
    assert "@" not in json.loads(row)["last_error"]
    assert ADDRESS not in caplog.text
    assert kept in caplog.text  # the log still says how it failed
    assert mail_server.count() == 0


@pytest.mark.parametrize("label", ["wellbeing", "portal"])
def test_the_failed_emails_page_still_says_what_went_wrong(mail_server, person, label):
    mail_server.code = 450
    message = send_and_fail(label, person)
    described = describe(message)
    assert str(described.error) == "SMTPRecipientsRefused 450"
    assert described.problem == (
        "The mail server asked for it to be sent later, and refused it at every attempt"
    )


OLD_TEXTS = {
    f"SMTPRecipientsRefused: {{'{ADDRESS}': (450, b'4.2.1 <{ADDRESS}>: Greylisted')}}": (
        "SMTPRecipientsRefused 450"
    ),
    f"SMTPDataError: (554, b'5.7.1 <{ADDRESS}>: Message refused')": "SMTPDataError 554",
    f"SMTPException: 451 try again later for {ADDRESS}": "SMTPException 451",
    "PermanentFailure: the mail server refused the address": "PermanentFailure",
    "PermanentFailure: Notify refused the request (400)": "PermanentFailure 400",
    "ConnectionRefusedError: [Errno 111] Connection refused": "ConnectionRefusedError",
    "SMTPRecipientsRefused 450": "SMTPRecipientsRefused 450",
}


@pytest.mark.parametrize(
    ("label", "migration"),
    [
        ("wellbeing", "wellbeing.migrations.0013_outbox_error_without_server_text"),
        ("portal", "portal.migrations.0008_outbox_error_without_server_text"),
    ],
)
def test_the_data_migration_takes_the_servers_text_out_of_existing_rows(person, label, migration):
    outbox = registry.get(label)
    for n, old in enumerate(OLD_TEXTS):
        row = BUILDERS[label](person)
        row.idempotency_key = f"{row.idempotency_key}:{n}"
        row.status, row.last_error = "failed", old
        row.save(using=outbox.database)
    module = importlib.import_module(migration)
    module.remove_server_text(apps, SimpleNamespace(connection=connections[outbox.database]))
    kept = outbox.messages().order_by("pk").values_list("last_error", flat=True)
    assert list(kept) == list(OLD_TEXTS.values())
