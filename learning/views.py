"""Views of the learning catalogue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from learning.competencies import COMPETENCY_LEVELS, STRATEGIC_OBJECTIVES


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {"levels": COMPETENCY_LEVELS, "objectives": STRATEGIC_OBJECTIVES}
    return render(request, "learning/index.html", context)
