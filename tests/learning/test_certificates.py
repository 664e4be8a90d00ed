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
    do_withdraw_certificate,
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


# --- A curator withdraws a certificate (ADR 0046) ------------------------------------------------

CURATE = "/learning/curate/certificates/"


@pytest.fixture
def curator(db):
    user = UserFactory(with_profile=True, roles=["Curator"], with_totp=True)
    user.staff_profile.display_name = "Sam Curator"
    user.staff_profile.save()
    return user


@pytest.fixture
def curator_client(curator):
    client = Client()
    client.force_login(curator)
    return client


@pytest.fixture
def issued(nurse):
    resource = ResourceFactory(title="Seeing the whole person", level=1)
    completed(nurse, resource)
    return do_issue_resource_certificate(user=nurse, resource=resource)


def withdraw_url(certificate):
    return reverse("learning:curate_certificate_withdraw", args=[certificate.pk])


def test_a_curator_finds_a_certificate_by_its_code_and_sees_it_is_valid(curator_client, issued):
    code = certificate_codes.display(issued.code)

    response = curator_client.get(CURATE, {"code": code.lower().replace("-", " ")})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Certificate {code}" in html
    assert "Priya Patel" in html
    assert "Valid" in html
    assert withdraw_url(issued) in html


@pytest.mark.parametrize(
    ("typed", "message", "status"),
    [
        ("", "Enter the verification code printed on the certificate", 400),
        ("ABCD", "A verification code is 12 letters and numbers", 400),
        ("ABCD-EFGH-JKMN", "No certificate has this code", 404),
    ],
)
def test_a_curator_is_told_plainly_when_a_code_finds_nothing(
    curator_client, typed, message, status
):
    response = curator_client.get(CURATE, {"code": typed})

    assert response.status_code == status
    assert message in response.content.decode()


def test_withdrawing_tells_everyone_who_checks_the_code_that_it_is_no_longer_valid(
    curator_client, curator, issued
):
    code = certificate_codes.display(issued.code)

    response = curator_client.post(
        withdraw_url(issued), {"reason": "  Completion recorded in error "}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{CURATE}?code={code}"
    issued.refresh_from_db()
    assert issued.withdrawn_at is not None
    assert issued.withdrawn_by == curator
    assert issued.withdrawn_reason == "Completion recorded in error"
    public = Client().get(CHECK, {"code": code}).content.decode()
    assert "This certificate has been withdrawn" in public
    assert "no longer valid" in public
    assert "genuine" not in public
    assert "Completion recorded in error" not in public  # the reason is for curators only
    found = curator_client.get(CURATE, {"code": code}).content.decode()
    assert "Withdrawn on" in found
    assert "by Sam Curator" in found
    assert "Completion recorded in error" in found
    assert withdraw_url(issued) not in found


def test_the_holder_sees_it_withdrawn_and_asking_again_gives_the_withdrawn_one(
    client, curator_client, issued, nurse
):
    curator_client.post(withdraw_url(issued), {"reason": "Issued in error"})
    client.force_login(nurse)

    page = client.get(reverse("learning:certificate", args=[issued.pk])).content.decode()
    mine = client.get(reverse("learning:my_learning")).content.decode()

    assert "This certificate has been withdrawn" in page
    assert "Issued in error" not in page
    assert "Withdrawn" in mine
    again = do_issue_resource_certificate(user=nurse, resource=issued.resource)
    assert again.pk == issued.pk
    assert again.withdrawn


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you are withdrawing this certificate"),
        ("   ", "Enter why you are withdrawing this certificate"),
        ("x" * 301, "Reason must be 300 characters or fewer"),
    ],
)
def test_withdrawing_needs_a_reason_and_changes_nothing_without_one(
    curator_client, issued, reason, message
):
    response = curator_client.post(withdraw_url(issued), {"reason": reason})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "nhsuk-error-summary" in html
    issued.refresh_from_db()
    assert issued.withdrawn_at is None


def test_withdrawing_twice_keeps_the_first_withdrawal(curator_client, curator, issued):
    curator_client.post(withdraw_url(issued), {"reason": "First reason"})
    issued.refresh_from_db()
    first_at = issued.withdrawn_at

    response = curator_client.post(withdraw_url(issued), {"reason": "Second reason"}, follow=True)

    assert "already been withdrawn" in response.content.decode()
    issued.refresh_from_db()
    assert (issued.withdrawn_at, issued.withdrawn_reason) == (first_at, "First reason")
    with pytest.raises(CertificateRefused, match="already withdrawn"):
        do_withdraw_certificate(certificate_id=issued.pk, reason="Third", acting_user=curator)


def test_only_a_curator_may_withdraw(client, issued, nurse):
    client.force_login(nurse)

    assert client.get(CURATE).status_code == 403
    assert client.post(withdraw_url(issued), {"reason": "Mine"}).status_code == 403
    issued.refresh_from_db()
    assert issued.withdrawn_at is None


def test_the_database_refuses_a_withdrawal_without_a_reason(issued):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=issued.pk).update(withdrawn_at=timezone.now())
