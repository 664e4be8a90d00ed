"""People can see where they are signed in and sign out of their other sessions; disabling an
account signs it out everywhere."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import UserSession
from portal.sessions import LAST_SEEN_AT, describe_device
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

SESSIONS = reverse("your_sessions")
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ON_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(user, user_agent: str) -> Client:
    """A browser that signed in through the sign-in form."""
    client = Client(headers={"User-Agent": user_agent})
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1000]
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get(reverse("profile"))
    return response.status_code == 200


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        (CHROME_ON_WINDOWS, "Chrome on Windows"),
        (FIREFOX_ON_MAC, "Firefox on Mac"),
        (SAFARI_ON_IPHONE, "Safari on iPhone"),
        (CHROME_ON_WINDOWS + " Edg/131.0.0.0", "Edge on Windows"),
        (
            "Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "A browser on an unknown device"),
        ("", "A browser on an unknown device"),
    ],
)
def test_a_device_is_described_coarsely(user_agent, described):
    assert describe_device(user_agent) == described


def test_the_page_lists_this_device_and_the_others(client):
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    browser(user, SAFARI_ON_IPHONE)
    page = laptop.get(SESSIONS).content.decode()
    assert 'Chrome on Windows <strong class="nhsuk-tag">This device</strong>' in page
    assert "Safari on iPhone" in page
    assert "Safari on iPhone <strong" not in page
    assert page.count("Sign out of this session") == 1
    # Keys are credentials: the page names sessions by row, never by session key.
    for key in UserSession.objects.values_list("session_key", flat=True):
        assert key not in page


def test_no_address_or_raw_user_agent_is_kept():
    user = UserFactory(with_profile=True)
    browser(user, CHROME_ON_WINDOWS)
    row = UserSession.objects.get(user=user)
    kept = [str(getattr(row, field.attname)) for field in UserSession._meta.concrete_fields]
    assert not any("127.0.0.1" in value or "Mozilla" in value for value in kept)


def test_signing_out_of_another_session_signs_that_browser_out():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    phone = browser(user, SAFARI_ON_IPHONE)
    phone_row = UserSession.objects.get(device="Safari on iPhone")

    response = laptop.post(SESSIONS, {"session": phone_row.pk}, follow=True)

    page = response.content.decode()
    assert "You have signed out of Safari on iPhone." in page
    assert "You are not signed in anywhere else." in page
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()


def test_signing_out_of_all_other_sessions_keeps_this_one():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    phone = browser(user, SAFARI_ON_IPHONE)
    home_computer = browser(user, FIREFOX_ON_MAC)
    someone_else = browser(UserFactory(with_profile=True), FIREFOX_ON_MAC)

    response = laptop.post(SESSIONS, {"session": "all-others"}, follow=True)

    page = response.content.decode()
    assert "You have signed out of all your other sessions." in page
    assert "You are not signed in anywhere else." in page
    assert not is_signed_in(phone)
    assert not is_signed_in(home_computer)
    assert is_signed_in(laptop)
    assert is_signed_in(someone_else)
    assert UserSession.objects.filter(user=user).count() == 1


def test_nobody_can_sign_out_someone_elses_session():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    victim = browser(UserFactory(with_profile=True), SAFARI_ON_IPHONE)
    victim_row = UserSession.objects.get(device="Safari on iPhone")

    response = laptop.post(SESSIONS, {"session": victim_row.pk}, follow=True)

    assert "That session had already ended." in response.content.decode()
    assert is_signed_in(victim)


def test_this_session_cannot_be_ended_from_the_list():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    own_row = UserSession.objects.get(user=user)

    response = laptop.post(SESSIONS, {"session": own_row.pk}, follow=True)

    assert "That session had already ended." in response.content.decode()
    assert is_signed_in(laptop)


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(SESSIONS)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_signing_out_removes_the_session_from_the_list():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    phone = browser(user, SAFARI_ON_IPHONE)

    phone.post(reverse("account_logout"))

    assert list(UserSession.objects.values_list("device", flat=True)) == ["Chrome on Windows"]
    assert "Safari on iPhone" not in laptop.get(SESSIONS).content.decode()


def test_a_session_that_timed_out_is_not_listed_and_is_ended(settings):
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    phone = browser(user, SAFARI_ON_IPHONE)
    long_ago = timezone.now() - settings.SESSION_IDLE_TIMEOUT - timedelta(minutes=1)
    UserSession.objects.filter(device="Safari on iPhone").update(last_seen_at=long_ago)

    assert "Safari on iPhone" not in laptop.get(SESSIONS).content.decode()
    assert not UserSession.objects.filter(device="Safari on iPhone").exists()
    assert not is_signed_in(phone)


def test_clearing_expired_sessions_forgets_them_too():
    user = UserFactory(with_profile=True)
    browser(user, CHROME_ON_WINDOWS)
    browser(user, SAFARI_ON_IPHONE)
    expired = UserSession.objects.get(device="Safari on iPhone").session_key
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now())

    call_command("clearsessions")

    assert list(UserSession.objects.values_list("device", flat=True)) == ["Chrome on Windows"]


def test_activity_is_recorded_on_the_list_at_most_once_a_minute():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    row = UserSession.objects.get(user=user)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=timezone.now() - timedelta(minutes=5))
    session = laptop.session
    session[LAST_SEEN_AT] = time.time() - 5 * 60
    session.save()

    laptop.get(reverse("home"))
    refreshed = UserSession.objects.get(pk=row.pk).last_seen_at
    assert timezone.now() - refreshed < timedelta(seconds=10)

    laptop.get(reverse("home"))
    assert UserSession.objects.get(pk=row.pk).last_seen_at == refreshed


def test_a_password_change_keeps_this_device_listed_with_its_sign_in_time():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    signed_in_at = UserSession.objects.get(user=user).created_at
    new_password = "a different long passphrase"

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )

    assert response.status_code == 302
    page = laptop.get(SESSIONS).content.decode()
    assert 'Chrome on Windows <strong class="nhsuk-tag">This device</strong>' in page
    rows = UserSession.objects.filter(user=user)
    assert [row.created_at for row in rows] == [signed_in_at]


def test_disabling_an_account_ends_all_its_sessions_for_good():
    user = UserFactory(with_profile=True)
    laptop = browser(user, CHROME_ON_WINDOWS)
    phone = browser(user, SAFARI_ON_IPHONE)
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))

    user.is_active = False
    user.save()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=user).exists()

    # Enabling the account again does not bring the old sessions back.
    user.is_active = True
    user.save()
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_disabling_an_account_in_the_back_office_signs_it_out():
    user = UserFactory()
    their_browser = browser(user, CHROME_ON_WINDOWS)
    assert is_signed_in(their_browser)
    admin = UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    back_office = Client()
    back_office.force_login(admin)

    response = back_office.post(
        reverse("admin:portal_user_change", args=[user.pk]),
        {
            "email": user.email,
            # is_active left unticked: the account is disabled.
            "staff_profile-TOTAL_FORMS": "0",
            "staff_profile-INITIAL_FORMS": "0",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.is_active is False
    assert not is_signed_in(their_browser)
    assert not UserSession.objects.filter(user=user).exists()
    assert is_signed_in(back_office)
