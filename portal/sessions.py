"""Sessions: an idle timeout and an absolute lifetime (shorter for the hub roles), and the list
of signed-in sessions that people can see and end from "Your sessions"."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest

from portal.models import User, UserSession
from portal.rules import is_hub_member

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
        if isinstance(request.user, User):
            remember_session(request, request.user, now)


@receiver(user_logged_in)
def start_session_clock(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
        remember_session(request, user, now)


@receiver(user_logged_in)
def forget_gate_checks(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """A new sign-in re-checks MFA and the profile rather than trusting an older session."""
    if request is not None and hasattr(request, "session"):
        request.session.pop("portal_mfa_confirmed", None)
        request.session.pop("portal_profile_complete", None)


# --- Signed-in sessions ---------------------------------------------------------------------
# Each signed-in session has a UserSession row, so its owner can see it and end it. The row is
# written at sign-in, refreshed with the activity clock above, and removed when the session ends
# however it ends: sign-out, a timeout, a key change, `clearsessions`, or "Sign out" on the list.

_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("CriOS", "Chrome"),
    ("FxiOS", "Firefox"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """A coarse description such as "Chrome on Windows": enough to recognise your own device,
    too little to fingerprint it, so the raw User-Agent is never stored."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "A browser")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "an unknown device")
    return f"{browser} on {system}"


def _timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def remember_session(request: HttpRequest, user: User, now: float) -> None:
    """Create or refresh the row for the request's signed-in session."""
    key = request.session.session_key
    if not key:
        return
    # A key changed without a new sign-in (a password change cycles it) keeps its sign-in time.
    signed_in_at = _timestamp(float(request.session.get(SIGNED_IN_AT, now)))
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "last_seen_at": _timestamp(now)},
        create_defaults={
            "user": user,
            "device": describe_device(request.headers.get("User-Agent", "")),
            "created_at": signed_in_at,
            "last_seen_at": _timestamp(now),
        },
    )


def _session_store() -> type[SessionBase]:
    # Through the configured engine rather than the Session model, so a cached engine's copy of a
    # session ends too.
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


@transaction.atomic
def do_end_sessions(*, sessions: Iterable[UserSession]) -> None:
    """Sign these sessions out: their browsers are anonymous at their next request."""
    keys = [session.session_key for session in sessions]
    store = _session_store()
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()


def do_end_every_session_of(user: User) -> None:
    do_end_sessions(sessions=UserSession.objects.filter(user=user))


def live_sessions_of(user: User, now: float | None = None) -> list[UserSession]:
    """The user's signed-in sessions, most recently active first.

    A session idle or alive past its limits is ended here rather than listed: its browser would
    be signed out at its next request anyway.
    """
    now = time.time() if now is None else now
    idle, absolute = session_limits_for(user)
    store = _session_store()
    live: list[UserSession] = []
    ended: list[UserSession] = []
    for session in UserSession.objects.filter(user=user):
        within_limits = (
            session.last_seen_at > _timestamp(now) - idle
            and session.created_at > _timestamp(now) - absolute
        )
        (live if within_limits and store().exists(session.session_key) else ended).append(session)
    if ended:
        do_end_sessions(sessions=ended)
    return live


@receiver(post_delete, sender=Session)
def forget_deleted_session(sender: object, instance: Session, **kwargs: object) -> None:
    """Every way a database session ends deletes its row, so this one receiver covers them all:
    signing out or timing out (`logout` flushes), a key cycled at a password change, the other
    sessions refused after it, `clearsessions`, and "Sign out" on the list."""
    UserSession.objects.filter(session_key=instance.session_key).delete()
