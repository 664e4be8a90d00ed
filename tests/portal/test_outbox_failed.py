"""The failed-emails pages: the hub lead sees the hub's, curators the portal's, and either can try
one again. Neither page says who an email was for, or what the mail server said about them."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.models import OutboxMessage as PortalMessage
from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from wellbeing.models import OutboxMessage as HubMessage
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

HUB = reverse("wellbeing:outbox_failed")
CURATE = reverse("learning:curate_emails_failed")
MFA_SETUP = reverse("mfa_activate_totp")
SECRET_ADDRESS = "hidden.person@test.nhs.net"


def a_failed_hub_message(n: int = 1, **fields) -> HubMessage:
    message = outreach.to_user(
        4242,
        idempotency_key=f"hub-message:{n}:notice",
        category=outreach.UPDATES,
        template="wellbeing/new_message",
        context={"path": "/hub/my-hub/"},
        **{
            "status": "failed",
            "attempts": 6,
            "last_error": f"SMTPRecipientsRefused: {{'{SECRET_ADDRESS}': (550, b'no')}}",
            **fields,
        },
    )
    message.save(using="confidential")
    return message


def a_failed_portal_message(**fields) -> PortalMessage:
    return PortalMessage.objects.create(
        idempotency_key="reviews:curator:1:2026-01-12",
        category="curator_reminders",
        template="learning/curator_reviews",
        recipient_ref="1",
        context={"path": "/learning/curate/", "review_due": 2, "broken_links": 0},
        status="failed",
        attempts=1,
        last_error="PermanentFailure: the mail server refused the address",
        **fields,
    )


@pytest.fixture
def hub_lead(client):
    user = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    client.force_login(user)
    return user


@pytest.fixture
def curator(client):
    user = UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)
    client.force_login(user)
    return user


# --- Who may see them ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HUB, CURATE])
def test_anonymous_visitors_are_asked_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [HUB, CURATE])
@pytest.mark.parametrize("role_list", [[], [roles.TEAM_LEAD]])
def test_other_staff_are_refused(client, url, role_list):
    client.force_login(UserFactory(with_profile=True, roles=role_list))
    assert client.get(url).status_code == 403
    assert client.post(url, {"message": "1"}).status_code == 403


@pytest.mark.parametrize(
    ("url", "role"),
    [(HUB, roles.HUB_CLINICIAN), (HUB, roles.CURATOR), (CURATE, roles.HUB_LEAD)],
)
def test_a_role_sees_only_its_own_outboxs_failures(client, url, role):
    client.force_login(UserFactory(with_profile=True, roles=[role], with_totp=True))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(("url", "role"), [(HUB, roles.HUB_LEAD), (CURATE, roles.CURATOR)])
def test_the_role_must_set_up_two_step_verification_first(client, url, role):
    client.force_login(UserFactory(with_profile=True, roles=[role]))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == MFA_SETUP


# --- What they see -------------------------------------------------------------------------------


def test_the_hub_lead_sees_what_failed_and_why_but_not_for_whom(client, hub_lead):
    a_failed_hub_message()
    page = client.get(HUB).content.decode()
    assert "Emails that could not be sent" in page
    assert "You have a new message from the Resilience Hub" in page
    assert "The mail server refused the address" in page
    assert "SMTPRecipientsRefused" in page
    assert "Try again" in page
    assert SECRET_ADDRESS not in page
    assert "4242" not in page


def test_a_curator_sees_the_portals_failures_only(client, curator):
    a_failed_portal_message()
    a_failed_hub_message()
    page = client.get(CURATE).content.decode()
    assert "Learning resources need your attention" in page
    assert "You have a new message" not in page
    assert "1 email could not be sent" in page


def test_sent_and_waiting_emails_are_not_listed(client, hub_lead):
    a_failed_hub_message(1, status="sent")
    a_failed_hub_message(2, status="pending")
    page = client.get(HUB).content.decode()
    assert "Every email has been sent or is waiting to be sent." in page


def test_the_curate_dashboard_links_to_its_page(client, curator):
    assert f'href="{CURATE}"' in client.get(reverse("learning:curate_index")).content.decode()


def test_many_failures_are_paged_newest_first(client, hub_lead):
    start = timezone.now() - datetime.timedelta(days=3)
    for n in range(30):
        a_failed_hub_message(n, created_at=start + datetime.timedelta(minutes=n))
    first = client.get(HUB).content.decode()
    assert first.count('name="message"') == 25
    assert 'aria-label="Page 2"' in first
    second = client.get(HUB, {"page": 2}).content.decode()
    assert second.count('name="message"') == 5
    assert client.get(HUB, {"page": "nonsense"}).status_code == 200
    assert client.get(HUB, {"page": "999"}).status_code == 200


def test_the_page_costs_the_same_queries_for_one_failure_or_many(client, hub_lead):
    a_failed_hub_message(0)
    client.get(HUB)
    with CaptureQueriesContext(connections["confidential"]) as one:
        client.get(HUB)
    for n in range(1, 20):
        a_failed_hub_message(n)
    with CaptureQueriesContext(connections["confidential"]) as many:
        client.get(HUB)
    assert len(one) == len(many) == 3  # the reader's hub roles, a count and one page of rows


# --- Trying again --------------------------------------------------------------------------------


def test_trying_again_resets_the_email_and_hands_it_to_the_worker(
    client, hub_lead, django_capture_on_commit_callbacks
):
    message = a_failed_hub_message()
    with (
        mock.patch.object(deliver_messages, "delay") as delay,
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        response = client.post(HUB, {"message": message.pk}, follow=True)
    assert "The email will be sent again in the next few minutes." in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("pending", 0, "")
    assert message.due_at <= timezone.now()
    delay.assert_called_once_with("wellbeing", [message.pk])


def test_a_curator_can_try_a_portal_email_again(
    client, curator, django_capture_on_commit_callbacks
):
    message = a_failed_portal_message()
    with (
        mock.patch.object(deliver_messages, "delay") as delay,
        django_capture_on_commit_callbacks(using="default", execute=True),
    ):
        client.post(CURATE, {"message": message.pk})
    message.refresh_from_db()
    assert message.status == "pending"
    delay.assert_called_once_with("portal", [message.pk])


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "99999999999999999999999", "\x00"])
def test_a_bad_retry_request_changes_nothing_and_says_so(client, hub_lead, value):
    message = a_failed_hub_message()
    response = client.post(HUB, {"message": value}, follow=True)
    assert response.status_code == 200
    assert "That email is no longer waiting to be tried again." in response.content.decode()
    message.refresh_from_db()
    assert message.status == "failed"


def test_the_curators_page_retries_only_the_portals_email_of_that_number(client, curator):
    portal_message = a_failed_portal_message()
    # Ids are per database: give a hub row the same id as the portal's.
    hub_message = a_failed_hub_message(pk=portal_message.pk)
    with mock.patch.object(deliver_messages, "delay"):
        client.post(CURATE, {"message": portal_message.pk})
    hub_message.refresh_from_db()
    portal_message.refresh_from_db()
    assert (hub_message.status, portal_message.status) == ("failed", "pending")


def test_a_sent_email_cannot_be_sent_again_this_way(client, hub_lead):
    message = a_failed_hub_message(status="sent")
    client.post(HUB, {"message": message.pk})
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_hub_page_links_the_hub_lead_to_its_page(client, hub_lead):
    assert f'href="{HUB}"' in client.get(reverse("wellbeing:index")).content.decode()


def test_the_hub_page_does_not_offer_the_link_to_a_clinician(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True))
    assert HUB not in client.get(reverse("wellbeing:index")).content.decode()
