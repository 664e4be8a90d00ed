"""Hostile input to the portal's own forms: your profile, email preferences, unsubscribing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from portal.models import UserSession
from portal.outbox import preferences
from tests.factories import PASSWORD, UserFactory
from tests.fuzz.harness import fuzz, hostile_client

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


@pytest.fixture
def staff(client):
    user = UserFactory(with_profile=True)
    hostile_client(client).force_login(user)
    return user


def test_your_profile(client, staff):
    valid = {
        "display_name": "Sam Example",
        "job_title": "Staff nurse",
        "staff_group": "nursing_midwifery_registered",
        "organisation": "Test Hospital NHS Foundation Trust",
        "site": "Main site",
        "is_clinical": "True",
        "cares_for_both": "sometimes",
        "next": "/learning/",
    }
    fuzz(client, reverse("profile"), valid, examples=40)


def test_email_preferences(client, staff):
    keys = [choice.key for choice in preferences.choices_for(staff)]
    fuzz(client, reverse("email_preferences"), {"wanted": keys}, examples=20)


def test_ending_another_session(client, sign_in):
    user = UserFactory(with_profile=True)
    Client().post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    hostile_client(client)
    sign_in(user)
    other = UserSession.objects.exclude(session_key=client.session.session_key).get(user=user)
    fuzz(client, reverse("your_sessions"), {"session": str(other.pk)}, examples=20)
    fuzz(client, reverse("your_sessions"), {"session": "all-others"}, examples=10)


def test_unsubscribing_with_a_made_up_link(client):
    tokens = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="/"), min_size=1)
    urls = tokens.map(lambda token: reverse("unsubscribe", args=[token]))
    fuzz(hostile_client(client), urls, {}, examples=20)


def test_changing_a_user_in_the_back_office(client):
    admin = UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    hostile_client(client).force_login(admin)
    person = UserFactory(email="someone@test.nhs.net")
    valid = {
        "email": person.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "staff_profile-TOTAL_FORMS": "0",
        "staff_profile-INITIAL_FORMS": "0",
    }
    fuzz(client, reverse("admin:portal_user_change", args=[person.pk]), valid, examples=20)
