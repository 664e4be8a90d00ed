"""Pausing, resuming and stopping an outreach campaign once it has started: what the hub lead sees,
what the outbox does, and the race between stopping and a worker releasing a batch."""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.outbox import delivery, queueing, registry
from portal.outbox.channels import EmailChannel
from portal.outbox.models import SkipReason, Status
from tests.wellbeing.test_campaigns import (
    NURSES,
    a_campaign,
    a_hub_lead,
    a_member,
    reread,
    rows_for,
    start,
)
from wellbeing import audit
from wellbeing.models import AuditEntry, CampaignStatus
from wellbeing.services import campaigns

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def a_started_campaign(people: int = 5, lead=None):
    for _ in range(people):
        a_member()
    campaign = a_campaign(lead, staff_groups=[NURSES])
    start(campaign, lead)
    return reread(campaign)


def ids_of(campaign) -> list[int]:
    return sorted(rows_for(campaign).values_list("pk", flat=True))


def statuses(campaign) -> list[str]:
    return list(rows_for(campaign).order_by("pk").values_list("status", flat=True))


# --- Pausing and resuming ------------------------------------------------------------------------


def test_a_paused_campaign_sends_nothing_more_even_when_a_worker_is_handed_its_rows(mailoutbox):
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    assert campaigns.do_pause_campaign(campaign_id=campaign.pk, acting_user=lead) == 5
    assert reread(campaign).status == CampaignStatus.PAUSED
    assert queueing.sweep("wellbeing") == 0
    delivery.deliver("wellbeing", ids_of(campaign))
    assert mailoutbox == []
    assert set(statuses(campaign)) == {Status.PENDING}


def test_resuming_sends_the_rest_throttled_from_the_moment_it_resumes(settings, mailoutbox):
    settings.OUTREACH_CAMPAIGN_PER_MINUTE = 2
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    campaigns.do_pause_campaign(campaign_id=campaign.pk, acting_user=lead)
    before = timezone.now()
    assert campaigns.do_resume_campaign(campaign_id=campaign.pk, acting_user=lead) == 5
    assert reread(campaign).status == CampaignStatus.SENDING
    due = list(rows_for(campaign).order_by("pk").values_list("due_at", flat=True))
    minute = datetime.timedelta(minutes=1)
    first = due[0]
    assert before <= first <= timezone.now()
    assert due == [first, first, first + minute, first + minute, first + 2 * minute]
    # The sweep releases the first minute's two; the rest wait for their minutes.
    assert queueing.sweep("wellbeing") == 2


def test_a_batch_a_worker_claimed_before_the_pause_still_goes_whole(mailoutbox):
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    ids = ids_of(campaign)
    batch = delivery._Batch(registry.get("wellbeing"), uuid.uuid4(), timezone.now())
    delivery.claim(batch, ids[:2])
    assert campaigns.do_pause_campaign(campaign_id=campaign.pk, acting_user=lead) == 3
    assert statuses(campaign)[:2] == [Status.SENDING, Status.SENDING]


# --- Stopping ------------------------------------------------------------------------------------


def test_stopping_cancels_the_invitations_not_yet_sent_and_keeps_those_sent(mailoutbox):
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    ids = ids_of(campaign)
    delivery.deliver("wellbeing", ids[:2])
    assert campaigns.do_stop_campaign(campaign_id=campaign.pk, acting_user=lead) == 3
    stopped = reread(campaign)
    assert stopped.status == CampaignStatus.CANCELLED
    assert stopped.stopped_at is not None
    assert statuses(campaign) == [Status.SENT] * 2 + [Status.SKIPPED] * 3
    assert set(
        rows_for(campaign).filter(status=Status.SKIPPED).values_list("skip_reason", flat=True)
    ) == {SkipReason.WITHDRAWN}
    delivery.deliver("wellbeing", ids)
    assert len(mailoutbox) == 2
    summary = campaigns.campaign_summary(stopped)
    assert (summary.sent, summary.waiting, summary.stopped, summary.not_sent) == (2, 0, 3, 0)


def test_a_paused_campaign_can_be_stopped_and_a_stopped_one_cannot_start_again():
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    campaigns.do_pause_campaign(campaign_id=campaign.pk, acting_user=lead)
    assert campaigns.do_stop_campaign(campaign_id=campaign.pk, acting_user=lead) == 5
    for change in (
        campaigns.do_pause_campaign,
        campaigns.do_resume_campaign,
        campaigns.do_stop_campaign,
    ):
        with pytest.raises(campaigns.CampaignNotRunning):
            change(campaign_id=campaign.pk, acting_user=lead)
    assert start(reread(campaign), lead) == 0
    assert set(statuses(campaign)) == {Status.SKIPPED}
    # A stopped campaign is not later marked "sent".
    campaigns.mark_finished_campaigns_sent()
    assert reread(campaign).status == CampaignStatus.CANCELLED


def test_pausing_resuming_and_stopping_are_each_audited_with_who_and_why():
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    campaigns.do_pause_campaign(campaign_id=campaign.pk, acting_user=lead)
    campaigns.do_resume_campaign(campaign_id=campaign.pk, acting_user=lead)
    campaigns.do_stop_campaign(campaign_id=campaign.pk, acting_user=lead)
    reasons = list(
        AuditEntry.objects.using("confidential")
        .filter(object_type="campaign", object_id=campaign.pk, action="update")
        .values_list("reason", flat=True)
    )
    assert reasons == [
        "Paused an outreach campaign",
        "Resumed an outreach campaign",
        "Stopped an outreach campaign",
    ]


# --- The pages -----------------------------------------------------------------------------------


@pytest.fixture
def hub_lead(client):
    lead = a_hub_lead()
    client.force_login(lead)
    return lead


def test_the_hub_lead_pauses_resumes_and_stops_from_the_campaign_page(client, hub_lead):
    campaign = a_started_campaign(lead=hub_lead)
    page_url = reverse("wellbeing:campaign", args=[campaign.pk])
    page = client.get(page_url).content.decode()
    assert "Pause sending" in page
    assert "Stop the campaign" in page
    response = client.post(reverse("wellbeing:campaign_pause", args=[campaign.pk]), follow=True)
    page = response.content.decode()
    assert "Sending is paused: 5 invitations will wait until you resume it." in page
    assert "Resume sending" in page
    assert "Pause sending" not in page
    response = client.post(reverse("wellbeing:campaign_resume", args=[campaign.pk]), follow=True)
    assert "Sending has resumed: 5 invitations" in response.content.decode()
    confirm = client.get(reverse("wellbeing:campaign_stop", args=[campaign.pk])).content.decode()
    assert "5 invitations not yet sent will be cancelled" in confirm
    response = client.post(reverse("wellbeing:campaign_stop", args=[campaign.pk]), follow=True)
    page = response.content.decode()
    assert "The campaign is stopped: 5 invitations will not be sent." in page
    assert 'id="count-stopped">5<' in page
    assert "Pause sending" not in page
    assert "Stop the campaign" not in page


def test_stopping_twice_says_it_has_already_stopped_and_changes_nothing(client, hub_lead):
    campaign = a_started_campaign(lead=hub_lead)
    url = reverse("wellbeing:campaign_stop", args=[campaign.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "This campaign is not sending, so there is nothing to stop." in response.content.decode()
    assert (
        AuditEntry.objects.using("confidential")
        .filter(reason="Stopped an outreach campaign")
        .count()
        == 1
    )


def test_a_draft_cannot_be_paused_or_stopped(client, hub_lead):
    campaign = a_campaign(hub_lead, everyone=True)
    response = client.post(reverse("wellbeing:campaign_pause", args=[campaign.pk]), follow=True)
    assert "nothing to pause" in response.content.decode()
    response = client.get(reverse("wellbeing:campaign_stop", args=[campaign.pk]), follow=True)
    assert "nothing to stop" in response.content.decode()
    assert reread(campaign).status == CampaignStatus.DRAFT


def test_pausing_by_get_is_refused(client, hub_lead):
    campaign = a_started_campaign(lead=hub_lead)
    assert client.get(reverse("wellbeing:campaign_pause", args=[campaign.pk])).status_code == 405
    assert reread(campaign).status == CampaignStatus.SENDING


# --- The race between stopping and a worker ---------------------------------------------------------


def _in_thread(target, *args):
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["result"] = target(*args)
        except Exception as error:  # noqa: BLE001 - reported by the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _waits_for_a_lock(sessions: int = 1, timeout: float = 10.0) -> bool:
    """Whether this many sessions of the confidential database are waiting for a lock."""
    deadline = time.monotonic() + timeout
    with connections["confidential"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= sessions:
                return True
            time.sleep(0.05)
    return False


@pytest.fixture
def hub_roles_exist():
    # The roles come from a data migration, which an earlier transactional test's flush empties.
    for name in (roles.HUB_CLINICIAN, roles.HUB_LEAD):
        Group.objects.get_or_create(name=name)


@pytest.mark.django_db(databases=["default", "confidential"], transaction=True)
def test_a_worker_handed_a_batch_while_the_campaign_stops_sends_none_of_it(
    mailoutbox, hub_roles_exist
):
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    ids = ids_of(campaign)
    stop_holds = threading.Event()
    let_stop_commit = threading.Event()
    record = audit.record

    def record_then_wait(**kwargs):
        record(**kwargs)
        stop_holds.set()
        assert let_stop_commit.wait(20)

    with mock.patch.object(audit, "record", record_then_wait):
        stopping, stopped = _in_thread(
            lambda: campaigns.do_stop_campaign(campaign_id=campaign.pk, acting_user=lead)
        )
        assert stop_holds.wait(20)
        # The stop has cancelled the rows but not committed: the worker must wait for it.
        worker, worked = _in_thread(delivery.deliver, "wellbeing", ids[:3])
        assert _waits_for_a_lock()
        let_stop_commit.set()
        stopping.join(20)
        worker.join(20)
    assert stopped == {"result": 5}
    assert "error" not in worked
    assert mailoutbox == []
    assert statuses(campaign) == [Status.SKIPPED] * 5


@pytest.mark.django_db(databases=["default", "confidential"], transaction=True)
def test_a_batch_a_worker_has_claimed_goes_whole_when_the_campaign_stops_mid_send(
    mailoutbox, hub_roles_exist
):
    lead = a_hub_lead()
    campaign = a_started_campaign(lead=lead)
    ids = ids_of(campaign)
    sending = threading.Event()
    let_send = threading.Event()
    send = EmailChannel.send

    def slow_send(channel, email):
        sending.set()
        assert let_send.wait(20)
        send(channel, email)

    with mock.patch.object(EmailChannel, "send", slow_send):
        worker, worked = _in_thread(delivery.deliver, "wellbeing", ids[:3])
        assert sending.wait(20)
        # The worker holds its claimed batch of three and is sending the first.
        assert campaigns.do_stop_campaign(campaign_id=campaign.pk, acting_user=lead) == 2
        let_send.set()
        worker.join(20)
    assert "error" not in worked
    assert len(mailoutbox) == 3
    assert statuses(campaign) == [Status.SENT] * 3 + [Status.SKIPPED] * 2


@pytest.mark.django_db(databases=["default", "confidential"], transaction=True)
def test_a_worker_and_a_stop_caught_in_each_others_batch_never_split_it(
    mailoutbox, hub_roles_exist
):
    lead = a_hub_lead()
    campaign = a_started_campaign(people=40, lead=lead)
    ids = ids_of(campaign)
    batch = ids[10:30]
    # Rewrite the rows last first, so the table holds them in the opposite order to their ids:
    # whoever locks in the order rows lie on disk, not by id, meets the other head on.
    for pk in reversed(ids):
        rows_for(campaign).filter(pk=pk).update(enqueued_at=timezone.now())
    # Someone else holds one row in the middle of the batch, so the worker is caught mid-claim.
    holding = threading.Event()
    let_go = threading.Event()

    def hold_one_row():
        with transaction.atomic(using="confidential"):
            list(rows_for(campaign).filter(pk=batch[10]).select_for_update())
            holding.set()
            assert let_go.wait(20)

    holder, _ = _in_thread(hold_one_row)
    assert holding.wait(20)
    worker, worked = _in_thread(delivery.deliver, "wellbeing", batch)
    assert _waits_for_a_lock(sessions=1)
    stopping, stopped = _in_thread(
        lambda: campaigns.do_stop_campaign(campaign_id=campaign.pk, acting_user=lead)
    )
    assert _waits_for_a_lock(sessions=2)
    let_go.set()
    for thread in (holder, worker, stopping):
        thread.join(30)
    assert "error" not in worked
    assert "error" not in stopped
    # The worker reached the batch first, so it has all of it; the stop cancelled the rest.
    assert statuses(campaign) == [Status.SKIPPED] * 10 + [Status.SENT] * 20 + [Status.SKIPPED] * 10
    assert len(mailoutbox) == 20
    assert stopped["result"] == 20
