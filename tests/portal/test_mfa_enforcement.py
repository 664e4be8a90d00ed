"""Roles that see other people's data must set up an authenticator before anything opens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

MFA_SETUP = reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [roles.CURATOR, roles.HUB_CLINICIAN, roles.HUB_LEAD])
def test_a_role_that_needs_mfa_is_sent_to_set_it_up_from_any_page(client, role):
    user = UserFactory(with_profile=True, roles=[role])
    client.force_login(user)
    for url in (
        reverse("home"),
        reverse("learning:index"),
        reverse("wellbeing:index"),
        reverse("profile"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == MFA_SETUP


def test_a_superuser_without_an_authenticator_cannot_open_the_back_office(client):
    user = UserFactory(with_profile=True, is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == MFA_SETUP


def test_signing_in_leads_to_the_setup_page_which_opens_as_does_signing_out(client, sign_in):
    sign_in(UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN]))
    response = client.get(reverse("home"))
    assert response.url == MFA_SETUP
    assert client.get(MFA_SETUP).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_a_role_with_an_authenticator_goes_straight_in(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True))
    assert client.get(reverse("wellbeing:index")).status_code == 200


@pytest.mark.parametrize("role_list", [[], [roles.TEAM_LEAD]])
def test_staff_and_team_leads_are_not_asked_for_mfa(client, role_list):
    client.force_login(UserFactory(with_profile=True, roles=role_list))
    assert client.get(reverse("home")).status_code == 200


def test_removing_the_authenticator_sends_the_user_back_to_set_one_up(client):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_removed

    user = UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    authenticator = Authenticator.objects.get(user=user)
    authenticator.delete()
    # allauth sends this signal from its deactivate view; simulate it against the live session.
    request = client.get(reverse("home")).wsgi_request
    authenticator_removed.send(
        sender=Authenticator, request=request, user=user, authenticator=authenticator
    )
    request.session.save()
    assert client.get(reverse("home")).url == MFA_SETUP
