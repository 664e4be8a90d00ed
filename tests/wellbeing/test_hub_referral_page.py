"""A referral as hub staff see it, and "who opened this record" for the hub lead."""

from __future__ import annotations

import datetime

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import roles
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.wellbeing.factories import (
    HubMessageFactory,
    ReferralEventFactory,
    ReferralFactory,
    ScreeningResultFactory,
    a_hub_member_opens,
)
from wellbeing.audit import Actor, record
from wellbeing.models import (
    Assessment,
    AuditEntry,
    ContactAttempt,
    FollowUp,
    OnwardReferral,
    ReferralEventKind,
    Service,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def a_hub_member(role: str = roles.HUB_CLINICIAN, name: str = "Casey Clinician"):
    user = UserFactory(with_profile=True, roles=[role], with_totp=True)
    user.staff_profile.display_name = name
    user.staff_profile.save()
    return user


def page_url(referral) -> str:
    return reverse("wellbeing:referral", args=[referral.pk])


def audit_url(referral) -> str:
    return reverse("wellbeing:referral_audit", args=[referral.pk])


@pytest.fixture
def referral():
    return ReferralFactory(
        reference="RH-PAGE-0001",
        best_times="Weekday mornings",
        team="Ward 7",
        how_heard="colleague",
        equality_monitoring={"sex": "female", "ethnic_group": "prefer_not_to_say"},
        voicemail_ok=True,
    )


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.using("confidential").filter(action="read"))


# --- Who may open it ---------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(client, referral):
    for url in (page_url(referral), audit_url(referral)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role_list", "with_totp"), [([], False), ([roles.TEAM_LEAD], False), ([roles.CURATOR], True)]
)
def test_staff_team_leads_and_curators_are_refused_and_nothing_is_read(
    client, referral, role_list, with_totp
):
    client.force_login(UserFactory(with_profile=True, roles=role_list, with_totp=with_totp))
    assert client.get(page_url(referral)).status_code == 403
    assert client.get(audit_url(referral)).status_code == 403
    assert reads() == []


def test_the_staff_member_who_made_the_referral_is_refused_too(client, referral):
    from tests.wellbeing.factories import a_staff_member
    from wellbeing.pseudonyms import staff_ref_for

    owner = a_staff_member()
    referral.staff_ref = staff_ref_for(owner.pk)
    referral.save(using="confidential")
    client.force_login(owner)
    assert client.get(page_url(referral)).status_code == 403


def test_a_hub_clinician_without_mfa_is_sent_to_set_it_up(client, referral):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN]))
    response = client.get(page_url(referral))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert reads() == []


@pytest.mark.parametrize("role", [roles.HUB_CLINICIAN, roles.HUB_LEAD])
def test_hub_clinicians_and_leads_open_it_uncached(client, referral, role):
    client.force_login(a_hub_member(role))
    response = client.get(page_url(referral))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_referral_that_does_not_exist_is_not_found(client, clinician):
    assert client.get(reverse("wellbeing:referral", args=[987654])).status_code == 404
    assert reads() == []


# --- What it shows -------------------------------------------------------------------------------


def test_it_names_every_equality_answer_in_words(client, clinician, referral):
    referral.equality_monitoring = {
        "age_band": "55_64",
        "disability": "no",
        "sexual_orientation": "straight",
        "religion": "jewish",
    }
    referral.save(using="confidential")
    page = client.get(page_url(referral)).content.decode()
    for shown in ("55 to 64", "Straight or heterosexual", "Jewish", "Sexual orientation"):
        assert shown in page
    assert "55_64" not in page


def test_it_shows_everything_the_staff_member_gave_decrypted(client, clinician, referral):
    page = client.get(page_url(referral)).content.decode()
    for given in (
        "Alex Example-Person",
        "07700 900123",
        "alex.example@test.nhs.net",
        "Weekday mornings",
        "Yes, a message can be left",
        "Test Hospital NHS Foundation Trust",
        "Nursing and Midwifery Registered",
        "Ward 7",
        "I have not been sleeping since a difficult shift on the ward.",
        "Someone to talk to.",
        "A colleague",
        "Female",
        "Prefer not to say",
    ):
        assert given in page, given


def test_opening_it_writes_one_audit_entry(client, clinician, referral):
    client.get(page_url(referral))
    [entry] = reads()
    assert (entry.object_type, entry.object_id) == ("referral", referral.pk)
    assert (entry.actor_name, entry.actor_role) == ("Casey Clinician", "Hub clinician")
    assert entry.reason == "Opened the referral"


def test_it_shows_each_screening_and_the_score_history_as_a_chart_and_a_table(
    client, clinician, referral
):
    start = timezone.now() - datetime.timedelta(days=120)
    for days, total, band, source in (
        (0, 17, "moderately severe", "self_referral"),
        (30, 11, "moderate", "check_in"),
        (90, 4, "minimal", "session"),
    ):
        ScreeningResultFactory(
            referral=referral,
            instrument="PHQ-9",
            total=total,
            band=band,
            taken_at=start + datetime.timedelta(days=days),
            source=source,
        )
    ScreeningResultFactory(
        referral=referral, instrument="GAD-7", total=9, band="mild", taken_at=start
    )
    response = client.get(page_url(referral))
    page = response.content.decode()
    # Each sitting is named by where it was taken (issue 14).
    assert "At referral" in page
    assert "Follow-up check-in, " in page
    assert "Therapy session, " in page
    assert (
        '<svg class="app-chart" role="img" aria-labelledby="chart-phq9-title chart-phq9-desc"'
        in page
    )
    assert '<title id="chart-phq9-title">PHQ-9 scores over time</title>' in page
    assert "3 scores from 17 (moderately severe)" in page
    assert "to 4 (minimal)" in page
    assert "PHQ-9 scores (0 to 27)" in page
    assert "GAD-7 scores (0 to 21)" in page
    [phq9] = [chart for chart in response.context["page"].charts if chart.code == "PHQ-9"]
    # Time runs left to right and a higher score sits higher (a smaller y).
    xs = [point.x for point in phq9.points]
    ys = [point.y for point in phq9.points]
    assert xs == sorted(xs)
    assert xs[0] < xs[-1]
    assert ys == sorted(ys)


def test_the_timeline_shows_everything_that_happened(client, clinician, referral):
    now = timezone.now()
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.RECEIVED, at=now)
    ContactAttempt.objects.using("confidential").create(
        referral=referral,
        method="phone",
        outcome="voicemail",
        note="Left a message at 9",
        by_ref="x",
        by_name="Casey Clinician",
    )
    Assessment.objects.using("confidential").create(
        referral=referral,
        by_ref="x",
        by_name="Casey Clinician",
        notes="Poor sleep after an incident",
        risk_level="moderate",
        safety_plan="Call the crisis line if it gets worse",
        formulation="Acute stress reaction",
        outcome="onward_referral",
    )
    resource = ResourceFactory(title="Sleep well after shifts")
    SignpostedResource.objects.using("confidential").create(
        referral=referral, resource_id=resource.pk
    )
    plan = TherapyPlan.objects.using("confidential").create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="x",
        therapist_name="Casey Clinician",
    )
    TherapySession.objects.using("confidential").create(
        plan=plan, on=timezone.localdate(), attendance="attended", note="Went well"
    )
    service = Service.objects.using("confidential").create(
        name="Test Talking Therapies", criteria="Adults", how_to_refer="Online", contact="0800"
    )
    OnwardReferral.objects.using("confidential").create(referral=referral, service=service)
    HubMessageFactory(referral=referral, body="When can we call you?")
    HubMessageFactory(
        referral=referral,
        from_hub=False,
        author_ref=referral.staff_ref,
        author_name="",
        body="Mornings are best",
    )
    FollowUp.objects.using("confidential").create(
        referral=referral,
        label="4 weeks",
        due_on=timezone.localdate() + datetime.timedelta(weeks=4),
    )
    page = client.get(page_url(referral)).content.decode()
    for shown in (
        "Referral received",
        "Contact attempt: Phone call, left a voicemail",
        "Left a message at 9",
        "Rapid assessment: moderate risk; onward referral to another service",
        "Call the crisis line if it gets worse",
        "Acute stress reaction",
        "Signposted: Sleep well after shifts",
        "Direct therapy started: Cognitive behavioural therapy (CBT), 6 sessions planned",
        "Therapy session: attended",
        "Went well",
        "Referred to Test Talking Therapies: sent",
        "Message to the staff member",
        "When can we call you?",
        "Message from the staff member",
        "Mornings are best",
        "Follow-up re-screening (4 weeks): planned",
    ):
        assert shown in page, shown


def test_the_timeline_is_in_the_order_things_happened(client, clinician, referral):
    """Issue 13: an onward referral sent the day the referral arrived (a date, no time) sorted
    at midnight, above "Referral received"."""
    received = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    referral.created_at = received
    referral.save(using="confidential")
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.RECEIVED, at=received)
    ReferralEventFactory(referral=referral, kind=ReferralEventKind.URGENT, at=received)
    service = Service.objects.using("confidential").create(
        name="Test Talking Therapies", criteria="Adults", how_to_refer="Online", contact="0800"
    )
    OnwardReferral.objects.using("confidential").create(
        referral=referral, service=service, sent_on=received.date()
    )
    ContactAttempt.objects.using("confidential").create(
        referral=referral,
        at=received + datetime.timedelta(hours=1),
        method="phone",
        outcome="reached",
        by_ref="x",
    )
    plan = TherapyPlan.objects.using("confidential").create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="x",
        started_on=received.date(),
    )
    TherapySession.objects.using("confidential").create(
        plan=plan, on=received.date(), attendance="attended"
    )
    titles = [entry.title for entry in client.get(page_url(referral)).context["page"].timeline]
    assert titles == [
        "Referral received",
        "Marked urgent: a questionnaire answer showed risk",
        "Contact attempt: Phone call, reached them",
        # Dated records follow that day's timed ones, in the order they were listed.
        "Direct therapy started: Cognitive behavioural therapy (CBT), 6 sessions planned",
        "Therapy session: attended",
        "Referred to Test Talking Therapies: sent",
    ]


def test_it_links_to_the_clinical_actions_while_the_referral_is_open(client, clinician, referral):
    page = client.get(page_url(referral)).content.decode()
    assert f'href="{reverse("wellbeing:referral_contact", args=[referral.pk])}"' in page
    assert f'href="{reverse("wellbeing:referral_assess", args=[referral.pk])}"' in page
    referral.status = "closed"
    referral.save(using="confidential")
    page = client.get(page_url(referral)).content.decode()
    assert reverse("wellbeing:referral_contact", args=[referral.pk]) not in page
    assert "Assign to me" not in page


def test_only_the_hub_lead_sees_the_link_to_who_opened_it(client, clinician, referral):
    assert audit_url(referral) not in client.get(page_url(referral)).content.decode()
    client.force_login(a_hub_member(roles.HUB_LEAD, name="Lee Lead"))
    assert f'href="{audit_url(referral)}"' in client.get(page_url(referral)).content.decode()


def add_history(referral, count: int) -> None:
    for n in range(count):
        ScreeningResultFactory(
            referral=referral, taken_at=timezone.now() - datetime.timedelta(days=n)
        )
        ReferralEventFactory(referral=referral)
        HubMessageFactory(referral=referral)
        ContactAttempt.objects.using("confidential").create(
            referral=referral, method="phone", outcome="no_answer", by_ref="x"
        )


def queries_for_page(client, referral) -> tuple[int, int]:
    client.get(page_url(referral))  # the first request settles the session's checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        assert client.get(page_url(referral)).status_code == 200
    return len(default), len(confidential)


def test_the_page_costs_the_same_queries_however_long_the_history(client, referral):
    client.force_login(a_hub_member(roles.HUB_LEAD))
    few_referral = ReferralFactory()
    add_history(few_referral, 2)
    add_history(referral, 40)
    assert queries_for_page(client, few_referral) == queries_for_page(client, referral)


def test_the_page_reads_only_the_kinds_of_record_a_referral_has(client, referral):
    """A query per kind of record the referral has (screenings, events, messages, contacts),
    none for the kinds it has none of; still the same however many of each."""
    client.force_login(a_hub_member(roles.HUB_LEAD))
    fresh = ReferralFactory()
    bare = queries_for_page(client, fresh)
    add_history(fresh, 1)
    with_four_kinds = queries_for_page(client, fresh)
    assert with_four_kinds[1] - bare[1] == 4
    add_history(fresh, 10)
    assert queries_for_page(client, fresh) == with_four_kinds


# --- Who opened it -------------------------------------------------------------------------------


def test_a_clinician_cannot_see_who_opened_it(client, clinician, referral):
    assert client.get(audit_url(referral)).status_code == 403


def test_the_hub_lead_sees_every_look_at_the_referral_and_its_records(client, referral):
    message = HubMessageFactory(referral=referral)
    contact = ContactAttempt.objects.using("confidential").create(
        referral=referral, method="phone", outcome="reached", by_ref="x"
    )
    a_hub_member_opens(referral, reason="Rapid assessment")
    a_hub_member_opens(message, reason="Read the reply")
    a_hub_member_opens(contact, action="create", reason="Recorded a call")
    with transaction.atomic(using="confidential"):
        record(
            actor=Actor(referral.staff_ref, "Staff member"),
            action="read",
            obj=referral,
            reason="Viewed in my hub",
        )
    other = ReferralFactory()
    a_hub_member_opens(other, reason="Not this one")
    client.force_login(a_hub_member(roles.HUB_LEAD, name="Lee Lead"))
    response = client.get(audit_url(referral))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for shown in (
        "Opened the referral",
        "Rapid assessment",
        "Opened a message",
        "Read the reply",
        "Created a contact attempt",
        "Recorded a call",
        "The member of staff",
        "Viewed in my hub",
        "Casey Clinician",
        # The lead's own look is written down, and shown.
        "Lee Lead",
        "Checked who has opened the referral",
    ):
        assert shown in page, shown
    assert "Not this one" not in page
    assert reads()[-1].reason == "Checked who has opened the referral"


def test_the_audit_trail_is_paginated(client, referral):
    for n in range(30):
        a_hub_member_opens(referral, reason=f"Look {n}")
    client.force_login(a_hub_member(roles.HUB_LEAD))
    first = client.get(audit_url(referral))
    assert len(first.context["trail"].entries) == 25
    assert "?page=2" in first.content.decode()
    # 30 looks and the lead's two visits.
    assert len(client.get(audit_url(referral), {"page": 2}).context["trail"].entries) == 7
