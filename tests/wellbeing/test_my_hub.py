"""'My hub' queries and services, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from portal.models import StaffGroup
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
from wellbeing.audit import Actor, verify_chain
from wellbeing.models import (
    AuditEntry,
    HubMessage,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralStatus,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import my_hub
from wellbeing.services import messaging, referrals

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def entries_by(user) -> list[AuditEntry]:
    return list(AuditEntry.objects.using("confidential").filter(actor_ref=staff_ref_for(user.pk)))


# --- Scoping ------------------------------------------------------------------------------------


def test_my_referrals_are_only_those_made_under_my_staff_ref():
    me, someone_else = a_staff_member(), a_staff_member()
    mine = a_referral_for(me)
    a_referral_for(someone_else)
    ReferralFactory()
    assert list(my_hub.my_referrals_for(me)) == [mine]


def test_someone_elses_referral_is_not_found():
    me, someone_else = a_staff_member(), a_staff_member()
    theirs = a_referral_for(someone_else)
    with pytest.raises(Http404):
        my_hub.my_referral_or_404(me, theirs.pk)


@pytest.mark.parametrize("referral_id", [0, -1, 2**63, 10**30])
def test_an_impossible_id_is_not_found_rather_than_an_error(referral_id):
    with pytest.raises(Http404):
        my_hub.my_referral_or_404(a_staff_member(), referral_id)


# --- Reading, audited ---------------------------------------------------------------------------


def test_the_overview_audits_a_read_of_each_referral_in_one_chain():
    me = a_staff_member()
    first, second = a_referral_for(me), a_referral_for(me)
    a_hub_member_opens(first)
    my_hub.overview_for(me)
    entries = entries_by(me)
    assert {(e.object_type, e.object_id) for e in entries} == {
        ("referral", first.pk),
        ("referral", second.pk),
    }
    assert {e.action for e in entries} == {"read"}
    assert {e.actor_role for e in entries} == {"Staff member"}
    assert {e.reason for e in entries} == {"Viewed in my hub"}
    assert verify_chain().intact


def test_the_overview_counts_unread_messages_from_the_hub_only():
    me = a_staff_member()
    referral = a_referral_for(me)
    HubMessageFactory.create_batch(2, referral=referral)
    HubMessageFactory(referral=referral, read_at=timezone.now())
    HubMessageFactory(referral=referral, from_hub=False, author_ref=staff_ref_for(me.pk))
    [shown] = my_hub.overview_for(me)
    assert shown.unread_count == 2  # type: ignore[attr-defined]


def test_an_empty_overview_writes_no_audit_entry():
    me = a_staff_member()
    assert my_hub.overview_for(me) == []
    assert entries_by(me) == []


def test_reading_the_thread_marks_the_hubs_messages_read_and_says_which_were_new():
    me = a_staff_member()
    referral = a_referral_for(me)
    earlier = HubMessageFactory(referral=referral, read_at=timezone.now() - timedelta(days=1))
    new = HubMessageFactory(referral=referral)
    thread = my_hub.thread_for(me, referral.pk)
    assert [m.pk for m in thread.messages] == [earlier.pk, new.pk]
    assert thread.newly_read == {new.pk}
    assert not HubMessage.objects.using("confidential").filter(read_at=None).exists()
    [entry] = entries_by(me)
    assert (entry.action, entry.object_id, entry.reason) == (
        "read",
        referral.pk,
        "Read messages in my hub",
    )


def test_the_access_log_lists_hub_staff_on_the_referral_and_its_parts_only():
    me = a_staff_member()
    referral = a_referral_for(me)
    screening = ScreeningResultFactory(referral=referral)
    message = HubMessageFactory(referral=referral)
    other_referral = ReferralFactory()
    a_hub_member_opens(referral, reason="Rapid assessment")
    a_hub_member_opens(screening, reason="Reviewed questionnaires")
    a_hub_member_opens(message, action="update", reason="Corrected a typing error")
    a_hub_member_opens(other_referral, reason="Someone else's")
    my_hub.overview_for(me)  # my own look is not listed
    lead = Actor(ref="l" * 64, role="Hub lead", name="Lee Lead")
    a_hub_member_opens(referral, actor=lead, reason="Allocation")
    log = my_hub.access_log_for(me, referral.pk, None)
    # Two people, one sitting each, the latest first; every entry kept within them.
    assert [(s.who, s.role, s.counts) for s in log.sittings] == [
        ("Lee Lead", "Hub lead", {"opened": 1}),
        ("Casey Clinician", "Hub clinician", {"opened": 2, "changed": 1}),
    ]
    entries = [entry for sitting in log.sittings for entry in sitting.entries]
    assert [(e.name, e.role, e.what, e.reason) for e in entries] == [
        ("Lee Lead", "Hub lead", "Opened your referral", "Allocation"),
        ("Casey Clinician", "Hub clinician", "Changed a message", "Corrected a typing error"),
        (
            "Casey Clinician",
            "Hub clinician",
            "Opened your questionnaire answers",
            "Reviewed questionnaires",
        ),
        ("Casey Clinician", "Hub clinician", "Opened your referral", "Rapid assessment"),
    ]


def test_a_hub_clinicians_own_looks_at_their_own_referral_are_not_listed():
    me = a_staff_member()
    referral = a_referral_for(me)
    a_hub_member_opens(referral, actor=Actor(staff_ref_for(me.pk), "Hub clinician", "Me"))
    assert my_hub.access_log_for(me, referral.pk, None).sittings == []


def test_the_access_log_is_paginated_by_sitting_and_survives_any_page_number():
    me = a_staff_member()
    referral = a_referral_for(me)
    # Each look by someone else: a sitting of its own.
    for number in range(my_hub.ACCESS_LOG_PAGE_SIZE + 1):
        a_hub_member_opens(referral, actor=Actor(f"{number:064d}", "Hub clinician", "Casey"))
    assert len(my_hub.access_log_for(me, referral.pk, "1").sittings) == 20
    assert len(my_hub.access_log_for(me, referral.pk, "2").sittings) == 1
    for hostile in ["999", "-1", "abc", "1e9", "", "2\x00"]:
        assert my_hub.access_log_for(me, referral.pk, hostile).page.number in (1, 2)


# --- Downloading ----------------------------------------------------------------------------------


def test_the_export_holds_everything_about_me_decrypted_and_nothing_about_anyone_else():
    me = a_staff_member()
    referral = a_referral_for(me, name="Sam Staff", team="Ward 7", urgent=True)
    ScreeningResultFactory(
        referral=referral, instrument="GAD-7", answers=[0, 1, 2, 3, 0, 1, 2], total=9, band="mild"
    )
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.RECEIVED)
    HubMessageFactory(referral=referral, body="Can we talk on Tuesday?")
    a_hub_member_opens(referral)
    ReferralFactory(name="Someone Else")

    data = my_hub.export_for(me)

    [exported] = data["referrals"]
    assert exported["reference"] == referral.reference
    assert exported["name"] == "Sam Staff"
    assert exported["team"] == "Ward 7"
    assert exported["staff_group"] == StaffGroup.NURSING_MIDWIFERY_REGISTERED.label
    assert exported["whats_happening"] == referral.whats_happening
    [questionnaire] = exported["questionnaires"]
    assert questionnaire["total"] == 9
    assert questionnaire["answers"][1] == {
        "number": 2,
        "question": "Not being able to stop or control worrying",
        "answer": "Several days",
        "score": 1,
    }
    assert exported["progress"][0]["what"] == "We received your referral"
    assert exported["messages"][0]["body"] == "Can we talk on Tuesday?"
    assert exported["messages"][0]["from"] == "Casey Clinician, Resilience Hub"
    assert data["who_has_opened_your_record"][0]["name"] == "Casey Clinician"
    assert "Someone Else" not in repr(data)
    [entry] = entries_by(me)
    assert (entry.action, entry.object_id) == ("export", referral.pk)


def test_the_export_copes_with_answers_that_do_not_fit_the_instrument():
    me = a_staff_member()
    referral = a_referral_for(me)
    ScreeningResultFactory(referral=referral, instrument="OLD-1", answers=[4, 5], total=9, band="x")
    ScreeningResultFactory(referral=referral, instrument="GAD-7", answers=[9], total=9, band="x")
    questionnaires = my_hub.export_for(me)["referrals"][0]["questionnaires"]
    assert questionnaires[0]["answers"][0] == {
        "number": 1,
        "question": "",
        "answer": "4",
        "score": 4,
    }
    assert questionnaires[1]["answers"][0]["answer"] == "9"


# --- Replying -------------------------------------------------------------------------------------


def test_a_reply_is_a_message_from_me_and_is_audited():
    me = a_staff_member()
    referral = a_referral_for(me)
    message = messaging.do_reply(referral=referral, acting_user=me, body="Tuesday is good.")
    assert not message.from_hub
    assert message.author_ref == staff_ref_for(me.pk)
    assert HubMessage.objects.using("confidential").get().body == "Tuesday is good."
    [entry] = entries_by(me)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "create",
        "hubmessage",
        message.pk,
    )


def test_a_different_reply_straight_after_is_sent():
    me = a_staff_member()
    referral = a_referral_for(me)
    messaging.do_reply(referral=referral, acting_user=me, body="Tuesday is good.")
    messaging.do_reply(referral=referral, acting_user=me, body="Or Wednesday.")
    assert HubMessage.objects.using("confidential").count() == 2


@pytest.mark.parametrize("status", [ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN])
def test_it_refuses_a_reply_on_a_closed_referral(status):
    me = a_staff_member()
    referral = a_referral_for(me, status=status)
    with pytest.raises(messaging.ReferralIsClosed):
        messaging.do_reply(referral=referral, acting_user=me, body="Hello?")
    assert not HubMessage.objects.using("confidential").exists()


def test_it_refuses_a_reply_on_someone_elses_referral():
    with pytest.raises(Http404):
        messaging.do_reply(referral=ReferralFactory(), acting_user=a_staff_member(), body="Hi")


# --- Withdrawing ----------------------------------------------------------------------------------


def test_withdrawing_records_the_time_the_event_and_an_audit_entry():
    me = a_staff_member()
    referral = a_referral_for(me, status=ReferralStatus.IN_ASSESSMENT)
    referrals.do_withdraw_referral(referral=referral, acting_user=me)
    referral = Referral.objects.using("confidential").get()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.withdrawn_at is not None
    [event] = ReferralEvent.objects.using("confidential").all()
    assert event.kind == ReferralEventKind.WITHDRAWN
    [entry] = entries_by(me)
    assert (entry.action, entry.object_id) == ("withdraw", referral.pk)


@pytest.mark.parametrize("status", [ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN])
def test_it_rejects_a_closed_referral(status):
    me = a_staff_member()
    referral = a_referral_for(me, status=status)
    with pytest.raises(referrals.ReferralCannotBeWithdrawn):
        referrals.do_withdraw_referral(referral=referral, acting_user=me)
    assert Referral.objects.using("confidential").get().status == status
    assert not ReferralEvent.objects.using("confidential").exists()
    assert entries_by(me) == []


def test_withdrawing_twice_from_a_stale_copy_happens_once():
    me = a_staff_member()
    referral = a_referral_for(me)
    stale = Referral.objects.using("confidential").get()
    referrals.do_withdraw_referral(referral=referral, acting_user=me)
    with pytest.raises(referrals.ReferralCannotBeWithdrawn):
        referrals.do_withdraw_referral(referral=stale, acting_user=me)
    assert ReferralEvent.objects.using("confidential").count() == 1


def test_it_refuses_to_withdraw_someone_elses_referral():
    referral = ReferralFactory()
    with pytest.raises(Http404):
        referrals.do_withdraw_referral(referral=referral, acting_user=a_staff_member())
    assert Referral.objects.using("confidential").get().status == ReferralStatus.NEW


def test_entries_written_together_keep_the_chain_intact_between_single_ones():
    me = a_staff_member()
    referrals = [a_referral_for(me) for _ in range(3)]
    a_hub_member_opens(referrals[0])
    my_hub.overview_for(me)
    a_hub_member_opens(referrals[1], actor=CLINICIAN)
    my_hub.export_for(me)
    check = verify_chain()
    assert check.intact, check.problem
    assert check.entries_checked == 8


def test_the_export_gives_equality_answers_in_words_not_codes():
    me = a_staff_member()
    a_referral_for(me, equality_monitoring={"age_band": "16_24", "religion": "sikh"})
    [exported] = my_hub.export_for(me)["referrals"]
    assert exported["equality_monitoring"] == {"Age": "16 to 24", "Religion or belief": "Sikh"}
