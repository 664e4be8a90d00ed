"""Hostile input to allauth's forms as the portal uses them: signing in and up, two-step
verification, resetting and changing a password, confirming and managing email addresses."""

from __future__ import annotations

import pyotp
import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.urls import reverse
from hypothesis import strategies as st

from portal import roles
from tests.factories import PASSWORD, UserFactory, totp_for
from tests.fuzz.harness import fuzz, hostile_client
from wellbeing.services import hub_team

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
NEW_PASSWORD = "another-long-password-2026"


@pytest.fixture
def person():
    return UserFactory(with_profile=True)


@pytest.fixture
def signed_in(client, sign_in, person):
    hostile_client(client)
    sign_in(person)
    return person


def test_signing_in(client, person):
    valid = {"login": person.email, "password": PASSWORD}
    fuzz(hostile_client(client), reverse("account_login"), valid, examples=30)


def test_signing_up(client):
    valid = {
        "email": "new.starter@test.nhs.net",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    fuzz(hostile_client(client), reverse("account_signup"), valid, examples=30)


def test_asking_to_reset_a_password(client, person):
    fuzz(
        hostile_client(client),
        reverse("account_reset_password"),
        {"email": person.email},
        examples=20,
    )


def test_choosing_a_new_password_from_the_emailed_link(client, person):
    key = default_token_generator.make_token(person)
    link = reverse("account_reset_password_from_key", args=[user_pk_to_url_str(person), key])
    # allauth keeps the key in the session and sends the browser on to a page without it.
    form_url = hostile_client(client).get(link)["Location"]
    valid = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    fuzz(client, form_url, valid, examples=25)


def test_confirming_an_email_address(client, person):
    address = EmailAddress.objects.create(user=person, email="second@test.nhs.net")
    key = EmailConfirmationHMAC(address).key
    keys = st.one_of(st.just(key), st.from_regex(r"[-:\w]{1,80}", fullmatch=True))
    urls = keys.map(lambda k: reverse("account_confirm_email", args=[k]))
    fuzz(hostile_client(client), urls, {}, examples=20)


def test_changing_a_password(client, signed_in):
    valid = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    fuzz(client, reverse("account_change_password"), valid, examples=30)


def test_managing_email_addresses(client, signed_in):
    url = reverse("account_email")
    fuzz(client, url, {"email": "second@test.nhs.net", "action_add": ""}, examples=20)
    EmailAddress.objects.create(user=signed_in, email="other@test.nhs.net")
    for action in ("action_send", "action_primary", "action_remove"):
        fuzz(client, url, {"email": "other@test.nhs.net", action: ""}, examples=8)


def test_confirming_it_is_you(client, signed_in):
    fuzz(client, reverse("account_reauthenticate"), {"password": PASSWORD}, examples=20)


def test_signing_out(client, signed_in):
    fuzz(client, reverse("account_logout"), {}, examples=5)


@pytest.fixture
def hub_member():
    return UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)


def test_the_authenticator_code_at_sign_in(client, hub_member):
    hostile_client(client).post(
        reverse("account_login"), {"login": hub_member.email, "password": PASSWORD}
    )
    code = totp_for(hub_member).now()
    fuzz(client, reverse("mfa_authenticate"), {"code": code}, examples=25)


def test_the_authenticator_code_to_confirm_it_is_you(client, hub_member):
    hostile_client(client).post(
        reverse("account_login"), {"login": hub_member.email, "password": PASSWORD}
    )
    client.post(reverse("mfa_authenticate"), {"code": totp_for(hub_member).now()})
    code = totp_for(hub_member).now()
    fuzz(client, reverse("mfa_reauthenticate"), {"code": code}, examples=20)


def test_setting_up_an_authenticator(client, sign_in):
    hostile_client(client)
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    enrolment_code = hub_team.issue_enrolment_code(by=lead, user=clinician)
    sign_in(clinician)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = pyotp.TOTP(secret).now()
    fuzz(
        client,
        reverse("mfa_activate_totp"),
        {"code": code, "enrolment_code": enrolment_code},
        examples=25,
    )
