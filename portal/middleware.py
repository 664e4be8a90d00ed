"""Request gates that apply to every page: session lifetime, MFA for privileged roles, and a
completed staff profile before the portal opens."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from portal.models import StaffProfile, User
from portal.permissions import requires_mfa
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


def has_authenticator(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


class RequireMFAMiddleware:
    """Curators, hub staff and superusers set up an authenticator before anything else opens."""

    session_key = "portal_mfa_confirmed"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not _always_open(request)
            and not request.session.get(self.session_key)
            and requires_mfa(user)
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


class HubNeverCachedMiddleware:
    """Every response under /hub/, refusals and errors included, is never stored by a browser or
    proxy: a shared computer's back button must not show a hub page to the next person."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/hub/"):
            add_never_cache_headers(response)
        return response
