"""allauth glue: who may sign up, and how the portal's accounts behave."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
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


class PortalAccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise ValidationError(signup_refusal_message())
        return email.lower()


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return email_domain_allowed(sociallogin.user.email or "")
