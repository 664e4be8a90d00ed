"""The sign-in limits: counted by the address a trusted hop saw, and saying how long to wait.

allauth allows 5 failed sign-ins in 5 minutes per address and per account
(settings.ACCOUNT_RATE_LIMITS "login_failed"). The address is the socket's unless
TRUSTED_PROXY_COUNT proxies are in front (issue 12, findings 7 and 9).
"""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, totp_for

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
MFA_CODE = reverse("mfa_authenticate")
LOCKED_OUT = "Too many failed attempts to sign in"
ONE_SOCKET = "198.51.100.20"
WRONG_PASSWORD = "a-wrong-password-2026"


def sign_in(client, email, password=WRONG_PASSWORD, **headers):
    return client.post(LOGIN, {"login": email, "password": password}, **headers)


def page(response) -> str:
    """The sign-in page shown again, with its error."""
    assert response.status_code == 200, response
    return str(response.content.decode())


def a_bad_password_for_a_new_account(client, n: int, forwarded: str) -> str:
    return page(
        sign_in(
            client,
            f"person{n}@test.nhs.net",
            REMOTE_ADDR=ONE_SOCKET,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    )


def test_a_forged_x_forwarded_for_does_not_escape_the_limit_per_address(client):
    # Eight accounts, so the limit per account never applies; a new forged address each time.
    pages = [a_bad_password_for_a_new_account(client, n, f"203.0.113.{n}") for n in range(1, 9)]
    assert [LOCKED_OUT in page for page in pages] == [False] * 5 + [True] * 3


def test_behind_one_trusted_proxy_the_right_most_hop_is_the_address_counted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw (192.0.2.7); what is left of it is the client's own.
    pages = [
        a_bad_password_for_a_new_account(client, n, f"203.0.113.{n}, 192.0.2.7")
        for n in range(1, 9)
    ]
    assert [LOCKED_OUT in page for page in pages] == [False] * 5 + [True] * 3
    # Someone else behind the same proxy is counted apart, and is not locked out.
    other = a_bad_password_for_a_new_account(client, 9, "192.0.2.8")
    assert LOCKED_OUT not in other
    assert "not correct" in other


def test_with_fewer_hops_than_trusted_proxies_the_socket_address_is_counted(client, settings):
    # Two proxies should have appended two hops; one means the request went round them, and
    # the one entry is the client's own word.
    settings.TRUSTED_PROXY_COUNT = 2
    pages = [a_bad_password_for_a_new_account(client, n, f"203.0.113.{n}") for n in range(1, 7)]
    assert [LOCKED_OUT in page for page in pages] == [False] * 5 + [True]


class Clock:
    """The clock allauth's rate limits read (time.time), moved on without waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock():
    fake = Clock()
    with mock.patch("time.time", fake.time):
        yield fake


def test_a_locked_out_person_is_told_how_long_to_wait_and_the_wait_is_true(client, clock):
    user = UserFactory(with_profile=True)
    for _ in range(5):
        assert LOCKED_OUT not in page(sign_in(client, user.email))
        clock.now += 10  # the first failure was 40 s before the fifth

    locked_out = page(sign_in(client, user.email))
    assert "Too many failed attempts to sign in. Try again in 5 minutes." in locked_out
    assert "Try again later" not in locked_out
    assert 'class="nhsuk-error-summary"' in locked_out  # shown as the form's error, NHS.UK style

    # Four minutes on, the wait is down to a minute: the first failure is 4 min 50 s old.
    clock.now += 4 * 60
    assert "Try again in 1 minute." in page(sign_in(client, user.email))
    # Even the right password is refused until then.
    assert "Try again in 1 minute." in page(sign_in(client, user.email, password=PASSWORD))

    # Just after the time it said, the first failure has left the window and the person gets in.
    clock.now += 11
    response = sign_in(client, user.email, password=PASSWORD)
    assert response.status_code == 302, response


def test_too_many_wrong_authenticator_codes_also_say_how_long_to_wait(client, clock):
    user = UserFactory(with_profile=True, with_totp=True)
    assert sign_in(client, user.email, password=PASSWORD).status_code == 302
    for _ in range(5):
        assert LOCKED_OUT not in page(client.post(MFA_CODE, {"code": "000000"}))
    locked_out = page(client.post(MFA_CODE, {"code": totp_for(user).now()}))
    assert "Too many failed attempts to sign in. Try again in 5 minutes." in locked_out
    # Five minutes on, every counted failure has left the window: the right code lets them in.
    clock.now += 5 * 60 + 1
    code = totp_for(user).at(int(clock.now))  # the app's code at the moved clock
    assert client.post(MFA_CODE, {"code": code}).status_code == 302


def test_the_per_minute_limits_say_to_wait_a_minute_and_a_minute_is_enough(client, clock):
    # Sign-up allows 20 a minute per address (settings.ACCOUNT_RATE_LIMITS "signup").
    signup = reverse("account_signup")
    for n in range(20):
        assert client.post(signup, {"email": f"not-an-address-{n}"}).status_code == 200
    refused = client.post(signup, {"email": "not-an-address"})
    assert refused.status_code == 429
    assert "Wait a minute, then try again." in refused.content.decode()
    clock.now += 61
    assert client.post(signup, {"email": "not-an-address"}).status_code == 200
