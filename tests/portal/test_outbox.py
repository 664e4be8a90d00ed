"""The outbox core: each message sent once, when it should be, to whom it should be, or not at all.

Uses the hub's outbox (the confidential database) and its real categories; Celery is replaced by a
synchronous stand-in so each hand-off delivers at once, as a worker would.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from smtplib import SMTPException, SMTPRecipientsRefused
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.outbox import delivery, queueing, registry, unsubscribe
from portal.outbox.delivery import quiet_until, retry_delay
from portal.outbox.queueing import queue
from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from wellbeing.models import OptOut, OutboxMessage
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

LONDON = ZoneInfo("Europe/London")
DUTY_INBOX = "duty@hub.test.nhs.net"


def rows():
    return OutboxMessage.objects.using("confidential").order_by("pk")


def a_message(user, key="event:1", category=outreach.UPDATES, **fields) -> OutboxMessage:
    return outreach.to_user(
        user.pk,
        idempotency_key=key,
        category=category,
        template="wellbeing/new_message",
        context={"path": reverse("wellbeing:my_hub")},
        **fields,
    )


def a_duty_alert(key="referral:1:urgent-alert") -> OutboxMessage:
    return OutboxMessage(
        idempotency_key=key,
        category=outreach.DUTY,
        template="wellbeing/urgent_referral",
        recipient_address=DUTY_INBOX,
        urgent=True,
        context={"path": reverse("wellbeing:index")},
    )


@pytest.fixture
def person():
    return UserFactory(with_profile=True)


@pytest.fixture
def worker():
    """Celery as a synchronous worker: every hand-off is delivered at once; retries recorded."""
    with (
        mock.patch.object(
            deliver_messages, "delay", side_effect=lambda label, ids: delivery.deliver(label, ids)
        ) as delay,
        mock.patch.object(deliver_messages, "apply_async") as retry,
    ):
        delay.retry = retry
        yield delay


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Queue messages in a transaction of the hub's database and run what happens on commit."""

    def queue_and_commit(*messages: OutboxMessage) -> None:
        with (
            django_capture_on_commit_callbacks(using="confidential", execute=True),
            transaction.atomic(using="confidential"),
        ):
            queue(list(messages))

    return queue_and_commit


def at(when: datetime.datetime):
    """Fix the clock the outbox reads."""
    return mock.patch("django.utils.timezone.now", return_value=when)


@pytest.fixture
def failing_mail(settings):
    def use(error: Exception) -> None:
        settings.EMAIL_BACKEND = "tests.portal.test_outbox.FailingBackend"
        FailingBackend.error = error

    return use


class FailingBackend(BaseEmailBackend):
    """Raises `error` for every send: a mail server that is down or refuses the address."""

    error: Exception = SMTPException("server unavailable")

    def send_messages(self, email_messages):
        raise self.error


# --- Queueing and hand-off -----------------------------------------------------------------------


def test_queueing_the_same_event_twice_makes_one_row_and_one_email(person, worker, send):
    send(a_message(person))
    send(a_message(person))
    assert rows().count() == 1
    assert rows().get().status == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]


def test_nothing_is_handed_off_until_the_transaction_commits(person, worker):
    with transaction.atomic(using="confidential"):
        queue([a_message(person)])
        assert worker.call_count == 0
    # The test's own transaction never commits, so the hand-off never happens.
    assert worker.call_count == 0
    assert rows().get().status == "pending"


def test_a_message_due_later_waits_for_the_sweep_once_it_is_due(person, worker, send):
    later = timezone.now() + datetime.timedelta(hours=2)
    send(a_message(person, due_at=later))
    assert worker.call_count == 0
    message = rows().get()
    assert (message.status, message.enqueued_at) == ("pending", None)
    assert queueing.sweep("wellbeing") == 0
    assert mail.outbox == []

    with at(later + datetime.timedelta(minutes=1)):
        assert queueing.sweep("wellbeing") == 1
    assert rows().get().status == "sent"
    assert len(mail.outbox) == 1


def test_a_broker_that_is_down_leaves_rows_for_the_sweep_which_sends_them(
    person, send, django_capture_on_commit_callbacks
):
    with mock.patch.object(deliver_messages, "delay", side_effect=OSError("no broker")):
        send(a_message(person, key="event:1"), a_message(person, key="event:2"))
    assert [(m.status, m.enqueued_at) for m in rows()] == [("pending", None)] * 2
    assert mail.outbox == []

    with mock.patch.object(
        deliver_messages, "delay", side_effect=lambda label, ids: delivery.deliver(label, ids)
    ):
        assert queueing.sweep("wellbeing") == 2
    assert [m.status for m in rows()] == ["sent", "sent"]
    assert len(mail.outbox) == 2


def test_the_sweep_leaves_a_message_just_handed_off_to_its_task(person, send):
    with mock.patch.object(deliver_messages, "delay") as delay:
        send(a_message(person))
    delay.assert_called_once()
    assert queueing.sweep("wellbeing") == 0


# --- Claiming ------------------------------------------------------------------------------------


def test_a_task_delivered_twice_sends_once(person, send):
    with mock.patch.object(deliver_messages, "delay"):
        send(a_message(person))
    message = rows().get()
    assert delivery.deliver("wellbeing", [message.pk]) == {"sent": 1}
    assert delivery.deliver("wellbeing", [message.pk]) == {}
    assert len(mail.outbox) == 1
    assert rows().get().attempts == 1


def test_a_claim_held_by_a_live_worker_is_left_alone(person, send, worker):
    with mock.patch.object(deliver_messages, "delay"):
        send(a_message(person))
    now = timezone.now()
    rows().update(status="sending", claim_token=uuid.uuid4(), claimed_at=now, enqueued_at=now)
    with at(now + datetime.timedelta(minutes=4)):
        assert queueing.sweep("wellbeing") == 0
    assert mail.outbox == []


def test_a_claim_older_than_the_lease_is_claimed_again_by_the_sweep_and_sent(
    person, send, worker, settings
):
    with mock.patch.object(deliver_messages, "delay"):
        send(a_message(person))
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 60)
    # The worker that claimed it died before sending.
    rows().update(
        status="sending", claim_token=uuid.uuid4(), claimed_at=long_ago, enqueued_at=long_ago
    )
    assert queueing.sweep("wellbeing") == 1
    message = rows().get()
    assert (message.status, message.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1


# --- Who gets it ---------------------------------------------------------------------------------


def test_an_opt_out_made_after_queueing_is_honoured_when_sending(person, send):
    with mock.patch.object(deliver_messages, "delay"):
        send(a_message(person))
    OptOut.objects.using("confidential").create(
        recipient_ref=staff_ref_for(person.pk), category=outreach.UPDATES
    )
    assert delivery.deliver("wellbeing", [rows().get().pk]) == {"opted_out": 1}
    message = rows().get()
    assert (message.status, message.skip_reason) == ("skipped", "opted_out")
    assert mail.outbox == []


def test_an_opt_out_of_one_category_leaves_the_others(person, send, worker):
    OptOut.objects.using("confidential").create(
        recipient_ref=staff_ref_for(person.pk), category=outreach.FOLLOW_UP
    )
    send(a_message(person))
    assert rows().get().status == "sent"


def test_a_person_whose_account_is_closed_gets_nothing(person, send, worker):
    person.is_active = False
    person.save()
    send(a_message(person))
    message = rows().get()
    assert (message.status, message.skip_reason) == ("skipped", "no_recipient")
    assert mail.outbox == []


# --- When it goes --------------------------------------------------------------------------------

ELEVEN_PM = datetime.datetime(2026, 1, 15, 23, 0, tzinfo=LONDON)


def test_a_message_in_quiet_hours_waits_until_eight_and_goes_then(person, send, worker, settings):
    settings.OUTREACH_QUIET_HOURS = (21, 8)
    with at(ELEVEN_PM):
        send(a_message(person, due_at=ELEVEN_PM))
    message = rows().get()
    assert message.status == "pending"
    assert message.due_at == datetime.datetime(2026, 1, 16, 8, 0, tzinfo=LONDON)
    assert (message.attempts, message.enqueued_at) == (0, None)
    assert mail.outbox == []

    with at(datetime.datetime(2026, 1, 16, 8, 1, tzinfo=LONDON)):
        assert queueing.sweep("wellbeing") == 1
    assert rows().get().status == "sent"
    assert len(mail.outbox) == 1


def test_an_urgent_message_goes_at_once_even_in_quiet_hours(send, worker, settings):
    settings.OUTREACH_QUIET_HOURS = (21, 8)
    with at(ELEVEN_PM):
        alert = a_duty_alert()
        alert.due_at = ELEVEN_PM
        send(alert)
    assert rows().get().status == "sent"
    assert mail.outbox[0].to == [DUTY_INBOX]


def test_the_fourth_check_in_of_a_day_waits_for_the_daily_cap(person, send, worker, settings):
    settings.OUTREACH_DAILY_CAP = 3
    start = timezone.now()
    for n in range(3):
        with at(start + datetime.timedelta(minutes=n)):
            send(a_message(person, key=f"check-in:{n}", category=outreach.FOLLOW_UP, due_at=start))
    first_sent = rows().get(idempotency_key="check-in:0").sent_at

    with at(start + datetime.timedelta(minutes=10)):
        send(a_message(person, key="check-in:3", category=outreach.FOLLOW_UP, due_at=start))
        # Replies from the hub are not outreach: the cap never holds them back.
        send(a_message(person, key="hub-message:1", due_at=start))
    fourth = rows().get(idempotency_key="check-in:3")
    assert (fourth.status, fourth.due_at) == ("pending", first_sent + datetime.timedelta(days=1))
    assert rows().get(idempotency_key="hub-message:1").status == "sent"
    assert len(mail.outbox) == 4

    with at(first_sent + datetime.timedelta(days=1, minutes=1)):
        assert queueing.sweep("wellbeing") == 1
    assert rows().get(idempotency_key="check-in:3").status == "sent"


def test_someone_else_is_not_held_back_by_anothers_cap(person, send, worker, settings):
    settings.OUTREACH_DAILY_CAP = 1
    other = UserFactory(with_profile=True)
    send(
        a_message(person, key="check-in:a", category=outreach.FOLLOW_UP),
        a_message(other, key="check-in:b", category=outreach.FOLLOW_UP),
    )
    assert [m.status for m in rows()] == ["sent", "sent"]


# --- Failures and retries ------------------------------------------------------------------------


def test_a_mail_server_error_is_retried_later_and_fails_after_the_last_attempt(
    person, send, worker, settings, failing_mail, caplog
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    failing_mail(SMTPException(f"451 try again later for {person.email}"))
    caplog.set_level(logging.WARNING)
    before = timezone.now()
    send(a_message(person))
    message = rows().get()
    assert message.status == "pending"
    assert message.due_at > before
    assert (message.attempts, message.last_error.split(":")[0]) == (1, "SMTPException")
    (args, kwargs), *_ = worker.retry.call_args_list
    assert args == (("wellbeing", [message.pk]),)
    assert 0 < kwargs["countdown"] <= settings.OUTBOX_RETRY_BASE_SECONDS

    for attempt in (2, 3):
        rows().update(due_at=timezone.now())
        delivery.deliver("wellbeing", [message.pk])
        assert rows().get().attempts == attempt
    message = rows().get()
    assert (message.status, message.attempts) == ("failed", 3)
    assert worker.retry.call_count == 2
    assert mail.outbox == []
    # The error's text can hold the address: only its type reaches the log.
    assert person.email not in caplog.text
    assert "SMTPException" in caplog.text


def test_an_address_the_server_refuses_fails_at_once(person, send, worker, failing_mail):
    failing_mail(SMTPRecipientsRefused({"x@test.nhs.net": (550, b"no such user")}))
    send(a_message(person))
    message = rows().get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("PermanentFailure")
    assert worker.retry.call_count == 0


def test_a_temporary_refusal_of_the_address_is_retried_not_failed(
    person, send, worker, failing_mail
):
    # Greylisting and "451 try again later" name the address too; only 5xx is final.
    failing_mail(SMTPRecipientsRefused({"x@test.nhs.net": (451, b"try again later")}))
    send(a_message(person))
    message = rows().get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("SMTPRecipientsRefused")
    assert worker.retry.call_count == 1


def test_one_failure_does_not_stop_the_rest_of_the_batch(person, send, worker, failing_mail):
    other = UserFactory(with_profile=True)
    failing_mail(SMTPRecipientsRefused({"x@test.nhs.net": (550, b"no such user")}))
    send(a_message(person, key="a"), a_message(other, key="b"))
    assert [m.status for m in rows()] == ["failed", "failed"]


# --- Unsubscribing -------------------------------------------------------------------------------


def test_a_person_email_carries_one_click_unsubscribe_headers(person, send, worker):
    send(a_message(person))
    email = mail.outbox[0]
    link = "http://localhost:8000" + unsubscribe.path_for("wellbeing", rows().get().pk)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body


def test_the_duty_inbox_email_has_no_unsubscribe(send, worker, settings):
    send(a_duty_alert())
    email = mail.outbox[0]
    assert "List-Unsubscribe" not in email.extra_headers
    assert "List-Unsubscribe-Post" not in email.extra_headers
    assert "/emails/unsubscribe/" not in email.body


@pytest.fixture
def unsubscribe_link(person, send, worker):
    send(a_message(person))
    return unsubscribe.path_for("wellbeing", rows().get().pk)


def test_opening_the_unsubscribe_link_asks_first_and_changes_nothing(client, unsubscribe_link):
    page = client.get(unsubscribe_link)
    assert page.status_code == 200
    assert "Stop emails about your referral to the Resilience Hub" in page.content.decode()
    assert not OptOut.objects.using("confidential").exists()


def test_a_mail_clients_one_click_post_unsubscribes_without_signing_in(
    person, unsubscribe_link, send, worker
):
    # Mail clients send no CSRF token and no cookies (RFC 8058).
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_link,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert list(OptOut.objects.using("confidential").values_list("recipient_ref", "category")) == [
        (staff_ref_for(person.pk), outreach.UPDATES)
    ]

    send(a_message(person, key="event:2"))
    assert rows().get(idempotency_key="event:2").skip_reason == "opted_out"
    assert len(mail.outbox) == 1


def test_unsubscribing_twice_is_harmless(client, unsubscribe_link):
    client.post(unsubscribe_link)
    client.post(unsubscribe_link)
    assert OptOut.objects.using("confidential").count() == 1
    assert "You have already unsubscribed" in client.get(unsubscribe_link).content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link.replace("/unsubscribe/", "/unsubscribe/x"),
        lambda link: link[:-3] + "/",
        lambda link: reverse("unsubscribe", args=[unsubscribe.token_for("nowhere", 1)]),
        lambda link: reverse("unsubscribe", args=[unsubscribe.token_for("wellbeing", 999_999)]),
    ],
)
def test_a_tampered_unsubscribe_link_says_so_plainly(client, unsubscribe_link, tamper):
    for method in (client.get, client.post):
        response = method(tamper(unsubscribe_link))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert not OptOut.objects.using("confidential").exists()


def test_a_duty_alert_cannot_be_unsubscribed_from(client, send, worker):
    send(a_duty_alert())
    link = unsubscribe.path_for("wellbeing", rows().get().pk)
    assert client.post(link).status_code == 404
    assert not OptOut.objects.using("confidential").exists()


# --- Quiet hours and backoff, as units -----------------------------------------------------------


def local(hour: int, minute: int = 0, day: int = 15, month: int = 1) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(20, 59), None),
        (local(21, 0), local(8, 0, day=16)),
        (local(23, 30), local(8, 0, day=16)),
        (local(0, 0), local(8, 0)),
        (local(7, 59), local(8, 0)),
        (local(8, 0), None),
        (local(12, 0), None),
        # Summer time: still eight o'clock on the clock.
        (local(22, 0, month=7), local(8, 0, day=16, month=7)),
    ],
)
def test_quiet_hours_across_midnight(settings, now, expected):
    settings.OUTREACH_QUIET_HOURS = (21, 8)
    assert quiet_until(now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(12, 59), None),
        (local(13, 0), local(14, 0)),
        (local(13, 59), local(14, 0)),
        (local(14, 0), None),
    ],
)
def test_quiet_hours_within_one_day(settings, now, expected):
    settings.OUTREACH_QUIET_HOURS = (13, 14)
    assert quiet_until(now) == expected


def test_equal_quiet_hours_turn_them_off(settings):
    settings.OUTREACH_QUIET_HOURS = (8, 8)
    assert quiet_until(local(8, 0)) is None
    assert quiet_until(local(3, 0)) is None


def test_quiet_hours_read_a_utc_clock_in_local_time(settings):
    settings.OUTREACH_QUIET_HOURS = (21, 8)
    # 20:30 UTC in July is 21:30 in London.
    utc = datetime.datetime(2026, 7, 15, 20, 30, tzinfo=datetime.UTC)
    assert quiet_until(utc) == local(8, 0, day=16, month=7)


def test_the_wait_between_attempts_doubles_and_stops_at_an_hour(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    for attempts, ceiling in [(1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (40, 3600)]:
        for _ in range(50):
            seconds = retry_delay(attempts).total_seconds()
            assert ceiling / 2 <= seconds <= ceiling, (attempts, seconds)


class UnreachableMailServer(BaseEmailBackend):
    """A mail server that cannot be reached: opening the connection fails."""

    opened = 0

    def open(self):
        UnreachableMailServer.opened += 1
        raise ConnectionRefusedError("connection refused")

    def send_messages(self, email_messages):
        self.open()


def test_a_mail_server_that_cannot_be_reached_means_a_retry_not_a_stuck_message(
    person, send, worker, settings
):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.UnreachableMailServer"
    UnreachableMailServer.opened = 0
    other = UserFactory(with_profile=True)
    send(a_message(person, key="a"), a_message(other, key="b"))
    assert [(m.status, m.attempts) for m in rows()] == [("pending", 1)] * 2
    assert all(m.last_error.startswith("ConnectionRefusedError") for m in rows())
    assert worker.retry.call_count == 2
    # One try at connecting per batch: a server that is down must not eat the task's time.
    assert UnreachableMailServer.opened == 1


def test_a_batch_with_nothing_to_send_never_connects_to_the_mail_server(
    person, send, worker, settings
):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.UnreachableMailServer"
    UnreachableMailServer.opened = 0
    OptOut.objects.using("confidential").create(
        recipient_ref=staff_ref_for(person.pk), category=outreach.UPDATES
    )
    send(a_message(person))
    assert rows().get().skip_reason == "opted_out"
    assert UnreachableMailServer.opened == 0


def test_a_link_for_a_category_that_no_longer_exists_says_so_plainly(
    client, unsubscribe_link, monkeypatch
):
    monkeypatch.delitem(registry.get("wellbeing").categories, outreach.UPDATES)
    response = client.post(unsubscribe_link)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
