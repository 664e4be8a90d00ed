"""What clinicians record, without HTTP: each do_* function's change, its refusal, its timeline
event and its audit entry."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from portal.outbox import registry, rendering
from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.wellbeing.clinical_helpers import (
    DB,
    a_hub_member,
    a_referral_from,
    a_referral_in,
    a_service,
    a_team_request,
    entries_by,
    fresh,
)
from wellbeing.models import (
    Assessment,
    AssessmentOutcome,
    Attendance,
    ContactAttempt,
    FollowUp,
    HubMessage,
    OnwardReferral,
    OnwardStatus,
    OutboxMessage,
    ReferralEventKind,
    ReferralStatus,
    SignpostedResource,
    TeamRequestStatus,
    TherapyPlan,
    TherapySession,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import NotAllowed
from wellbeing.services import clinical, follow_up, messaging, referrals
from wellbeing.services.support import OutcomeDetail

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

S = ReferralStatus


@pytest.fixture
def clinician():
    return a_hub_member()


@pytest.fixture
def owner():
    return UserFactory(with_profile=True)


def events(referral) -> list[str]:
    return list(referral.events.using(DB).order_by("at", "id").values_list("kind", flat=True))


def assess(referral, clinician, outcome=AssessmentOutcome.SELF_HELP, **overrides):
    fields = {
        "notes": "Poor sleep since a death on the ward; still working.",
        "risk_level": "low",
        "safety_plan": "",
        "formulation": "Acute stress after a critical incident.",
        "outcome": outcome,
        "detail": OutcomeDetail(),
    }
    fields.update(overrides)
    return referrals.do_record_assessment(referral=referral, acting_user=clinician, **fields)


def an_hour_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


# --- Contact attempts -----------------------------------------------------------------------------


def test_a_first_contact_moves_a_new_referral_to_assessment_and_gives_it_to_the_clinician(
    clinician,
):
    referral = a_referral_in(S.NEW)
    referral.voicemail_ok = True
    referral.save(using=DB)
    attempt = referrals.do_record_contact(
        referral=referral,
        acting_user=clinician,
        at=an_hour_ago(),
        method="phone",
        outcome="voicemail",
        note="Left a message asking them to call back.",
    )
    referral = fresh(referral)
    assert referral.status == S.IN_ASSESSMENT
    assert (referral.assigned_ref, referral.assigned_name) == (
        staff_ref_for(clinician.pk),
        "Casey Clinician",
    )
    stored = ContactAttempt.objects.using(DB).get(pk=attempt.pk)
    assert (stored.method, stored.outcome, stored.note, stored.by_name) == (
        "phone",
        "voicemail",
        "Left a message asking them to call back.",
        "Casey Clinician",
    )
    assert events(referral) == [ReferralEventKind.CONTACT_ATTEMPTED]
    assert entries_by(clinician) == [
        ("update", "referral", referral.pk, "Recorded a contact attempt")
    ]


def test_a_contact_on_a_referral_someone_holds_leaves_it_with_them(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    referral.assigned_ref, referral.assigned_name = "h" * 64, "Harper Holder"
    referral.save(using=DB)
    referrals.do_record_contact(
        referral=referral,
        acting_user=clinician,
        at=an_hour_ago(),
        method="email",
        outcome="reached",
    )
    assert fresh(referral).assigned_name == "Harper Holder"


def test_a_contact_attempt_in_the_future_is_refused(clinician):
    referral = a_referral_in(S.NEW)
    with pytest.raises(NotAllowed, match="cannot be in the future"):
        referrals.do_record_contact(
            referral=referral,
            acting_user=clinician,
            at=timezone.now() + datetime.timedelta(minutes=5),
            method="phone",
            outcome="reached",
        )
    assert not ContactAttempt.objects.using(DB).exists()
    assert fresh(referral).status == S.NEW


@pytest.mark.parametrize("status", [S.CLOSED, S.WITHDRAWN])
def test_no_contact_is_recorded_on_a_finished_referral(clinician, status):
    referral = a_referral_in(status)
    with pytest.raises(NotAllowed, match=f"is {'closed' if status == S.CLOSED else 'withdrawn'}"):
        referrals.do_record_contact(
            referral=referral,
            acting_user=clinician,
            at=an_hour_ago(),
            method="phone",
            outcome="reached",
        )
    assert not ContactAttempt.objects.using(DB).exists()
    assert events(referral) == []
    assert entries_by(clinician) == []


# --- The rapid assessment -----------------------------------------------------------------------


def test_self_help_signposts_published_resources_and_starts_support(clinician):
    first, second = ResourceFactory(), ResourceFactory()
    referral = a_referral_in(S.IN_ASSESSMENT)
    assessment = assess(
        referral,
        clinician,
        risk_level="moderate",
        safety_plan="Call the crisis line; stay with a friend tonight.",
        detail=OutcomeDetail(resource_ids=[first.pk, second.pk]),
    )
    referral = fresh(referral)
    assert referral.status == S.IN_SUPPORT
    assert referral.risk_level == "moderate"
    assert referral.assessed_at == assessment.at
    stored = Assessment.objects.using(DB).get(pk=assessment.pk)
    assert stored.safety_plan == "Call the crisis line; stay with a friend tonight."
    assert stored.by_name == "Casey Clinician"
    assert set(
        SignpostedResource.objects.using(DB)
        .filter(referral=referral)
        .values_list("resource_id", flat=True)
    ) == {first.pk, second.pk}
    assert events(referral) == [ReferralEventKind.ASSESSED, ReferralEventKind.SUPPORT_STARTED]
    assert entries_by(clinician) == [
        ("update", "referral", referral.pk, "Recorded the rapid assessment")
    ]


def test_an_assessment_on_a_new_referral_passes_through_assessment_into_support(clinician):
    referral = a_referral_in(S.NEW)
    assess(referral, clinician, detail=OutcomeDetail(resource_ids=[ResourceFactory().pk]))
    referral = fresh(referral)
    assert referral.status == S.IN_SUPPORT
    assert referral.assigned_ref == staff_ref_for(clinician.pk)


@pytest.mark.parametrize("risk", ["moderate", "high"])
def test_moderate_or_high_risk_needs_a_safety_plan(clinician, risk):
    referral = a_referral_in(S.IN_ASSESSMENT)
    with pytest.raises(NotAllowed, match="safety plan"):
        assess(
            referral,
            clinician,
            risk_level=risk,
            safety_plan="  ",
            detail=OutcomeDetail(resource_ids=[ResourceFactory().pk]),
        )
    assert not Assessment.objects.using(DB).exists()
    assert fresh(referral).status == S.IN_ASSESSMENT


def test_a_resource_that_is_not_published_is_refused_and_nothing_is_saved(clinician):
    published, draft = ResourceFactory(), ResourceFactory(status="draft")
    referral = a_referral_in(S.IN_ASSESSMENT)
    with pytest.raises(NotAllowed, match="published learning catalogue"):
        assess(referral, clinician, detail=OutcomeDetail(resource_ids=[published.pk, draft.pk]))
    # The whole assessment is undone, not only the signposts.
    assert not Assessment.objects.using(DB).exists()
    assert not SignpostedResource.objects.using(DB).exists()
    assert fresh(referral).status == S.IN_ASSESSMENT
    assert events(referral) == []
    assert entries_by(clinician) == []


def test_team_support_links_an_accepted_team_request(clinician):
    team_request = a_team_request()
    referral = a_referral_in(S.IN_ASSESSMENT)
    assess(
        referral,
        clinician,
        outcome=AssessmentOutcome.TEAM_SUPPORT,
        detail=OutcomeDetail(team_request=team_request),
    )
    assert fresh(referral).team_request_id == team_request.pk


def test_a_declined_team_request_cannot_be_linked(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    with pytest.raises(NotAllowed, match="accepted"):
        assess(
            referral,
            clinician,
            outcome=AssessmentOutcome.TEAM_SUPPORT,
            detail=OutcomeDetail(team_request=a_team_request(TeamRequestStatus.DECLINED)),
        )
    assert fresh(referral).team_request_id is None


def test_direct_therapy_starts_a_plan_with_the_clinician_as_therapist(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    assess(
        referral,
        clinician,
        outcome=AssessmentOutcome.DIRECT_THERAPY,
        detail=OutcomeDetail(modality="cbt", planned_sessions=8),
    )
    plan = TherapyPlan.objects.using(DB).get(referral=referral)
    assert (plan.modality, plan.planned_sessions, plan.therapist_name) == (
        "cbt",
        8,
        "Casey Clinician",
    )
    assert events(referral) == [ReferralEventKind.ASSESSED, ReferralEventKind.SUPPORT_STARTED]


@pytest.mark.parametrize("sessions", [None, 0, 31])
def test_planned_sessions_must_be_from_1_to_30(clinician, sessions):
    referral = a_referral_in(S.IN_ASSESSMENT)
    with pytest.raises(NotAllowed, match="between 1 and 30"):
        assess(
            referral,
            clinician,
            outcome=AssessmentOutcome.DIRECT_THERAPY,
            detail=OutcomeDetail(modality="cbt", planned_sessions=sessions),
        )
    assert not TherapyPlan.objects.using(DB).exists()


def test_onward_referral_sends_to_a_directory_service(clinician):
    service = a_service()
    referral = a_referral_in(S.IN_ASSESSMENT)
    assess(
        referral,
        clinician,
        outcome=AssessmentOutcome.ONWARD_REFERRAL,
        detail=OutcomeDetail(service=service, onward_note="Sent the form by secure email."),
    )
    onward = OnwardReferral.objects.using(DB).get(referral=referral)
    assert (onward.service, onward.status, onward.sent_on) == (
        service,
        OnwardStatus.SENT,
        timezone.localdate(),
    )
    assert fresh(referral).status == S.IN_SUPPORT
    assert events(referral) == [ReferralEventKind.ASSESSED, ReferralEventKind.REFERRED_ON]


def test_a_service_no_longer_in_the_directory_is_refused(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    with pytest.raises(NotAllowed, match="directory"):
        assess(
            referral,
            clinician,
            outcome=AssessmentOutcome.ONWARD_REFERRAL,
            detail=OutcomeDetail(service=a_service(active=False)),
        )
    assert not OnwardReferral.objects.using(DB).exists()


def test_close_as_the_outcome_closes_with_the_reason_and_plans_no_follow_up(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    assess(
        referral,
        clinician,
        outcome=AssessmentOutcome.CLOSE,
        detail=OutcomeDetail(close_reason="self_help"),
    )
    referral = fresh(referral)
    assert (referral.status, referral.close_reason) == (S.CLOSED, "self_help")
    assert referral.closed_at is not None
    assert not FollowUp.objects.using(DB).exists()
    assert events(referral) == [ReferralEventKind.ASSESSED, ReferralEventKind.CLOSED]


def test_a_referral_is_assessed_once(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    with pytest.raises(NotAllowed, match="receiving support, so you cannot record a rapid"):
        assess(referral, clinician, detail=OutcomeDetail(resource_ids=[ResourceFactory().pk]))
    assert not Assessment.objects.using(DB).exists()


# --- Follow-up ----------------------------------------------------------------------------------


def test_an_outcome_plans_check_ins_at_4_weeks_then_3_6_and_12_months(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    assess(referral, clinician, detail=OutcomeDetail(resource_ids=[ResourceFactory().pk]))
    today = timezone.localdate()
    planned = list(
        FollowUp.objects.using(DB).filter(referral=referral).values_list("label", "due_on")
    )
    assert planned == [
        ("4 weeks", today + datetime.timedelta(weeks=4)),
        ("3 months", follow_up.add_months(today, 3)),
        ("6 months", follow_up.add_months(today, 6)),
        ("12 months", follow_up.add_months(today, 12)),
    ]


def test_the_schedule_counts_calendar_months_from_the_outcome(settings):
    settings.HUB_FOLLOW_UP_SCHEDULE = "4w,3m,6m,12m"
    referral = a_referral_in(S.IN_SUPPORT)
    follow_up.plan_follow_ups(referral, start=datetime.date(2026, 1, 31))
    assert list(
        FollowUp.objects.using(DB).filter(referral=referral).values_list("label", "due_on")
    ) == [
        ("4 weeks", datetime.date(2026, 2, 28)),
        ("3 months", datetime.date(2026, 4, 30)),  # no 31 April: the month's last day
        ("6 months", datetime.date(2026, 7, 31)),
        ("12 months", datetime.date(2027, 1, 31)),
    ]


def test_the_schedule_is_a_setting(settings):
    settings.HUB_FOLLOW_UP_SCHEDULE = "10d, 3w, 2m"
    referral = a_referral_in(S.IN_SUPPORT)
    follow_up.plan_follow_ups(referral, start=datetime.date(2026, 3, 2))
    assert list(
        FollowUp.objects.using(DB).filter(referral=referral).values_list("label", "due_on")
    ) == [
        ("10 days", datetime.date(2026, 3, 12)),
        ("3 weeks", datetime.date(2026, 3, 23)),
        ("2 months", datetime.date(2026, 5, 2)),
    ]


def test_labels_read_as_words():
    labels = [interval.label for interval in follow_up.parse_schedule("1d,2d,1w,2w,1m,12M")]
    assert labels == ["1 day", "2 days", "1 week", "2 weeks", "1 month", "12 months"]


@pytest.mark.parametrize("typo", ["4 weeks", "3y", "0m", "", "4w,,3m"])
def test_a_schedule_that_cannot_be_read_fails_loudly(typo):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="HUB_FOLLOW_UP_SCHEDULE"):
        follow_up.parse_schedule(typo)


def test_a_second_plan_does_not_double_the_check_ins():
    referral = a_referral_in(S.IN_SUPPORT)
    follow_up.plan_follow_ups(referral, start=datetime.date(2026, 3, 2))
    assert follow_up.plan_follow_ups(referral, start=datetime.date(2026, 4, 2)) == []
    assert FollowUp.objects.using(DB).filter(referral=referral).count() == 4


# --- Closing --------------------------------------------------------------------------------------


def test_closing_cancels_pending_check_ins_and_ends_therapy(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    assess(
        referral,
        clinician,
        outcome=AssessmentOutcome.DIRECT_THERAPY,
        detail=OutcomeDetail(modality="act", planned_sessions=6),
    )
    done = FollowUp.objects.using(DB).filter(referral=referral).order_by("due_on").first()
    assert done is not None
    FollowUp.objects.using(DB).filter(pk=done.pk).update(completed_at=timezone.now())
    referrals.do_close(referral=referral, acting_user=clinician, reason="support_completed")
    referral = fresh(referral)
    assert (referral.status, referral.close_reason) == (S.CLOSED, "support_completed")
    follow_ups = FollowUp.objects.using(DB).filter(referral=referral)
    assert follow_ups.filter(cancelled_at__isnull=False).count() == 3
    assert follow_ups.get(pk=done.pk).cancelled_at is None
    assert TherapyPlan.objects.using(DB).get(referral=referral).ended_on == timezone.localdate()
    assert events(referral)[-1] == ReferralEventKind.CLOSED
    assert entries_by(clinician)[-1] == ("update", "referral", referral.pk, "Closed the referral")


def test_a_closed_referral_cannot_be_closed_again(clinician):
    referral = a_referral_in(S.CLOSED)
    with pytest.raises(NotAllowed, match="is closed"):
        referrals.do_close(referral=referral, acting_user=clinician, reason="other")
    assert events(referral) == []


def test_withdrawing_in_my_hub_cancels_pending_check_ins(owner):
    referral = a_referral_from(owner, status=S.IN_SUPPORT)
    follow_up.plan_follow_ups(referral, start=timezone.localdate())
    referrals.do_withdraw_referral(referral=referral, acting_user=owner)
    assert not follow_up.pending(referral).exists()
    assert (
        FollowUp.objects.using(DB).filter(referral=referral, cancelled_at__isnull=False).count()
        == 4
    )


def test_withdrawing_in_my_hub_ends_an_open_therapy_plan(owner, clinician):
    """ADR 0014: closing and withdrawing both end therapy. Withdrawing used to leave the plan
    open, because the two ways out of a referral were written twice."""
    referral = a_referral_from(owner, status=S.IN_ASSESSMENT)
    assess(
        referral,
        clinician,
        outcome=AssessmentOutcome.DIRECT_THERAPY,
        detail=OutcomeDetail(modality="act", planned_sessions=6),
    )
    referrals.do_withdraw_referral(referral=referral, acting_user=owner)
    referral = fresh(referral)
    assert referral.status == S.WITHDRAWN
    assert TherapyPlan.objects.using(DB).get(referral=referral).ended_on == timezone.localdate()
    assert events(referral)[-1] == ReferralEventKind.WITHDRAWN


# --- More support after the assessment ----------------------------------------------------------


def test_more_resources_can_be_signposted_once_each(clinician):
    first, second = ResourceFactory(), ResourceFactory()
    referral = a_referral_in(S.IN_SUPPORT)
    assert (
        clinical.do_signpost_resources(
            referral=referral, acting_user=clinician, resource_ids=[first.pk]
        )
        == 1
    )
    assert (
        clinical.do_signpost_resources(
            referral=referral, acting_user=clinician, resource_ids=[first.pk, second.pk]
        )
        == 1
    )
    assert SignpostedResource.objects.using(DB).filter(referral=referral).count() == 2


def test_support_is_added_only_after_the_assessment(clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    with pytest.raises(NotAllowed, match="being assessed, so you cannot add support"):
        clinical.do_start_therapy(
            referral=referral, acting_user=clinician, modality="cbt", planned_sessions=6
        )
    with pytest.raises(NotAllowed):
        clinical.do_refer_onward(
            referral=referral,
            acting_user=clinician,
            service=a_service(),
            sent_on=timezone.localdate(),
        )
    assert not TherapyPlan.objects.using(DB).exists()
    assert not OnwardReferral.objects.using(DB).exists()


def test_a_later_onward_referral_is_on_the_timeline(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    clinical.do_refer_onward(
        referral=referral,
        acting_user=clinician,
        service=a_service("Test practitioner health service"),
        sent_on=timezone.localdate(),
    )
    assert events(referral) == [ReferralEventKind.REFERRED_ON]
    assert entries_by(clinician) == [
        ("update", "referral", referral.pk, "Referred on to Test practitioner health service")
    ]


def test_linking_team_support_later_starts_support(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    team_request = a_team_request(TeamRequestStatus.SCHEDULED)
    clinical.do_link_team_support(
        referral=referral, acting_user=clinician, team_request=team_request
    )
    assert fresh(referral).team_request_id == team_request.pk
    assert events(referral) == [ReferralEventKind.SUPPORT_STARTED]


# --- Therapy sessions and onward status ---------------------------------------------------------


def a_plan(referral, clinician) -> TherapyPlan:
    return clinical.do_start_therapy(
        referral=referral, acting_user=clinician, modality="cbt", planned_sessions=6
    )


def test_a_therapy_session_is_logged_with_its_attendance(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    plan = a_plan(referral, clinician)
    session = clinical.do_log_therapy_session(
        referral=referral,
        acting_user=clinician,
        plan=plan,
        on=timezone.localdate(),
        attendance=Attendance.ATTENDED,
        note="Worked on a sleep diary.",
    )
    stored = TherapySession.objects.using(DB).get(pk=session.pk)
    assert (stored.plan, stored.attendance, stored.note) == (
        plan,
        "attended",
        "Worked on a sleep diary.",
    )
    assert entries_by(clinician)[-1][3] == "Logged a therapy session"


def test_a_session_cannot_be_logged_in_the_future_or_before_therapy_started(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    plan = a_plan(referral, clinician)
    for day, message in [
        (timezone.localdate() + datetime.timedelta(days=1), "future"),
        (timezone.localdate() - datetime.timedelta(days=1), "before the therapy started"),
    ]:
        with pytest.raises(NotAllowed, match=message):
            clinical.do_log_therapy_session(
                referral=referral, acting_user=clinician, plan=plan, on=day, attendance="attended"
            )
    assert not TherapySession.objects.using(DB).exists()


def test_a_session_is_not_logged_on_a_closed_referral(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    plan = a_plan(referral, clinician)
    referrals.do_close(referral=referral, acting_user=clinician, reason="support_completed")
    with pytest.raises(NotAllowed, match="is closed"):
        clinical.do_log_therapy_session(
            referral=referral,
            acting_user=clinician,
            plan=plan,
            on=timezone.localdate(),
            attendance="attended",
        )


def test_an_onward_referrals_status_can_be_updated_even_after_closing(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    onward = clinical.do_refer_onward(
        referral=referral,
        acting_user=clinician,
        service=a_service(),
        sent_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    referrals.do_close(referral=referral, acting_user=clinician, reason="referred_on")
    seen_on = timezone.localdate() - datetime.timedelta(days=2)
    clinical.do_update_onward(
        referral=referral, acting_user=clinician, onward=onward, status="seen", status_on=seen_on
    )
    stored = OnwardReferral.objects.using(DB).get(pk=onward.pk)
    assert (stored.status, stored.status_on) == ("seen", seen_on)
    assert entries_by(clinician)[-1][3] == "Updated an onward referral's status"


def test_an_onward_status_cannot_predate_the_referral(clinician):
    referral = a_referral_in(S.IN_SUPPORT)
    onward = clinical.do_refer_onward(
        referral=referral, acting_user=clinician, service=a_service(), sent_on=timezone.localdate()
    )
    with pytest.raises(NotAllowed, match="before the referral was sent"):
        clinical.do_update_onward(
            referral=referral,
            acting_user=clinician,
            onward=onward,
            status="accepted",
            status_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert OnwardReferral.objects.using(DB).get(pk=onward.pk).status == "sent"


# --- Messages -------------------------------------------------------------------------------------


def test_a_hub_message_queues_an_email_that_says_only_there_is_one(
    clinician, owner, django_capture_on_commit_callbacks
):
    referral = a_referral_from(owner, status=S.IN_ASSESSMENT, reference="RH-SECR-ET99")
    with (
        mock.patch.object(deliver_messages, "delay") as delay,
        django_capture_on_commit_callbacks(using=DB, execute=True),
    ):
        message = messaging.do_send_hub_message(
            referral=referral,
            acting_user=clinician,
            body="Your PHQ-9 score has improved; shall we talk on Tuesday?",
        )
    stored = HubMessage.objects.using(DB).get(pk=message.pk)
    assert (stored.from_hub, stored.author_name, stored.author_ref) == (
        True,
        "Casey Clinician",
        staff_ref_for(clinician.pk),
    )
    (notice,) = OutboxMessage.objects.using(DB).all()
    assert (notice.template, notice.recipient_user_id(), notice.category) == (
        "wellbeing/new_message",
        owner.pk,
        "hub_updates",
    )
    delay.assert_called_once_with("wellbeing", [notice.pk])
    email = rendering.render(registry.get("wellbeing"), notice, owner.email)
    text = email.subject + email.body
    assert "new message from the Resilience Hub" in text
    for secret in ("PHQ-9", "Tuesday", "RH-SECR-ET99", "Casey", "Alex Example-Person"):
        assert secret not in text
    assert entries_by(clinician) == [("update", "referral", referral.pk, "Sent a message")]


def test_no_message_goes_to_a_withdrawn_referral(clinician, owner):
    referral = a_referral_from(owner, status=S.WITHDRAWN)
    with pytest.raises(NotAllowed, match="withdrawn"):
        messaging.do_send_hub_message(referral=referral, acting_user=clinician, body="Hello")
    assert not HubMessage.objects.using(DB).exists()
    assert not OutboxMessage.objects.using(DB).exists()
