"""The confidential store: encrypted at field level, named by pseudonym, never in the admin."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.management import call_command
from django.db import connections

from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from wellbeing.crypto import DecryptionError
from wellbeing.models import Referral, ScreeningResult
from wellbeing.pseudonyms import staff_ref_for

pytestmark = pytest.mark.django_db(databases=["confidential"])

SECRET_DETAILS = (
    "Alex Example-Person",
    "07700 900123",
    "alex.example@test.nhs.net",
    "I have not been sleeping since a difficult shift on the ward.",
)


def raw_row(table: str, pk: int) -> str:
    with connections["confidential"].cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test table names
        return " ".join(str(value) for value in cursor.fetchone())


def test_identifying_details_and_free_text_are_ciphertext_in_the_database():
    referral = ReferralFactory()
    stored = raw_row("wellbeing_referral", referral.pk)
    for detail in SECRET_DETAILS:
        assert detail not in stored
    assert "gAAAAA" in stored  # Fernet tokens
    again = Referral.objects.using("confidential").get(pk=referral.pk)
    assert (again.name, again.phone, again.whats_happening) == SECRET_DETAILS[:2] + SECRET_DETAILS[
        3:
    ]


def test_item_level_answers_are_encrypted_while_the_score_stays_plain():
    result = ScreeningResultFactory(answers=[3, 2, 1, 0, 3, 2, 1], total=12, band="moderate")
    stored = raw_row("wellbeing_screeningresult", result.pk)
    assert "[3, 2, 1, 0, 3, 2, 1]" not in stored
    assert "3,2,1,0,3,2,1" not in stored
    assert "moderate" in stored
    assert ScreeningResult.objects.using("confidential").get(pk=result.pk).answers == [
        3,
        2,
        1,
        0,
        3,
        2,
        1,
    ]


def test_a_wrong_key_raises_rather_than_showing_ciphertext(settings):
    referral = ReferralFactory()
    settings.WELLBEING_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        Referral.objects.using("confidential").get(pk=referral.pk)


def test_rotating_keys_re_encrypts_everything_under_the_new_first_key(settings):
    old_key = settings.WELLBEING_ENCRYPTION_KEYS[0]
    referral = ReferralFactory()
    ScreeningResultFactory(referral=referral)
    before = raw_row("wellbeing_referral", referral.pk)

    new_key = Fernet.generate_key().decode()
    settings.WELLBEING_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_wellbeing_keys", stdout=None)

    settings.WELLBEING_ENCRYPTION_KEYS = [new_key]  # the old key can now be retired
    rotated = Referral.objects.using("confidential").get(pk=referral.pk)
    assert rotated.name == "Alex Example-Person"
    assert rotated.screenings.get().answers == [1, 1, 1, 1, 1, 1, 1]
    assert raw_row("wellbeing_referral", referral.pk) != before


def test_staff_are_named_by_a_keyed_pseudonym_not_their_user_id(settings):
    ref = staff_ref_for(42)
    assert ref == staff_ref_for(42)
    assert ref != staff_ref_for(43)
    assert len(ref) == 64
    # Keyed: not a plain hash of the id that anyone could recompute without the key.
    assert ref != hashlib.sha256(b"user:42").hexdigest()
    settings.WELLBEING_PSEUDONYM_KEY = "another-key"
    assert staff_ref_for(42) != ref


def test_no_wellbeing_model_is_registered_in_the_django_admin():
    registered = {model._meta.app_label for model in admin.site._registry}
    assert "wellbeing" not in registered
