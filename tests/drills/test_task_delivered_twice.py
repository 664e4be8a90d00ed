"""Drill: the broker delivers the same task more than once (a redelivery after a lost ack, or
the sweep handing over messages whose first task is still queued), to two workers at once."""

from __future__ import annotations

from unittest import mock

import pytest

from portal.outbox import queueing
from portal.outbox.tasks import deliver_messages
from tests.drills.conftest import make_recipients, outbox_rows, queue_notices, record, statuses

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, databases="__all__")]

MESSAGES = 100
COPIES = 4


def test_copies_of_one_task_run_by_two_workers_at_once_send_each_email_once(
    start_worker, mail_server
):
    users = make_recipients(MESSAGES, "twice")
    with mock.patch.object(queueing, "hand_off"):  # only the copies below carry these ids
        queue_notices(users, "twice")
    ids = sorted(outbox_rows().values_list("pk", flat=True))
    # The same task several times over, all waiting before either worker starts.
    copies = [deliver_messages.apply_async(("wellbeing", ids)) for _ in range(COPIES)]
    mail_server.delay = 0.01  # each send takes a moment, so the copies overlap in time
    start_worker("one")
    start_worker("two")

    outcomes = [copy.get(timeout=60) for copy in copies]

    assert statuses() == {"sent": MESSAGES}
    per_recipient = mail_server.per_recipient()
    assert set(per_recipient) == {user.email for user in users}
    assert set(per_recipient.values()) == {1}, "an email was sent twice"
    assert mail_server.count() == MESSAGES
    record(
        f"same task delivered {COPIES} times, 2 workers",
        f"{MESSAGES} messages, {mail_server.count()} emails, 0 duplicates; the {COPIES} copies "
        f"of the whole batch sent {[outcome.get('sent', 0) for outcome in outcomes]}",
    )
