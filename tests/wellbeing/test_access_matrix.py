"""Who can open which page of the Resilience Hub: every URL of the wellbeing app, every kind of
visitor. A new URL without a row here fails `test_every_hub_url_is_in_the_matrix`.

Outcomes: LOGIN (sent to sign in), MFA (sent to set up an authenticator), REAUTH (asked for the
password again: my hub's confidential pages after a sign-in that is not recent), 403, 404, 405
(a POST-only action opened with GET: the visitor got past every gate), or 200.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from portal import roles
from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import a_service, a_team_request
from tests.wellbeing.factories import a_referral_for, a_staff_member
from wellbeing.models import (
    Campaign,
    FollowUp,
    OnwardReferral,
    ReferralStatus,
    TeamRequest,
    TeamSession,
    TherapyPlan,
)
from wellbeing.pseudonyms import staff_ref_for

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
DB = "confidential"

LOGIN, MFA, REAUTH = "LOGIN", "MFA", "REAUTH"
PERSONAS = (
    "anonymous",
    "staff",
    "owner",
    "team_lead",
    "curator",
    "clinician_no_mfa",
    "clinician",
    "lead",
)


def row(anonymous, staff, owner, team_lead, curator, clinician_no_mfa, clinician, lead):
    values = (anonymous, staff, owner, team_lead, curator, clinician_no_mfa, clinician, lead)
    return dict(zip(PERSONAS, values, strict=True))


# Pages every signed-in person may open; hub roles must set up MFA first.
EVERYONE = row(LOGIN, 200, 200, 200, 200, MFA, 200, 200)
INTO_THE_FORM = row(LOGIN, 302, 302, 302, 302, MFA, 302, 302)
# My hub: the person's own records, behind a recent sign-in (hub staff here signed in by
# force_login, so they are asked again, as the owner would be after 15 minutes).
MY_HUB = row(LOGIN, 200, 200, 200, REAUTH, MFA, REAUTH, REAUTH)
# One referral in my hub: the owner's only; anyone else is told it does not exist.
MY_REFERRAL = row(LOGIN, 404, 200, 404, REAUTH, MFA, REAUTH, REAUTH)
HUB_WORK = row(LOGIN, 403, 403, 403, 403, MFA, 200, 200)
HUB_WORK_POST = row(LOGIN, 403, 403, 403, 403, MFA, 405, 405)
HUB_LEAD = row(LOGIN, 403, 403, 403, 403, MFA, 403, 200)
HUB_LEAD_POST = row(LOGIN, 403, 403, 403, 403, MFA, 403, 405)
TEAM_LEAD = row(LOGIN, 403, 403, 200, 403, MFA, 403, 403)
# A team request: its team lead and the hub lead.
TEAM_REQUEST = row(LOGIN, 403, 403, 200, 403, MFA, 403, 200)

MATRIX: dict[str, dict[str, object]] = {
    # Staff side
    "index": EVERYONE,
    # Starting makes a draft and goes to its first question; checking an unfinished draft goes
    # back to the first unanswered one.
    "refer_start": INTO_THE_FORM,
    "refer_check": INTO_THE_FORM,
    "refer_help_now": EVERYONE,
    # The confirmation shows for a day after sending; others have sent nothing: back to start.
    "refer_sent": row(LOGIN, 302, 200, 302, 302, MFA, 302, 302),
    "refer_step": EVERYONE,
    "my_hub": MY_HUB,
    "my_hub_export_json": MY_HUB,
    "my_hub_export_print": MY_HUB,
    "my_hub_messages": MY_REFERRAL,
    "my_hub_access": MY_REFERRAL,
    "my_hub_withdraw": MY_REFERRAL,
    "my_hub_check_in": MY_REFERRAL,
    # Hub staff
    "queue": HUB_WORK,
    "referral": HUB_WORK,
    "referral_claim": HUB_WORK_POST,
    "referral_allocate": HUB_LEAD_POST,
    "referral_audit": HUB_LEAD,
    "referral_contact": HUB_WORK,
    # The referral is already in support: the page sends the clinician back with the reason.
    "referral_assess": row(LOGIN, 403, 403, 403, 403, MFA, 302, 302),
    "referral_signpost": HUB_WORK,
    "referral_therapy": HUB_WORK,
    "referral_therapy_session": HUB_WORK,
    "referral_onward": HUB_WORK,
    "referral_onward_status": HUB_WORK,
    "referral_close": HUB_WORK,
    "referral_message": HUB_WORK,
    "referral_team_support": HUB_WORK,
    # Team-based support
    "team_requests": HUB_LEAD,
    "team_request_new": TEAM_LEAD,
    "my_team_requests": TEAM_LEAD,
    "team_request": TEAM_REQUEST,
    "team_request_decide": HUB_LEAD,
    "team_session_new": HUB_LEAD,
    "team_session": HUB_LEAD,
    # Hub lead
    "directory": HUB_WORK,
    "directory_new": HUB_LEAD,
    "directory_edit": HUB_LEAD,
    "hub_reports": HUB_LEAD,
    "hub_reports_csv": HUB_LEAD,
    "campaigns": HUB_LEAD,
    "campaign_create": HUB_LEAD,
    "campaign": HUB_LEAD,
    "campaign_edit": HUB_LEAD,
    "campaign_start": HUB_LEAD,
    "outbox_failed": HUB_LEAD,
}


def wellbeing_url_names() -> set[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "wellbeing":
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_hub_url_is_in_the_matrix():
    assert wellbeing_url_names() == set(MATRIX)


@pytest.fixture
def world():
    """One of everything a hub URL can name, belonging to the owner and the team lead."""
    owner = a_staff_member()
    team_lead = UserFactory(with_profile=True, roles=[roles.TEAM_LEAD])
    referral = a_referral_for(owner, status=ReferralStatus.IN_SUPPORT)
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
    )
    onward = OnwardReferral.objects.using(DB).create(referral=referral, service=a_service())
    follow_up = FollowUp.objects.using(DB).create(
        referral=referral, label="4 weeks", due_on=timezone.localdate()
    )
    request = a_team_request()
    TeamRequest.objects.using(DB).filter(pk=request.pk).update(
        requester_ref=staff_ref_for(team_lead.pk), requester_key=str(team_lead.pk)
    )
    session = TeamSession.objects.using(DB).create(
        request=request,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        facilitator="Casey",
        place="Room 2",
    )
    campaign = Campaign.objects.using(DB).create(
        name="Winter check-in", code="CHK-TEST0001", everyone=True, created_by_ref="l" * 64
    )
    kwargs = {
        "referral_id": referral.pk,
        "plan_id": plan.pk,
        "onward_id": onward.pk,
        "follow_up_id": follow_up.pk,
        "request_id": request.pk,
        "session_id": session.pk,
        "service_id": onward.service_id,
        "pk": campaign.pk,
        "slug": "contact",
    }
    return {"owner": owner, "team_lead": team_lead, "kwargs": kwargs}


def url_for(name: str, kwargs: dict[str, object]) -> str:
    route = _route(name)
    needed = {key: value for key, value in kwargs.items() if f":{key}>" in route}
    return reverse(f"wellbeing:{name}", kwargs=needed)


def _route(name: str) -> str:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif pattern.name == name:
                yield prefix + str(pattern.pattern)

    route: str = next(walk(get_resolver().url_patterns))
    return route


def sign_in_as(persona: str, client, sign_in, world) -> None:
    if persona == "anonymous":
        return
    if persona in ("staff", "owner", "team_lead"):
        user = {"owner": world["owner"], "team_lead": world["team_lead"]}.get(persona)
        sign_in(user or a_staff_member())
        return
    role, with_totp = {
        "curator": (roles.CURATOR, True),
        "clinician_no_mfa": (roles.HUB_CLINICIAN, False),
        "clinician": (roles.HUB_CLINICIAN, True),
        "lead": (roles.HUB_LEAD, True),
    }[persona]
    client.force_login(UserFactory(with_profile=True, roles=[role], with_totp=with_totp))


def outcome(response) -> object:
    if response.status_code != 302:
        return response.status_code
    path = urlsplit(response["Location"]).path
    if path == reverse("account_login"):
        return LOGIN
    if path == reverse("mfa_activate_totp"):
        return MFA
    if path == reverse("account_reauthenticate"):
        return REAUTH
    return 302


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_visitor_gets_exactly_what_the_matrix_says(client, sign_in, world, persona):
    sign_in_as(persona, client, sign_in, world)
    got = {name: outcome(client.get(url_for(name, world["kwargs"]))) for name in sorted(MATRIX)}
    expected = {name: MATRIX[name][persona] for name in sorted(MATRIX)}
    wrong = {name: (expected[name], got[name]) for name in got if got[name] != expected[name]}
    assert wrong == {}, f"{persona}: (expected, got) {wrong}"
