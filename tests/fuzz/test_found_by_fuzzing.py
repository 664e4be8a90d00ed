"""The problems fuzzing found, each pinned by a plain test so it cannot come back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning.models import LearningRecord
from portal.nhsuk_forms.fields import DateInputField
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


# A date typed with digits that are not ASCII, or with a very long number, was a server error:
# "²".isdigit() is true but int("²") fails; int() refuses more than 4,300 digits; and a day of
# 20 digits overflowed date().
@pytest.mark.parametrize(
    ("day", "month", "year", "parts"),
    [
        ("²", "2", "2026", ("day",)),
        ("1", "2", "²⁰²⁶", ("year",)),
        ("1", "①", "2026", ("month",)),
        ("9" * 20, "2", "2026", ("day",)),
        ("1", "9" * 5000, "2026", ("month",)),
        ("0001", "002", "2026", None),
    ],
    ids=[
        "superscript-day",
        "superscript-year",
        "circled-month",
        "huge-day",
        "5000-digits",
        "zeros",
    ],
)
def test_a_date_with_strange_digits_is_not_a_real_date(day, month, year, parts):
    field = DateInputField()
    if parts is None:
        assert str(field.clean([day, month, year])) == "2026-02-01"
        return
    with pytest.raises(ValidationError) as refused:
        field.clean([day, month, year])
    assert refused.value.messages == ["Date must be a real date"]
    params = refused.value.error_list[0].params or {}
    assert params["parts_in_error"] == parts


def test_completing_a_resource_on_a_strange_date_says_what_is_wrong_and_records_nothing(client):
    resource = ResourceFactory()
    client.force_login(UserFactory(with_profile=True))
    response = client.post(
        reverse("learning:complete", args=[resource.slug]),
        {"completed_on_day": "²", "completed_on_month": "2", "completed_on_year": "2026"},
    )
    assert response.status_code == 200
    assert "The date you completed it must be a real date" in response.content.decode()
    assert not LearningRecord.objects.exists()


# Saving your profile with a "next" that was not a path, such as "abc", was a server error:
# redirect() took it for the name of a view.
@pytest.mark.parametrize("next_page", ["abc", "é", "javascript:alert(1)", "//evil.example/"])
def test_saving_your_profile_with_a_strange_next_page_goes_home(client, next_page):
    user = UserFactory(with_profile=True)
    client.force_login(user)
    profile = {
        "display_name": "Sam Example",
        "job_title": "Staff nurse",
        "staff_group": "nursing_midwifery_registered",
        "organisation": "Test Hospital NHS Foundation Trust",
        "is_clinical": "True",
        "cares_for_both": "sometimes",
        "next": next_page,
    }
    response = client.post(reverse("profile"), profile)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_saving_your_profile_goes_on_to_the_page_that_asked_for_it(client):
    client.force_login(UserFactory(with_profile=True))
    response = client.post(
        reverse("profile"),
        {
            "display_name": "Sam Example",
            "job_title": "Staff nurse",
            "staff_group": "nursing_midwifery_registered",
            "organisation": "Test Hospital NHS Foundation Trust",
            "is_clinical": "True",
            "cares_for_both": "sometimes",
            "next": "/learning/catalogue/?q=sleep",
        },
    )
    assert response["Location"] == "/learning/catalogue/?q=sleep"
