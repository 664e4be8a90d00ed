"""Hostile input to every form of the Resilience Hub: self-referral, my hub, the clinicians'
action pages, the hub lead's pages and team-based support."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import roles
from tests.factories import UserFactory
from tests.fuzz.harness import fuzz, hostile_client
from tests.learning.factories import ResourceFactory
from tests.wellbeing.clinical_helpers import (
    a_hub_member,
    a_referral_from,
    a_service,
    a_team_request,
)
from tests.wellbeing.factories import ScreeningResultFactory
from tests.wellbeing.referral_steps import PAGES, answer_every_page, questionnaire
from tests.wellbeing.test_hub_team import signed_in_recently
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    Appointment,
    Campaign,
    FollowUp,
    OnwardReferral,
    ReferralDraft,
    ReferralStatus,
    Study,
    TeamRequest,
    TeamRequestStatus,
    TeamSession,
    TherapyPlan,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services.self_referral import STEPS

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
DB = "confidential"


def date_parts(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


# --- Self-referral and my hub -------------------------------------------------------------------


@pytest.fixture
def referring(client):
    """A member of staff with every page of a self-referral answered, not yet sent."""
    user = UserFactory(with_profile=True)
    hostile_client(client).force_login(user)
    answer_every_page(client)
    return user


def step_payload(slug: str) -> dict[str, str]:
    code = next((code for code in INSTRUMENTS if code.lower() == slug), None)
    return questionnaire(code) if code else PAGES[slug]


@pytest.mark.parametrize("slug", [step.slug for step in STEPS])
def test_a_self_referral_page(client, referring, slug):
    url = reverse("wellbeing:refer_step", args=[slug])
    fuzz(client, url, step_payload(slug), examples=15)


def test_sending_a_self_referral(client, referring):
    draft = ReferralDraft.objects.using(DB).get()
    valid = {"submission_key": str(draft.submission_key)}
    fuzz(client, reverse("wellbeing:refer_check"), valid, examples=20)


@pytest.fixture
def owner(client, sign_in):
    """A member of staff with an open referral, signed in just now (my hub asks for that)."""
    user = UserFactory(with_profile=True)
    hostile_client(client)
    sign_in(user)
    return user


@pytest.fixture
def own_referral(owner):
    referral = a_referral_from(owner, status=ReferralStatus.IN_SUPPORT)
    ScreeningResultFactory(referral=referral, taken_at=timezone.now() - datetime.timedelta(days=40))
    return referral


def test_replying_in_my_hub(client, own_referral):
    url = reverse("wellbeing:my_hub_messages", args=[own_referral.pk])
    fuzz(client, url, {"body": "Thank you, mornings are best."}, examples=25)


def test_asking_to_change_an_appointment(client, own_referral):
    plan = TherapyPlan.objects.using(DB).create(
        referral=own_referral, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
    )
    appointment = an_appointment(own_referral, plan, days=5)
    url = reverse("wellbeing:my_hub_appointment_change", args=[appointment.pk])
    fuzz(client, url, {"change": "rearrange", "note": "Mornings suit me."}, examples=25)


def test_withdrawing_in_my_hub(client, own_referral):
    fuzz(client, reverse("wellbeing:my_hub_withdraw", args=[own_referral.pk]), {}, examples=5)


def test_changing_research_consent_in_my_hub(client, own_referral):
    fuzz(client, reverse("wellbeing:my_hub_research"), {"research_consent": "no"}, examples=20)


def test_a_check_in(client, own_referral):
    due = FollowUp.objects.using(DB).create(
        referral=own_referral, label="4 weeks", due_on=timezone.localdate()
    )
    valid = {
        f"{code.lower()}-{name}": value
        for code in INSTRUMENTS
        for name, value in questionnaire(code).items()
    }
    fuzz(client, reverse("wellbeing:my_hub_check_in", args=[due.pk]), valid, examples=20)


def test_answering_before_a_session(client, own_referral):
    plan = TherapyPlan.objects.using(DB).create(
        referral=own_referral, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
    )
    appointment = an_appointment(own_referral, plan, days=1)
    valid = {
        f"{code.lower()}-{name}": value
        for code in ("PHQ-9", "GAD-7")
        for name, value in questionnaire(code).items()
    }
    url = reverse("wellbeing:my_hub_before_session", args=[appointment.pk])
    fuzz(client, url, valid, examples=20)


# --- Hub clinicians -----------------------------------------------------------------------------


@pytest.fixture
def clinician(client):
    user = a_hub_member(roles.HUB_CLINICIAN)
    hostile_client(client).force_login(user)
    return user


@pytest.fixture
def new_referral():
    return a_referral_from(UserFactory(with_profile=True), status=ReferralStatus.NEW)


@pytest.fixture
def supported():
    """A referral in support, with a therapy plan and an onward referral sent a week ago."""
    referral = a_referral_from(UserFactory(with_profile=True), status=ReferralStatus.IN_SUPPORT)
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="t" * 64,
        started_on=timezone.localdate() - datetime.timedelta(days=14),
    )
    onward = OnwardReferral.objects.using(DB).create(
        referral=referral,
        service=a_service(),
        sent_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    return {"referral": referral, "plan": plan, "onward": onward}


def action_url(name: str, referral, *more: int) -> str:
    return reverse(f"wellbeing:{name}", args=[referral.pk, *more])


def test_the_triage_queue_filters(client, clinician, new_referral):
    valid = {"assigned": "mine", "status": "new", "risk": "high", "page": "1"}
    fuzz(client, reverse("wellbeing:queue"), valid, method="get", examples=20)


def test_the_triage_queue_page_keys(client, clinician, new_referral):
    # A page's place is a key in the address (ADR 0031): whatever is typed there, a page.
    valid = {"after": "0-1773396000000000-1", "before": "1-1773396000000000-1", "end": "last"}
    fuzz(client, reverse("wellbeing:queue"), valid, method="get", examples=20)


def test_claiming_a_referral(client, clinician, new_referral):
    fuzz(client, action_url("referral_claim", new_referral), {}, examples=5)


def test_recording_a_contact_attempt(client, clinician, new_referral):
    valid = {
        **date_parts("on", yesterday()),
        "time": "14:30",
        "method": "phone",
        "outcome": "reached",
        "note": "Agreed to talk on Friday.",
    }
    fuzz(client, action_url("referral_contact", new_referral), valid, examples=30)


def test_recording_a_voicemail_against_their_wish(client, clinician, new_referral):
    """The referral said no to voicemail: the override's reason is posted with the attempt."""
    valid = {
        **date_parts("on", yesterday()),
        "time": "14:30",
        "method": "phone",
        "outcome": "voicemail",
        "voicemail_override": "safety",
        "note": "",
    }
    fuzz(client, action_url("referral_contact", new_referral), valid, examples=20)


def test_recording_a_rapid_assessment(client, clinician, new_referral):
    valid = {
        "notes": "Poor sleep after a difficult shift.",
        "risk_level": "moderate",
        "safety_plan": "Call the crisis line if things get worse.",
        "formulation": "Acute stress reaction.",
        "outcome": "direct_therapy",
        "modality": "cbt",
        "planned_sessions": "6",
        "onward_note": "",
        "close_reason": "",
    }
    fuzz(client, action_url("referral_assess", new_referral), valid, examples=30)


def test_signposting_resources(client, clinician, supported):
    resource = ResourceFactory()
    url = action_url("referral_signpost", supported["referral"])
    fuzz(client, url, {"resources": [str(resource.pk)]}, examples=15)


def test_searching_the_catalogue_from_the_rapid_assessment(client, clinician, new_referral):
    resource = ResourceFactory(title="Sleep after night shifts", topics=["Sleep"])
    valid = {
        "notes": "Poor sleep after a difficult shift.",
        "risk_level": "low",
        "formulation": "Acute stress reaction.",
        "outcome": "self_help",
        "resource_search": "sleep",
        "resources": [str(resource.pk)],
        "search_resources": "Search the catalogue",
    }
    fuzz(client, action_url("referral_assess", new_referral), valid, examples=25)


def test_searching_the_catalogue_to_signpost(client, clinician, supported):
    ResourceFactory(title="Sleep after night shifts", topics=["Sleep"])
    url = action_url("referral_signpost", supported["referral"])
    valid = {"resource_search": "sleep shifts", "search_resources": "Search the catalogue"}
    fuzz(client, url, valid, examples=15)


def test_linking_to_team_support(client, clinician, supported):
    request = a_team_request(TeamRequestStatus.ACCEPTED)
    url = action_url("referral_team_support", supported["referral"])
    fuzz(client, url, {"team_request": str(request.pk)}, examples=15)


def test_starting_therapy(client, clinician, supported):
    TherapyPlan.objects.using(DB).filter(pk=supported["plan"].pk).delete()
    valid = {"modality": "counselling", "planned_sessions": "8"}
    fuzz(client, action_url("referral_therapy", supported["referral"]), valid, examples=20)


def test_logging_a_therapy_session(client, clinician, supported):
    url = action_url("referral_therapy_session", supported["referral"], supported["plan"].pk)
    valid = {
        **date_parts("on", yesterday()),
        "attendance": "attended",
        "phq9_total": "12",
        "phq9_item_9": "0",
        "gad7_total": "9",
        "note": "Went well.",
    }
    fuzz(client, url, valid, examples=30)


def an_appointment(referral, plan, *, days: float) -> Appointment:
    return Appointment.objects.using(DB).create(
        referral=referral,
        plan=plan,
        clinician_ref="c" * 64,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        minutes=50,
        mode="in_person",
        place="Wellbeing Centre, room 4",
    )


def appointment_booking() -> dict[str, str]:
    return {
        **date_parts("on", timezone.localdate() + datetime.timedelta(days=14)),
        "start_time": "14:30",
        "minutes": "50",
        "mode": "in_person",
        "place": "Wellbeing Centre, room 4",
    }


def test_booking_an_appointment(client, clinician, supported):
    url = action_url("referral_appointment_new", supported["referral"])
    fuzz(client, url, appointment_booking(), examples=30)


def test_moving_an_appointment(client, clinician, supported):
    appointment = an_appointment(supported["referral"], supported["plan"], days=3)
    url = action_url("referral_appointment_move", supported["referral"], appointment.pk)
    fuzz(client, url, appointment_booking(), examples=30)


def test_cancelling_an_appointment(client, clinician, supported):
    appointment = an_appointment(supported["referral"], supported["plan"], days=3)
    url = action_url("referral_appointment_cancel", supported["referral"], appointment.pk)
    fuzz(client, url, {"cancelled_by": "cancelled_by_hub"}, examples=15)


def test_recording_attendance_at_an_appointment(client, clinician, supported):
    appointment = an_appointment(supported["referral"], supported["plan"], days=-1)
    url = action_url("referral_appointment_attendance", supported["referral"], appointment.pk)
    fuzz(client, url, {"attendance": "did_not_attend", "note": "No answer."}, examples=20)


def test_recording_attendance_with_the_sessions_scores(client, clinician, supported):
    appointment = an_appointment(supported["referral"], supported["plan"], days=-1)
    url = action_url("referral_appointment_attendance", supported["referral"], appointment.pk)
    valid = {"attendance": "attended", "phq9_total": "7", "phq9_item_9": "1", "gad7_total": "5"}
    fuzz(client, url, valid, examples=30)


def test_referring_onward(client, clinician, supported):
    service = a_service()
    valid = {"service": str(service.pk), **date_parts("sent_on", yesterday()), "note": "Urgent"}
    fuzz(client, action_url("referral_onward", supported["referral"]), valid, examples=25)


def test_updating_an_onward_referral(client, clinician, supported):
    url = action_url("referral_onward_status", supported["referral"], supported["onward"].pk)
    valid = {"status": "accepted", **date_parts("status_on", yesterday())}
    fuzz(client, url, valid, examples=25)


def test_marking_a_referral_urgent(client, clinician, new_referral):
    url = action_url("referral_urgent", new_referral)
    fuzz(client, url, {"reason": "risk_found"}, examples=15)


def test_closing_a_referral(client, clinician, supported):
    url = action_url("referral_close", supported["referral"])
    fuzz(client, url, {"reason": "support_completed"}, examples=15)


def test_joining_a_referral_with_the_open_one(client, clinician):
    owner = UserFactory(with_profile=True)
    earlier = a_referral_from(owner, status=ReferralStatus.IN_SUPPORT)
    later = a_referral_from(owner, earlier_open_referral=earlier)
    fuzz(client, action_url("referral_join", later), {"confirm": "on"}, examples=10)


def test_sending_a_secure_message(client, clinician, supported):
    url = action_url("referral_message", supported["referral"])
    fuzz(client, url, {"body": "Hello, when can I call you?"}, examples=25)


# --- The hub lead -------------------------------------------------------------------------------


@pytest.fixture
def lead(client):
    user = a_hub_member(roles.HUB_LEAD, name="Lee Lead")
    hostile_client(client).force_login(user)
    return user


def test_allocating_a_referral(client, lead, new_referral):
    other = a_hub_member(roles.HUB_CLINICIAN)
    valid = {"clinician": str(other.pk), "seen": ""}
    fuzz(client, action_url("referral_allocate", new_referral), valid, examples=25)


def test_giving_a_hub_role(client):
    lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    signed_in_recently(hostile_client(client), lead)
    newcomer = UserFactory(with_profile=True, email="new.clinician@test.nhs.net")
    valid = {"email": newcomer.email, "role": roles.HUB_CLINICIAN}
    fuzz(client, reverse("wellbeing:hub_team"), valid, examples=25)


SERVICE = {
    "name": "Staff physiotherapy",
    "criteria": "Any member of staff with a musculoskeletal problem.",
    "how_to_refer": "Self-referral form on the intranet.",
    "contact": "physio@test.nhs.net",
    "typical_wait": "2 weeks",
}


def test_adding_a_service(client, lead):
    fuzz(client, reverse("wellbeing:directory_new"), SERVICE, examples=30)


def test_changing_a_service(client, lead):
    service = a_service()
    url = reverse("wellbeing:directory_edit", args=[service.pk])
    fuzz(client, url, {**SERVICE, "active": "no"}, examples=30)


def campaign_form() -> dict[str, object]:
    return {
        "name": "Winter check-in",
        "audience": "chosen",
        "staff_groups": ["nursing_midwifery_registered"],
        "organisations": ["Test Hospital NHS Foundation Trust"],
    }


def test_creating_a_campaign(client, lead):
    fuzz(client, reverse("wellbeing:campaign_create"), campaign_form(), examples=30)


def a_campaign() -> Campaign:
    return Campaign.objects.using(DB).create(
        name="Spring check-in", code="CHK-FUZZ0001", everyone=True, created_by_ref="l" * 64
    )


def test_changing_and_starting_a_campaign(client, lead):
    campaign = a_campaign()
    url = reverse("wellbeing:campaign_edit", args=[campaign.pk])
    fuzz(client, url, campaign_form(), examples=25)
    fuzz(client, reverse("wellbeing:campaign_start", args=[campaign.pk]), {}, examples=5)


def test_the_reports_period(client, lead):
    month = f"{timezone.localdate():%Y-%m}"
    valid = {"start": month, "end": month}
    fuzz(client, reverse("wellbeing:hub_reports"), valid, method="get", examples=20)
    fuzz(client, reverse("wellbeing:hub_reports_csv"), valid, method="get", examples=10)


def test_trying_a_failed_hub_email_again(client, lead):
    fuzz(client, reverse("wellbeing:outbox_failed"), {"message": "1"}, examples=10)


# --- Team-based support -------------------------------------------------------------------------


@pytest.fixture
def team_lead(client):
    user = UserFactory(with_profile=True, roles=[roles.TEAM_LEAD])
    hostile_client(client).force_login(user)
    return user


def test_asking_for_team_support(client, team_lead):
    valid = {
        "team": "Ward 7 nursing team",
        "organisation": "Test Hospital NHS Foundation Trust",
        "team_size": "20",
        "support_type": "workshop",
        "topic": "Coping after a difficult incident",
        "preferred_dates": "Tuesday afternoons",
        "prompted_by": "A hard month on the ward.",
    }
    fuzz(client, reverse("wellbeing:team_request_new"), valid, examples=30)


def test_withdrawing_a_team_request(client, team_lead):
    request = a_team_request(TeamRequestStatus.REQUESTED)
    TeamRequest.objects.using(DB).filter(pk=request.pk).update(
        requester_ref=staff_ref_for(team_lead.pk), requester_key=str(team_lead.pk)
    )
    fuzz(client, reverse("wellbeing:team_request", args=[request.pk]), {}, examples=5)


def test_deciding_on_a_team_request(client, lead):
    request = a_team_request(TeamRequestStatus.REQUESTED)
    valid = {"decision": "declined", "reason": "A consultation would suit better."}
    fuzz(client, reverse("wellbeing:team_request_decide", args=[request.pk]), valid, examples=25)


def test_booking_a_team_session(client, lead):
    request = a_team_request(TeamRequestStatus.ACCEPTED)
    valid = {
        **date_parts("on", timezone.localdate() + datetime.timedelta(days=30)),
        "start_time": "2:30pm",
        "facilitator": "Lee Lead",
        "place": "Seminar room 2",
    }
    fuzz(client, reverse("wellbeing:team_session_new", args=[request.pk]), valid, examples=30)


def test_recording_a_team_session(client, lead):
    request = a_team_request(TeamRequestStatus.SCHEDULED)
    session = TeamSession.objects.using(DB).create(
        request=request,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        facilitator="Lee Lead",
        place="Room 2",
    )
    url = reverse("wellbeing:team_session", args=[request.pk, session.pk])
    fuzz(client, url, {"attended": "8", "feedback": "Good discussion."}, examples=25)


# --- Research -----------------------------------------------------------------------------------


@pytest.fixture
def researcher(client):
    user = a_hub_member(roles.HUB_RESEARCHER, name="Rae Researcher")
    hostile_client(client).force_login(user)
    return user


def test_defining_a_research_study(client, researcher):
    today = timezone.localdate()
    valid = {
        "name": "Hub evaluation",
        "approval_reference": "IRAS 123456",
        **date_parts("period_start", today - datetime.timedelta(days=365)),
        **date_parts("period_end", today),
    }
    fuzz(client, reverse("wellbeing:research_study_new"), valid, examples=40)


def test_downloading_a_research_extract(client, researcher):
    study = Study.objects.using(DB).create(
        name="Fuzzed study",
        approval_reference="SE-1",
        period_start=timezone.localdate() - datetime.timedelta(days=30),
        period_end=timezone.localdate(),
        defined_by_ref="r" * 64,
    )
    for file_format in ("csv", "fhir", "dictionary"):
        url = reverse("wellbeing:research_download", args=[study.pk, file_format])
        fuzz(client, url, {}, examples=5)
