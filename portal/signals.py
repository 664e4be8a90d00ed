"""Signal receivers that keep the request gates honest when an account changes."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_removed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from portal.middleware import RequireMFAMiddleware
from portal.models import User
from portal.sessions import do_end_every_session_of


@receiver(authenticator_removed)
def recheck_mfa_after_removal(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """Removing your authenticator sends a role that needs one straight back to set one up."""
    request.session.pop(RequireMFAMiddleware.session_key, None)


@receiver(post_save, sender=User)
def end_sessions_of_disabled_account(
    sender: object, instance: User, update_fields: frozenset[str] | None, **kwargs: object
) -> None:
    """Disabling an account (in the admin or anywhere else) signs it out everywhere at once.

    Django already refuses an inactive user's session at its next request; deleting the sessions
    as well means that enabling the account again later does not bring them back.
    """
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    do_end_every_session_of(instance)
