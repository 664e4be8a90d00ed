"""Session lifetimes: an idle timeout and an absolute lifetime, shorter for the hub roles."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from portal.models import User
from portal.permissions import is_hub_member

SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN_AT = "portal_last_seen_at"


def session_limits_for(user: User | AnonymousUser) -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute lifetime) for a signed-in user."""
    if is_hub_member(user):
        return settings.HUB_SESSION_IDLE_TIMEOUT, settings.HUB_SESSION_ABSOLUTE_LIFETIME
    return settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_LIFETIME


def session_has_expired(request: HttpRequest, now: float | None = None) -> bool:
    """Whether the signed-in session has been idle, or alive, for too long."""
    now = time.time() if now is None else now
    idle, absolute = session_limits_for(request.user)
    signed_in_at = float(request.session.get(SIGNED_IN_AT, now))
    last_seen_at = float(request.session.get(LAST_SEEN_AT, now))
    return (
        now - last_seen_at > idle.total_seconds() or now - signed_in_at > absolute.total_seconds()
    )


# Activity is written to the session at most once a minute, not on every request: the idle
# timeout stays accurate to the minute without a session write per page.
ACTIVITY_RESOLUTION_SECONDS = 60


def record_activity(request: HttpRequest, now: float | None = None) -> None:
    now = time.time() if now is None else now
    request.session.setdefault(SIGNED_IN_AT, now)
    last_seen_at = float(request.session.get(LAST_SEEN_AT, 0))
    if now - last_seen_at >= ACTIVITY_RESOLUTION_SECONDS:
        request.session[LAST_SEEN_AT] = now


@receiver(user_logged_in)
def start_session_clock(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


@receiver(user_logged_in)
def forget_gate_checks(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """A new sign-in re-checks MFA and the profile rather than trusting an older session."""
    if request is not None and hasattr(request, "session"):
        request.session.pop("portal_mfa_confirmed", None)
        request.session.pop("portal_profile_complete", None)
