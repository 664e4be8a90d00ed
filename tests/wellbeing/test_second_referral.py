"""A second self-referral while one is open (issue 13): the member of staff is told before they
start, a referral sent anyway is linked and flagged for the hub, and a clinician can join it
into the open one (ADR 0024)."""

from __future__ import annotations

import json
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from portal.models import User
from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import DB, a_hub_member, entries_by, fresh
from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory, a_referral_for
from tests.wellbeing.referral_steps import answer_every_page, send, step_url
from wellbeing.models import (
    AuditEntry,
    CloseReason,
    OutboxMessage,
    Referral,
    ReferralDraft,
    ReferralEvent,
    ReferralEventKind,
    ReferralStatus,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import NotAllowed
from wellbeing.services import referrals

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

S = ReferralStatus
START = reverse("wellbeing:refer_start")


@pytest.fixture
def member(client, staff_user):
    client.force_login(staff_user)
    return staff_user


def referral_url(name: str, referral: Referral) -> str:
    return reverse(f"wellbeing:{name}", args=[referral.pk])


def a_pair(owner: User | None = None, *, earlier_status: str = S.IN_SUPPORT):
    """An open referral and a later one sent while it was open, linked as sending links them."""
    owner = owner or UserFactory(with_profile=True)
    earlier = a_referral_for(owner, reference="RH-EARL-0001", status=earlier_status)
    later = a_referral_for(
        owner,
        reference="RH-LATE-0002",
        earlier_open_referral=earlier,
        whats_happening="Since last month my partner has been very ill as well.",
        hoped_for_help="Someone to talk to about both.",
    )
    ScreeningResultFactory(referral=later, instrument="PHQ-9", total=16, band="moderately severe")
    return owner, earlier, later


def kinds(referral: Referral) -> list[str]:
    return list(
        ReferralEvent.objects.using(DB)
        .filter(referral=referral)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )


# --- Before they start ---------------------------------------------------------------------------


def test_starting_a_referral_with_one_open_shows_its_reference_status_and_a_message_link(
    client, member
):
    open_one = a_referral_for(member, reference="RH-OPEN-0001", status=S.IN_ASSESSMENT)
    response = client.get(START)
    page = response.content.decode()
    assert response.status_code == 200
    assert "You already have an open referral" in page
    assert "RH-OPEN-0001" in page
    assert "Being assessed" in page
    assert f'href="{referral_url("my_hub_messages", open_one)}"' in page
    assert f'href="{START}?again=1"' in page
    # Nothing is started until they choose to go on.
    assert not member_drafts(member)


def member_drafts(member):
    return list(ReferralDraft.objects.using(DB).filter(staff_ref=staff_ref_for(member.pk)))


def test_things_have_changed_goes_on_to_the_first_question_page(client, member):
    a_referral_for(member, status=S.NEW)
    response = client.get(f"{START}?again=1")
    assert response.status_code == 302
    assert response["Location"] == step_url("contact")


def test_a_campaign_link_is_kept_through_the_warning(client, member):
    a_referral_for(member, status=S.NEW)
    page = client.get(f"{START}?campaign=WINTER26").content.decode()
    assert f"{START}?again=1&amp;campaign=WINTER26" in page


@pytest.mark.parametrize("status", [S.CLOSED, S.WITHDRAWN])
def test_a_closed_or_withdrawn_referral_does_not_stop_anyone_starting(client, member, status):
    a_referral_for(member, status=status)
    response = client.get(START)
    assert response.status_code == 302
    assert response["Location"] == step_url("contact")


def test_someone_elses_open_referral_is_never_mentioned(client, member):
    a_referral_for(UserFactory(with_profile=True), reference="RH-THEM-0001", status=S.NEW)
    response = client.get(START)
    assert response.status_code == 302


# --- Sending anyway --------------------------------------------------------------------------


def test_a_referral_sent_while_one_is_open_is_linked_to_the_open_one(client, member):
    older = a_referral_for(member, status=S.CLOSED)
    open_one = a_referral_for(member, status=S.IN_SUPPORT)
    answer_every_page(client)
    assert send(client).status_code == 302
    sent = Referral.objects.using(DB).exclude(pk__in=[older.pk, open_one.pk]).get()
    assert sent.earlier_open_referral_id == open_one.pk


def test_a_first_referral_is_linked_to_nothing(client, member):
    answer_every_page(client)
    send(client)
    assert Referral.objects.using(DB).get().earlier_open_referral_id is None


def test_the_emails_of_a_linked_referral_say_nothing_about_the_other(client, member):
    open_one = a_referral_for(member, reference="RH-OPEN-0001", status=S.NEW)
    answer_every_page(client)
    send(client)
    rows = list(OutboxMessage.objects.using(DB).all())
    assert [row.template for row in rows] == ["wellbeing/referral_received"]
    written = json.dumps([row.context for row in rows])
    assert "RH-OPEN-0001" not in written
    assert str(open_one.pk) not in written


# --- The hub sees the pair ---------------------------------------------------------------------


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def test_the_queue_says_also_has_open_referral_beside_the_later_one_only(client, clinician):
    _owner, _earlier, _later = a_pair()
    page = client.get(reverse("wellbeing:queue")).content.decode()
    assert page.count("Also has open referral RH-EARL-0001") == 1
    rows = {row.referral.reference: row.also_open for row in client_rows(client)}
    assert rows == {"RH-EARL-0001": "", "RH-LATE-0002": "RH-EARL-0001"}


def client_rows(client):
    return client.get(reverse("wellbeing:queue")).context["queue"].rows


def test_the_flag_goes_once_the_open_referral_is_closed(client, clinician):
    _owner, earlier, _later = a_pair()
    referrals.do_close(referral=earlier, acting_user=clinician, reason="support_completed")
    page = client.get(reverse("wellbeing:queue")).content.decode()
    assert "Also has open referral" not in page


def test_the_later_referral_page_says_also_has_open_referral_and_offers_to_join(client, clinician):
    _owner, earlier, later = a_pair()
    page = client.get(referral_url("referral", later)).content.decode()
    assert "Also has open referral RH-EARL-0001" in page
    assert f'href="{referral_url("referral", earlier)}"' in page
    assert f'href="{referral_url("referral_join", later)}"' in page


def test_the_open_referral_page_names_the_later_one(client, clinician):
    _owner, earlier, later = a_pair()
    page = client.get(referral_url("referral", earlier)).content.decode()
    assert "Also has a later open referral" in page
    assert f'href="{referral_url("referral", later)}"' in page


def test_the_close_form_does_not_offer_joined_as_a_reason(client, clinician):
    _owner, earlier, _later = a_pair()
    page = client.get(referral_url("referral_close", earlier)).content.decode()
    assert 'value="joined"' not in page
    with pytest.raises(NotAllowed):
        referrals.do_close(referral=earlier, acting_user=clinician, reason=CloseReason.JOINED)
    assert fresh(earlier).status == S.IN_SUPPORT


# --- Joining ---------------------------------------------------------------------------------


def test_joining_closes_the_later_referral_as_joined_and_keeps_the_open_one_open(clinician):
    _owner, earlier, later = a_pair()
    kept = referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    assert kept.pk == earlier.pk
    later, earlier = fresh(later), fresh(earlier)
    assert (later.status, later.close_reason) == (S.CLOSED, CloseReason.JOINED)
    assert later.closed_at is not None
    assert later.earlier_open_referral_id == earlier.pk
    assert earlier.status == S.IN_SUPPORT
    assert kinds(later)[-1] == ReferralEventKind.JOINED_INTO
    assert kinds(earlier)[-1] == ReferralEventKind.LATER_JOINED


def test_joining_is_audited_on_both_referrals(clinician):
    _owner, earlier, later = a_pair()
    referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    reasons = {
        (object_id, reason)
        for action, _type, object_id, reason in entries_by(clinician)
        if action == "update"
    }
    assert (later.pk, "Joined with referral RH-EARL-0001 and closed") in reasons
    assert (earlier.pk, "Joined referral RH-LATE-0002 with this one") in reasons


def test_joining_a_referral_that_was_not_sent_while_another_was_open_is_refused(clinician):
    alone = ReferralFactory(status=S.NEW)
    with pytest.raises(referrals.NothingToJoin):
        referrals.do_join_to_open_referral(referral=alone, acting_user=clinician)
    assert fresh(alone).status == S.NEW


@pytest.mark.parametrize("status", [S.CLOSED, S.WITHDRAWN])
def test_joining_with_a_referral_no_longer_open_is_refused_and_changes_nothing(clinician, status):
    _owner, _earlier, later = a_pair(earlier_status=status)
    with pytest.raises(referrals.NothingToJoin, match="nothing can be joined"):
        referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    assert fresh(later).status == S.NEW
    assert kinds(later) == []


def test_joining_twice_is_refused_the_second_time(clinician):
    _owner, _earlier, later = a_pair()
    referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    with pytest.raises(NotAllowed):
        referrals.do_join_to_open_referral(referral=later, acting_user=clinician)


def test_the_open_referrals_timeline_shows_the_joined_answers_as_a_dated_entry(client, clinician):
    _owner, earlier, later = a_pair()
    referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    response = client.get(referral_url("referral", earlier))
    entries = [e for e in response.context["page"].timeline if "RH-LATE-0002" in e.title]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.at == fresh(later).closed_at
    details = {row.key: row.value for row in entry.details}
    assert details["What is happening"] == "Since last month my partner has been very ill as well."
    assert details["Questionnaires"] == "PHQ-9 16 (moderately severe)"
    page = response.content.decode()
    assert "Joined with later referral RH-LATE-0002" in page
    # Reading the joined answers on the open referral's page is a read of the later one too.
    read = AuditEntry.objects.using(DB).filter(action="read", reason="Opened the referral")
    assert set(read.values_list("object_id", flat=True)) == {earlier.pk, later.pk}


def test_the_joined_referral_page_points_to_the_open_one_and_no_longer_offers_to_join(
    client, clinician
):
    _owner, earlier, later = a_pair()
    referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    page = client.get(referral_url("referral", later)).content.decode()
    assert "joined with their open referral" in page
    assert f'href="{referral_url("referral", earlier)}"' in page
    assert "Also has open referral" not in page
    assert referral_url("referral_join", later) not in page


def test_the_join_page_posts_once_and_returns_to_the_referral(client, clinician):
    _owner, _earlier, later = a_pair()
    response = client.post(referral_url("referral_join", later), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == referral_url("referral", later)
    assert fresh(later).close_reason == CloseReason.JOINED


def test_the_join_page_asks_for_confirmation_beside_the_box(client, clinician):
    _owner, _earlier, later = a_pair()
    response = client.post(referral_url("referral_join", later), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Confirm that both referrals are about the same need") == 2  # summary, field
    assert fresh(later).status == S.NEW


def test_the_join_page_says_why_when_the_open_referral_has_closed_meanwhile(client, clinician):
    _owner, earlier, later = a_pair()
    referrals.do_close(referral=earlier, acting_user=clinician, reason="support_completed")
    response = client.post(referral_url("referral_join", later), {"confirm": "on"})
    assert response.status_code == 400
    assert "nothing can be joined with it" in response.content.decode()
    assert fresh(later).status == S.NEW


def test_staff_outside_the_hub_cannot_open_the_join_page(client):
    owner, _earlier, later = a_pair()
    client.force_login(owner)
    assert client.get(referral_url("referral_join", later)).status_code == 403
    assert client.post(referral_url("referral_join", later), {"confirm": "on"}).status_code == 403
    assert fresh(later).status == S.NEW


@pytest.mark.django_db(databases=["default", "confidential"], transaction=True)
def test_two_clinicians_joining_at_once_join_once():
    # The roles come from a data migration, which an earlier transactional test's flush empties.
    Group.objects.get_or_create(name=roles.HUB_CLINICIAN)
    _owner, _earlier, later = a_pair()
    clinicians = [a_hub_member(name="Casey"), a_hub_member(name="Robin")]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def join(user):
        try:
            barrier.wait()
            referrals.do_join_to_open_referral(referral=later, acting_user=user)
            outcomes.append("joined")
        except NotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(user,)) for user in clinicians]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["joined", "refused"]
    assert kinds(later).count(ReferralEventKind.JOINED_INTO) == 1


# --- The member of staff sees it -----------------------------------------------------------------


def test_my_hub_says_the_two_were_joined(client, sign_in):
    owner, _earlier, later = a_pair()
    referrals.do_join_to_open_referral(referral=later, acting_user=a_hub_member())
    sign_in(owner)
    response = client.get(reverse("wellbeing:my_hub"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Joined with your earlier referral, which stays open" in page
    assert "Your later referral was joined with this one" in page
    assert "Your referral RH-EARL-0001, which the hub carries on with" in page


# --- Cost ----------------------------------------------------------------------------------------


def queries_for(client, referral: Referral) -> tuple[int, int]:
    url = referral_url("referral", referral)
    client.get(url)  # the first request settles the session's checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        assert client.get(url).status_code == 200
    return len(default), len(confidential)


def test_the_open_referral_page_costs_the_same_queries_for_one_or_many_joined_referrals(
    client, clinician
):
    owner, earlier, later = a_pair()
    referrals.do_join_to_open_referral(referral=later, acting_user=clinician)
    one = queries_for(client, earlier)
    for n in range(5):
        extra = a_referral_for(owner, reference=f"RH-MORE-{n:03d}", earlier_open_referral=earlier)
        ScreeningResultFactory(referral=extra, instrument="GAD-7")
        referrals.do_join_to_open_referral(referral=extra, acting_user=clinician)
    a_referral_for(owner, reference="RH-STILL-0", earlier_open_referral=earlier)
    many = queries_for(client, earlier)
    assert one == many
    page = client.get(referral_url("referral", earlier)).content.decode()
    assert page.count("Joined with later referral RH-") == 6
