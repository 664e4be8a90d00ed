"""The hub page: what the hub offers, who can see what, crisis contacts, how soon, and start."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from wellbeing.services import self_referral

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


@pytest.fixture
def hub_page(client, staff_user):
    client.force_login(staff_user)
    return client.get(reverse("wellbeing:index"))


def test_it_asks_people_to_sign_in(client, db):
    response = client.get(reverse("wellbeing:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_is_never_cached(hub_page):
    assert "no-store" in hub_page["Cache-Control"]


def test_it_says_what_the_hub_offers_and_who_cannot_see(hub_page):
    page = hub_page.content.decode()
    for offer in ("rapid assessment", "Support for your team", "Therapy", "Referral to another"):
        assert offer in page
    assert "Your manager, HR and the learning team cannot see it" in page


def test_it_shows_the_crisis_contacts_and_the_local_line(client, staff_user, settings):
    settings.HUB_LOCAL_CRISIS_LINE = "0800 123 4567"
    client.force_login(staff_user)
    page = client.get(reverse("wellbeing:index")).content.decode()
    for contact in ("116 123", "NHS 111", "option 2", "999", "0800 123 4567"):
        assert contact in page


def test_it_shows_when_the_hub_will_make_contact_in_working_days(
    client, staff_user, settings, monkeypatch
):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    # From Wednesday 23 December 2026, 2 working days skip Christmas and the substitute
    # Boxing Day: Thursday 24, then Tuesday 29.
    monkeypatch.setattr(
        "wellbeing.services.self_referral.timezone.localdate", lambda: date(2026, 12, 23)
    )
    client.force_login(staff_user)
    page = client.get(reverse("wellbeing:index")).content.decode()
    assert "by <strong>Tuesday 29 December</strong>" in page
    assert "within 2 working days" in page


def test_its_start_button_becomes_continue_once_a_referral_is_started(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("wellbeing:index")).content.decode()
    assert ">Refer yourself</a>" in page
    self_referral.do_save_draft(user=staff_user)
    page = client.get(reverse("wellbeing:index")).content.decode()
    assert ">Continue your referral</a>" in page
    assert reverse("wellbeing:refer_start") in page
