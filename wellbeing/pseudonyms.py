"""How the confidential store names a member of staff: never by user id, always by staff_ref.

staff_ref is an HMAC-SHA256 of the user's id under WELLBEING_PSEUDONYM_KEY, so neither database
alone links a person to a referral: the default database has no referrals, and the confidential
one has no user ids.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def staff_ref_for(user_id: int) -> str:
    key = settings.WELLBEING_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("WELLBEING_PSEUDONYM_KEY is empty")
    return hmac.new(key.encode(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest()
