"""Passwords follow NCSC guidance: at least 12 characters, long passphrases welcome, common
passwords refused, no rules about kinds of character, and no forced expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

PASSPHRASE_128 = (
    "the tide comes in over the grey stones of the harbour wall while gulls wheel above the "
    "fishing boats in the early morning light."
)
TWO_PASSPHRASES = PASSPHRASE_128 + " " + PASSPHRASE_128  # 257 characters


def sign_up(client, password, email="jo.bloggs@nhs.net"):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def change_password(client, new_password):
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )


def test_the_test_passphrases_have_the_lengths_they_claim():
    assert (len(PASSPHRASE_128), len(TWO_PASSPHRASES), len(TWO_PASSPHRASES[:256])) == (
        128,
        257,
        256,
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("harbourwall", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("202605141990", "This password is entirely numeric."),
        (TWO_PASSPHRASES, "Your password must be 256 characters or fewer."),
    ],
)
def test_a_weak_or_absurd_password_is_refused_at_sign_up_with_a_plain_message(
    client, password, message
):
    response = sign_up(client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "password",
    [
        "mossy-kettle",  # exactly 12 characters
        PASSPHRASE_128,
        "lowercase words only make a fine passphrase",  # no composition rules
        TWO_PASSPHRASES[:256],  # the ceiling
    ],
)
def test_a_good_password_is_accepted_at_sign_up(client, password):
    response = sign_up(client, password)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="jo.bloggs@nhs.net")
    assert user.check_password(password)


def test_a_128_character_passphrase_is_accepted_when_changing_password(client):
    user = UserFactory(with_profile=True)
    client.force_login(user)

    response = change_password(client, PASSPHRASE_128)

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.check_password(PASSPHRASE_128)


def test_a_common_password_is_refused_when_changing_password(client):
    user = UserFactory(with_profile=True)
    client.force_login(user)

    response = change_password(client, "password1234")

    assert "This password is too common." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_sign_up_page_says_how_long_a_password_may_be(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "at least 12 characters" in page
    assert "up to 256 characters" in page


def test_an_old_password_never_has_to_be_changed(client):
    """No expiry: someone who set their password years ago signs in and goes straight in."""
    user = UserFactory(with_profile=True)
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - timedelta(days=3 * 365),
        last_login=timezone.now() - timedelta(days=2 * 365),
    )

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200
    assert "password" not in response.redirect_chain[-1][0]
