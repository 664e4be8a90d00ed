"""A clinician's own page: the referrals they hold and what is next for each. Thin:
wellbeing.queries.caseload reads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.signed_in import signed_in_user
from wellbeing.queries.caseload import caseload_page
from wellbeing.views.access import hub_staff_page


@hub_staff_page()
@require_GET
def my_caseload(request: HttpRequest) -> HttpResponse:
    found = caseload_page(signed_in_user(request), request.GET.get("page"))
    return render(request, "wellbeing/hub/caseload.html", {"caseload": found})
