"""Signed one-click unsubscribe links: they work without signing in, and cannot be guessed."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

SALT = "portal.outbox.unsubscribe"


def token_for(label: str, message_id: int) -> str:
    return signing.dumps([label, message_id], salt=SALT, compress=True)


def path_for(label: str, message_id: int) -> str:
    return reverse("unsubscribe", args=[token_for(label, message_id)])


def read(token: str) -> tuple[str, int] | None:
    """The outbox and message a token names, or None if it was not made by us."""
    try:
        label, message_id = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(label, str) or not isinstance(message_id, int):
        return None
    return label, message_id
