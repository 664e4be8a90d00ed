"""Encrypt the MFA secrets that were stored in clear before MFA_ENCRYPTION_KEYS (ADR 0018).

Self-contained on purpose: a migration must keep working whatever portal/mfa.py becomes. A value
is left alone only when a key decrypts it (already encrypted, so the migration can run again);
a clear TOTP secret (base32) or recovery-code seed (hex) is encrypted; anything else stops the
migration rather than being skipped, so no authenticator is left half-protected or broken.
"""

import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import migrations

SECRET_KEYS_IN_DATA = ("secret", "seed", "migrated_codes")
# What allauth writes in clear: base32 TOTP secrets, hex seeds, digit recovery codes.
CLEAR_SECRET = re.compile(r"^(?:[A-Z2-7]+=*|[0-9a-f]+|[0-9]+)$")


def _cipher():
    return MultiFernet([Fernet(key.encode()) for key in settings.MFA_ENCRYPTION_KEYS])


def _encrypted(cipher, value, authenticator_id, name):
    try:
        cipher.decrypt(value.encode())
    except InvalidToken:
        if not CLEAR_SECRET.match(value):
            raise RuntimeError(
                f"Authenticator {authenticator_id}: its {name} is neither a clear secret nor "
                "decryptable with MFA_ENCRYPTION_KEYS. Add the key it was encrypted under."
            ) from None
        return cipher.encrypt(value.encode()).decode()
    return value


def _decrypted(cipher, value, authenticator_id, name):
    try:
        return cipher.decrypt(value.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            f"Authenticator {authenticator_id}: its {name} cannot be decrypted with "
            "MFA_ENCRYPTION_KEYS."
        ) from None


def _convert(apps, schema_editor, convert):
    Authenticator = apps.get_model("mfa", "Authenticator")
    cipher = _cipher()
    manager = Authenticator.objects.using(schema_editor.connection.alias)
    for authenticator in manager.select_for_update().order_by("pk"):
        data = dict(authenticator.data)
        for name in SECRET_KEYS_IN_DATA:
            value = data.get(name)
            if isinstance(value, str):
                data[name] = convert(cipher, value, authenticator.pk, name)
            elif isinstance(value, list):
                data[name] = [convert(cipher, code, authenticator.pk, name) for code in value]
        if data != authenticator.data:
            manager.filter(pk=authenticator.pk).update(data=data)


def encrypt_clear_secrets(apps, schema_editor):
    _convert(apps, schema_editor, _encrypted)


def decrypt_secrets(apps, schema_editor):
    # Going back means running code that reads secrets in clear: without this, every
    # authenticator would stop working after a rollback.
    _convert(apps, schema_editor, _decrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_outbox_error_without_server_text"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_clear_secrets, decrypt_secrets)]
