"""Views of the Resilience Hub."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.signed_in import signed_in_user
from wellbeing.services import self_referral
from wellbeing.working_days import contact_target_date


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The hub page: what the hub offers, who can see what, crisis contacts, how soon, start."""
    user = signed_in_user(request)
    context = {
        "local_crisis_line": settings.HUB_LOCAL_CRISIS_LINE,
        "contact_by": contact_target_date(),
        "target_working_days": settings.HUB_CONTACT_TARGET_WORKING_DAYS,
        "draft_hours": settings.HUB_DRAFT_HOURS,
        "has_draft": self_referral.current_draft(user) is not None,
    }
    return render(request, "wellbeing/index.html", context)
