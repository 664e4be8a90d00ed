"""The fuzzing harness notices what it is there to notice: a server error, and a refused form
that wrote something anyway."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from learning.models import Topic
from portal.forms import StaffProfileForm
from tests.factories import UserFactory
from tests.fuzz.harness import fuzz, hostile_client

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
VALID = {"display_name": "Sam", "job_title": "Nurse", "organisation": "Trust", "site": "",
         "staff_group": "nursing_midwifery_registered", "is_clinical": "True",
         "cares_for_both": "never"}  # fmt: skip


@pytest.fixture
def staff(client):
    hostile_client(client).force_login(UserFactory(with_profile=True))


def test_a_refused_form_that_wrote_a_row_fails(client, staff, monkeypatch):
    def clean_site(form: StaffProfileForm) -> str:
        if form.cleaned_data["site"]:
            Topic.objects.create(name="Written by a refused form", slug="refused")
            raise forms.ValidationError("Refused")
        return ""

    monkeypatch.setattr(StaffProfileForm, "clean_site", clean_site, raising=False)
    with pytest.raises(AssertionError, match="wrote rows"):
        fuzz(client, reverse("profile"), VALID, examples=15)


def test_a_server_error_fails(client, staff, monkeypatch):
    def clean_site(form: StaffProfileForm) -> str:
        site: str = form.cleaned_data["site"]
        return str(int(site)) if site else ""

    monkeypatch.setattr(StaffProfileForm, "clean_site", clean_site, raising=False)
    with pytest.raises(AssertionError, match="answered 500: ValueError"):
        fuzz(client, reverse("profile"), VALID, examples=15)
