"""Sign-up is open to work email addresses only, and needs a verified email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts import email_domain_allowed
from portal.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-new-password-2026"


def sign_up(client, email):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("jo.bloggs@nhs.net", True),
        ("jo@trust.nhs.uk", True),
        ("Jo@NHS.NET", True),
        ("jo@gmail.com", False),
        ("jo@nhs.net.evil.com", False),
        ("jo@notnhs.net", False),
        ("jo@", False),
    ],
)
def test_only_listed_domains_and_their_subdomains_are_allowed(email, allowed):
    assert email_domain_allowed(email) is allowed


def test_a_sign_up_from_an_unlisted_domain_gets_a_clear_refusal(client, mailoutbox):
    response = sign_up(client, "someone@gmail.com")
    assert response.status_code == 200
    assert "You can only sign up with a work email address ending in nhs.net or nhs.uk" in (
        response.content.decode()
    )
    assert not User.objects.exists()
    assert mailoutbox == []


def test_a_work_address_must_verify_its_email_before_signing_in(client, mailoutbox):
    response = sign_up(client, "new.starter@nhs.net")
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="new.starter@nhs.net").exists()
    assert len(mailoutbox) == 1
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    # Until the email is confirmed, signing in only resends the verification email.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new.starter@nhs.net", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")


def test_a_short_or_common_password_is_refused_with_a_message(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "jo@nhs.net", "password1": "password123", "password2": "password123"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode() or "too common" in response.content.decode()
    assert not User.objects.exists()


def test_the_admin_sign_in_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_repeated_failed_sign_ins_are_rate_limited(client):
    from tests.factories import UserFactory

    user = UserFactory(with_profile=True)
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password-x"})
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong-password-x"}
    )
    assert response.status_code == 429 or "Too many failed" in response.content.decode()
