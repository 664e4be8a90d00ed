"""Team-based support: a team lead asks and follows; the hub lead decides, books sessions and
records how they went. Every change is audited; moves the workflow does not allow are refused."""

from __future__ import annotations

import datetime

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.demo import seed_demo_accounts
from tests.factories import UserFactory
from tests.submission_keys import a_key
from wellbeing.demo.team_support import seed_demo_team_support
from wellbeing.models import (
    AuditEntry,
    TeamRequest,
    TeamRequestStatus,
    TeamSession,
    TeamSupportType,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach, team_support

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

DB = "confidential"
Status = TeamRequestStatus


def a_user(*role_names: str, with_totp: bool = True):
    return UserFactory(with_profile=True, roles=list(role_names), with_totp=with_totp)


def a_team_request(team_lead, **fields) -> TeamRequest:
    defaults = {
        "requester_ref": staff_ref_for(team_lead.pk),
        "requester_key": str(team_lead.pk),
        "requester_name": "Taylor Teamlead",
        "team": "Ward 7 nursing team",
        "organisation": "Test Hospital NHS Foundation Trust",
        "team_size": 12,
        "support_type": TeamSupportType.WORKSHOP,
        "topic": "Coping after a difficult incident",
        "prompted_by": "A cardiac arrest on the ward last month shook the team.",
    }
    defaults.update(fields)
    return TeamRequest.objects.using(DB).create(**defaults)


def a_session(team_request, *, days: float, **fields) -> TeamSession:
    return TeamSession.objects.using(DB).create(
        request=team_request,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        facilitator="Harper Hublead",
        place="Seminar room 3, main site",
        **fields,
    )


def entries_for(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.using(DB)
        .filter(object_type=obj._meta.model_name, object_id=obj.pk)
        .order_by("id")
    )


@pytest.fixture
def team_lead():
    return a_user(roles.TEAM_LEAD)


@pytest.fixture
def hub_lead():
    return a_user(roles.HUB_LEAD)


def request_form(**changes: str) -> dict[str, str]:
    data = {
        "team": "Ward 7 nursing team",
        "organisation": "Test Hospital NHS Foundation Trust",
        "team_size": "14",
        "support_type": TeamSupportType.PEER_SUPPORT,
        "topic": "Coming together after a difficult shift",
        "preferred_dates": "Tuesday afternoons",
        "prompted_by": "A very busy winter and a difficult incident on a night shift.",
    }
    data.update(changes)
    return data


# --- Who may open what -------------------------------------------------------------------------

PAGES = (
    "team_requests",
    "team_request_new",
    "my_team_requests",
    "team_request",
    "team_request_decide",
    "team_session_new",
    "team_session",
)
ROLES = {
    "staff": [],
    "curator": [roles.CURATOR],
    "hub clinician": [roles.HUB_CLINICIAN],
    "other team lead": [roles.TEAM_LEAD],
    "hub lead": [roles.HUB_LEAD],
}
# What each person gets from each page (for the request of another team lead, "owner").
EXPECTED = {
    "staff": dict.fromkeys(PAGES, 403),
    "curator": dict.fromkeys(PAGES, 403),
    "hub clinician": dict.fromkeys(PAGES, 403),
    "other team lead": {
        **dict.fromkeys(PAGES, 403),
        "team_request_new": 200,
        "my_team_requests": 200,
        "team_request": 404,
    },
    "owner": {
        **dict.fromkeys(PAGES, 403),
        "team_request_new": 200,
        "my_team_requests": 200,
        "team_request": 200,
    },
    "hub lead": {
        **dict.fromkeys(PAGES, 200),
        "team_request_new": 403,
        "my_team_requests": 403,
    },
}


def page_urls(team_request: TeamRequest, session: TeamSession) -> dict[str, str]:
    by_request = {"request_id": team_request.pk}
    return {
        "team_requests": reverse("wellbeing:team_requests"),
        "team_request_new": reverse("wellbeing:team_request_new"),
        "my_team_requests": reverse("wellbeing:my_team_requests"),
        "team_request": reverse("wellbeing:team_request", kwargs=by_request),
        "team_request_decide": reverse("wellbeing:team_request_decide", kwargs=by_request),
        "team_session_new": reverse("wellbeing:team_session_new", kwargs=by_request),
        "team_session": reverse(
            "wellbeing:team_session", kwargs={**by_request, "session_id": session.pk}
        ),
    }


@pytest.fixture
def scheduled(team_lead):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    return team_request, a_session(team_request, days=3)


@pytest.mark.parametrize("who", [*ROLES, "owner"])
def test_each_person_gets_exactly_the_pages_they_should(client, team_lead, scheduled, who):
    user = team_lead if who == "owner" else a_user(*ROLES[who])
    client.force_login(user)
    for page, url in page_urls(*scheduled).items():
        response = client.get(url)
        assert response.status_code == EXPECTED[who][page], (who, page)
        if response.status_code == 200:
            assert "no-store" in response["Cache-Control"], page


def test_anonymous_visitors_are_sent_to_sign_in(client, scheduled):
    for page, url in page_urls(*scheduled).items():
        response = client.get(url)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("account_login")), page


def test_a_hub_lead_without_an_authenticator_is_sent_to_set_one_up(client, scheduled):
    client.force_login(a_user(roles.HUB_LEAD, with_totp=False))
    for page, url in page_urls(*scheduled).items():
        assert client.get(url).url == reverse("mfa_activate_totp"), page


def test_another_team_lead_cannot_withdraw_someone_elses_request(client, scheduled):
    team_request, _ = scheduled
    client.force_login(a_user(roles.TEAM_LEAD))
    url = reverse("wellbeing:team_request", kwargs={"request_id": team_request.pk})
    assert client.post(url).status_code == 404
    team_request.refresh_from_db()
    assert team_request.status == Status.SCHEDULED


def test_a_request_or_session_that_does_not_exist_is_not_found(client, hub_lead, scheduled):
    team_request, _ = scheduled
    client.force_login(hub_lead)
    assert client.get(reverse("wellbeing:team_request", args=[2**63])).status_code == 404
    other = a_session(a_team_request(a_user(roles.TEAM_LEAD)), days=2)
    url = reverse("wellbeing:team_session", args=[team_request.pk, other.pk])
    assert client.get(url).status_code == 404


def test_team_leads_find_team_support_in_the_menu(client, team_lead):
    client.force_login(team_lead)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("wellbeing:my_team_requests")}"' in page
    client.force_login(a_user())
    page = client.get(reverse("home")).content.decode()
    assert reverse("wellbeing:my_team_requests") not in page


def test_the_hub_lead_reaches_team_requests_from_the_hub_page(client, hub_lead):
    client.force_login(hub_lead)
    page = client.get(reverse("wellbeing:index")).content.decode()
    assert reverse("wellbeing:team_requests") in page
    client.force_login(a_user(roles.HUB_CLINICIAN))
    page = client.get(reverse("wellbeing:index")).content.decode()
    assert reverse("wellbeing:team_requests") not in page


# --- Asking ------------------------------------------------------------------------------------


def test_the_form_says_that_no_individuals_clinical_detail_belongs_here(client, team_lead):
    client.force_login(team_lead)
    page = client.get(reverse("wellbeing:team_request_new")).content.decode()
    assert "nhsuk-card--warning" in page
    assert "Do not include anyone's personal or clinical details" in page
    # The organisation starts as the team lead's own.
    assert f'value="{team_lead.staff_profile.organisation}"' in page


def test_a_team_lead_asks_and_follows_their_request(client, team_lead):
    client.force_login(team_lead)
    response = client.post(reverse("wellbeing:team_request_new"), request_form())
    team_request = TeamRequest.objects.using(DB).get()
    assert response.url == reverse("wellbeing:team_request", args=[team_request.pk])
    assert team_request.requester_ref == staff_ref_for(team_lead.pk)
    assert team_request.requester_key == str(team_lead.pk)
    assert team_request.status == Status.REQUESTED
    assert (team_request.team_size, team_request.support_type) == (14, "peer_support")
    page = client.get(response.url).content.decode()
    assert "Your request has been sent" in page
    assert "Waiting for the hub" in page
    assert "A very busy winter" in page
    mine = client.get(reverse("wellbeing:my_team_requests")).content.decode()
    assert "Facilitated peer support session for Ward 7 nursing team" in mine
    (created, *_) = entries_for(team_request)
    assert (created.action, created.reason) == ("create", "Asked for team-based support")


def test_what_prompted_it_and_the_account_id_are_encrypted_at_rest(client, team_lead):
    client.force_login(team_lead)
    client.post(reverse("wellbeing:team_request_new"), request_form())
    with connections[DB].cursor() as cursor:
        cursor.execute("SELECT prompted_by, requester_key FROM wellbeing_teamrequest")
        prompted_by, requester_key = cursor.fetchone()
    assert "busy winter" not in prompted_by
    assert requester_key != str(team_lead.pk)


def test_sending_the_same_request_twice_makes_one(client, team_lead):
    client.force_login(team_lead)
    form = {**request_form(), "submission_key": a_key()}
    first = client.post(reverse("wellbeing:team_request_new"), form)
    second = client.post(reverse("wellbeing:team_request_new"), form)
    assert first.url == second.url
    assert TeamRequest.objects.using(DB).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"team": ""}, "team", "Enter the team&#x27;s name"),
        ({"team_size": "twelve"}, "team_size", "Team size must be a number, like 12"),
        ({"team_size": "0"}, "team_size", "Team size must be 1 or more"),
        ({"support_type": ""}, "support_type", "Select the kind of support that would help"),
        ({"support_type": "therapy"}, "support_type", "Select the kind of support that would help"),
        ({"topic": ""}, "topic", "Enter what you would like it to cover"),
        ({"prompted_by": ""}, "prompted_by", "Enter what prompted this request"),
        ({"prompted_by": "x" * 2001}, "prompted_by", "What prompted it must be 2,000 characters"),
    ],
)
def test_mistakes_are_explained_beside_the_field(client, team_lead, changes, field, message):
    client.force_login(team_lead)
    response = client.post(reverse("wellbeing:team_request_new"), request_form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert f'<span class="nhsuk-u-visually-hidden">Error: </span>{message}' in html
    assert not TeamRequest.objects.using(DB).exists()


# --- Deciding ----------------------------------------------------------------------------------


def decide(client, team_request, **data):
    return client.post(
        reverse("wellbeing:team_request_decide", kwargs={"request_id": team_request.pk}), data
    )


def test_declining_needs_a_reason_which_the_team_lead_then_reads(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead)
    client.force_login(hub_lead)
    response = decide(client, team_request, decision="declined", reason="")
    assert response.status_code == 400
    assert (
        '<span class="nhsuk-u-visually-hidden">Error: </span>Enter why you are declining'
        in response.content.decode()
    )
    decide(client, team_request, decision="declined", reason="Please ask occupational health.")
    team_request.refresh_from_db()
    assert team_request.status == Status.DECLINED
    assert team_request.decided_at is not None
    assert entries_for(team_request)[-1].reason == "Team request declined"
    client.force_login(team_lead)
    page = client.get(reverse("wellbeing:team_request", args=[team_request.pk])).content.decode()
    assert "Why the hub declined" in page
    assert "Please ask occupational health." in page


def test_a_move_the_workflow_does_not_allow_is_refused_with_a_message(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead)
    # Delivered straight from "waiting": not offered, and refused if posted anyway.
    client.force_login(hub_lead)
    response = decide(client, team_request, decision="delivered")
    assert response.status_code == 400
    assert "Select one of the decisions shown" in response.content.decode()
    with pytest.raises(team_support.TeamSupportRefused, match="cannot be delivered"):
        team_support.do_decide(team_request=team_request, acting_user=hub_lead, to="delivered")
    # A declined request has nothing left to decide.
    team_support.do_decide(
        team_request=team_request, acting_user=hub_lead, to="declined", reason="Not for us."
    )
    response = client.get(reverse("wellbeing:team_request_decide", args=[team_request.pk]))
    assert response.status_code == 302
    assert "there is nothing to decide" in client.get(response.url).content.decode()
    with pytest.raises(team_support.TeamSupportRefused, match="declined cannot be accepted"):
        team_support.do_decide(team_request=team_request, acting_user=hub_lead, to="accepted")
    team_request.refresh_from_db()
    assert team_request.status == Status.DECLINED


def test_the_hub_lead_is_offered_only_the_decisions_a_request_can_take():
    assert team_support.decisions_for(Status.REQUESTED) == [Status.ACCEPTED, Status.DECLINED]
    assert team_support.decisions_for(Status.SCHEDULED) == [Status.DELIVERED]
    assert team_support.decisions_for(Status.DELIVERED) == []


def test_a_request_is_delivered_only_after_a_session_has_taken_place(team_lead, hub_lead):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    a_session(team_request, days=2)
    with pytest.raises(team_support.TeamSupportRefused, match="has taken place"):
        team_support.do_decide(team_request=team_request, acting_user=hub_lead, to="delivered")
    a_session(team_request, days=-1)
    team_support.do_decide(team_request=team_request, acting_user=hub_lead, to="delivered")
    team_request.refresh_from_db()
    assert team_request.status == Status.DELIVERED


# --- Sessions ----------------------------------------------------------------------------------


def book(client, team_request, when: datetime.datetime, **changes):
    data = {
        "on_day": str(when.day),
        "on_month": str(when.month),
        "on_year": str(when.year),
        "start_time": when.strftime("%H:%M"),
        "facilitator": "Harper Hublead",
        "place": "https://meet.example.nhs.uk/team-7",
    }
    data.update(changes)
    return client.post(reverse("wellbeing:team_session_new", args=[team_request.pk]), data)


def test_booking_a_session_schedules_the_request_and_the_team_lead_sees_when_and_where(
    client, team_lead, hub_lead
):
    team_request = a_team_request(team_lead)
    client.force_login(hub_lead)
    decide(client, team_request, decision="accepted", reason="")
    when = timezone.localtime() + datetime.timedelta(days=7)
    when = when.replace(hour=14, minute=30)
    response = book(client, team_request, when)
    assert response.status_code == 302
    team_request.refresh_from_db()
    assert team_request.status == Status.SCHEDULED
    session = team_request.sessions.using(DB).get()
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "14:30"
    assert [e.reason for e in entries_for(session)] == ["Booked a team session"]
    client.force_login(team_lead)
    page = client.get(reverse("wellbeing:team_request", args=[team_request.pk])).content.decode()
    assert "Sessions booked" in page
    assert "14:30" in page
    assert 'href="https://meet.example.nhs.uk/team-7"' in page


def test_a_session_booked_twice_with_one_key_is_booked_once(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead)
    client.force_login(hub_lead)
    decide(client, team_request, decision="accepted", reason="")
    when = (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=10, minute=0)
    key = a_key()
    book(client, team_request, when, submission_key=key)
    again = book(client, team_request, when, submission_key=key)
    assert again.status_code == 302
    assert team_request.sessions.using(DB).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_time": "half two"}, "Enter the start time like 14:30"),
        ({"start_time": "25:00"}, "Enter the start time like 14:30"),
        ({"on_month": ""}, "Date of the session must include a month"),
        ({"on_day": "31", "on_month": "2"}, "Date of the session must be a real date"),
        ({"place": ""}, "Enter the place or video call link"),
    ],
)
def test_booking_mistakes_are_explained_beside_the_field(
    client, team_lead, hub_lead, changes, message
):
    team_request = a_team_request(team_lead, status=Status.ACCEPTED)
    client.force_login(hub_lead)
    when = timezone.localtime() + datetime.timedelta(days=7)
    response = book(client, team_request, when, **changes)
    assert response.status_code == 400
    assert f'<span class="nhsuk-u-visually-hidden">Error: </span>{message}' in (
        response.content.decode()
    )
    assert not TeamSession.objects.using(DB).exists()


def test_a_session_in_the_past_cannot_be_booked(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead, status=Status.ACCEPTED)
    client.force_login(hub_lead)
    response = book(client, team_request, timezone.localtime() - datetime.timedelta(days=1))
    assert response.status_code == 400
    assert "The session must be in the future" in response.content.decode()


def test_sessions_cannot_be_booked_before_the_request_is_accepted(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead)
    client.force_login(hub_lead)
    response = book(client, team_request, timezone.localtime() + datetime.timedelta(days=3))
    assert response.status_code == 302
    assert "sessions can only be booked once it is accepted" in (
        client.get(response.url).content.decode()
    )
    assert not TeamSession.objects.using(DB).exists()


def record(client, team_request, session, **data):
    url = reverse("wellbeing:team_session", args=[team_request.pk, session.pk])
    return client.post(url, {"record": "", **data})


def test_after_a_session_the_hub_lead_records_attendance_and_feedback_which_only_the_hub_sees(
    client, team_lead, hub_lead
):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    session = a_session(team_request, days=-1)
    client.force_login(hub_lead)
    response = record(client, team_request, session, attended="9", feedback="Open discussion.")
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.attended, session.feedback) == (9, "Open discussion.")
    assert entries_for(session)[-1].reason == "Recorded attendance and feedback for a team session"
    session_page = client.get(
        reverse("wellbeing:team_session", args=[team_request.pk, session.pk])
    ).content.decode()
    assert "Open discussion." in session_page
    client.force_login(team_lead)
    page = client.get(reverse("wellbeing:team_request", args=[team_request.pk])).content.decode()
    assert "Seminar room 3" in page
    assert "Open discussion." not in page
    assert "Attended" not in page


def test_attendance_cannot_be_recorded_before_the_session_starts(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    session = a_session(team_request, days=2)
    client.force_login(hub_lead)
    response = record(client, team_request, session, attended="5")
    assert "once the session has started" in client.get(response.url).content.decode()
    session.refresh_from_db()
    assert session.attended is None


def test_attendance_must_be_a_count(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    session = a_session(team_request, days=-1)
    client.force_login(hub_lead)
    response = record(client, team_request, session, attended="-1")
    assert response.status_code == 400
    assert "Number of people must be 0 or more" in response.content.decode()


def test_cancelling_the_last_session_takes_the_request_back_to_accepted(
    client, team_lead, hub_lead
):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    session = a_session(team_request, days=2)
    client.force_login(hub_lead)
    url = reverse("wellbeing:team_session", args=[team_request.pk, session.pk])
    client.post(url, {"cancel": ""})
    session.refresh_from_db()
    team_request.refresh_from_db()
    assert session.cancelled_at is not None
    assert team_request.status == Status.ACCEPTED
    assert entries_for(session)[-1].reason == "Cancelled a team session"
    # And it is not reminded.
    assert outreach.team_session_reminders() == []


def test_the_team_lead_withdraws_and_sessions_to_come_are_cancelled(client, team_lead):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    session = a_session(team_request, days=2)
    client.force_login(team_lead)
    url = reverse("wellbeing:team_request", args=[team_request.pk])
    assert "Withdraw this request" in client.get(url).content.decode()
    response = client.post(url)
    assert "You withdrew the request" in client.get(response.url).content.decode()
    team_request.refresh_from_db()
    session.refresh_from_db()
    assert team_request.status == Status.WITHDRAWN
    assert session.cancelled_at is not None
    assert [e.reason for e in entries_for(team_request) if e.action == "withdraw"] == [
        "Withdrew the team request"
    ]
    # Withdrawn is final.
    client.post(url)
    assert "cannot be withdrawn" in client.get(url).content.decode()


def test_the_session_reminder_links_to_the_team_request(team_lead):
    team_request = a_team_request(team_lead, status=Status.SCHEDULED)
    TeamSession.objects.using(DB).create(
        request=team_request,
        starts_at=timezone.make_aware(datetime.datetime(2030, 1, 10, 14, 0)),  # a Thursday
        facilitator="Harper Hublead",
        place="Seminar room 3",
    )
    (reminder,) = outreach.team_session_reminders(today=datetime.date(2030, 1, 9))
    assert reminder.context["path"] == reverse("wellbeing:team_request", args=[team_request.pk])


# --- Lists ---------------------------------------------------------------------------------------


def test_the_hub_lead_sees_every_request_newest_first_and_filters_by_status(client, hub_lead):
    old = a_team_request(a_user(roles.TEAM_LEAD), team="Old team")
    TeamRequest.objects.using(DB).filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=9)
    )
    a_team_request(a_user(roles.TEAM_LEAD), team="New team", status=Status.ACCEPTED)
    client.force_login(hub_lead)
    page = client.get(reverse("wellbeing:team_requests")).content.decode()
    assert page.index("New team") < page.index("Old team")
    # The list shows plain fields only: nothing a team lead wrote about what happened.
    assert "cardiac arrest" not in page
    filtered = client.get(reverse("wellbeing:team_requests"), {"status": "accepted"})
    assert "New team" in filtered.content.decode()
    assert "Old team" not in filtered.content.decode()
    # A status that does not exist shows them all rather than an error.
    assert (
        "Old team"
        in client.get(reverse("wellbeing:team_requests"), {"status": "nonsense"}).content.decode()
    )


def test_team_leads_see_only_their_own_requests(client, team_lead):
    a_team_request(team_lead, team="My team")
    a_team_request(a_user(roles.TEAM_LEAD), team="Someone else's team")
    client.force_login(team_lead)
    page = client.get(reverse("wellbeing:my_team_requests")).content.decode()
    assert "My team" in page
    assert "Someone else" not in page


def test_opening_a_request_is_audited_with_who_opened_it(client, team_lead, hub_lead):
    team_request = a_team_request(team_lead)
    client.force_login(hub_lead)
    page = client.get(reverse("wellbeing:team_request", args=[team_request.pk])).content.decode()
    assert "cardiac arrest" in page
    assert team_lead.email in page  # so the hub lead can get in touch
    entry = entries_for(team_request)[-1]
    assert (entry.action, entry.actor_role, entry.reason) == (
        "read",
        "Hub lead",
        "Viewed the team request",
    )
    assert entry.actor_ref == staff_ref_for(hub_lead.pk)


def count_queries(client, url: str) -> int:
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections[DB]) as confidential,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return len(default) + len(confidential)


def many_requests(team_lead, how_many: int) -> None:
    for n in range(how_many):
        team_request = a_team_request(team_lead, team=f"Team {n}", status=Status.SCHEDULED)
        a_session(team_request, days=2 + n % 5)
        a_session(team_request, days=-1)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("hub lead", "wellbeing:team_requests"), ("owner", "wellbeing:my_team_requests")],
)
def test_the_lists_run_as_many_queries_for_100_requests_as_for_1(
    client, team_lead, hub_lead, who, url_name
):
    client.force_login(hub_lead if who == "hub lead" else team_lead)
    url = reverse(url_name)
    many_requests(team_lead, 1)
    client.get(url)  # settle the session
    one = count_queries(client, url)
    many_requests(team_lead, 99)
    assert count_queries(client, url) == one
    assert count_queries(client, f"{url}?page=3") == one


# --- Demo content --------------------------------------------------------------------------------


def test_demo_team_requests_are_seeded_once(settings):
    seed_demo_accounts()
    first = seed_demo_team_support()
    statuses = sorted(TeamRequest.objects.using(DB).values_list("status", flat=True))
    sessions = TeamSession.objects.using(DB).count()
    second = seed_demo_team_support()
    assert first == second
    assert sorted(TeamRequest.objects.using(DB).values_list("status", flat=True)) == statuses
    assert TeamSession.objects.using(DB).count() == sessions
    assert {"requested", "scheduled", "delivered", "declined"} <= set(statuses)
    assert all(
        "(sample)" in team for team in TeamRequest.objects.using(DB).values_list("team", flat=True)
    )
