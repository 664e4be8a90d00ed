"""Hub staff pages: the triage queue, a referral, taking and allocating it, and its audit trail.

Thin: wellbeing.queries.queue and wellbeing.queries.referral_page read (the referral page is audited there),
wellbeing.services.referrals changes who holds a referral. Every page goes through `hub_staff_page`.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.models import User
from portal.rules import Permission
from portal.signed_in import signed_in_user
from wellbeing.forms.queue import AllocateForm, QueueFilterForm, hub_clinicians
from wellbeing.queries.queue import queue_page, target_for
from wellbeing.queries.referral_page import audit_trail_for, referral_page_for
from wellbeing.services import referrals
from wellbeing.views.access import hub_staff_page


@hub_staff_page()
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    # Always bound: no filters chosen is a valid choice (everyone's open referrals).
    filter_form = QueueFilterForm(request.GET)
    found = queue_page(
        filter_form.filters(),
        signed_in_user(request),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        end=request.GET.get("end"),
    )
    return render(request, "wellbeing/hub/queue.html", {"filter_form": filter_form, "queue": found})


def _allocate_form(user: User, referral_id: int, data: object = None) -> AllocateForm | None:
    """The lead's allocation form, or None for those who may not allocate."""
    if not user.has_perm(Permission.ALLOCATE_REFERRALS):
        return None
    return AllocateForm(
        data,
        clinicians=hub_clinicians(),
        action=reverse("wellbeing:referral_allocate", args=[referral_id]),
    )


def _render_referral(
    request: HttpRequest, referral_id: int, allocate_form: AllocateForm | None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    page = referral_page_for(user, referral_id)
    referral = page.referral
    referral_open = referral.is_open
    if allocate_form is not None and not allocate_form.is_bound:
        allocate_form.initial = {
            "seen": referral.assigned_at.isoformat() if referral.assigned_at else ""
        }
    return render(
        request,
        "wellbeing/hub/referral.html",
        {
            "page": page,
            "referral": referral,
            "target": target_for(referral),
            "holds_it": referrals.holds(user, referral),
            "can_claim": referral_open and not referral.assigned_ref,
            "allocate_form": allocate_form if referral_open else None,
            "may_view_audit": user.has_perm(Permission.VIEW_RECORD_AUDIT),
            "form": allocate_form,  # for the page title's "Error:" prefix
        },
        status=status,
    )


@hub_staff_page()
@require_GET
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _render_referral(
        request, referral_id, _allocate_form(signed_in_user(request), referral_id)
    )


@hub_staff_page()
@require_POST
def claim(request: HttpRequest, referral_id: int) -> HttpResponse:
    try:
        held = referrals.do_claim(referral_id=referral_id, acting_user=signed_in_user(request))
    except referrals.AlreadyTaken as taken:
        messages.error(request, taken.message)
    except referrals.AlreadyYours:
        messages.info(request, "You already hold this referral.")
    except referrals.ReferralNotOpen:
        messages.info(request, "This referral is closed or withdrawn, so nobody can take it.")
    else:
        messages.success(request, f"You now hold referral {held.reference}.")
    return redirect("wellbeing:referral", referral_id=referral_id)


def _seen(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@hub_staff_page(Permission.ALLOCATE_REFERRALS)
@require_http_methods(["POST"])
def allocate(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = signed_in_user(request)
    form = _allocate_form(user, referral_id, request.POST)
    assert form is not None  # noqa: S101 - the Permission.ALLOCATE_REFERRALS permission was checked above
    if not form.is_valid():
        return _render_referral(request, referral_id, form, status=400)
    chosen = form.chosen()
    try:
        held = referrals.do_allocate(
            referral_id=referral_id,
            clinician=chosen,
            acting_user=user,
            seen_assigned_at=_seen(form.cleaned_data["seen"]),
        )
    except referrals.AlreadyTaken as taken:
        messages.error(request, f"{taken.message} Check who holds it before you allocate it.")
    except referrals.AlreadyYours:
        messages.info(request, "They already hold this referral.")
    except referrals.ReferralNotOpen:
        messages.info(request, "This referral is closed or withdrawn, so it cannot be allocated.")
    except referrals.NotHubStaff:
        messages.error(request, "They are no longer a hub clinician. Choose someone else.")
    else:
        messages.success(
            request, f"Referral {held.reference} is now held by {held.assigned_name or 'them'}."
        )
    return redirect("wellbeing:referral", referral_id=referral_id)


@hub_staff_page(Permission.VIEW_RECORD_AUDIT)
@require_GET
def audit_trail(request: HttpRequest, referral_id: int) -> HttpResponse:
    trail = audit_trail_for(signed_in_user(request), referral_id, request.GET.get("page"))
    return render(request, "wellbeing/hub/audit.html", {"trail": trail})
