"""How the hub's pages are guarded, in one place.

- `hub_staff_page(permission)`: signed in, the permission (403 otherwise), never cached, posted
  values kept out of error reports. MFA is enforced before this by
  portal.middleware.RequireMFAMiddleware for every hub role.
- `recently_authenticated`: my hub's pages need a recent sign-in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.reauthentication import get_reauthentication_flows
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal.rules import Permission

View = Callable[..., HttpResponse]


def hub_staff_page(permission: str = Permission.WORK_IN_HUB) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @never_cache
        @login_required
        @permission_required(permission, raise_exception=True)
        @sensitive_post_parameters()
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _signed_in_recently(request: HttpRequest) -> bool:
    """Whether the user entered their password (or code) within HUB_REAUTHENTICATE_AFTER_MINUTES.

    allauth records each sign-in and re-authentication in the session; its own check uses one
    global ACCOUNT_REAUTHENTICATION_TIMEOUT, so the hub reads the records against its own.
    """
    records = get_authentication_records(request)
    if not records:
        return False
    limit = settings.HUB_REAUTHENTICATE_AFTER_MINUTES * 60
    return bool(time.time() - float(records[-1]["at"]) < limit)


def recently_authenticated(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Send the user to confirm it is them when their last sign-in is too old, then back.

    A POST is never replayed afterwards (allauth would keep it in the session, in the default
    database, and a reply is confidential): the user comes back to the page the form is on.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _signed_in_recently(request):
            return view(request, *args, **kwargs)
        flows = {flow["id"] for flow in get_reauthentication_flows(request.user)}
        if "reauthenticate" in flows:
            url_name = "account_reauthenticate"
        elif "mfa_reauthenticate" in flows:
            url_name = "mfa_reauthenticate"
        else:
            # Single sign-on only: nothing here can confirm it is them, as allauth decides too.
            return view(request, *args, **kwargs)
        back_to = request.get_full_path() if request.method == "GET" else request.path
        return HttpResponseRedirect(
            f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: back_to})}"
        )

    return wrapper
