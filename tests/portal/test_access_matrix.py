"""Who can open which page of the whole portal: every URL the resolver knows (the portal's own,
allauth's, learning's, the back office's and the hub's), every kind of visitor. A new URL without
an entry fails `test_every_url_of_the_portal_is_in_the_matrix`.

The hub's rows are tests/wellbeing/test_access_matrix.py's, which also opens them; this file opens
the rest. The visitors, the outcomes and the machinery are in tests/access.py.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import router
from django.urls import reverse

from tests.access import (
    ADMIN_LOGIN,
    LOGIN,
    MFA,
    PERSONAS,
    REAUTH,
    Row,
    kwargs_for,
    outcome,
    portal_world,
    routes,
    row,
    sign_in_as,
    url_for,
)
from tests.factories import UserFactory
from tests.wellbeing.test_access_matrix import MATRIX as HUB_MATRIX

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

OPEN = row(200, 200, 200, 200, 200, 200, 200, 200, 200)
# Signed in, and (for the roles that see others' information) an authenticator set up.
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, MFA, 200, 200, 200)
SIGNED_IN_POST = row(LOGIN, 405, 405, 405, 405, MFA, 405, 405, 405)
# Account pages stay open without an authenticator: it is set up from them.
ACCOUNT_PAGE = row(LOGIN, 200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_OUT_ONLY = row(200, 302, 302, 302, 302, 302, 302, 302, 302)
NOTHING_TO_DO = row(LOGIN, 302, 302, 302, 302, 302, 302, 302, 302)
# Changing an authenticator asks for the password again; hub roles and the superuser here were
# signed in by force_login, so their sign-in is not recent.
CHANGE_MFA = row(LOGIN, 200, 200, 200, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH)
# Curators (and the superuser, who holds every permission).
CURATOR = row(LOGIN, 403, 403, 403, 200, MFA, 403, 403, 200)
CURATOR_POST = row(LOGIN, 403, 403, 403, 405, MFA, 403, 403, 405)
# The back office: its sign-in page refuses anyone without the staff flag (and an authenticator).
BACK_OFFICE = row(
    ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, MFA, ADMIN_LOGIN,
    ADMIN_LOGIN, 200,
)  # fmt: skip


def back_office(superuser: object) -> Row:
    return {**BACK_OFFICE, "superuser": superuser}


PORTAL: dict[str, Row] = {
    "home": row(200, 200, 200, 200, 200, MFA, 200, 200, 200),
    "profile": SIGNED_IN,
    "email_preferences": SIGNED_IN,
    "your_sessions": SIGNED_IN,
    # A signed link from an email: it works without signing in.
    "unsubscribe": OPEN,
    "health": OPEN,
}

ACCOUNTS: dict[str, Row] = {
    "account_login": SIGNED_OUT_ONLY,
    "account_signup": SIGNED_OUT_ONLY,
    # Signing out asks to confirm; there is nothing to sign out of when signed out.
    "account_logout": row(302, 200, 200, 200, 200, 200, 200, 200, 200),
    "account_inactive": OPEN,
    "account_reauthenticate": ACCOUNT_PAGE,
    "account_email": ACCOUNT_PAGE,
    "account_email_verification_sent": OPEN,
    # An unknown key from an email link: a page saying the link is not valid.
    "account_confirm_email": OPEN,
    "account_change_password": ACCOUNT_PAGE,
    # Everyone here has a password, so setting one goes to changing it.
    "account_set_password": NOTHING_TO_DO,
    "account_reset_password": OPEN,
    "account_reset_password_done": OPEN,
    "account_reset_password_from_key": OPEN,
    "account_reset_password_from_key_done": OPEN,
    # Sign-in by emailed code is off, and no sign-in waits for a second factor: home.
    "account_confirm_login_code": NOTHING_TO_DO,
    "mfa_authenticate": NOTHING_TO_DO,
    "mfa_index": ACCOUNT_PAGE,
    "mfa_reauthenticate": row(LOGIN, REAUTH, REAUTH, REAUTH, 200, REAUTH, 200, 200, 200),
    "mfa_activate_totp": CHANGE_MFA,
    # Only those with an authenticator can remove it.
    "mfa_deactivate_totp": row(LOGIN, 404, 404, 404, REAUTH, 404, REAUTH, REAUTH, REAUTH),
    "mfa_generate_recovery_codes": CHANGE_MFA,
    # Nobody here has generated recovery codes yet.
    "mfa_view_recovery_codes": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    "mfa_download_recovery_codes": row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404),
    # Single sign-on (an app is configured in the world): a confirmation page before leaving for
    # the provider, and an error page for a callback that was not expected.
    "openid_connect_login": OPEN,
    "openid_connect_callback": OPEN,
    "socialaccount_connections": ACCOUNT_PAGE,
    "socialaccount_login_cancelled": OPEN,
    "socialaccount_login_error": OPEN,
    # Only in the middle of a single sign-on that needs more details.
    "socialaccount_signup": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # allauth's old addresses, moved for good.
    "accounts/social/login/cancelled/": row(301, 301, 301, 301, 301, 301, 301, 301, 301),
    "accounts/social/login/error/": row(301, 301, 301, 301, 301, 301, 301, 301, 301),
    "accounts/social/signup/": row(301, 301, 301, 301, 301, 301, 301, 301, 301),
    "accounts/social/connections/": row(301, 301, 301, 301, 301, 301, 301, 301, 301),
}

LEARNING: dict[str, Row] = {
    "learning:index": SIGNED_IN,
    "learning:catalogue": SIGNED_IN,
    "learning:resource": SIGNED_IN,
    "learning:save": SIGNED_IN_POST,
    "learning:start": SIGNED_IN_POST,
    "learning:complete": SIGNED_IN,
    "learning:comment": SIGNED_IN_POST,
    "learning:my_learning": SIGNED_IN,
    "learning:my_learning_csv": SIGNED_IN,
    "learning:my_learning_print": SIGNED_IN,
    # A resource nobody has completed: back to it, with nothing to re-rate.
    "learning:completed": row(LOGIN, 302, 302, 302, 302, MFA, 302, 302, 302),
    "learning:self_assessment": SIGNED_IN,
    "learning:self_assessment_level": SIGNED_IN,
    "learning:self_assessment_statement": SIGNED_IN,
    "learning:resource_certificate": SIGNED_IN_POST,
    "learning:level_certificate": SIGNED_IN_POST,
    # Someone else's certificate (or none) is not found; only its holder opens it.
    "learning:certificate": row(LOGIN, 404, 404, 404, 404, MFA, 404, 404, 404),
    # The public check needs no sign-in; a hub clinician still sets up an authenticator first.
    "learning:certificate_check": row(200, 200, 200, 200, 200, MFA, 200, 200, 200),
    "learning:curate_index": CURATOR,
    "learning:curate_resources": CURATOR,
    "learning:curate_resource_create": CURATOR,
    "learning:curate_resource": CURATOR,
    "learning:curate_resource_edit": CURATOR,
    "learning:curate_resource_preview": CURATOR,
    "learning:curate_resource_move": CURATOR_POST,
    "learning:curate_review_due": CURATOR,
    "learning:curate_broken_links": CURATOR,
    "learning:curate_import": CURATOR,
    "learning:curate_export": CURATOR,
    "learning:curate_comments": CURATOR,
    "learning:curate_comment_publish": CURATOR_POST,
    "learning:curate_comment_reject": CURATOR,
    "learning:curate_uptake": CURATOR,
    "learning:curate_uptake_csv": CURATOR,
    "learning:curate_impact": CURATOR,
    "learning:curate_impact_csv": CURATOR,
    "learning:curate_competencies": CURATOR,
    "learning:curate_competency_create": CURATOR,
    "learning:curate_competency": CURATOR,
    "learning:curate_competency_edit": CURATOR,
    "learning:curate_competency_retire": CURATOR_POST,
    # Only for a resource in review past its review date; any other goes back to its page.
    "learning:curate_resource_publish": row(LOGIN, 403, 403, 403, 302, MFA, 403, 403, 302),
    # A team lead's totals for their team: the role only, as for team support (ADR 0023).
    "learning:team": row(LOGIN, 403, 403, 200, 403, MFA, 403, 403, 403),
    "learning:curate_emails_failed": CURATOR,
    "learning:curate_certificates": CURATOR,
    # The world issues no certificate, so a curator finds none to withdraw; others are refused.
    "learning:curate_certificate_withdraw": row(LOGIN, 403, 403, 403, 404, MFA, 403, 403, 404),
}

# Every model in the back office. Registering another fails the test until it is listed here,
# and no wellbeing model may ever be: ARCHITECTURE.md, rule 1.
ADMIN_MODELS = frozenset(
    {
        "account.emailaddress",
        "auth.group",
        "django_celery_beat.clockedschedule",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.intervalschedule",
        "django_celery_beat.periodictask",
        "django_celery_beat.solarschedule",
        "learning.comment",
        "learning.objective",
        "learning.provider",
        "learning.resource",
        "learning.topic",
        "mfa.authenticator",
        "portal.user",
        "socialaccount.socialaccount",
        "socialaccount.socialapp",
        "socialaccount.socialtoken",
    }
)


def admin_entries() -> dict[str, Row]:
    entries: dict[str, Row] = {
        "admin:index": BACK_OFFICE,
        "admin:app_list": BACK_OFFICE,
        "admin:jsi18n": BACK_OFFICE,
        "admin:password_change": BACK_OFFICE,
        "admin:password_change_done": BACK_OFFICE,
        "admin:auth_user_password_change": BACK_OFFICE,
        # Autocomplete without its query's parameters is refused even to the superuser.
        "admin:autocomplete": back_office(403),
        # "View on site": to the resource's page.
        "admin:view_on_site": back_office(302),
        # Any other address under /admin/.
        "admin/(?P<url>.*)$": back_office(404),
        # The sign-in page refuses the signed-in without the staff flag, and sends the superuser
        # on; signing out must be POSTed.
        "admin:login": row(LOGIN, 403, 403, 403, 403, MFA, 403, 403, 302),
        "admin:logout": row(302, 302, 302, 302, 302, MFA, 302, 302, 405),
    }
    for label in ADMIN_MODELS:
        app_label, model_name = label.split(".")
        for page in ("changelist", "add", "change", "delete", "history"):
            entries[f"admin:{app_label}_{model_name}_{page}"] = BACK_OFFICE
        # An object's bare address goes on to its change page.
        entries[f"admin/{app_label}/{model_name}/<path:object_id>/"] = back_office(302)
    # Authenticators are set up by their owner, never added in the back office (ADR 0018).
    entries["admin:mfa_authenticator_add"] = back_office(403)
    return entries


HUB = {f"wellbeing:{name}": expected for name, expected in HUB_MATRIX.items()}
MATRIX: dict[str, Row] = {**PORTAL, **ACCOUNTS, **LEARNING, **admin_entries(), **HUB}


def test_every_url_of_the_portal_is_in_the_matrix():
    known = set(routes())
    assert {"without an entry": known - set(MATRIX), "no longer a URL": set(MATRIX) - known} == {
        "without an entry": set(),
        "no longer a URL": set(),
    }


def test_the_back_office_holds_exactly_the_listed_models_and_nothing_confidential():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == ADMIN_MODELS
    for model in admin.site._registry:
        assert model._meta.app_label != "wellbeing", model
        assert router.db_for_read(model) == "default", model


def test_a_back_office_account_must_set_up_an_authenticator_before_the_back_office_opens(client):
    # The staff flag without superuser: a delegated administrator given, say, the user pages.
    user = UserFactory(with_profile=True, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(user)
    assert outcome(client.get(reverse("admin:portal_user_changelist"))) == MFA
    TOTP.activate(user, generate_totp_secret())
    assert client.get(reverse("admin:portal_user_changelist")).status_code == 200


@pytest.fixture
def world():
    return portal_world()


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_visitor_gets_exactly_what_the_matrix_says(client, sign_in, world, persona):
    # The hub's pages are opened by tests/wellbeing/test_access_matrix.py with the same visitors.
    keys = sorted(key for key in MATRIX if key not in HUB)
    got = {}
    sign_in_as(persona, client, sign_in, world)
    for key in keys:
        got[key] = outcome(client.get(url_for(key, kwargs_for(key, world))))
    wrong = {
        key: (MATRIX[key][persona], got[key]) for key in keys if got[key] != MATRIX[key][persona]
    }
    assert wrong == {}, f"{persona}: (expected, got) {wrong}"
