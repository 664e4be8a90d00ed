"""Defining a research study: validated in plain English, made once, audited, listed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import roles
from tests.wellbeing.clinical_helpers import a_hub_member
from wellbeing.models import AuditAction, AuditEntry, Study

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
DB = "confidential"
NEW = reverse("wellbeing:research_study_new")


@pytest.fixture
def researcher(client):
    user = a_hub_member(roles.HUB_RESEARCHER, name="Rae Researcher")
    client.force_login(user)
    return user


def parts(name: str, day: datetime.date | tuple[str, str, str]) -> dict[str, str]:
    d, m, y = (
        (str(day.day), str(day.month), str(day.year)) if isinstance(day, datetime.date) else day
    )
    return {f"{name}_day": d, f"{name}_month": m, f"{name}_year": y}


def a_definition(**changes: object) -> dict[str, object]:
    today = timezone.localdate()
    form: dict[str, object] = {
        "name": "Resilience Hub evaluation 2026",
        "approval_reference": "IRAS 314159",
        **parts("period_start", today - datetime.timedelta(days=300)),
        **parts("period_end", today),
    }
    form.update(changes)
    return form


def test_a_study_is_defined_once_with_who_defined_it_and_audited(client, researcher):
    key = "5d1f7a3e-9b2c-4e6f-8a1d-2c3b4a5e6f70"
    first = client.post(NEW, {**a_definition(), "submission_key": key})
    again = client.post(NEW, {**a_definition(), "submission_key": key})
    study = Study.objects.using(DB).get()
    assert (
        first["Location"]
        == again["Location"]
        == reverse("wellbeing:research_study", args=[study.pk])
    )
    assert study.defined_by_name == "Rae Researcher"
    assert study.approval_reference == "IRAS 314159"
    assert len(study.pseudonym_salt) == 32
    entry = AuditEntry.objects.using(DB).get(action=AuditAction.CREATE)
    assert (entry.object_type, entry.object_id) == ("study", study.pk)
    listing = client.get(reverse("wellbeing:research_studies")).content.decode()
    assert "Resilience Hub evaluation 2026" in listing
    assert "Rae Researcher" in listing


def test_two_studies_get_different_pseudonym_salts(client, researcher):
    client.post(NEW, a_definition(name="One"))
    client.post(NEW, a_definition(name="Two"))
    salts = set(Study.objects.using(DB).values_list("pseudonym_salt", flat=True))
    assert len(salts) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the study name"),
        ({"approval_reference": ""}, "Enter the approval reference"),
        ({"name": "x" * 121}, "Study name must be 120 characters or fewer"),
        (
            parts("period_start", ("31", "2", "2026")),
            "The date referrals are taken from must be a real date",
        ),
        (
            parts("period_start", ("", "4", "2026")),
            "The date referrals are taken from must include a day",
        ),
        (
            parts("period_start", ("1", "1", "1976")),
            "The date referrals are taken from must be after",
        ),
        (
            parts("period_end", ("1", "1", "2091")),
            "The date referrals are taken up to must be before",
        ),
        (parts("period_end", ("1", "1", "20260")), "Year must include 4 numbers"),
    ],
)
def test_impossible_or_missing_answers_get_a_plain_message(client, researcher, changes, message):
    response = client.post(NEW, a_definition(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Study.objects.using(DB).exists()


def test_a_period_that_ends_before_it_starts_is_refused(client, researcher):
    today = timezone.localdate()
    response = client.post(
        NEW,
        a_definition(
            **parts("period_start", today - datetime.timedelta(days=10)),
            **parts("period_end", today - datetime.timedelta(days=20)),
        ),
    )
    assert response.status_code == 400
    assert "must be the same as or after the date they are taken from" in response.content.decode()


def test_a_start_in_the_future_is_refused(client, researcher):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(NEW, a_definition(**parts("period_start", tomorrow)))
    assert "The date referrals are taken from must be today or earlier" in response.content.decode()


def test_a_name_already_used_is_refused_whatever_its_case(client, researcher):
    client.post(NEW, a_definition())
    response = client.post(NEW, a_definition(name="RESILIENCE HUB evaluation 2026"))
    assert response.status_code == 400
    assert "A study with this name already exists" in response.content.decode()
    assert Study.objects.using(DB).count() == 1


def test_an_unknown_study_or_format_is_not_found_or_sent_back(client, researcher):
    assert client.get(reverse("wellbeing:research_study", args=[999999])).status_code == 404
    assert client.get(f"/hub/research/{2**64}/").status_code == 404
    client.post(NEW, a_definition())
    study = Study.objects.using(DB).get()
    response = client.post(reverse("wellbeing:research_download", args=[study.pk, "xlsx"]))
    assert response["Location"] == reverse("wellbeing:research_study", args=[study.pk])
    assert (
        client.get(reverse("wellbeing:research_download", args=[study.pk, "csv"])).status_code
        == 405
    )
