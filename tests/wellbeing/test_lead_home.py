"""The hub lead's home page: today's figures, each one the same count as the list its link opens,
the lead's other pages one click away, and a constant number of queries."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from portal.outbox.models import Status
from tests.wellbeing.clinical_helpers import a_team_request
from tests.wellbeing.factories import HubMessageFactory, ReferralFactory
from tests.wellbeing.test_hub_queue import TODAY, a_hub_member, at
from wellbeing.models import (
    Appointment,
    AuditEntry,
    FollowUp,
    OutboxMessage,
    Referral,
    ReferralStatus,
    RiskLevel,
    TeamRequestStatus,
    TherapyPlan,
)
from wellbeing.queries import attention, queue

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

HOME = reverse("wellbeing:lead_home")
QUEUE = reverse("wellbeing:queue")
DB = "confidential"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(queue, "today", lambda: TODAY)
    # 09:00: an urgent referral from 10:00 yesterday has an hour of its 24 left.
    monkeypatch.setattr(queue, "now", lambda: at(13, 9))


@pytest.fixture
def lead(client):
    user = a_hub_member(roles.HUB_LEAD, name="Lee Lead")
    client.force_login(user)
    return user


def figure(page: str, name: str) -> int:
    match = re.search(rf'id="figure-{name}">(?:<strong[^>]*>)?(\d+)<', page)
    assert match, f"no {name} figure on the page"
    return int(match.group(1))


def a_hub_with_something_of_everything() -> None:
    ReferralFactory(created_at=at(9))  # past target (Wednesday 11th)
    ReferralFactory(created_at=at(10), urgent=True)  # past target, urgent, nobody's
    ReferralFactory(created_at=at(11))  # due today: at risk
    ReferralFactory(created_at=at(12), assigned_ref="c" * 64, urgent=True)  # at risk, held
    ReferralFactory(created_at=at(13))  # two working days left
    supported = ReferralFactory(
        created_at=at(2), status=ReferralStatus.IN_SUPPORT, assessed_at=at(3)
    )
    FollowUp.objects.using(DB).create(
        referral=supported, label="4 weeks", due_on=datetime.date(2026, 3, 12)
    )
    HubMessageFactory(referral=supported, from_hub=False, author_ref=supported.staff_ref)
    high_risk = ReferralFactory(
        created_at=at(2),
        status=ReferralStatus.IN_SUPPORT,
        assessed_at=at(3),
        risk_level=RiskLevel.HIGH,
    )
    FollowUp.objects.using(DB).create(  # not due yet
        referral=high_risk, label="3 months", due_on=datetime.date(2026, 6, 1)
    )
    closed = ReferralFactory(created_at=at(1), status=ReferralStatus.CLOSED)
    HubMessageFactory(referral=closed, from_hub=False, author_ref=closed.staff_ref)
    OutboxMessage.objects.using(DB).create(
        idempotency_key="failed-1", category="messages", template="x", status=Status.FAILED
    )
    a_team_request(TeamRequestStatus.REQUESTED)
    a_team_request(TeamRequestStatus.ACCEPTED)


def test_the_figures_count_todays_picture(client, lead):
    a_hub_with_something_of_everything()
    page = client.get(HOME).content.decode()
    assert {
        name: figure(page, name)
        for name in (
            "open",
            "unassigned-urgent",
            "past-target",
            "at-risk",
            "waiting-for-reply",
            "follow-ups",
            "failed-emails",
            "team-requests",
        )
    } == {
        "open": 7,
        "unassigned-urgent": 2,  # the urgent one nobody holds, and the high-risk one
        "past-target": 2,
        "at-risk": 2,
        "waiting-for-reply": 1,
        "follow-ups": 1,
        "failed-emails": 1,
        "team-requests": 1,
    }


def queue_count(client, query: str) -> int:
    count: int = client.get(f"{QUEUE}?{query}").context["queue"].count
    return count


def test_each_figure_opens_a_list_of_exactly_that_many(client, lead):
    a_hub_with_something_of_everything()
    page = client.get(HOME).content.decode()
    for name, query in [
        ("open", ""),
        ("unassigned-urgent", "assigned=unassigned&risk=high"),
        ("past-target", "needs=past_target"),
        ("at-risk", "needs=target_at_risk"),
        ("waiting-for-reply", "needs=reply"),
        ("follow-ups", "needs=follow_up"),
    ]:
        link = f"{QUEUE}?{query}".rstrip("?").replace("&", "&amp;")
        assert f'href="{link}"' in page, name
        assert queue_count(client, query) == figure(page, name), name
    assert f'href="{reverse("wellbeing:outbox_failed")}"' in page
    assert f'href="{reverse("wellbeing:team_requests")}?status=requested"' in page


def test_at_risk_on_the_page_is_what_the_queue_shows_as_due_today_or_tomorrow(client, lead):
    # One rule: a row the queue says is due today or has a working day left is at risk.
    for day in range(2, 14):
        ReferralFactory(created_at=at(day))
    rows = client.get(QUEUE, {"needs": "target_at_risk"}).context["queue"].rows
    assert rows
    assert all(0 <= row.target.days_left <= attention.AT_RISK_WORKING_DAYS for row in rows)
    everything = client.get(QUEUE).context["queue"].rows
    at_risk = [r for r in everything if 0 <= r.target.days_left <= attention.AT_RISK_WORKING_DAYS]
    past = [r for r in everything if r.target.breached]
    page = client.get(HOME).content.decode()
    assert figure(page, "at-risk") == len(at_risk) == len(rows)
    assert figure(page, "past-target") == len(past)


def test_reports_outreach_the_directory_and_team_requests_are_one_click_away(client, lead):
    page = client.get(HOME).content.decode()
    for name in ("hub_reports", "campaigns", "directory", "team_requests", "caseload"):
        assert f'href="{reverse(f"wellbeing:{name}")}"' in page, name


def test_a_hub_lead_finds_it_in_the_menu_and_a_clinician_neither_there_nor_by_address(client):
    lead = a_hub_member(roles.HUB_LEAD, name="Lee Lead")
    client.force_login(lead)
    assert f'href="{HOME}"' in client.get(QUEUE).content.decode()
    clinician = a_hub_member()
    client.force_login(clinician)
    assert f'href="{HOME}"' not in client.get(QUEUE).content.decode()
    assert client.get(HOME).status_code == 403


def test_the_page_names_no_one_and_writes_no_audit(client, lead):
    referral = ReferralFactory(created_at=at(9))
    page = client.get(HOME).content.decode()
    assert referral.name not in page
    assert referral.reference not in page
    assert not AuditEntry.objects.using(DB).exists()


# --- Cost ----------------------------------------------------------------------------------------


def seed(count: int) -> None:
    made = Referral.objects.using(DB).bulk_create(
        ReferralFactory.build(
            submission_key=uuid.uuid4(),
            created_at=at(1 + n % 13),
            urgent=not n % 7,
            status=ReferralStatus.IN_SUPPORT if n % 3 == 0 else ReferralStatus.NEW,
            assessed_at=at(13) if n % 3 == 0 else None,
        )
        for n in range(count)
    )
    FollowUp.objects.using(DB).bulk_create(
        FollowUp(referral=r, label="4 weeks", due_on=datetime.date(2026, 3, 1 + n % 28))
        for n, r in enumerate(made)
    )


def queries_for_home(client) -> tuple[int, int]:
    client.get(HOME)  # the first request settles the session's MFA and profile checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        response = client.get(HOME)
    assert response.status_code == 200
    return len(default), len(confidential)


def test_the_home_page_costs_the_same_queries_for_1_or_500_referrals(client, lead):
    seed(1)
    few = queries_for_home(client)
    seed(499)
    many = queries_for_home(client)
    assert few == many
    # hub roles, the referral figures, messages waiting, follow-ups due, emails, team requests,
    # appointments
    assert many[1] <= 7


def test_an_urgent_referral_is_past_target_once_its_hours_have_gone(client, lead):
    # At 09:00 on the 13th: 25 hours for the urgent one, the same day as a routine one due today.
    ReferralFactory(reference="RH-URG-LATE", created_at=at(12, 8), urgent=True)
    ReferralFactory(reference="RH-ROUTINE", created_at=at(12, 8))
    page = client.get(HOME).content.decode()
    assert figure(page, "past-target") == 1
    rows = client.get(QUEUE, {"needs": "past_target"}).context["queue"].rows
    assert [row.referral.reference for row in rows] == ["RH-URG-LATE"]


def test_appointments_today_counts_the_booked_ones_of_today_only(client, lead):
    referral = ReferralFactory(
        created_at=at(2), status=ReferralStatus.IN_SUPPORT, assessed_at=at(3)
    )
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
    )
    for starts_at, status in [
        (at(13, 9), "booked"),
        (at(13, 15), "booked"),
        (at(13, 11), "cancelled"),
        (at(16, 9), "booked"),
    ]:
        Appointment.objects.using(DB).create(
            referral=referral,
            plan=plan,
            clinician_ref="t" * 64,
            starts_at=starts_at,
            minutes=50,
            mode="phone",
            status=status,
        )
    assert figure(client.get(HOME).content.decode(), "appointments-today") == 2
