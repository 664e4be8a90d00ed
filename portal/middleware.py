"""Request gates that apply to every page: session lifetime, MFA for privileged roles, and a
completed staff profile before the portal opens."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from portal.logging import request_id_from, set_request_id
from portal.models import StaffProfile, User
from portal.rules import requires_mfa
from portal.sessions import record_activity, session_has_expired

# Account pages (sign out, MFA set-up, password) and assets must stay reachable from every gate.
ALWAYS_OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/emails/unsubscribe/")

Handler = Callable[[HttpRequest], HttpResponse]


def _always_open(request: HttpRequest) -> bool:
    return request.path.startswith(ALWAYS_OPEN_PREFIXES)


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            if session_has_expired(request):
                logout(request)
                messages.info(request, "You were signed out to keep your information safe.")
                return redirect_to_login(request.get_full_path())
            record_activity(request)
        return self.get_response(request)


def _back_office(request: HttpRequest) -> bool:
    # The staff flag alone opens the admin with whatever model permissions it was given (a
    # delegated administrator editing users, say), so it needs an authenticator there too.
    return bool(request.user.is_staff) and request.path.startswith("/admin/")


def has_authenticator(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


class RequireMFAMiddleware:
    """Curators, hub staff and superusers set up an authenticator before anything else opens;
    anyone with the staff flag, before the back office opens."""

    session_key = "portal_mfa_confirmed"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not _always_open(request)
            and not request.session.get(self.session_key)
            and (requires_mfa(user) or _back_office(request))
        ):
            if not has_authenticator(user):
                messages.warning(
                    request,
                    "Your role gives you access to other people's information, so you need to "
                    "set up two-step verification before you continue.",
                )
                return redirect("mfa_activate_totp")
            request.session[self.session_key] = True
        return self.get_response(request)


class RequireProfileMiddleware:
    """Staff tell us about their role once, on first sign-in, before the portal opens."""

    session_key = "portal_profile_complete"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        profile_url = reverse("profile")
        if (
            user.is_authenticated
            and not _always_open(request)
            and not request.path.startswith(("/admin/", profile_url))
            and not request.session.get(self.session_key)
        ):
            if not StaffProfile.objects.filter(user=user).exists():
                return redirect(f"{profile_url}?{urlencode({'next': request.get_full_path()})}")
            request.session[self.session_key] = True
        return self.get_response(request)


# The hub, the account pages (email addresses, recovery codes, password reset links) and the back
# office. allauth and the admin's password pages leave caching to the browser, so this is the
# one place that decides.
NEVER_CACHED_PREFIXES = ("/hub/", "/accounts/", "/admin/")


class NeverCachedMiddleware:
    """Every response under NEVER_CACHED_PREFIXES, refusals and errors included, is never stored
    by a browser or proxy: a shared computer's back button must not show a hub or account page to
    the next person."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(NEVER_CACHED_PREFIXES):
            add_never_cache_headers(response)
        return response


def _forget_request_id(sender: object, **kwargs: object) -> None:
    set_request_id(None)


class RequestIdMiddleware:
    """Gives each request an id that every log line it writes carries and the response returns
    in `X-Request-ID`, so "the page said something went wrong at 10:32" leads to its lines.

    The proxy's `X-Request-ID` is used only when TRUST_X_REQUEST_ID is on (the proxy sets it,
    overwriting whatever a browser sent) and it looks like an id; otherwise a new one is made.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        # Django logs a 4xx response after the middleware has returned, so the id is forgotten
        # when the response is finished rather than here.
        request_finished.connect(_forget_request_id, dispatch_uid="portal.request_id")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("X-Request-ID") if settings.TRUST_X_REQUEST_ID else None
        request_id = request_id_from(header)
        set_request_id(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
