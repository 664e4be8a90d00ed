"""'My appointments': a clinician's own booked therapy appointments, those waiting for their
attendance and those to come. Thin: wellbeing.queries.appointments reads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.rules import Permission
from portal.signed_in import signed_in_user
from wellbeing.queries.appointments import my_appointments
from wellbeing.views.access import hub_staff_page


@hub_staff_page(Permission.WORK_IN_HUB)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    found = my_appointments(
        signed_in_user(request),
        awaiting_after=request.GET.get("awaiting_after"),
        upcoming_after=request.GET.get("upcoming_after"),
    )
    return render(request, "wellbeing/hub/my_appointments.html", {"appointments": found})
