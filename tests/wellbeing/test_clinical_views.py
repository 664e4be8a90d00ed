"""The clinicians' action pages over HTTP: who may open them, what they say, how they refuse."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import roles
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.submission_keys import a_key
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
from wellbeing.contact_targets import contact_target_for
from wellbeing.models import (
    Assessment,
    ContactAttempt,
    HubMessage,
    OnwardReferral,
    OutboxMessage,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)
from wellbeing.referral_states import NotAllowed
from wellbeing.services import referrals

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

S = ReferralStatus
ACTION_PAGES = [
    "referral_contact",
    "referral_assess",
    "referral_signpost",
    "referral_therapy",
    "referral_onward",
    "referral_close",
    "referral_urgent",
    "referral_join",
    "referral_message",
    "referral_team_support",
]


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def url(name: str, referral, *more: int) -> str:
    return reverse(f"wellbeing:{name}", args=[referral.pk, *more])


def back_to(referral) -> str:
    return reverse("wellbeing:referral", args=[referral.pk])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def every_page(referral, plan, onward) -> list[str]:
    return [url(name, referral) for name in ACTION_PAGES] + [
        url("referral_therapy_session", referral, plan.pk),
        url("referral_onward_status", referral, onward.pk),
    ]


@pytest.fixture
def supported():
    """A referral in support with a therapy plan and an onward referral."""
    referral = a_referral_in(S.IN_SUPPORT)
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="c" * 64
    )
    onward = OnwardReferral.objects.using(DB).create(referral=referral, service=a_service())
    return referral, plan, onward


# --- Who may open the pages -----------------------------------------------------------------------


def test_a_signed_out_visitor_is_asked_to_sign_in(client, supported):
    for page in every_page(*supported):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role_list", [[], [roles.TEAM_LEAD], [roles.CURATOR]])
def test_staff_team_leads_and_curators_are_forbidden(client, supported, role_list):
    client.force_login(UserFactory(with_profile=True, roles=role_list, with_totp=True))
    for page in every_page(*supported):
        assert client.get(page).status_code == 403
        assert client.post(page, {}).status_code == 403
    assert not HubMessage.objects.using(DB).exists()


@pytest.mark.parametrize("role", [roles.HUB_CLINICIAN, roles.HUB_LEAD])
def test_hub_staff_open_every_page_never_cached(client, supported, role):
    client.force_login(a_hub_member(role))
    referral, plan, onward = supported
    # The assessment and marking urgent are for a referral not yet in support; every other page
    # is for one in it.
    waiting = a_referral_in(S.IN_ASSESSMENT)
    pages = [
        p for p in every_page(referral, plan, onward) if not p.endswith(("/assess/", "/urgent/"))
    ]
    for page in [*pages, url("referral_assess", waiting), url("referral_urgent", waiting)]:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "no-store" in response["Cache-Control"]


def test_a_referral_that_does_not_exist_is_not_found(client, clinician):
    for name in ACTION_PAGES:
        assert client.get(reverse(f"wellbeing:{name}", args=[999_999])).status_code == 404
        assert client.get(reverse(f"wellbeing:{name}", args=[2**63])).status_code == 404


def test_another_referrals_plan_or_onward_referral_is_not_found(client, clinician, supported):
    _referral, plan, onward = supported
    other = a_referral_in(S.IN_SUPPORT)
    assert client.get(url("referral_therapy_session", other, plan.pk)).status_code == 404
    assert client.get(url("referral_onward_status", other, onward.pk)).status_code == 404


# --- What a page says ---------------------------------------------------------------------------


def test_a_page_shows_the_reference_and_what_it_changes_and_is_audited(client, clinician):
    referral = a_referral_in(S.NEW)
    page = client.get(url("referral_contact", referral)).content.decode()
    assert f"Referral {referral.reference}" in page
    assert "Record a contact attempt" in page
    assert "moves to &#x27;being assessed&#x27;" in page
    assert f'href="{back_to(referral)}"' in page
    # The page decrypts nothing: it shows neither name nor story.
    assert referral.name not in page
    assert entries_by(clinician) == [
        ("read", "referral", referral.pk, "Opened 'Record a contact attempt'")
    ]


def test_a_page_for_something_the_state_does_not_allow_sends_you_back_with_the_reason(
    client, clinician
):
    referral = a_referral_in(S.CLOSED)
    response = client.get(url("referral_assess", referral))
    assert response["Location"] == back_to(referral)
    assert said(response) == [
        f"Referral {referral.reference} is closed, so you cannot record a rapid assessment now."
    ]


# --- Contact attempts ---------------------------------------------------------------------------


def contact_form(**overrides: object) -> dict[str, object]:
    an_hour_ago = timezone.localtime() - datetime.timedelta(hours=1)
    form: dict[str, object] = {
        **date_fields("on", an_hour_ago.date()),
        "time": f"{an_hour_ago:%H:%M}",
        "method": "phone",
        "outcome": "no_answer",
        "note": "",
    }
    form.update(overrides)
    return form


def test_recording_a_contact_goes_back_to_the_referral_with_a_message(client, clinician):
    referral = a_referral_in(S.NEW)
    response = client.post(url("referral_contact", referral), contact_form())
    assert response["Location"] == back_to(referral)
    assert said(response) == [f"Contact attempt recorded for referral {referral.reference}."]
    attempt = ContactAttempt.objects.using(DB).get(referral=referral)
    assert (attempt.method, attempt.outcome) == ("phone", "no_answer")
    assert fresh(referral).status == S.IN_ASSESSMENT


def test_a_contact_attempt_in_the_future_is_refused_next_to_the_date(client, clinician):
    referral = a_referral_in(S.NEW)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url("referral_contact", referral), contact_form(**date_fields("on", tomorrow))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The date and time of the attempt must be in the past" in page
    assert not ContactAttempt.objects.using(DB).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time", "25:00", "Enter a real time, for example 14:30"),
        ("time", "", "Enter the time of the attempt, for example 14:30"),
        ("method", "", "Select how you tried to contact them"),
        ("outcome", "carrier pigeon", "Select what happened"),
        ("on_month", "", "The date of the attempt must include a month"),
    ],
)
def test_contact_attempt_mistakes_are_explained(client, clinician, field, value, message):
    referral = a_referral_in(S.NEW)
    response = client.post(url("referral_contact", referral), contact_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_refusal_from_the_service_is_shown_and_nothing_changes(client, clinician):
    referral = a_referral_in(S.NEW)
    page = client.get(url("referral_contact", referral))
    assert page.status_code == 200
    # Meanwhile the member of staff withdraws it.
    referral.status = S.WITHDRAWN
    referral.save(using=DB)
    response = client.post(url("referral_contact", referral), contact_form())
    assert response.status_code == 400
    assert "is withdrawn by the member of staff, so you cannot record a contact attempt" in (
        response.content.decode()
    )
    assert not ContactAttempt.objects.using(DB).exists()


# --- A record that cannot contradict itself (issue 13) -------------------------------------------


def errors_beside(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_a_contact_attempt_before_the_referral_arrived_is_refused_beside_the_date(
    client, clinician
):
    received = timezone.localtime() - datetime.timedelta(days=2)
    referral = a_referral_in(S.NEW)
    referral.created_at = received
    referral.save(using=DB)
    before = received - datetime.timedelta(days=1)
    response = client.post(
        url("referral_contact", referral),
        contact_form(**date_fields("on", before.date()), time=f"{received:%H:%M}"),
    )
    assert response.status_code == 400
    assert errors_beside(response, "on") == [
        "The date and time of the attempt must be after the referral was received, "
        f"{received.day} {received:%B %Y} at {received:%H:%M}"
    ]
    assert not ContactAttempt.objects.using(DB).exists()
    # The same minute it arrived is fine: a call can follow a referral at once.
    response = client.post(
        url("referral_contact", referral),
        contact_form(**date_fields("on", received.date()), time=f"{received:%H:%M}"),
    )
    assert response["Location"] == back_to(referral)


def test_a_voicemail_for_someone_who_asked_for_none_is_refused_without_a_reason(client, clinician):
    referral = a_referral_in(S.NEW)  # the factory's referral said no to voicemail
    page = client.get(url("referral_contact", referral)).content.decode()
    assert "They asked the hub not to leave a voicemail. If you left one, why?" in page
    response = client.post(url("referral_contact", referral), contact_form(outcome="voicemail"))
    assert response.status_code == 400
    assert errors_beside(response, "voicemail_override") == [
        "They asked the hub not to leave a voicemail. Select why you left one, or select "
        "what else happened"
    ]
    assert not ContactAttempt.objects.using(DB).exists()


def test_a_voicemail_against_their_wish_with_a_reason_is_recorded_shown_and_audited(
    client, clinician
):
    referral = a_referral_in(S.NEW)
    response = client.post(
        url("referral_contact", referral),
        contact_form(outcome="voicemail", voicemail_override="safety"),
    )
    assert response["Location"] == back_to(referral)
    assert ContactAttempt.objects.using(DB).get().voicemail_override == "safety"
    assert entries_by(clinician)[-1][3] == (
        "Recorded a contact attempt; voicemail left against their wish: "
        "A voicemail was needed for their safety"
    )
    page = client.get(back_to(referral)).content.decode()
    assert "Voicemail left although they asked for none" in page
    assert "A voicemail was needed for their safety" in page


def test_someone_who_said_yes_to_voicemail_is_not_asked_why_one_was_left(client, clinician):
    referral = a_referral_in(S.NEW)
    referral.voicemail_ok = True
    referral.save(using=DB)
    assert (
        "If you left one, why?"
        not in client.get(url("referral_contact", referral)).content.decode()
    )
    # A reason sent anyway (a hand-made post) is not recorded: there was nothing to override.
    response = client.post(
        url("referral_contact", referral),
        contact_form(outcome="voicemail", voicemail_override="safety"),
    )
    assert response["Location"] == back_to(referral)
    assert ContactAttempt.objects.using(DB).get().voicemail_override == ""
    assert entries_by(clinician)[-1][3] == "Recorded a contact attempt"


def test_a_reason_without_a_voicemail_is_not_recorded(client, clinician):
    referral = a_referral_in(S.NEW)
    response = client.post(
        url("referral_contact", referral),
        contact_form(outcome="reached", voicemail_override="agreed_since"),
    )
    assert response["Location"] == back_to(referral)
    assert ContactAttempt.objects.using(DB).get().voicemail_override == ""


def test_the_service_refuses_a_voicemail_against_their_wish_and_an_attempt_before_the_referral(
    clinician,
):
    referral = a_referral_in(S.NEW)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(NotAllowed, match="not to leave a voicemail"):
        referrals.do_record_contact(
            referral=referral,
            acting_user=clinician,
            at=an_hour_ago,
            method="phone",
            outcome="voicemail",
        )
    with pytest.raises(NotAllowed, match="before the referral was received"):
        referrals.do_record_contact(
            referral=referral,
            acting_user=clinician,
            at=referral.created_at - datetime.timedelta(minutes=1),
            method="phone",
            outcome="reached",
        )
    assert not ContactAttempt.objects.using(DB).exists()


def test_a_therapy_session_before_the_therapy_started_is_refused_beside_the_date(
    client, clinician, supported
):
    referral, plan, _onward = supported
    plan.started_on = timezone.localdate() - datetime.timedelta(days=3)
    plan.save(using=DB)
    before = plan.started_on - datetime.timedelta(days=1)
    response = client.post(
        url("referral_therapy_session", referral, plan.pk),
        {**date_fields("on", before), "attendance": "attended"},
    )
    assert response.status_code == 400
    assert errors_beside(response, "on") == [
        "The date of the session must be on or after the day the therapy started, "
        f"{plan.started_on.day} {plan.started_on:%B %Y}"
    ]
    assert not TherapySession.objects.using(DB).exists()


def test_an_onward_referral_sent_before_the_hub_received_the_referral_is_refused_beside_the_date(
    client, clinician, supported
):
    referral, _plan, _onward = supported
    received = timezone.localdate(referral.created_at)
    service = a_service("Test occupational health")
    for day, message in [
        (
            received - datetime.timedelta(days=1),
            "The date the referral was sent must be on or after the day the hub received "
            f"this referral, {received.day} {received:%B %Y}",
        ),
        (datetime.date(1990, 1, 1), None),
        (
            timezone.localdate() + datetime.timedelta(days=1),
            "The date the referral was sent must be today or in the past",
        ),
    ]:
        response = client.post(
            url("referral_onward", referral),
            {"service": str(service.pk), **date_fields("sent_on", day)},
        )
        assert response.status_code == 400
        (error,) = errors_beside(response, "sent_on")  # one message per problem
        if message:
            assert error == message
    assert not OnwardReferral.objects.using(DB).filter(service=service).exists()


# --- The rapid assessment -----------------------------------------------------------------------


def assessment_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "notes": "Poor sleep; intrusive memories of a resuscitation.",
        "risk_level": "low",
        "safety_plan": "",
        "formulation": "Acute stress reaction.",
        "outcome": "self_help",
    }
    form.update(overrides)
    return form


def test_an_assessment_with_self_help_signposts_the_chosen_resources(client, clinician):
    chosen, _other = ResourceFactory(title="Sleep after shifts"), ResourceFactory()
    referral = a_referral_in(S.IN_ASSESSMENT)
    searched = client.post(
        url("referral_assess", referral),
        assessment_form(resource_search="sleep", search_resources="Search the catalogue"),
    ).content.decode()
    assert "Sleep after shifts" in searched
    response = client.post(
        url("referral_assess", referral), assessment_form(resources=[str(chosen.pk)])
    )
    assert response["Location"] == back_to(referral)
    assert said(response) == [f"Rapid assessment saved for referral {referral.reference}."]
    assert fresh(referral).status == S.IN_SUPPORT
    assert list(SignpostedResource.objects.using(DB).values_list("resource_id", flat=True)) == [
        chosen.pk
    ]


def test_only_published_resources_can_be_chosen(client, clinician):
    draft = ResourceFactory(title="Unfinished draft module", status="draft")
    referral = a_referral_in(S.IN_ASSESSMENT)
    assert "Unfinished draft module" not in (
        client.get(url("referral_assess", referral)).content.decode()
    )
    response = client.post(
        url("referral_assess", referral), assessment_form(resources=[str(draft.pk)])
    )
    assert response.status_code == 400
    assert "Select resources from the published list" in response.content.decode()
    assert not Assessment.objects.using(DB).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"risk_level": "moderate"}, "Enter a safety plan: it is needed when risk is moderate"),
        ({"risk_level": "high", "safety_plan": "  "}, "Enter a safety plan"),
        ({"notes": ""}, "Enter your assessment notes"),
        ({"formulation": ""}, "Enter a formulation"),
        ({"outcome": ""}, "Select the outcome"),
        ({"risk_level": "extreme"}, "Select the risk level"),
        ({"outcome": "self_help"}, "Select at least one resource to signpost"),
        ({"outcome": "team_support"}, "Select the team request"),
        ({"outcome": "direct_therapy", "modality": "cbt"}, "Enter the number of planned sessions"),
        (
            {"outcome": "direct_therapy", "modality": "cbt", "planned_sessions": "31"},
            "Planned sessions must be between 1 and 30",
        ),
        (
            {"outcome": "direct_therapy", "modality": "cbt", "planned_sessions": "0"},
            "Planned sessions must be between 1 and 30",
        ),
        (
            {"outcome": "direct_therapy", "modality": "cbt", "planned_sessions": "six"},
            "Enter the number of planned sessions as a number, like 6",
        ),
        ({"outcome": "direct_therapy", "planned_sessions": "6"}, "Select the type of therapy"),
        ({"outcome": "onward_referral"}, "Select the service to refer to"),
        ({"outcome": "close"}, "Select why the referral is being closed"),
    ],
)
def test_assessment_mistakes_are_explained(client, clinician, overrides, message):
    referral = a_referral_in(S.IN_ASSESSMENT)
    response = client.post(url("referral_assess", referral), assessment_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assessment.objects.using(DB).exists()


def test_each_outcome_is_acted_on_from_the_page(client, clinician):
    service, team_request = a_service(), a_team_request()
    cases = [
        ({"outcome": "direct_therapy", "modality": "emdr", "planned_sessions": "12"}, S.IN_SUPPORT),
        ({"outcome": "onward_referral", "service": str(service.pk)}, S.IN_SUPPORT),
        ({"outcome": "team_support", "team_request": str(team_request.pk)}, S.IN_SUPPORT),
        ({"outcome": "close", "close_reason": "declined"}, S.CLOSED),
    ]
    for overrides, status in cases:
        referral = a_referral_in(S.IN_ASSESSMENT)
        response = client.post(url("referral_assess", referral), assessment_form(**overrides))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert fresh(referral).status == status
    assert TherapyPlan.objects.using(DB).get().planned_sessions == 12
    assert OnwardReferral.objects.using(DB).get().service == service


# --- More support, sessions and onward status ---------------------------------------------------


def test_signposting_offers_only_resources_not_yet_signposted(client, clinician, supported):
    referral, _plan, _onward = supported
    given = ResourceFactory(title="Already given: sleep")
    fresh_one = ResourceFactory(title="Not yet: sleep")
    SignpostedResource.objects.using(DB).create(referral=referral, resource_id=given.pk)
    page = client.post(
        url("referral_signpost", referral),
        {"resource_search": "sleep", "search_resources": "Search the catalogue"},
    ).content.decode()
    assert "Not yet" in page
    assert "Already given" not in page
    response = client.post(url("referral_signpost", referral), {"resources": [str(fresh_one.pk)]})
    assert response["Location"] == back_to(referral)
    assert SignpostedResource.objects.using(DB).filter(referral=referral).count() == 2


def test_starting_therapy_checks_the_planned_sessions(client, clinician, supported):
    referral, _plan, _onward = supported
    response = client.post(
        url("referral_therapy", referral), {"modality": "cbt", "planned_sessions": "40"}
    )
    assert "Planned sessions must be between 1 and 30" in response.content.decode()
    response = client.post(
        url("referral_therapy", referral), {"modality": "cbt", "planned_sessions": "10"}
    )
    assert response["Location"] == back_to(referral)
    assert TherapyPlan.objects.using(DB).filter(referral=referral).count() == 2


def test_a_therapy_session_is_logged_and_a_future_one_refused(client, clinician, supported):
    referral, plan, _onward = supported
    page = client.get(url("referral_therapy_session", referral, plan.pk)).content.decode()
    assert "6 sessions planned" in page
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url("referral_therapy_session", referral, plan.pk),
        {**date_fields("on", tomorrow), "attendance": "attended"},
    )
    assert "The date of the session must be today or in the past" in response.content.decode()
    response = client.post(
        url("referral_therapy_session", referral, plan.pk),
        {**date_fields("on", timezone.localdate()), "attendance": "did_not_attend"},
    )
    assert response["Location"] == back_to(referral)
    assert TherapySession.objects.using(DB).get().attendance == "did_not_attend"


def test_an_onward_referral_is_recorded_and_its_status_updated(client, clinician, supported):
    referral, _plan, _onward = supported
    service = a_service("Test occupational health")
    response = client.post(
        url("referral_onward", referral),
        {"service": str(service.pk), **date_fields("sent_on", timezone.localdate())},
    )
    assert response["Location"] == back_to(referral)
    onward = OnwardReferral.objects.using(DB).get(service=service)
    page = client.get(url("referral_onward_status", referral, onward.pk)).content.decode()
    assert "Referred to Test occupational health" in page
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        url("referral_onward_status", referral, onward.pk),
        {"status": "accepted", **date_fields("status_on", yesterday)},
    )
    assert "on or after the date the referral was sent" in response.content.decode()
    response = client.post(
        url("referral_onward_status", referral, onward.pk),
        {"status": "accepted", **date_fields("status_on", timezone.localdate())},
    )
    assert response["Location"] == back_to(referral)
    assert OnwardReferral.objects.using(DB).get(pk=onward.pk).status == "accepted"


def test_only_accepted_team_requests_are_offered(client, clinician, supported):
    referral, _plan, _onward = supported
    accepted = a_team_request()
    declined = a_team_request(status="declined")
    page = client.get(url("referral_team_support", referral)).content.decode()
    assert f'value="{accepted.pk}"' in page
    assert f'value="{declined.pk}"' not in page
    response = client.post(url("referral_team_support", referral), {"team_request": declined.pk})
    assert "Select a team request from the list" in response.content.decode()
    response = client.post(url("referral_team_support", referral), {"team_request": accepted.pk})
    assert response["Location"] == back_to(referral)
    assert fresh(referral).team_request_id == accepted.pk


# --- Closing and messages -----------------------------------------------------------------------


def test_closing_asks_for_a_reason_and_says_it_cannot_be_undone(client, clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    page = client.get(url("referral_close", referral)).content.decode()
    assert "nhsuk-button--warning" in page
    assert "cannot be opened again" in page
    response = client.post(url("referral_close", referral), {})
    assert "Select why the referral is being closed" in response.content.decode()
    response = client.post(url("referral_close", referral), {"reason": "no_contact"})
    assert said(response) == [f"Referral {referral.reference} closed."]
    assert (fresh(referral).status, fresh(referral).close_reason) == (S.CLOSED, "no_contact")


def test_a_message_is_sent_and_its_notice_queued(client, clinician):
    owner = UserFactory(with_profile=True)
    referral = a_referral_from(owner, status=S.IN_ASSESSMENT)
    response = client.post(url("referral_message", referral), {"body": ""})
    assert "Enter a message" in response.content.decode()
    response = client.post(url("referral_message", referral), {"body": "Can we talk tomorrow?"})
    assert response["Location"] == back_to(referral)
    message = HubMessage.objects.using(DB).get()
    assert (message.body, message.author_name) == ("Can we talk tomorrow?", "Casey Clinician")
    assert OutboxMessage.objects.using(DB).get().template == "wellbeing/new_message"


# --- Marking urgent -----------------------------------------------------------------------------


def test_marking_urgent_starts_its_hours_from_now_and_says_why_in_the_audit(client, clinician):
    # Arrived three days ago: had its hours counted from arrival, it would be long past target.
    referral = a_referral_in(S.IN_ASSESSMENT)
    Referral.objects.using(DB).filter(pk=referral.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    page = client.get(url("referral_urgent", referral)).content.decode()
    assert "a rapid assessment within 24 hours from now, counted on every day" in page
    response = client.post(url("referral_urgent", referral), {"reason": "risk_found"})
    assert response["Location"] == back_to(referral)
    assert said(response) == [f"Referral {referral.reference} marked urgent."]
    marked = fresh(referral)
    assert marked.urgent
    target = contact_target_for(marked)
    assert not target.passed(timezone.now())
    assert marked.urgent_since is not None
    assert target.due_at - marked.urgent_since == datetime.timedelta(hours=24)
    reason = "Marked urgent: Risk came to light on contact or review"
    assert ("update", "referral", referral.pk, reason) in entries_by(clinician)
    assert ReferralEvent.objects.using(DB).filter(referral=referral, kind="urgent").exists()


def test_an_urgent_referral_is_not_offered_mark_urgent_and_the_page_says_it_already_is(
    client, clinician
):
    referral = a_referral_in(S.NEW)
    Referral.objects.using(DB).filter(pk=referral.pk).update(urgent=True)
    page = client.get(back_to(referral)).content.decode()
    assert url("referral_urgent", referral) not in page
    response = client.get(url("referral_urgent", referral))
    assert response["Location"] == back_to(referral)
    assert said(response) == [f"Referral {referral.reference} is already urgent."]


def test_a_referral_in_support_cannot_be_marked_urgent(client, clinician, supported):
    referral = supported[0]
    assert url("referral_urgent", referral) not in client.get(back_to(referral)).content.decode()
    client.post(url("referral_urgent", referral), {"reason": "risk_found"})
    assert not fresh(referral).urgent


def test_marking_urgent_asks_why(client, clinician):
    referral = a_referral_in(S.NEW)
    response = client.post(url("referral_urgent", referral), {})
    assert response.status_code == 400
    assert "Select why the referral is urgent" in response.content.decode()
    assert not fresh(referral).urgent


# --- Double submits ------------------------------------------------------------------------------


def test_a_contact_attempt_posted_twice_with_one_key_is_recorded_once(client, clinician):
    referral = a_referral_in(S.NEW)
    form = {**contact_form(), "submission_key": a_key()}
    first = client.post(url("referral_contact", referral), form)
    again = client.post(url("referral_contact", referral), form)
    assert ContactAttempt.objects.using(DB).filter(referral=referral).count() == 1
    # The repeat is answered as the first was: back to the referral, saying it is done.
    assert again["Location"] == first["Location"] == back_to(referral)
    page = client.get(again["Location"]).content.decode()
    assert page.count(f"Contact attempt recorded for referral {referral.reference}.") == 1


def test_a_message_posted_twice_with_one_key_is_sent_once_but_the_same_words_twice_are_two(
    client, clinician
):
    referral = a_referral_from(UserFactory(with_profile=True), status=S.IN_SUPPORT)
    form = {"body": "Thank you.", "submission_key": a_key()}
    client.post(url("referral_message", referral), form)
    client.post(url("referral_message", referral), form)
    assert HubMessage.objects.using(DB).count() == OutboxMessage.objects.using(DB).count() == 1
    client.post(url("referral_message", referral), {"body": "Thank you."})
    assert HubMessage.objects.using(DB).count() == 2


def test_closing_posted_twice_says_closed_both_times(client, clinician):
    referral = a_referral_in(S.IN_ASSESSMENT)
    form = {"reason": "no_contact", "submission_key": a_key()}
    client.post(url("referral_close", referral), form)
    again = client.post(url("referral_close", referral), form)
    page = client.get(again["Location"]).content.decode()
    assert page.count(f"Referral {referral.reference} closed.") == 1
    assert "so you cannot" not in page


def test_a_page_kept_from_before_keys_is_told_to_send_again_and_changes_nothing(clinician):
    plain = Client()  # posts only what the test gives: no key
    plain.force_login(clinician)
    referral = a_referral_in(S.NEW)
    response = plain.post(url("referral_contact", referral), contact_form())
    assert response.status_code == 400
    page = response.content.decode()
    assert "This page has expired. Check your answers and send the form again" in page
    assert 'name="submission_key"' in page
    assert not ContactAttempt.objects.using(DB).exists()


def test_a_form_shown_again_with_errors_is_saved_once_fixed(client, clinician):
    referral = a_referral_in(S.NEW)
    key = a_key()
    with_a_bad_note = {**contact_form(note="x" * 5000), "submission_key": key}
    assert client.post(url("referral_contact", referral), with_a_bad_note).status_code == 400
    fixed = {**contact_form(), "submission_key": key}
    assert client.post(url("referral_contact", referral), fixed)["Location"] == back_to(referral)
    assert ContactAttempt.objects.using(DB).filter(referral=referral).count() == 1


# --- What the member of staff then sees ---------------------------------------------------------


def test_the_member_of_staff_sees_the_steps_in_my_hub(client, sign_in):
    owner = UserFactory(with_profile=True)
    referral = a_referral_from(owner, status=S.NEW)
    clinician = a_hub_member()
    referrals.do_record_contact(
        referral=referral,
        acting_user=clinician,
        at=timezone.now() - datetime.timedelta(minutes=5),
        method="phone",
        outcome="reached",
        note="Talked about night shifts.",
    )
    sign_in(owner)
    page = client.get(reverse("wellbeing:my_hub")).content.decode()
    assert "The hub tried to contact you" in page
    assert "Talked about night shifts" not in page
