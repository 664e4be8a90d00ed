"""'My hub' pages over HTTP: scoping, re-authentication, audit, forms, hostile input, queries."""

from __future__ import annotations

import datetime
import json
import re
import time
import zoneinfo
from unittest import mock
from urllib.parse import quote

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD
from tests.submission_keys import a_key
from tests.wellbeing.factories import (
    CLINICIAN,
    HubMessageFactory,
    ReferralEventFactory,
    ReferralFactory,
    ScreeningResultFactory,
    a_hub_member_opens,
    a_referral_for,
    a_staff_member,
)
from wellbeing.audit import Actor
from wellbeing.forms.my_hub import REPLY_MAX_LENGTH
from wellbeing.models import AuditEntry, HubMessage, Referral, ReferralEventKind, ReferralStatus
from wellbeing.pseudonyms import staff_ref_for

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

PER_REFERRAL_PAGES = [
    "wellbeing:my_hub_messages",
    "wellbeing:my_hub_access",
    "wellbeing:my_hub_withdraw",
]
WHOLE_HUB_PAGES = [
    "wellbeing:my_hub",
    "wellbeing:my_hub_export_json",
    "wellbeing:my_hub_export_print",
]


@pytest.fixture
def me(sign_in):
    user = a_staff_member()
    sign_in(user)
    return user


def my_entries(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.using("confidential").filter(actor_ref=staff_ref_for(user.pk)))


def url(name: str, referral: Referral | None = None) -> str:
    return reverse(name, args=[referral.pk]) if referral else reverse(name)


def every_page(referral: Referral) -> list[str]:
    return [url(n) for n in WHOLE_HUB_PAGES] + [url(n, referral) for n in PER_REFERRAL_PAGES]


def age_the_sign_in(client, minutes: int) -> None:
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] = time.time() - minutes * 60
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


# --- Who may open the pages -----------------------------------------------------------------------


def test_every_page_asks_a_signed_out_visitor_to_sign_in(client):
    referral = ReferralFactory()
    for page in every_page(referral):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login")), page


def test_every_page_is_never_cached(client, me):
    referral = a_referral_for(me)
    for page in every_page(referral):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "no-store" in response["Cache-Control"], page


@pytest.mark.parametrize("name", PER_REFERRAL_PAGES)
def test_someone_elses_referral_is_not_found_never_forbidden(client, me, name):
    theirs = a_referral_for(a_staff_member())
    assert client.get(url(name, theirs)).status_code == 404
    if name != "wellbeing:my_hub_access":  # a GET-only page
        assert client.post(url(name, theirs), {"body": "Hello"}).status_code == 404
    assert Referral.objects.using("confidential").get().status == ReferralStatus.NEW
    assert not HubMessage.objects.using("confidential").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/hub/my-hub/0/messages/",
        "/hub/my-hub/99999999999999999999999999/messages/",
        "/hub/my-hub/9223372036854775808/withdraw/",
        "/hub/my-hub/-1/who-has-opened-it/",
        "/hub/my-hub/abc/messages/",
        "/hub/my-hub/%00/messages/",
    ],
)
def test_a_hostile_address_is_not_found(client, me, path):
    assert client.get(path).status_code == 404


def test_the_pages_refuse_other_methods(client, me):
    referral = a_referral_for(me)
    assert client.post(url("wellbeing:my_hub")).status_code == 405
    assert client.delete(url("wellbeing:my_hub_withdraw", referral)).status_code == 405
    assert client.post(url("wellbeing:my_hub_export_json")).status_code == 405


# --- Re-authentication --------------------------------------------------------------------------


def test_a_recent_sign_in_opens_my_hub_without_asking_again(client, me):
    assert client.get(url("wellbeing:my_hub")).status_code == 200


def test_an_old_sign_in_asks_for_the_password_again_and_comes_back(client, me, settings):
    settings.HUB_REAUTHENTICATE_AFTER_MINUTES = 15
    referral = a_referral_for(me)
    age_the_sign_in(client, 16)
    messages_url = url("wellbeing:my_hub_messages", referral) + "?x=1"

    response = client.get(messages_url)

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("account_reauthenticate") + "?next=" + quote(messages_url, safe="")
    )
    assert my_entries(me) == []  # nothing was read
    confirm = client.post(response["Location"], {"password": PASSWORD})
    assert confirm.status_code == 302
    assert confirm["Location"] == messages_url
    assert client.get(messages_url).status_code == 200


def test_the_time_before_asking_again_is_a_setting(client, me, settings):
    age_the_sign_in(client, 16)
    settings.HUB_REAUTHENTICATE_AFTER_MINUTES = 30
    assert client.get(url("wellbeing:my_hub")).status_code == 200
    settings.HUB_REAUTHENTICATE_AFTER_MINUTES = 10
    assert client.get(url("wellbeing:my_hub")).status_code == 302


def test_a_wrong_password_does_not_open_my_hub(client, me):
    age_the_sign_in(client, 60)
    response = client.post(
        reverse("account_reauthenticate") + "?next=/hub/my-hub/", {"password": "not-it"}
    )
    assert response.status_code == 200
    assert client.get(url("wellbeing:my_hub")).status_code == 302


def test_a_post_after_an_old_sign_in_is_not_acted_on_or_kept(client, me):
    referral = a_referral_for(me)
    age_the_sign_in(client, 60)
    response = client.post(url("wellbeing:my_hub_messages", referral), {"body": "Secret words"})
    assert response.status_code == 302
    assert quote(url("wellbeing:my_hub_messages", referral), safe="") in response["Location"]
    assert not HubMessage.objects.using("confidential").exists()
    assert "Secret words" not in json.dumps(dict(client.session.items()), default=str)


def test_signing_in_without_allauths_records_still_asks(client):
    user = a_staff_member()
    client.force_login(user)
    response = client.get(url("wellbeing:my_hub"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


# --- The overview -------------------------------------------------------------------------------


def test_the_overview_shows_my_referrals_status_timeline_and_unread_count(client, me):
    referral = a_referral_for(me, urgent=True, status=ReferralStatus.IN_ASSESSMENT)
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.RECEIVED)
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.ASSESSED)
    HubMessageFactory.create_batch(2, referral=referral)
    a_referral_for(a_staff_member(), reference="RH-NOT-MINE")

    page = client.get(url("wellbeing:my_hub")).content.decode()

    assert referral.reference in page
    assert "Being assessed" in page
    assert "We received your referral" in page
    assert "Rapid assessment completed" in page
    assert "2 new messages" in page
    assert "If you need help now" in page
    assert ">Urgent<" not in page
    assert "nhsuk-tag--red" not in page
    assert "RH-NOT-MINE" not in page
    [entry] = my_entries(me)
    assert (entry.action, entry.reason) == ("read", "Viewed in my hub")


def test_the_overview_without_referrals_says_how_to_refer(client, me):
    page = client.get(url("wellbeing:my_hub")).content.decode()
    assert "You have not referred yourself to the hub" in page
    assert reverse("wellbeing:index") in page
    assert "Download my data" not in page


def test_a_closed_referral_offers_no_withdrawal(client, me):
    a_referral_for(me, status=ReferralStatus.CLOSED)
    page = client.get(url("wellbeing:my_hub")).content.decode()
    assert "Withdraw this referral" not in page
    assert "Closed" in page


# --- Messages -----------------------------------------------------------------------------------


def test_the_messages_page_shows_the_thread_and_marks_the_hubs_messages_read(client, me):
    referral = a_referral_for(me)
    HubMessageFactory(referral=referral, body="When can we call?")
    HubMessageFactory(
        referral=referral, from_hub=False, author_ref=staff_ref_for(me.pk), body="Mornings."
    )
    page = client.get(url("wellbeing:my_hub_messages", referral)).content.decode()
    assert "Casey Clinician, Resilience Hub" in page
    assert "When can we call?" in page
    assert "Mornings." in page
    assert ">New<" in page
    assert not HubMessage.objects.using("confidential").filter(from_hub=True, read_at=None)
    again = client.get(url("wellbeing:my_hub_messages", referral)).content.decode()
    assert ">New<" not in again
    assert [e.reason for e in my_entries(me)] == ["Read messages in my hub"] * 2


def test_a_message_body_is_escaped(client, me):
    referral = a_referral_for(me)
    HubMessageFactory(referral=referral, body="<script>alert(1)</script>")
    page = client.get(url("wellbeing:my_hub_messages", referral)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_reply_is_sent_then_the_page_is_shown_again(client, me):
    referral = a_referral_for(me)
    response = client.post(url("wellbeing:my_hub_messages", referral), {"body": "Mornings."})
    assert response.status_code == 302
    assert response["Location"] == url("wellbeing:my_hub_messages", referral)
    message = HubMessage.objects.using("confidential").get()
    assert (message.body, message.from_hub) == ("Mornings.", False)
    page = client.get(response["Location"]).content.decode()
    assert "Your message was sent to the Resilience Hub." in page
    assert "Mornings." in page


def test_a_double_submitted_reply_creates_one_message(client, me):
    referral = a_referral_for(me)
    form = {"body": "Mornings.", "submission_key": a_key()}
    for _ in range(2):
        response = client.post(url("wellbeing:my_hub_messages", referral), form)
    assert HubMessage.objects.using("confidential").count() == 1
    assert (
        "Your message was sent to the Resilience Hub."
        in client.get(response["Location"]).content.decode()
    )


def test_the_same_reply_sent_again_from_a_fresh_form_is_a_second_message(client, me):
    referral = a_referral_for(me)
    for _ in range(2):
        client.post(url("wellbeing:my_hub_messages", referral), {"body": "Thank you."})
    assert HubMessage.objects.using("confidential").count() == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Enter your message"),
        ("   \n ", "Enter your message"),
        ("x" * (REPLY_MAX_LENGTH + 1), "Your message must be 5,000 characters or fewer"),
        ("nul\x00byte", "Your message must only include letters, numbers and punctuation"),
    ],
)
def test_an_invalid_reply_shows_the_error_in_plain_english(client, me, body, error):
    referral = a_referral_for(me)
    response = client.post(url("wellbeing:my_hub_messages", referral), {"body": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert error in page
    assert not HubMessage.objects.using("confidential").exists()


def test_a_reply_of_the_longest_length_is_accepted(client, me):
    referral = a_referral_for(me)
    client.post(url("wellbeing:my_hub_messages", referral), {"body": "x" * REPLY_MAX_LENGTH})
    assert HubMessage.objects.using("confidential").count() == 1


def test_hostile_reply_posts_are_handled(client, me):
    referral = a_referral_for(me)
    target = url("wellbeing:my_hub_messages", referral)
    assert client.post(target, {"body": ["a", "b"]}).status_code in (302, 400)
    assert client.post(target, {}).status_code == 400
    assert client.post(target, "not a form", content_type="text/plain").status_code == 400
    invalid_utf8 = b"body=%FF%FE%00"
    response = client.post(target, invalid_utf8, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)


def test_a_closed_referral_cannot_be_replied_to(client, me):
    referral = a_referral_for(me, status=ReferralStatus.WITHDRAWN)
    page = client.get(url("wellbeing:my_hub_messages", referral)).content.decode()
    assert "Send message" not in page
    response = client.post(
        url("wellbeing:my_hub_messages", referral), {"body": "Hello?"}, follow=True
    )
    assert "This referral is closed, so you cannot reply to it." in response.content.decode()
    assert not HubMessage.objects.using("confidential").exists()


# --- Who has opened my record -----------------------------------------------------------------------


def test_the_access_page_lists_hub_staff_but_not_me(client, me):
    referral = a_referral_for(me)
    a_hub_member_opens(referral, reason="Rapid assessment")
    a_hub_member_opens(ScreeningResultFactory(referral=referral), reason="Reviewed scores")
    client.get(url("wellbeing:my_hub"))
    page = client.get(url("wellbeing:my_hub_access", referral)).content.decode()
    assert "Casey Clinician" in page
    assert "Hub clinician" in page
    assert "Opened your questionnaire answers" in page
    assert "Reviewed scores" in page
    assert "Staff member" not in page
    assert "Viewed in my hub" not in page
    assert my_entries(me)[-1].reason == "Viewed who has opened my record"


def opened_at(obj, when: datetime.datetime, *, actor: Actor = CLINICIAN, **kwargs) -> None:
    """A hub member's look at `obj` written down as at `when`."""
    with mock.patch("wellbeing.audit.timezone.now", return_value=when):
        a_hub_member_opens(obj, actor=actor, **kwargs)


DECEMBER_2 = datetime.datetime(2026, 12, 2, 10, 2, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
ROBIN = Actor(ref="r" * 64, role="Hub lead", name="Robin Lead")


def test_twenty_looks_in_three_minutes_are_one_line_with_every_entry_a_click_away(client, me):
    referral = a_referral_for(me)
    for second in range(0, 180, 9):
        opened_at(referral, DECEMBER_2 + datetime.timedelta(seconds=second), reason="Triage")
    page = client.get(url("wellbeing:my_hub_access", referral)).content.decode()
    assert (
        "Casey Clinician, hub clinician, looked at your record 20 times between 10:02 and 10:04 "
        "on 2 December 2026." in page
    )
    assert page.count("<details") == 1
    assert "Each of the 20 entries" in page
    assert page.count(">Triage</td>") == 20  # the detail keeps every entry
    assert AuditEntry.objects.using("confidential").filter(reason="Triage").count() == 20


def test_a_gap_of_half_an_hour_or_another_person_starts_a_new_sitting(client, me):
    referral = a_referral_for(me)
    screening = ScreeningResultFactory(referral=referral)
    opened_at(referral, DECEMBER_2)
    opened_at(referral, DECEMBER_2 + datetime.timedelta(minutes=29), actor=ROBIN)
    opened_at(screening, DECEMBER_2 + datetime.timedelta(minutes=29), action="update")
    opened_at(referral, DECEMBER_2 + datetime.timedelta(minutes=59))
    page = client.get(url("wellbeing:my_hub_access", referral)).content.decode()
    lines = re.findall(r'<p class="nhsuk-u-margin-bottom-2">([^<]+)</p>', page)
    assert lines == [
        "Casey Clinician, hub clinician, looked at your record once at 11:01 on 2 December 2026.",
        "Casey Clinician, hub clinician, looked at your record once and added to or changed it "
        "once between 10:02 and 10:31 on 2 December 2026.",
        "Robin Lead, hub lead, looked at your record once at 10:31 on 2 December 2026.",
    ]


def test_a_sitting_across_midnight_names_both_days(client, me):
    referral = a_referral_for(me)
    late = DECEMBER_2.replace(hour=23, minute=50)
    opened_at(referral, late)
    opened_at(referral, late + datetime.timedelta(minutes=20))
    page = client.get(url("wellbeing:my_hub_access", referral)).content.decode()
    assert (
        "looked at your record twice between 23:50 on 2 December 2026 and 00:10 on "
        "3 December 2026." in page
    )


def test_the_access_page_pages_through_many_sittings(client, me):
    referral = a_referral_for(me)
    for number in range(25):
        opened_at(
            referral, DECEMBER_2 + datetime.timedelta(hours=number), reason=f"Look {number:02d}"
        )
    first = client.get(url("wellbeing:my_hub_access", referral)).content.decode()
    assert "Look 24" in first
    assert "Look 04" not in first
    second = client.get(url("wellbeing:my_hub_access", referral) + "?page=2").content.decode()
    assert "Look 04" in second
    assert "Look 24" not in second
    for hostile in ["abc", "-5", "99999999999999999999", "%00", "1;drop"]:
        assert (
            client.get(url("wellbeing:my_hub_access", referral) + f"?page={hostile}").status_code
            == 200
        )


def _queries_for_access_page(client, referral, looks: int) -> tuple[int, int]:
    for number in range(looks):
        # Every fifth look after a long gap: many entries make many sittings too.
        gap = datetime.timedelta(hours=number // 5, seconds=number)
        opened_at(referral, DECEMBER_2 + gap)
    # The session's first request does its own bookkeeping: count a settled one.
    client.get(url("wellbeing:my_hub_access", referral))
    with (
        CaptureQueriesContext(connections["confidential"]) as confidential,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        assert client.get(url("wellbeing:my_hub_access", referral)).status_code == 200
    return len(confidential), len(default)


def test_the_access_page_takes_the_same_queries_for_1_and_300_entries(client, me):
    one = _queries_for_access_page(client, a_referral_for(me), 1)
    many = _queries_for_access_page(client, a_referral_for(me), 300)
    assert one == many


# --- Download my data -----------------------------------------------------------------------------


def test_the_json_download_is_an_attachment_with_everything(client, me):
    referral = a_referral_for(me, name="Sam Staff")
    HubMessageFactory(referral=referral, body="When can we call?")
    a_hub_member_opens(referral)
    response = client.get(url("wellbeing:my_hub_export_json"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="my-resilience-hub-data-'
    )
    data = json.loads(response.content)
    assert data["referrals"][0]["name"] == "Sam Staff"
    assert data["referrals"][0]["reference"] == referral.reference
    assert data["referrals"][0]["messages"][0]["body"] == "When can we call?"
    assert data["who_has_opened_your_record"][0]["name"] == "Casey Clinician"
    [entry] = my_entries(me)
    assert (entry.action, entry.reason) == ("export", "Downloaded my data from my hub")


def test_the_printable_copy_shows_everything(client, me):
    referral = a_referral_for(me, name="Sam Staff")
    ScreeningResultFactory(referral=referral)
    page = client.get(url("wellbeing:my_hub_export_print")).content.decode()
    assert "Sam Staff" in page
    assert referral.reference in page
    assert "Feeling nervous, anxious or on edge" in page
    [entry] = my_entries(me)
    assert (entry.action, entry.reason) == ("export", "Printed a copy of my data from my hub")


# --- Withdrawing ----------------------------------------------------------------------------------


def test_withdrawing_asks_first_then_withdraws(client, me):
    referral = a_referral_for(me)
    confirm = client.get(url("wellbeing:my_hub_withdraw", referral)).content.decode()
    assert "Are you sure you want to withdraw your referral?" in confirm
    assert "The hub will not contact you about this referral" in confirm
    assert Referral.objects.using("confidential").get().status == ReferralStatus.NEW

    response = client.post(url("wellbeing:my_hub_withdraw", referral), follow=True)

    assert response.redirect_chain == [(url("wellbeing:my_hub"), 302)]
    page = response.content.decode()
    assert f"You withdrew referral {referral.reference}" in page
    assert "Withdrawn" in page
    assert "You withdrew your referral" in page
    assert [e.action for e in my_entries(me)][:2] == ["read", "withdraw"]


def test_a_withdrawn_referral_cannot_be_withdrawn_again(client, me):
    referral = a_referral_for(me, status=ReferralStatus.WITHDRAWN)
    for response in [
        client.get(url("wellbeing:my_hub_withdraw", referral), follow=True),
        client.post(url("wellbeing:my_hub_withdraw", referral), follow=True),
    ]:
        assert "is already closed or withdrawn" in response.content.decode()
    assert not my_entries(me) or all(e.action != "withdraw" for e in my_entries(me))


# --- Query counts -----------------------------------------------------------------------------------


def count_queries(client, path: str) -> int:
    client.get(path)  # the first page after signing in also notes checks in the session
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        assert client.get(path).status_code == 200
    return len(default) + len(confidential)


def test_the_overview_takes_as_many_queries_for_twenty_referrals_as_for_one(client, me):
    first = a_referral_for(me)
    ReferralEventFactory(referral=first)
    HubMessageFactory(referral=first)
    one = count_queries(client, url("wellbeing:my_hub"))
    for _ in range(19):
        referral = a_referral_for(me)
        ReferralEventFactory.create_batch(3, referral=referral)
        HubMessageFactory.create_batch(2, referral=referral)
    assert count_queries(client, url("wellbeing:my_hub")) == one


def test_the_messages_page_takes_as_many_queries_for_twenty_messages_as_for_one(client, me):
    referral = a_referral_for(me)
    HubMessageFactory(referral=referral)
    client.get(url("wellbeing:my_hub_messages", referral))  # first read marks it read
    HubMessageFactory(referral=referral)
    one = count_queries(client, url("wellbeing:my_hub_messages", referral))
    HubMessageFactory.create_batch(18, referral=referral)
    HubMessageFactory(referral=referral)
    assert count_queries(client, url("wellbeing:my_hub_messages", referral)) == one
