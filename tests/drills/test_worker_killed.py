"""Drill: a worker killed with SIGKILL in the middle of a batch (the OOM killer, a lost host)."""

from __future__ import annotations

import time

import pytest

from tests.drills.conftest import (
    drain,
    make_recipients,
    outbox_rows,
    queue_notices,
    record,
    statuses,
)
from tests.drills.services import wait_until

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, databases="__all__")]

MESSAGES = 400  # eight tasks of 50


def test_after_a_worker_is_killed_mid_batch_a_new_one_sends_every_email_once(
    start_worker, mail_server
):
    mail_server.delay = 0.02
    first = start_worker("first")
    users = make_recipients(MESSAGES, "killed")
    queue_notices(users, "killed")
    wait_until(lambda: mail_server.count() >= 60, timeout=30, what="the first sends")

    # Both of its processes are now in the middle of a send: hold those sends at the server
    # (never accepted) and kill the whole worker there, children and all.
    mail_server.hold()
    wait_until(lambda: mail_server.held == 2, timeout=10, what="both processes to be mid-send")
    first.kill()
    mail_server.release()
    at_kill = statuses()
    assert at_kill.get("sending", 0) > 0, "the kill should leave messages claimed by the dead"
    assert at_kill.get("pending", 0) > 0
    sent_before = mail_server.count()

    started = time.monotonic()
    start_worker("second")
    seconds = drain(timeout=90)

    assert statuses() == {"sent": MESSAGES}
    per_recipient = mail_server.per_recipient()
    assert set(per_recipient) == {user.email for user in users}
    assert set(per_recipient.values()) == {1}, "an email was sent twice"
    assert max(outbox_rows().values_list("attempts", flat=True)) == 2  # the lapsed claims
    record(
        "worker SIGKILLed mid-batch",
        f"{MESSAGES} messages; at the kill {sent_before} sent, {at_kill['sending']} claimed by "
        f"the dead worker, {at_kill['pending']} waiting; a new worker and the sweep sent the "
        f"rest in {time.monotonic() - started:.1f} s (claims lapse after 5 s; the last message "
        f"{seconds:.1f} s after the new worker was ready); {mail_server.count()} emails, "
        "0 duplicates",
    )
