"""My caseload: a clinician's own referrals, each with what is next, most pressing first, at a
constant number of queries however many they hold."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import roles
from tests.wellbeing.factories import HubMessageFactory, ReferralFactory
from tests.wellbeing.test_hub_queue import LONDON, TODAY, a_hub_member, at
from wellbeing.models import (
    Appointment,
    AuditEntry,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    FollowUp,
    Referral,
    ReferralStatus,
    TherapyPlan,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import queue

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

CASELOAD = reverse("wellbeing:caseload")
DB = "confidential"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(queue, "today", lambda: TODAY)


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def held_by(user, reference: str, arrived: int, **fields) -> Referral:
    return ReferralFactory(
        reference=reference,
        created_at=at(arrived),
        assigned_ref=staff_ref_for(user.pk),
        assigned_name="Casey Clinician",
        status=fields.pop("status", ReferralStatus.IN_ASSESSMENT),
        **fields,
    )


def assessed(user, reference: str, arrived: int) -> Referral:
    return held_by(
        user, reference, arrived, status=ReferralStatus.IN_SUPPORT, assessed_at=at(arrived + 1)
    )


def follow_up(referral: Referral, due_on: datetime.date, **fields) -> FollowUp:
    return FollowUp.objects.using(DB).create(
        referral=referral, label="4 weeks", due_on=due_on, **fields
    )


def rows(response) -> list[tuple[str, str]]:
    return [(row.referral.reference, row.next_step) for row in response.context["caseload"].rows]


def test_past_target_comes_first_then_whatever_is_due_soonest_then_nothing_due(client, clinician):
    held_by(clinician, "RH-PAST-2", arrived=9)  # target Wednesday 11th
    held_by(clinician, "RH-PAST-1", arrived=10)  # target Thursday 12th
    contacted = held_by(clinician, "RH-ASSESS", arrived=12)  # target Monday 16th
    ContactAttempt.objects.using(DB).create(
        referral=contacted,
        method=ContactMethod.PHONE,
        outcome=ContactOutcome.REACHED,
        by_ref="c" * 64,
    )
    held_by(clinician, "RH-CONTACT", arrived=11, status=ReferralStatus.NEW)  # target today
    later = assessed(clinician, "RH-FU-LATER", arrived=2)
    follow_up(later, datetime.date(2026, 3, 20))
    follow_up(later, datetime.date(2026, 3, 1), completed_at=at(1))  # done: not what is next
    overdue = assessed(clinician, "RH-FU-LATE", arrived=2)
    follow_up(overdue, datetime.date(2026, 3, 1))
    assessed(clinician, "RH-NOTHING", arrived=2)
    response = client.get(CASELOAD)
    assert response.status_code == 200
    assert rows(response) == [
        ("RH-PAST-2", "Contact due"),
        ("RH-PAST-1", "Contact due"),
        ("RH-FU-LATE", "Follow-up check-in due"),
        ("RH-CONTACT", "Contact due"),
        ("RH-ASSESS", "Assessment due"),
        ("RH-FU-LATER", "Follow-up check-in due"),
        ("RH-NOTHING", "Nothing due"),
    ]
    page = response.content.decode()
    assert "Past target by 2 working days" in page
    assert "Overdue since 1 March 2026" in page
    assert "20 March 2026" in page


def test_only_my_open_referrals_are_on_my_caseload(client, clinician):
    held_by(clinician, "RH-MINE", arrived=12)
    held_by(clinician, "RH-CLOSED", arrived=12, status=ReferralStatus.CLOSED)
    someone_else = a_hub_member(name="Sam Someone")
    held_by(someone_else, "RH-THEIRS", arrived=12)
    ReferralFactory(reference="RH-NOBODY", created_at=at(12))
    assert [ref for ref, _ in rows(client.get(CASELOAD))] == ["RH-MINE"]


def test_a_message_from_them_with_no_reply_since_says_it_waits_for_my_reply(client, clinician):
    waiting = held_by(clinician, "RH-WAITS", arrived=12)
    answered = held_by(clinician, "RH-ANSWER", arrived=12)
    first = at(12, 11)
    for referral in (waiting, answered):
        HubMessageFactory(
            referral=referral, from_hub=False, author_ref=referral.staff_ref, sent_at=first
        )
    HubMessageFactory(referral=answered, sent_at=first + datetime.timedelta(hours=1))
    found = {
        row.referral.reference: row.waiting_for_reply
        for row in client.get(CASELOAD).context["caseload"].rows
    }
    assert found == {"RH-WAITS": True, "RH-ANSWER": False}
    assert client.get(CASELOAD).content.decode().count("Waiting for your reply") == 1


def test_an_empty_caseload_points_to_the_queue(client, clinician):
    page = client.get(CASELOAD).content.decode()
    assert "You hold no open referrals." in page
    assert f"{reverse('wellbeing:queue')}?assigned=unassigned" in page


def test_it_is_in_the_menu_for_clinicians_and_leads_and_names_no_one(client, clinician):
    held_by(clinician, "RH-MINE", arrived=12)
    page = client.get(CASELOAD).content.decode()
    assert ">My caseload<" in page
    assert ReferralFactory._meta.model.objects.using(DB).get(reference="RH-MINE").name not in page
    assert not AuditEntry.objects.using(DB).exists()


def test_staff_without_a_hub_role_cannot_open_it(client, staff_user):
    client.force_login(staff_user)
    assert client.get(CASELOAD).status_code == 403


def test_it_pages_by_25(client, clinician):
    for n in range(30):
        held_by(clinician, f"RH-{n:04d}", arrived=12)
    first = client.get(CASELOAD)
    second = client.get(CASELOAD, {"page": 2})
    assert len(first.context["caseload"].rows) == 25
    assert len(second.context["caseload"].rows) == 5
    assert "Referrals you hold (30)" in first.content.decode()


# --- Cost ----------------------------------------------------------------------------------------


def seed(user, count: int) -> None:
    ref = staff_ref_for(user.pk)
    made = Referral.objects.using(DB).bulk_create(
        ReferralFactory.build(
            submission_key=uuid.uuid4(),
            created_at=datetime.datetime(2026, 3, 1 + n % 12, 9, tzinfo=LONDON),
            assigned_ref=ref,
            status=ReferralStatus.IN_SUPPORT if n % 2 else ReferralStatus.IN_ASSESSMENT,
            assessed_at=at(12) if n % 2 else None,
        )
        for n in range(count)
    )
    FollowUp.objects.using(DB).bulk_create(
        FollowUp(referral=r, label="4 weeks", due_on=datetime.date(2026, 4, 1)) for r in made
    )


def queries_for_caseload(client) -> tuple[int, int]:
    client.get(CASELOAD)  # the first request settles the session's MFA and profile checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        response = client.get(CASELOAD)
    assert response.status_code == 200
    return len(default), len(confidential)


def test_the_caseload_costs_the_same_queries_for_1_or_500_referrals(client, clinician):
    seed(clinician, 1)
    few = queries_for_caseload(client)
    seed(clinician, 499)
    many = queries_for_caseload(client)
    assert few == many
    # the reader's hub roles, the count, the page's ids in order (from an index), its rows, its
    # next appointments
    assert many[1] <= 5


def test_a_hub_lead_finds_it_in_the_menu_too(client):
    lead = a_hub_member(roles.HUB_LEAD, name="Lee Lead")
    client.force_login(lead)
    assert ">My caseload<" in client.get(CASELOAD).content.decode()


def an_appointment(referral: Referral, starts_at: datetime.datetime, **fields) -> Appointment:
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
    )
    return Appointment.objects.using(DB).create(
        referral=referral,
        plan=plan,
        clinician_ref="t" * 64,
        starts_at=starts_at,
        minutes=50,
        mode="video",
        **fields,
    )


def test_the_next_booked_appointment_shows_under_what_is_next(client, clinician):
    referral = assessed(clinician, "RH-APPT", 2)
    soon = timezone.now() + datetime.timedelta(days=2)
    an_appointment(referral, soon.replace(hour=14, minute=30, second=0, microsecond=0))
    an_appointment(referral, soon + datetime.timedelta(days=7))
    an_appointment(referral, soon - datetime.timedelta(days=1), status="cancelled")
    page = client.get(reverse("wellbeing:caseload")).content.decode()
    local = timezone.localtime(soon)
    assert f"Next appointment {local.day} {local:%B %Y} at 14:30" in page
