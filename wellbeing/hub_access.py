"""The one way a hub staff page is guarded: signed in, the permission (403 otherwise), never
cached, posted values kept out of error reports. MFA is enforced before this by
portal.middleware.RequireMFAMiddleware for every hub role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

View = Callable[..., HttpResponse]

WORK_IN_HUB = "portal.work_in_hub"
ALLOCATE = "portal.allocate_referrals"
MANAGE_DIRECTORY = "portal.manage_service_directory"
RUN_OUTREACH = "portal.run_outreach_campaigns"
VIEW_REPORTS = "portal.view_hub_reports"
VIEW_AUDIT = "portal.view_record_audit"
REQUEST_TEAM_SUPPORT = "portal.request_team_support"
MANAGE_TEAM_SUPPORT = "portal.manage_team_support"


def hub_staff_page(permission: str = WORK_IN_HUB) -> Callable[[View], View]:
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
