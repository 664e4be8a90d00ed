"""Certificates of completion: for a resource or a whole level, printable, and checked by its
verification code at a public page that shows only what the certificate shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from learning import certificate_codes
from learning.models import Certificate, LearningStatus
from learning.services.certificates import (
    CertificateRefused,
    do_issue_level_certificate,
    do_issue_resource_certificate,
)
from tests.factories import UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.learning.rating_factories import StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_the_starter_framework")]

CHECK = "/learning/certificates/check/"


@pytest.fixture
def nurse(db):
    user = UserFactory(with_profile=True)
    user.staff_profile.display_name = "Priya Patel"
    user.staff_profile.save()
    return user


def completed(user, resource, day=datetime.date(2026, 2, 3), hours="1.5"):
    return LearningRecordFactory(
        user=user,
        resource=resource,
        status=LearningStatus.COMPLETED,
        completed_on=day,
        hours=Decimal(hours),
    )


def test_a_code_is_12_characters_from_an_alphabet_without_look_alikes():
    codes = {certificate_codes.new_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12
        assert not set(code) & set("01ILOU")
    assert certificate_codes.display("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("abcd-efgh-jkmn", "ABCDEFGHJKMN"),
        (" ABCD EFGH JKMN ", "ABCDEFGHJKMN"),
        ("ABCD-EFGH-JKM", None),
        ("ABCD-EFGH-JKM0", None),
        ("ABCD-EFGH-JKMNP", None),
        ("", None),
    ],
)
def test_a_typed_code_is_read_as_printed_or_refused(typed, stored):
    assert certificate_codes.normalise(typed) == stored


def test_a_certificate_for_a_completed_resource_shows_name_title_date_hours_and_level(
    client, nurse
):
    resource = ResourceFactory(title="Diabetes and depression", level=2)
    completed(nurse, resource)
    client.force_login(nurse)

    response = client.post(reverse("learning:resource_certificate", args=[resource.slug]))

    certificate = Certificate.objects.get()
    assert response.url == reverse("learning:certificate", args=[certificate.pk])
    html = client.get(response.url).content.decode()
    for shown in (
        "Priya Patel",
        "Diabetes and depression",
        "3 February 2026",
        "1.5",
        "Level 2",
        certificate_codes.display(certificate.code),
    ):
        assert shown in html


def test_asking_again_gives_the_same_certificate(nurse):
    resource = ResourceFactory()
    completed(nurse, resource)

    first = do_issue_resource_certificate(user=nurse, resource=resource)

    assert do_issue_resource_certificate(user=nurse, resource=resource) == first
    assert Certificate.objects.count() == 1


def test_there_is_no_certificate_for_a_resource_not_completed(client, nurse):
    resource = ResourceFactory()
    LearningRecordFactory(user=nurse, resource=resource, status=LearningStatus.IN_PROGRESS)
    client.force_login(nurse)

    response = client.post(
        reverse("learning:resource_certificate", args=[resource.slug]), follow=True
    )

    assert "once you have recorded that you completed this resource" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_level_certificate_needs_learning_completed_for_every_statement_of_the_level(nurse):
    mood, pain = StatementFactory(level=1), StatementFactory(level=1)
    StatementFactory(level=1)  # no published resource develops it: it does not count
    for_mood, for_pain = ResourceFactory(), ResourceFactory()
    for_mood.competencies.add(mood)
    for_pain.competencies.add(pain)
    completed(nurse, for_mood, datetime.date(2026, 1, 10), "2.0")

    with pytest.raises(CertificateRefused, match="every competency"):
        do_issue_level_certificate(user=nurse, level=1)

    completed(nurse, for_pain, datetime.date(2026, 2, 20), "1.5")
    certificate = do_issue_level_certificate(user=nurse, level=1)

    assert certificate.title == "Level 1: mind and body learning"
    assert certificate.completed_on == datetime.date(2026, 2, 20)
    assert certificate.hours == Decimal("3.5")


def test_another_persons_certificate_is_not_found(client, nurse):
    resource = ResourceFactory()
    completed(nurse, resource)
    certificate = do_issue_resource_certificate(user=nurse, resource=resource)
    client.force_login(UserFactory(with_profile=True))

    response = client.get(reverse("learning:certificate", args=[certificate.pk]))

    assert response.status_code == 404


def test_anyone_can_check_a_certificate_without_signing_in_and_sees_only_what_it_shows(nurse):
    resource = ResourceFactory(title="Seeing the whole person", level=1)
    completed(nurse, resource)
    certificate = do_issue_resource_certificate(user=nurse, resource=resource)
    anonymous = Client()

    response = anonymous.get(CHECK, {"code": certificate_codes.display(certificate.code).lower()})

    assert response.status_code == 200
    html = response.content.decode()
    assert "This certificate is genuine" in html
    assert "Priya Patel" in html
    assert "Seeing the whole person" in html
    assert nurse.email not in html
    assert nurse.staff_profile.job_title not in html


def test_the_check_page_asks_for_a_code(client):
    html = client.get(CHECK).content.decode()

    assert "Check a certificate" in html
    assert "Verification code" in html


@pytest.mark.parametrize(
    ("typed", "message", "status"),
    [
        ("ABCD-EFGH-JKMN", "No certificate has this code", 404),
        ("not a code", "A verification code is 12 letters and numbers", 400),
        ("", "Enter the verification code printed on the certificate", 400),
        ("\x00" * 12, "A verification code is 12 letters and numbers", 400),
    ],
)
def test_a_forged_or_mistyped_code_gets_a_clear_message(typed, message, status):
    response = Client().get(CHECK, {"code": typed})

    assert response.status_code == status
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_guessing_codes_is_stopped_after_a_few_wrong_ones(nurse, settings):
    settings.CERTIFICATE_CHECK_RATE_LIMITS = {"certificate_check": "3/m/ip"}
    resource = ResourceFactory()
    completed(nurse, resource)
    real = do_issue_resource_certificate(user=nurse, resource=resource)
    anonymous = Client()

    for _ in range(3):
        assert anonymous.get(CHECK, {"code": "ABCD-EFGH-JKMN"}).status_code == 404
    refused = anonymous.get(CHECK, {"code": real.code})

    assert refused.status_code == 429
    assert "Too many codes tried" in refused.content.decode()
