"""The signed-in user of a request, typed as the portal's User."""

from __future__ import annotations

from django.http import HttpRequest

from portal.models import User


def signed_in_user(request: HttpRequest) -> User:
    """For views behind login_required: the user is a real, signed-in User by then."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    return user
