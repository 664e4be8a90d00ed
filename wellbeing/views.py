"""Views of the Resilience Hub."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "wellbeing/index.html", {"local_crisis_line": settings.HUB_LOCAL_CRISIS_LINE}
    )
