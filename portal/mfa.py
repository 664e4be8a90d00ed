"""MFA secrets encrypted at rest with their own keys (ADR 0018).

allauth stores each TOTP secret and recovery-code seed in `mfa_authenticator.data` and passes
them through its adapter's `encrypt`/`decrypt` hooks. Ours use Fernet keys from
MFA_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so keys can rotate. They are
neither SECRET_KEY nor the hub's keys, so a leak of one does not open the others. A value that no
key decrypts raises: it is never treated as a clear secret.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The keys of `Authenticator.data` that allauth passes through `encrypt`: the TOTP secret, the
# recovery-code seed, and codes migrated from another library (a list of encrypted codes).
SECRET_KEYS_IN_DATA = ("secret", "seed", "migrated_codes")


class MFASecretDecryptionError(Exception):
    """A stored MFA secret could not be decrypted with any key in MFA_ENCRYPTION_KEYS."""


@lru_cache(maxsize=4)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "Each key in MFA_ENCRYPTION_KEYS must be a Fernet key (32 url-safe base64 bytes)"
        ) from error


def mfa_cipher() -> MultiFernet:
    """The cipher for the keys configured now (settings may change in tests)."""
    return _cipher_for(tuple(settings.MFA_ENCRYPTION_KEYS))


def encrypt_secret(text: str) -> str:
    return mfa_cipher().encrypt(text.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return mfa_cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise MFASecretDecryptionError(
            "An MFA secret could not be decrypted with any key in MFA_ENCRYPTION_KEYS"
        ) from error


def _rotate_token(token: str) -> str:
    try:
        return mfa_cipher().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise MFASecretDecryptionError(
            "An MFA secret could not be decrypted with any key in MFA_ENCRYPTION_KEYS"
        ) from error


def data_under_first_key(data: dict[str, Any]) -> dict[str, Any]:
    """An authenticator's data with every secret in it re-encrypted under the first key."""
    rotated = dict(data)
    for name in SECRET_KEYS_IN_DATA:
        value = rotated.get(name)
        if isinstance(value, str):
            rotated[name] = _rotate_token(value)
        elif isinstance(value, list):
            rotated[name] = [_rotate_token(code) for code in value]
    return rotated


class PortalMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter, with secrets encrypted under MFA_ENCRYPTION_KEYS."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
