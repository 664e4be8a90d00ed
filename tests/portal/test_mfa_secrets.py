"""MFA secrets are encrypted with their own keys, and the back office can neither read them nor
set a hub member's password (security review, issue 12, finding 2; ADR 0018)."""

from __future__ import annotations

import importlib
import io
import time
from types import SimpleNamespace

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client
from django.urls import reverse

from portal import roles
from portal.mfa import MFASecretDecryptionError
from portal.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

NEW_PASSWORD = "a-superuser-chose-this-2026"
encrypt_mfa_secrets_migration = importlib.import_module(
    "portal.migrations.0009_encrypt_mfa_secrets"
)


def hub_clinician_with_authenticator(secret: str) -> User:
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    TOTP.activate(clinician, secret)
    return clinician


def raw_authenticator_rows() -> str:
    """What a dump of the default database holds: every authenticator's data, as stored."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator ORDER BY id")
        return "\n".join(text for (text,) in cursor.fetchall())


def code_from_the_app(secret: str) -> str:
    """The app's current code, from a step with time left to submit it (allauth accepts only
    the current 30-second step)."""
    totp = pyotp.TOTP(secret)
    left_in_step = totp.interval - time.time() % totp.interval
    if left_in_step < 3:
        time.sleep(left_in_step + 0.2)
    return totp.now()


def signs_in_with_a_fresh_code(client: Client, user: User, secret: str) -> bool:
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code_from_the_app(secret)})
    if response.status_code != 302:
        return False
    return bool(client.get(reverse("wellbeing:index")).status_code == 200)


@pytest.fixture
def superuser_client(client):
    client.force_login(
        UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    )
    return client


def test_a_dump_of_the_default_database_holds_no_totp_secret_or_recovery_seed(client):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)
    recovery_codes = RecoveryCodes.activate(clinician)

    seed = decrypt(recovery_codes.instance.data["seed"])

    stored = raw_authenticator_rows()

    assert secret not in stored
    assert seed not in stored
    assert '"secret": "gAAAAA' in stored  # a Fernet token
    assert '"seed": "gAAAAA' in stored


def test_a_clinician_with_an_encrypted_secret_still_signs_in_with_a_fresh_code(client):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)

    assert signs_in_with_a_fresh_code(client, clinician, secret)


def test_a_secret_no_key_decrypts_is_refused_rather_than_read_as_clear(client, settings):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is lost

    with pytest.raises(MFASecretDecryptionError):
        TOTP(Authenticator.objects.get(user=clinician)).validate_code(pyotp.TOTP(secret).now())


def test_the_back_office_shows_no_authenticator_secret(superuser_client):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)
    authenticator = Authenticator.objects.get(user=clinician)
    token = authenticator.data["secret"]

    for url in (
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
        reverse("admin:mfa_authenticator_history", args=[authenticator.pk]),
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]),
    ):
        page = superuser_client.get(url).content.decode()
        assert secret not in page, url
        assert token not in page, url
        assert "&quot;secret&quot;" not in page, url


def test_the_back_office_cannot_change_or_add_an_authenticator(superuser_client):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)
    authenticator = Authenticator.objects.get(user=clinician)
    planted = {"secret": "JBSWY3DPEHPK3PXP"}

    change = superuser_client.post(
        reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
        {"user": clinician.pk, "type": "totp", "data": '{"secret": "JBSWY3DPEHPK3PXP"}'},
    )
    add = superuser_client.post(
        reverse("admin:mfa_authenticator_add"),
        {"user": clinician.pk, "type": "recovery_codes", "data": '{"seed": "00"}'},
    )

    assert (change.status_code, add.status_code) == (403, 403)
    assert Authenticator.objects.get(pk=authenticator.pk).data != planted
    assert Authenticator.objects.filter(user=clinician).count() == 1


def test_the_back_office_can_still_remove_a_curators_lost_authenticator(superuser_client):
    curator = UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)
    authenticator = Authenticator.objects.get(user=curator)

    response = superuser_client.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=curator).exists()


def test_the_back_office_cannot_remove_a_hub_members_authenticator(superuser_client):
    clinician = hub_clinician_with_authenticator(generate_totp_secret())
    authenticator = Authenticator.objects.get(user=clinician)

    one = superuser_client.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )
    superuser_client.post(
        reverse("admin:mfa_authenticator_changelist"),
        {"action": "delete_selected", "_selected_action": [authenticator.pk], "post": "yes"},
    )

    assert one.status_code == 403
    assert Authenticator.objects.filter(user=clinician).count() == 1


@pytest.mark.parametrize("role", [roles.HUB_CLINICIAN, roles.HUB_LEAD])
def test_a_superuser_cannot_set_a_hub_members_password_in_the_back_office(superuser_client, role):
    member = UserFactory(with_profile=True, roles=[role], with_totp=True)
    url = reverse("admin:auth_user_password_change", args=[member.pk])

    form = superuser_client.get(url, follow=True)
    response = superuser_client.post(
        url,
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )

    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert not member.check_password(NEW_PASSWORD)
    for page in (form, response):
        assert page.redirect_chain == [(reverse("admin:portal_user_change", args=[member.pk]), 302)]
        assert "They reset it themselves" in page.content.decode()
        assert "Forgotten your password?" in page.content.decode()


def test_a_superuser_can_still_set_the_password_of_staff_outside_the_hub(superuser_client):
    member = UserFactory(with_profile=True, roles=[roles.CURATOR])

    response = superuser_client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_rotation_re_encrypts_every_secret_under_the_new_key_and_old_ones_verify_meanwhile(
    client, settings
):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)
    RecoveryCodes.activate(clinician)
    codes_before = RecoveryCodes(
        Authenticator.objects.get(user=clinician, type="recovery_codes")
    ).generate_codes()
    old_key = settings.MFA_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()

    settings.MFA_ENCRYPTION_KEYS = [new_key, old_key]
    assert signs_in_with_a_fresh_code(client, clinician, secret)  # before the command runs
    call_command("rotate_mfa_keys", stdout=io.StringIO())
    settings.MFA_ENCRYPTION_KEYS = [new_key]  # the old key can now be retired

    for authenticator in Authenticator.objects.filter(user=clinician):
        value = authenticator.data.get("secret") or authenticator.data["seed"]
        Fernet(new_key.encode()).decrypt(value.encode())
    codes_after = RecoveryCodes(
        Authenticator.objects.get(user=clinician, type="recovery_codes")
    ).generate_codes()
    assert codes_after == codes_before
    # The same 30-second code may come round again: forget that it was used (replay refusal is
    # allauth's, not what this test is about).
    cache.clear()
    assert signs_in_with_a_fresh_code(client, clinician, secret)


def test_the_migration_encrypts_secrets_left_in_clear_and_can_run_again(client):
    secret = generate_totp_secret()
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    seed = RecoveryCodes.generate_seed()
    # Rows as allauth wrote them before MFA_ADAPTER encrypted anything.
    Authenticator.objects.create(user=clinician, type="totp", data={"secret": secret})
    Authenticator.objects.create(
        user=clinician, type="recovery_codes", data={"seed": seed, "used_mask": 0}
    )
    schema_editor = SimpleNamespace(connection=connections["default"])

    encrypt_mfa_secrets_migration.encrypt_clear_secrets(apps, schema_editor)
    once = raw_authenticator_rows()
    encrypt_mfa_secrets_migration.encrypt_clear_secrets(apps, schema_editor)

    assert secret not in once
    assert seed not in once
    assert raw_authenticator_rows() == once
    assert signs_in_with_a_fresh_code(client, clinician, secret)


def test_the_migration_stops_at_a_secret_it_can_neither_decrypt_nor_recognise(client):
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    foreign_token = Fernet(Fernet.generate_key()).encrypt(b"JBSWY3DPEHPK3PXP").decode()
    Authenticator.objects.create(user=clinician, type="totp", data={"secret": foreign_token})

    with pytest.raises(RuntimeError, match="MFA_ENCRYPTION_KEYS"):
        encrypt_mfa_secrets_migration.encrypt_clear_secrets(
            apps, SimpleNamespace(connection=connections["default"])
        )
    assert Authenticator.objects.get(user=clinician).data == {"secret": foreign_token}


def test_the_server_administrator_can_remove_a_hub_members_lost_authenticator(client, caplog):
    secret = generate_totp_secret()
    clinician = hub_clinician_with_authenticator(secret)
    RecoveryCodes.activate(clinician)

    call_command("remove_authenticators", clinician.email.upper(), stdout=io.StringIO())

    assert not Authenticator.objects.filter(user=clinician).exists()
    assert f"authenticator(s) of user {clinician.pk}" in caplog.text
    assert clinician.email not in caplog.text
    client.post(reverse("account_login"), {"login": clinician.email, "password": PASSWORD})
    assert client.get(reverse("wellbeing:index"))["Location"] == reverse("mfa_activate_totp")


def test_rotation_without_the_old_key_stops_and_changes_nothing(settings):
    clinician = hub_clinician_with_authenticator(generate_totp_secret())
    stored = Authenticator.objects.get(user=clinician).data
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key left out

    with pytest.raises(CommandError, match="none of the keys"):
        call_command("rotate_mfa_keys", stdout=io.StringIO())
    assert Authenticator.objects.get(user=clinician).data == stored
