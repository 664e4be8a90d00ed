"""Team-based support pages: team leads ask and follow; the hub lead decides, books sessions and
records how they went.

Thin views: `wellbeing.services.team_support` reads, changes and audits; forms validate. Every page is
never cached and needs its permission (`hub_staff_page`); a request's own page is open to the hub
lead and to the team lead who asked, and is "not found" for anyone else with a role that asks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import create_once, submit_once
from wellbeing.forms.team_support import (
    DecisionForm,
    SessionForm,
    SessionRecordForm,
    TeamRequestForm,
)
from wellbeing.models import SubmissionKey, TeamRequest, TeamRequestStatus
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import team_support
from wellbeing.views.access import hub_staff_page


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _rendered(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context.get("form")
    return render(request, template, context, status=400 if form and form.errors else 200)


@hub_staff_page(Permission.MANAGE_TEAM_SUPPORT)
@require_GET
def hub_requests(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in TeamRequestStatus.values:
        status = ""
    page = team_support.hub_list_page(
        signed_in_user(request), status=status, page_number=request.GET.get("page")
    )
    counts = team_support.status_counts()
    return render(
        request,
        "wellbeing/teams/hub_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [
                (value, label, counts[value]) for value, label in TeamRequestStatus.choices
            ],
            "query": f"status={status}" if status else "",
        },
    )


@hub_staff_page(Permission.REQUEST_TEAM_SUPPORT)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    profile = getattr(user, "staff_profile", None)
    form = TeamRequestForm(
        _posted(request), initial={"organisation": profile.organisation if profile else ""}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team_request = create_once(
            SubmissionKey,
            form.one_time_key,
            TeamRequest,
            lambda: team_support.do_request_team_support(
                acting_user=user,
                team=data["team"],
                organisation=data["organisation"],
                team_size=data["team_size"],
                support_type=data["support_type"],
                topic=data["topic"],
                preferred_dates=data["preferred_dates"],
                prompted_by=data["prompted_by"],
            ),
        )
        messages.success(
            request,
            "Your request has been sent to the Resilience Hub. The hub lead will reply here, "
            "usually within a week.",
        )
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    return _rendered(request, "wellbeing/teams/new.html", {"form": form})


@hub_staff_page(Permission.REQUEST_TEAM_SUPPORT)
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    page = team_support.my_list_page(signed_in_user(request), page_number=request.GET.get("page"))
    return render(request, "wellbeing/teams/mine.html", {"page": page, "query": ""})


@never_cache
@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """The hub lead's or the requester's view of one request. The requester may withdraw it
    here (a POST); the hub lead acts through the decision and session pages."""
    user = signed_in_user(request)
    if request.method == "POST":
        team_request = team_support.request_or_404(user, request_id)
        try:
            team_support.do_withdraw_team_request(team_request=team_request, acting_user=user)
        except team_support.TeamSupportRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "You withdrew the request. The hub will not act on it.")
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    view = team_support.request_page_for(user, request_id)
    requester_name, requester_email = (
        team_support.requester_contact(view.request) if view.for_hub else ("", "")
    )
    is_requester = view.request.requester_ref == staff_ref_for(user.pk)
    return render(
        request,
        "wellbeing/teams/detail.html",
        {
            "team_request": view.request,
            "sessions": view.sessions,
            "for_hub": view.for_hub,
            "decisions": team_support.decisions_for(view.request.status) if view.for_hub else [],
            "can_book": view.for_hub and view.request.status in team_support.BOOKABLE,
            "can_withdraw": is_requester
            and team_support.can_move(
                view.request.status, TeamRequestStatus.WITHDRAWN, by=team_support.REQUESTER
            ),
            "requester_name": requester_name,
            "requester_email": requester_email,
        },
    )


@hub_staff_page(Permission.MANAGE_TEAM_SUPPORT)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in_user(request)
    team_request = team_support.request_for_hub_or_404(
        user, request_id, reason="Opened a team request to decide on it"
    )
    decisions = team_support.decisions_for(team_request.status)
    if not decisions:
        messages.info(
            request,
            f"This request is {team_request.get_status_display().lower()}: there is nothing "
            "to decide.",
        )
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    form = DecisionForm(_posted(request), decisions=decisions)
    if request.method == "POST" and form.is_valid():
        try:
            decided = team_support.do_decide(
                team_request=team_request,
                acting_user=user,
                to=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except team_support.TeamSupportRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"The request is now {decided.get_status_display().lower()}.")
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    return _rendered(
        request, "wellbeing/teams/decide.html", {"form": form, "team_request": team_request}
    )


@hub_staff_page(Permission.MANAGE_TEAM_SUPPORT)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in_user(request)
    team_request = team_support.request_for_hub_or_404(
        user, request_id, reason="Opened a team request to book a session"
    )
    if team_request.status not in team_support.BOOKABLE:
        messages.error(request, team_support.not_bookable(team_request.status))
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    form = SessionForm(_posted(request), initial={"facilitator": team_support.display_name(user)})
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                SubmissionKey,
                form.one_time_key,
                lambda: team_support.do_book_session(
                    team_request=team_request,
                    acting_user=user,
                    starts_at=form.cleaned_data["starts_at"],
                    facilitator=form.cleaned_data["facilitator"],
                    place=form.cleaned_data["place"],
                ),
            )
        except team_support.TeamSupportRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                "The session is booked. The team lead sees it on their request and is "
                "reminded the working day before.",
            )
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    return _rendered(
        request, "wellbeing/teams/session_new.html", {"form": form, "team_request": team_request}
    )


@hub_staff_page(Permission.MANAGE_TEAM_SUPPORT)
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, request_id: int, session_id: int) -> HttpResponse:
    """One session: after it, attendance and feedback; before it, cancelling it."""
    user = signed_in_user(request)
    team_request = team_support.request_for_hub_or_404(
        user, request_id, reason="Opened a team session"
    )
    session = team_support.session_or_404(team_request, session_id)
    cancelling = request.method == "POST" and "cancel" in request.POST
    form = SessionRecordForm(
        None if cancelling else _posted(request),
        initial={"attended": session.attended, "feedback": session.feedback},
    )
    if request.method == "POST" and (cancelling or form.is_valid()):
        try:
            if cancelling:
                team_support.do_cancel_session(session=session, acting_user=user)
                messages.success(request, "The session is cancelled.")
            else:
                team_support.do_record_session(
                    session=session,
                    acting_user=user,
                    attended=form.cleaned_data["attended"],
                    feedback=form.cleaned_data["feedback"],
                )
                messages.success(request, "Attendance and feedback saved.")
        except team_support.TeamSupportRefused as refusal:
            messages.error(request, str(refusal))
        return redirect("wellbeing:team_request", request_id=team_request.pk)
    started = team_support.session_has_started(session)
    return _rendered(
        request,
        "wellbeing/teams/session.html",
        {
            "form": form,
            "team_request": team_request,
            "session": session,
            "started": started,
            "can_cancel": not started
            and session.cancelled_at is None
            and team_request.status == TeamRequestStatus.SCHEDULED,
        },
    )
