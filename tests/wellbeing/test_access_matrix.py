"""Who can open which page of the Resilience Hub: every URL of the wellbeing app, every kind of
visitor. A new URL without a row here fails `test_every_hub_url_is_in_the_matrix`; the portal's
matrix (tests/portal/test_access_matrix.py) takes these rows as they are.

The visitors, the outcomes and the machinery are in tests/access.py.
"""

from __future__ import annotations

import pytest

from tests.access import (
    LOGIN,
    MFA,
    PERSONAS,
    REAUTH,
    hub_world,
    kwargs_for,
    outcome,
    routes,
    row,
    sign_in_as,
    url_for,
)

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

# The last column is the superuser: the back office's administrator, who holds no hub role, is
# refused every hub staff page and team support (portal.roles.ROLE_ONLY_PERMISSIONS).

# Pages every signed-in person may open; hub roles must set up MFA first.
EVERYONE = row(LOGIN, 200, 200, 200, 200, MFA, 200, 200, 200)
INTO_THE_FORM = row(LOGIN, 302, 302, 302, 302, MFA, 302, 302, 302)
# My hub: the person's own records, behind a recent sign-in (hub staff and the superuser here
# signed in by force_login, so they are asked again, as the owner would be after 15 minutes).
MY_HUB = row(LOGIN, 200, 200, 200, REAUTH, MFA, REAUTH, REAUTH, REAUTH)
# One referral in my hub: the owner's only; anyone else is told it does not exist.
MY_REFERRAL = row(LOGIN, 404, 200, 404, REAUTH, MFA, REAUTH, REAUTH, REAUTH)
HUB_WORK = row(LOGIN, 403, 403, 403, 403, MFA, 200, 200, 403)
HUB_WORK_POST = row(LOGIN, 403, 403, 403, 403, MFA, 405, 405, 403)
HUB_LEAD = row(LOGIN, 403, 403, 403, 403, MFA, 403, 200, 403)
HUB_LEAD_POST = row(LOGIN, 403, 403, 403, 403, MFA, 403, 405, 403)
TEAM_LEAD = row(LOGIN, 403, 403, 200, 403, MFA, 403, 403, 403)
# A team request: its team lead and the hub lead.
TEAM_REQUEST = row(LOGIN, 403, 403, 200, 403, MFA, 403, 200, 403)
# Who works in the hub: the hub lead only, after a recent sign-in (force_login here: asked again).
HUB_TEAM = row(LOGIN, 403, 403, 403, 403, MFA, 403, REAUTH, 403)
# Research studies and extracts: the Research extract permission, which the Hub researcher role
# gives and none of these visitors holds (a hub lead is given the role to make extracts).
RESEARCH = row(LOGIN, 403, 403, 403, 403, MFA, 403, 403, 403)

MATRIX: dict[str, dict[str, object]] = {
    # Staff side
    "index": EVERYONE,
    # Starting makes a draft and goes to its first question; checking an unfinished draft goes
    # back to the first unanswered one. The owner, whose referral is open, is first told of it.
    "refer_start": row(LOGIN, 302, 200, 302, 302, MFA, 302, 302, 302),
    "refer_check": INTO_THE_FORM,
    "refer_help_now": EVERYONE,
    # The confirmation shows for a day after sending; others have sent nothing: back to start.
    "refer_sent": row(LOGIN, 302, 200, 302, 302, MFA, 302, 302, 302),
    "refer_step": EVERYONE,
    "my_hub": MY_HUB,
    "my_hub_export_json": MY_HUB,
    "my_hub_export_print": MY_HUB,
    "my_hub_messages": MY_REFERRAL,
    "my_hub_access": MY_REFERRAL,
    "my_hub_withdraw": MY_REFERRAL,
    "my_hub_check_in": MY_REFERRAL,
    "my_hub_appointment_change": MY_REFERRAL,
    # Someone with no referral has not been asked the research question: back to my hub.
    "my_hub_research": row(LOGIN, 302, 200, 302, REAUTH, MFA, REAUTH, REAUTH, REAUTH),
    "my_hub_before_session": MY_REFERRAL,
    # Hub staff
    "queue": HUB_WORK,
    "caseload": HUB_WORK,
    "lead_home": HUB_LEAD,
    "referral": HUB_WORK,
    "referral_claim": HUB_WORK_POST,
    "referral_allocate": HUB_LEAD_POST,
    "referral_audit": HUB_LEAD,
    "referral_contact": HUB_WORK,
    # The referral is already in support: the page sends the clinician back with the reason.
    "referral_assess": row(LOGIN, 403, 403, 403, 403, MFA, 302, 302, 403),
    "referral_urgent": row(LOGIN, 403, 403, 403, 403, MFA, 302, 302, 403),
    "referral_signpost": HUB_WORK,
    "referral_therapy": HUB_WORK,
    "referral_therapy_session": HUB_WORK,
    "my_appointments": HUB_WORK,
    "referral_appointment_new": HUB_WORK,
    "referral_appointment_move": HUB_WORK,
    "referral_appointment_cancel": HUB_WORK,
    "referral_appointment_attendance": HUB_WORK,
    "referral_onward": HUB_WORK,
    "referral_onward_status": HUB_WORK,
    "referral_close": HUB_WORK,
    "referral_join": HUB_WORK,
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
    "hub_team": HUB_TEAM,
    "hub_team_remove": HUB_TEAM,
    "hub_team_code": HUB_TEAM,
    "directory": HUB_WORK,
    "directory_new": HUB_LEAD,
    "directory_edit": HUB_LEAD,
    "hub_reports": HUB_LEAD,
    "hub_outcomes": HUB_LEAD,
    "hub_reports_csv": HUB_LEAD,
    "follow_up_responses": HUB_LEAD,
    "campaigns": HUB_LEAD,
    "campaign_create": HUB_LEAD,
    "campaign": HUB_LEAD,
    "campaign_edit": HUB_LEAD,
    "campaign_start": HUB_LEAD,
    "campaign_pause": HUB_LEAD_POST,
    "campaign_resume": HUB_LEAD_POST,
    # The matrix's campaign is a draft: nothing to stop, so the page sends the lead back to it.
    "campaign_stop": row(LOGIN, 403, 403, 403, 403, MFA, 403, 302, 403),
    "outbox_failed": HUB_LEAD,
    # Research
    "research_studies": RESEARCH,
    "research_study_new": RESEARCH,
    "research_study": RESEARCH,
    "research_download": RESEARCH,
}


def wellbeing_url_names() -> set[str]:
    return {
        key.removeprefix("wellbeing:") for key, r in routes().items() if r.namespace == "wellbeing"
    }


def test_every_hub_url_is_in_the_matrix():
    assert wellbeing_url_names() == set(MATRIX)


@pytest.fixture
def world():
    return hub_world()


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_visitor_gets_exactly_what_the_matrix_says(client, sign_in, world, persona):
    sign_in_as(persona, client, sign_in, world)
    got = {}
    for name in sorted(MATRIX):
        key = f"wellbeing:{name}"
        got[name] = outcome(client.get(url_for(key, kwargs_for(key, world))))
    expected = {name: MATRIX[name][persona] for name in sorted(MATRIX)}
    wrong = {name: (expected[name], got[name]) for name in got if got[name] != expected[name]}
    assert wrong == {}, f"{persona}: (expected, got) {wrong}"
