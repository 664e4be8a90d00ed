"""The email preferences page: each person chooses the kinds of email that can reach them."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core import mail
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from portal.models import OptOut as PortalOptOut
from portal.outbox import delivery, preferences
from portal.outbox.queueing import queue
from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from wellbeing.models import OptOut, OutboxMessage
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

URL = reverse("email_preferences")
UPDATES = f"wellbeing:{outreach.UPDATES}"
CHECK_INS = f"wellbeing:{outreach.OUTREACH}"


def ticked(page: str) -> set[str]:
    return set(re.findall(r'value="([^"]+)" checked', page))


def offered(page: str) -> set[str]:
    return set(re.findall(r'type="checkbox" value="([^"]+)"', page))


def hub_opt_outs(user) -> set[str]:
    return set(
        OptOut.objects.using("confidential")
        .filter(recipient_ref=staff_ref_for(user.pk))
        .values_list("category", flat=True)
    )


@pytest.fixture
def me(client):
    user = UserFactory(with_profile=True)
    client.force_login(user)
    return user


def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_everything_is_ticked_until_you_choose(client, me):
    page = client.get(URL).content.decode()
    assert "Send me emails about" in page
    assert "Your referral to the Resilience Hub and new messages from it" in page
    assert offered(page) == ticked(page)
    assert {UPDATES, CHECK_INS} <= offered(page)


def test_staff_do_not_see_emails_meant_for_roles_they_do_not_hold(client, me):
    keys = {key.split(":")[1] for key in offered(client.get(URL).content.decode())}
    assert not keys & set(preferences.ROLES_FOR_CATEGORY)
    # The duty inbox's alerts go to a team inbox: nobody opts out of them here.
    assert outreach.DUTY not in keys


@pytest.mark.parametrize(
    ("role", "category"),
    [
        (roles.HUB_CLINICIAN, outreach.WORK),
        (roles.HUB_LEAD, outreach.WORK),
        (roles.TEAM_LEAD, outreach.TEAM_SUPPORT),
        (roles.CURATOR, "curator_reminders"),
    ],
)
def test_a_role_sees_the_emails_its_work_brings(client, role, category):
    user = UserFactory(with_profile=True, roles=[role], with_totp=True)
    client.force_login(user)
    keys = {key.split(":")[1] for key in offered(client.get(URL).content.decode())}
    assert category in keys
    others = set(preferences.ROLES_FOR_CATEGORY) - {
        c for c, held in preferences.ROLES_FOR_CATEGORY.items() if role in held
    }
    assert not keys & others


def test_unticking_saves_an_opt_out_and_says_so(client, me):
    everything = offered(client.get(URL).content.decode())
    response = client.post(URL, {"wanted": sorted(everything - {CHECK_INS})}, follow=True)
    page = response.content.decode()
    assert "Your email preferences have been saved." in page
    assert hub_opt_outs(me) == {outreach.OUTREACH}
    assert ticked(page) == everything - {CHECK_INS}


def test_ticking_again_opts_back_in(client, me):
    client.post(URL, {"wanted": []})
    assert outreach.UPDATES in hub_opt_outs(me)
    client.post(URL, {"wanted": [UPDATES]})
    assert outreach.UPDATES not in hub_opt_outs(me)
    assert outreach.OUTREACH in hub_opt_outs(me)


def test_saving_changes_nobody_elses_choices(client, me):
    other = UserFactory(with_profile=True)
    OptOut.objects.using("confidential").create(
        recipient_ref=staff_ref_for(other.pk), category=outreach.UPDATES
    )
    client.post(URL, {"wanted": [UPDATES]})
    assert hub_opt_outs(other) == {outreach.UPDATES}


def test_choices_for_the_portal_outbox_are_kept_by_user_id(client, settings):
    user = UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)
    client.force_login(user)
    portal_keys = {k for k in offered(client.get(URL).content.decode()) if k.startswith("portal:")}
    # Learning adds its reminders to the portal's outbox; curators get their own as well.
    assert {"portal:learning_reminders", "portal:curator_reminders"} <= portal_keys
    client.post(URL, {"wanted": []})
    refused = PortalOptOut.objects.filter(recipient_ref=str(user.pk))
    assert set(refused.values_list("category", flat=True)) == {
        key.split(":")[1] for key in portal_keys
    }


@pytest.mark.parametrize(
    "data",
    [
        {"wanted": ["wellbeing:hub_duty"]},
        {"wanted": ["nonsense"]},
        {"wanted": [f"wellbeing:{outreach.WORK}"]},
        {"wanted": "x" * 10_000},
        {"wanted": ["\x00"]},
        {"wanted": [UPDATES, "<script>alert(1)</script>"]},
    ],
)
def test_a_choice_not_offered_gets_a_plain_message_not_a_server_error(client, me, data):
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select only the kinds of email shown" in page
    assert "nhsuk-error-summary" in page
    assert "<script>alert" not in page
    assert hub_opt_outs(me) == set()


def test_a_post_with_nothing_ticked_turns_everything_off(client, me):
    response = client.post(URL, {"unexpected": "field"})
    assert response.status_code == 302
    assert {UPDATES, CHECK_INS} <= {f"wellbeing:{c}" for c in hub_opt_outs(me)}


def test_the_page_costs_the_same_queries_for_any_role(client):
    counts = []
    for role_list in ([], [roles.TEAM_LEAD], [roles.HUB_LEAD, roles.CURATOR, roles.TEAM_LEAD]):
        user = UserFactory(with_profile=True, roles=role_list, with_totp=True)
        client.force_login(user)
        client.get(URL)  # the first page of a session records it; count the second
        with (
            CaptureQueriesContext(connections["default"]) as default,
            CaptureQueriesContext(connections["confidential"]) as confidential,
        ):
            assert client.get(URL).status_code == 200
        counts.append((len(default), len(confidential)))
    assert len(set(counts)) == 1, counts
    assert counts[0][1] == 2  # the hub roles the user holds, and their hub opt-outs


def test_after_opting_out_the_next_email_of_that_kind_is_not_sent(
    client, me, django_capture_on_commit_callbacks
):
    client.post(URL, {"wanted": [UPDATES]})
    message = outreach.to_user(
        me.pk,
        idempotency_key="follow-up:1:invite",
        category=outreach.FOLLOW_UP,
        template="wellbeing/follow_up_invite",
        context={"path": "/hub/my-hub/"},
    )
    with (
        mock.patch.object(
            deliver_messages, "delay", side_effect=lambda label, ids: delivery.deliver(label, ids)
        ),
        django_capture_on_commit_callbacks(using="confidential", execute=True),
        transaction.atomic(using="confidential"),
    ):
        queue([message])
    row = OutboxMessage.objects.using("confidential").get()
    assert (row.status, row.skip_reason) == ("skipped", "opted_out")
    assert mail.outbox == []


def test_the_profile_page_links_here(client, me):
    assert f'href="{URL}"' in client.get(reverse("profile")).content.decode()
