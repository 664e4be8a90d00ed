"""First sign-in asks for the staff profile; "Your profile" edits it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import StaffProfile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

VALID = {
    "display_name": "Jo Bloggs",
    "job_title": "Healthcare assistant",
    "staff_group": "additional_clinical_services",
    "organisation": "Test Hospital NHS Foundation Trust",
    "site": "",
    "is_clinical": "True",
    "cares_for_both": "regularly",
}


def test_first_sign_in_asks_for_the_profile_before_anything_else(client):
    client.force_login(UserFactory())
    response = client.get(reverse("learning:index"))
    assert response.status_code == 302
    assert response.url == f"{reverse('profile')}?next=%2Flearning%2F"
    page = client.get(response.url)
    assert "Tell us about your role" in page.content.decode()


def test_saving_the_profile_returns_to_where_the_user_was_going(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {**VALID, "next": "/learning/"})
    assert response.status_code == 302
    assert response.url == "/learning/"
    profile = StaffProfile.objects.get(user=user)
    assert profile.is_clinical is True
    assert profile.cares_for_both == "regularly"
    assert client.get("/learning/").status_code == 200


def test_an_offsite_next_address_is_ignored(client):
    client.force_login(UserFactory())
    response = client.post(reverse("profile"), {**VALID, "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_an_empty_profile_shows_a_message_beside_every_required_field(client):
    client.force_login(UserFactory())
    response = client.post(reverse("profile"), {})
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "Enter a display name",
        "Enter your job title",
        "Select your staff group",
        "Enter your organisation",
        "Select yes if your role is clinical",
        "Select how often you care for people with both physical and mental health needs",
    ):
        assert html.count(message) == 2, message  # once in the error summary, once by the field
    assert "There is a problem" in html
    assert not StaffProfile.objects.exists()


def test_hostile_input_gets_a_message_not_a_server_error(client):
    client.force_login(UserFactory())
    hostile = {
        **VALID,
        "display_name": "x" * 5000,
        "staff_group": "'; DROP TABLE portal_user; --",
        "is_clinical": "maybe",
        "cares_for_both": "\x00\u202e",
    }
    response = client.post(reverse("profile"), hostile)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Display name must be 80 characters or fewer" in html
    assert "Select your staff group from the list" in html
    assert not StaffProfile.objects.exists()


def test_a_display_name_may_not_be_an_email_address(client):
    client.force_login(UserFactory())
    response = client.post(reverse("profile"), {**VALID, "display_name": "jo@nhs.net"})
    assert "Display name must not be an email address" in response.content.decode()


def test_your_profile_edits_the_existing_profile(client):
    user = UserFactory(with_profile=True)
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert "Your profile" in page
    client.post(reverse("profile"), {**VALID, "job_title": "Ward manager"})
    assert StaffProfile.objects.get(user=user).job_title == "Ward manager"
    assert StaffProfile.objects.count() == 1
