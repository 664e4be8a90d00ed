"""The hub lead's home page: today's figures, each linking to the list behind it, and the lead's
other pages one click away. Thin: wellbeing.queries.lead_home reads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.rules import Permission
from wellbeing.queries.lead_home import lead_figures
from wellbeing.views.access import hub_staff_page


# Allocating referrals is the hub lead's own permission; the page is where the lead runs the hub.
@hub_staff_page(Permission.ALLOCATE_REFERRALS)
@require_GET
def lead_home(request: HttpRequest) -> HttpResponse:
    return render(request, "wellbeing/hub/lead_home.html", {"figures": lead_figures()})
