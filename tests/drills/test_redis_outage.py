"""Drill: Redis stops while staff are sending self-referrals, and comes back empty."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from tests.drills.conftest import drain, outbox_rows, record, statuses
from tests.factories import UserFactory
from tests.wellbeing.referral_steps import CONTACT, PAGES, answer_every_page
from wellbeing.models import Referral, ReferralDraft
from wellbeing.pseudonyms import staff_ref_for

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, databases="__all__")]

REFERRALS = 100
BEFORE_THE_OUTAGE = 30


def ready_to_send(client: Client, count: int) -> list[tuple[User, uuid.UUID]]:
    """`count` staff, each with a finished draft: the first answered page by page, the others
    given the same answers (answering 12 pages 100 times would only slow the drill down)."""
    users = [UserFactory(with_profile=True) for _ in range(count)]
    client.force_login(users[0])
    answer_every_page(client)
    drafts = ReferralDraft.objects.using("confidential")
    answers = drafts.get().data
    drafts.bulk_create(
        ReferralDraft(
            staff_ref=staff_ref_for(user.pk),
            submission_key=uuid.uuid4(),
            data=answers,
            expires_at=timezone.now() + timedelta(hours=1),
        )
        for user in users[1:]
    )
    keys = dict(drafts.values_list("staff_ref", "submission_key"))
    return [(user, keys[staff_ref_for(user.pk)]) for user in users]


def send_all(client: Client, senders: list[tuple[User, uuid.UUID]]) -> float:
    """Send each draft from "Check your answers" as its owner; mean seconds per referral."""
    started = time.monotonic()
    for user, key in senders:
        client.force_login(user)
        response = client.post(reverse("wellbeing:refer_check"), {"submission_key": key})
        assert response.status_code == 302
        assert response["Location"] == reverse("wellbeing:refer_sent")
    return (time.monotonic() - started) / len(senders)


def test_referrals_sent_while_redis_is_down_are_kept_and_emailed_once_when_it_is_back(
    client, private_redis, start_worker, mail_server
):
    senders = ready_to_send(client, REFERRALS)
    # No worker yet: these hand-offs wait in Redis, and are lost with it when it stops.
    while_up = send_all(client, senders[:BEFORE_THE_OUTAGE])
    private_redis.stop()
    while_down = send_all(client, senders[BEFORE_THE_OUTAGE:])

    assert Referral.objects.using("confidential").count() == REFERRALS
    assert statuses() == {"pending": REFERRALS}
    never_handed_over = outbox_rows().filter(enqueued_at__isnull=True).count()
    assert never_handed_over == REFERRALS - BEFORE_THE_OUTAGE

    private_redis.start()  # empty: the 30 hand-offs it held are gone
    start_worker("after-the-outage")
    seconds = drain(timeout=60)

    assert statuses() == {"sent": REFERRALS}
    per_recipient = mail_server.per_recipient()
    assert set(per_recipient) == {user.email for user, _ in senders}
    assert set(per_recipient.values()) == {1}, "an email was sent twice"
    # Each says only that the hub has the referral: no reference, name or answer.
    references = set(Referral.objects.using("confidential").values_list("reference", flat=True))
    for message in mail_server.received:
        text = message.subject + message.body
        assert not any(reference in text for reference in references)
        assert CONTACT["name"] not in text
        assert PAGES["about"]["whats_happening"] not in text
    record(
        "Redis down during 100 self-referrals",
        f"{REFERRALS} referrals saved ({BEFORE_THE_OUTAGE} before the outage, their queued "
        f"hand-offs lost with Redis; {never_handed_over} during it); sending took "
        f"{while_up * 1000:.0f} ms a referral with Redis up, {while_down * 1000:.0f} ms down; "
        f"after Redis and a worker were back the sweep had every email sent in {seconds:.1f} s; "
        f"{mail_server.count()} emails, 0 duplicates",
    )
