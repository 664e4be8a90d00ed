"""How the confidential store names a member of staff: never by user id, always by staff_ref.

staff_ref is an HMAC-SHA256 of the user's id under WELLBEING_PSEUDONYM_KEY, so neither database
alone links a person to a referral: the default database has no referrals, and the confidential
one has no user ids.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def staff_ref_for(user_id: int) -> str:
    key = settings.WELLBEING_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("WELLBEING_PSEUDONYM_KEY is empty")
    return hmac.new(key.encode(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest()


# A research study's pseudonyms (ADR 0041). The key is derived per study with HKDF-SHA256 from
# WELLBEING_PSEUDONYM_KEY (which never rotates, so a study's pseudonyms stay stable) and the
# study's random salt: two studies name the same referral differently, and only someone holding
# WELLBEING_PSEUDONYM_KEY (never a database) can link them or recompute either.
STUDY_KEY_INFO = b"wellbeing research extract: study pseudonym key v1"


def study_key(salt: str) -> bytes:
    key = settings.WELLBEING_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("WELLBEING_PSEUDONYM_KEY is empty")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt.encode(), info=STUDY_KEY_INFO
    ).derive(key.encode())


def study_pseudonyms(salt: str, referral_ids: Iterable[int]) -> dict[int, str]:
    """Each referral's name in one study's extract: HMAC-SHA256 of its id under the study's
    key (derived once for them all)."""
    key = study_key(salt)
    return {
        referral_id: hmac.new(key, f"referral:{referral_id}".encode(), hashlib.sha256).hexdigest()
        for referral_id in referral_ids
    }
