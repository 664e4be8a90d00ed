"""Drill: the mail server refuses for a while (451, try again later), then recovers."""

from __future__ import annotations

import time

import pytest

from tests.drills.conftest import (
    OUTBOX_TIMINGS,
    drain,
    make_recipients,
    outbox_rows,
    queue_notices,
    record,
    statuses,
)
from tests.drills.services import wait_until

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, databases="__all__")]

EACH = 20
MAX_ATTEMPTS = OUTBOX_TIMINGS["OUTBOX_MAX_ATTEMPTS"]


def test_a_refusing_mail_server_gets_retries_then_failures_and_nothing_twice_after(
    start_worker, mail_server
):
    worker = start_worker("one")
    mail_server.refusing = True
    given_up = make_recipients(EACH, "given-up")
    started = time.monotonic()
    queue_notices(given_up, "given-up")
    failed = outbox_rows().filter(status="failed")
    wait_until(lambda: failed.count() == EACH, timeout=60, what="the retries to run out")
    seconds_to_fail = time.monotonic() - started

    # Visible: each failure says why, after every attempt was used, and nothing was sent.
    for row in failed:
        assert row.attempts == MAX_ATTEMPTS
        assert "451" in row.last_error
    assert mail_server.count() == 0
    # The log says which message failed and how, never to whom.
    log = worker.log_text()
    assert f"failed on attempt {MAX_ATTEMPTS}" in log
    assert "drill.test.nhs.net" not in log

    # More messages while it still refuses: they fail once or twice, then it recovers.
    retried = make_recipients(EACH, "retried")
    queue_notices(retried, "retried")
    later = outbox_rows().filter(idempotency_key__startswith="drill:retried:")
    wait_until(
        lambda: not later.filter(attempts=0).exists() and not later.filter(status="sending"),
        timeout=30,
        what="a first refused attempt at each",
    )
    mail_server.refusing = False
    seconds_to_send = drain(timeout=60)
    time.sleep(3)  # any stray retry would arrive now
    drain(timeout=10)

    assert statuses() == {"failed": EACH, "sent": EACH}
    per_recipient = mail_server.per_recipient()
    assert set(per_recipient) == {user.email for user in retried}, "a failed message was sent"
    assert set(per_recipient.values()) == {1}, "an email was sent twice"
    assert all(row.last_error == "" for row in later)
    record(
        "mail server refusing (451), then recovering",
        f"{EACH} messages refused at each of {MAX_ATTEMPTS} attempts (backoff from 1 s) were "
        f"marked failed with the server's status code after {seconds_to_fail:.1f} s and never sent; "
        f"{EACH} more, refused at first, were each sent once {seconds_to_send:.1f} s after it "
        f"recovered; {mail_server.count()} emails, 0 duplicates",
    )
