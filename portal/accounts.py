"""allauth glue: who may sign up, and how the portal's accounts behave."""

from __future__ import annotations

import ipaddress
import math
import time
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def email_domain_allowed(email: str) -> bool:
    """Whether an address is at one of SIGNUP_EMAIL_DOMAINS or a subdomain of one."""
    domain = email.rpartition("@")[2].strip().lower()
    return any(
        domain == allowed or domain.endswith("." + allowed)
        for allowed in (entry.strip().lower() for entry in settings.SIGNUP_EMAIL_DOMAINS)
        if allowed
    )


def signup_refusal_message() -> str:
    domains = " or ".join(settings.SIGNUP_EMAIL_DOMAINS)
    return (
        f"You can only sign up with a work email address ending in {domains}. "
        "Use your work email address."
    )


def client_address(request: HttpRequest) -> str:
    """The address of the person making the request, as far as the portal can trust it.

    With no trusted proxy (TRUSTED_PROXY_COUNT=0) it is the socket's address: X-Forwarded-For
    is written by the client and trusting it lets anyone pick the address a rate limit counts
    (issue 12, finding 7). Behind N trusted proxies, each appends the address it was connected
    from, so the Nth entry from the right is the one the outermost trusted proxy saw; entries to
    its left are the client's own words. docs/adr/0020-client-address-from-trusted-proxies-only.md
    """
    address = request.META["REMOTE_ADDR"]
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if hops and len(forwarded) >= hops and forwarded[-hops]:
        address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # As allauth does: a proxy that forwards something other than an address is refused.
        raise PermissionDenied("The client address is not an IP address") from None


def login_lockout_ends(request: HttpRequest, key: str) -> float | None:
    """When allauth's "login_failed" limits let this sign-in be tried again (a Unix time).

    Each limit is a sliding window: once `amount` failures fall within `duration`, the next try
    is allowed when the oldest of those failures is `duration` old. Refused tries are not
    counted (allauth records only allowed ones), so the wait does not grow while locked out.
    """
    now = time.time()
    ends = []
    for rate in ratelimit.parse_rates(allauth_settings.RATE_LIMITS.get("login_failed")):
        cache_key = ratelimit.get_cache_key(request, action="login_failed", rate=rate, key=key)
        recent = sorted(
            (ts for ts in cache.get(cache_key, []) if ts > now - rate.duration), reverse=True
        )
        if len(recent) >= rate.amount:
            ends.append(recent[rate.amount - 1] + rate.duration)
    return max(ends, default=None)


def lockout_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (
        "Too many failed attempts to sign in. "
        f"Try again in {minutes} minute{'' if minutes == 1 else 's'}."
    )


class PortalAccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise ValidationError(signup_refusal_message())
        return email.lower()

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        """allauth's "Try again later" with a time: where allauth raises it without saying whose
        failures it counted (the authenticator code at sign-in), the longest "login_failed"
        window, by which time every failure counted now has left it."""
        if code != "too_many_login_attempts":
            error: ValidationError = super().validation_error(code, *args)
            return error
        rates = ratelimit.parse_rates(allauth_settings.RATE_LIMITS.get("login_failed"))
        longest = max((rate.duration for rate in rates), default=60)
        return ValidationError(lockout_message(longest), code=code)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The one place the portal reads a client's address (allauth's rate limits use it)."""
        return client_address(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth's sign-in limit, saying how long to wait rather than "try again later"."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            key = self._get_login_attempts_cache_key(request, **credentials)
            ends = login_lockout_ends(request, key)
            if ends is None:
                raise
            raise ValidationError(
                lockout_message(ends - time.time()), code="too_many_login_attempts"
            ) from error


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return email_domain_allowed(sociallogin.user.email or "")
