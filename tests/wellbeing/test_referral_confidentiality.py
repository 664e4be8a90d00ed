"""What someone tells the hub in a self-referral goes nowhere but the confidential database, and
there only as ciphertext: not the default database (sessions included), not the logs, not an
email, not a Celery message. Run on PostgreSQL, as in production."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from celery.app.task import Task
from django.contrib.sessions.models import Session
from django.db import connections
from django.urls import reverse

from portal.outbox.tasks import deliver_messages
from tests.wellbeing.referral_steps import CONTACT, PAGES, answer_every_page, send
from wellbeing.models import Referral

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

SECRETS = {
    "name": "Zebedee Quillfeather-Marchbanks",
    "email": "zq.lighthouse.7731@example.nhs.uk",
    "phone": "07700 913 557",
    "best_times": "After the Carnforth ferry docks",
    "team": "Kestrel Nine Outreach",
    "whats_happening": "I keep dreaming of the blue lighthouse and the flooded theatre",
    "hoped_for_help": "Someone who understands peppermint mornings",
}
# Also look for the phone number without its spaces, as a form might normalise it.
NEEDLES = [*SECRETS.values(), SECRETS["phone"].replace(" ", "")]


@pytest.fixture(autouse=True)
def _postgresql():
    for alias in ("default", "confidential"):
        vendor = connections[alias].vendor
        assert vendor == "postgresql", f"these tests need PostgreSQL; {alias} is {vendor}"


@pytest.fixture
def sql_logged() -> Iterator[None]:
    """Log every SQL statement with its parameters, as DEBUG would, so the logs are tested too."""
    saved = {alias: connections[alias].force_debug_cursor for alias in ("default", "confidential")}
    for alias in saved:
        connections[alias].force_debug_cursor = True
    yield
    for alias, value in saved.items():
        connections[alias].force_debug_cursor = value


def dump(alias: str) -> str:
    """Every row of every table in a database, as text."""
    connection = connections[alias]
    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(parts)


def present(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle.lower() in lowered]


@pytest.fixture
def sent_referral(
    client, staff_user, settings, caplog, mailoutbox, sql_logged, django_capture_on_commit_callbacks
):
    """A full self-referral through the test client, with a risk answer (so an alert is sent),
    logging everything at DEBUG and capturing every Celery message instead of sending it."""
    settings.HUB_DUTY_EMAIL = "duty@hub.example.nhs.uk"
    # Every logger at DEBUG, not only the root: "django" is at INFO by default.
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    client.force_login(staff_user)
    contact = {**CONTACT, **{k: SECRETS[k] for k in ("name", "email", "phone", "best_times")}}
    about = {k: SECRETS[k] for k in ("whats_happening", "hoped_for_help")}
    sent: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def capture(task, args=None, kwargs=None, **options):
        sent.append((task.name, tuple(args or ()), dict(kwargs or {})))

    with (
        mock.patch.object(Task, "apply_async", autospec=True, side_effect=capture),
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        client.get(reverse("wellbeing:refer_start") + "?campaign=SPRING")
        answer_every_page(
            client,
            risk=True,
            contact=contact,
            about=about,
            work={**PAGES["work"], "team": SECRETS["team"]},
        )
        client.get(reverse("wellbeing:refer_check"))
        middle = dump("confidential")
        send(client)
        client.get(reverse("wellbeing:refer_sent"))
    # The worker's side: run what was sent, as a worker would, so its email is tested too.
    for name, args, kwargs in sent:
        assert name == "portal.outbox.deliver"
        deliver_messages(*args, **kwargs)
    # The journey ran while this fixture set up: its records are the setup phase's.
    records = caplog.get_records("setup")
    return {"middle": middle, "celery": sent, "logs": records, "mail": mailoutbox}


def test_the_referral_was_made_with_every_detail(sent_referral):
    referral = Referral.objects.using("confidential").get()
    assert (referral.name, referral.email, referral.whats_happening, referral.team) == (
        SECRETS["name"],
        SECRETS["email"],
        SECRETS["whats_happening"],
        SECRETS["team"],
    )
    assert referral.urgent


def test_the_default_database_holds_none_of_it_sessions_included(sent_referral):
    assert present(dump("default")) == []
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    assert sessions, "the journey should have had a session"
    assert present("\n".join(sessions)) == []


def test_the_logs_hold_none_of_it_even_at_debug_with_sql_logged(sent_referral):
    records = sent_referral["logs"]
    assert any(r.name == "django.db.backends" for r in records), "SQL was not logged"
    text = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in records)
    assert present(text) == []


def test_the_emails_hold_none_of_it(sent_referral):
    alert, confirmation = sent_referral["mail"]  # urgent first
    assert "We have received your referral" in confirmation.subject
    assert "Sign in to see it" in alert.body
    reference = Referral.objects.using("confidential").get().reference
    for email in (confirmation, alert):
        assert present(f"{email.subject}\n{email.body}\n{email.to}\n{email.extra_headers}") == []
        assert reference not in email.body


def test_the_confidential_database_holds_it_only_as_ciphertext(sent_referral):
    # While the draft was being written, and after it became a referral.
    for stored in (sent_referral["middle"], dump("confidential")):
        assert present(stored) == []
        assert "gAAAAA" in stored  # Fernet tokens
    with connections["confidential"].cursor() as cursor:
        cursor.execute("SELECT name, email, phone, whats_happening, team FROM wellbeing_referral")
        row = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in row)
    # Plain categories stay plain, for queues and reports.
    assert "SPRING" in dump("confidential")


def test_celery_messages_carry_ids_only(sent_referral):
    (message,) = sent_referral["celery"]
    name, (label, ids), kwargs = message
    assert (name, label, kwargs) == ("portal.outbox.deliver", "wellbeing", {})
    assert len(ids) == 2
    assert all(type(message_id) is int for message_id in ids)
