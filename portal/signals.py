"""Signal receivers that keep the request gates honest when an account changes."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_removed
from django.dispatch import receiver
from django.http import HttpRequest

from portal.middleware import RequireMFAMiddleware


@receiver(authenticator_removed)
def recheck_mfa_after_removal(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """Removing your authenticator sends a role that needs one straight back to set one up."""
    request.session.pop(RequireMFAMiddleware.session_key, None)
