"""Field-level encryption for the confidential store.

Identifying details, free text and item-level answers are encrypted with Fernet keys from
WELLBEING_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so keys can rotate. These
keys are never SECRET_KEY. A value that no key decrypts raises: it is never shown as ciphertext.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("WELLBEING_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "Each key in WELLBEING_ENCRYPTION_KEYS must be a Fernet key (32 url-safe base64 bytes)"
        ) from error


def cipher() -> MultiFernet:
    """The cipher for the keys configured now (settings may change in tests)."""
    return _cipher_for(tuple(settings.WELLBEING_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError(
            "A confidential value could not be decrypted with any key in WELLBEING_ENCRYPTION_KEYS"
        ) from error


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token. Not searchable or sortable, by design."""

    description = "Text, encrypted with the wellbeing keys"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(str(value))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON value (such as item-level answers) stored as a Fernet token."""

    description = "JSON, encrypted with the wellbeing keys"

    def get_prep_value(self, value: Any) -> Any:
        return None if value is None else encrypt(json.dumps(value, separators=(",", ":")))

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        return None if value is None else json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value


ENCRYPTED_FIELD_TYPES = (EncryptedTextField, EncryptedJSONField)
