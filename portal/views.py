"""Views of the portal app: home, your profile, and the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal import queries, roles
from portal.forms import EmailPreferencesForm, StaffProfileForm
from portal.models import StaffProfile
from portal.outbox import preferences as email_choices
from portal.rules import role_names
from portal.services import do_save_staff_profile
from portal.signed_in import signed_in_user

ROLE_DESCRIPTIONS = {
    roles.CURATOR: "You curate learning resources, moderate comments and see learning uptake.",
    roles.TEAM_LEAD: "You can ask the Resilience Hub for support for your team, and see your "
    "team's learning as totals.",
    roles.HUB_CLINICIAN: "You assess and support staff who contact the Resilience Hub.",
    roles.HUB_LEAD: "You lead the Resilience Hub: its team, allocation, services, outreach and "
    "reports.",
    roles.HUB_RESEARCHER: "You see the Resilience Hub's anonymised evaluation figures.",
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/home_signed_out.html")
    held = role_names(request.user)
    context = {
        "profile": queries.staff_profile_for(request.user),
        "roles": [(role, ROLE_DESCRIPTIONS[role]) for role in roles.ALL_ROLES if role in held],
    }
    return render(request, "portal/home.html", context)


def _safe_next(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    # A path on this site only: redirect() would take anything else without a slash or a dot
    # (such as "abc") for the name of a view, and fail.
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    existing = queries.staff_profile_for(request.user)  # type: ignore[arg-type]
    data = request.POST if request.method == "POST" else None
    form = StaffProfileForm(data, instance=existing or StaffProfile())
    if request.method == "POST" and form.is_valid():
        do_save_staff_profile(user=request.user, profile=form.instance)  # type: ignore[arg-type]
        request.session["portal_profile_complete"] = True
        messages.success(request, "Your profile has been saved.")
        return redirect(_safe_next(request) or "home")
    context = {"form": form, "first_time": existing is None, "next": _safe_next(request)}
    return render(request, "portal/profile.html", context)


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and operators: databases and the worker, no personal data."""
    beat = queries.last_worker_heartbeat()
    databases = queries.databases_answering()
    body = {
        "databases": databases,
        "worker_last_seen": beat.isoformat() if beat else None,
        "broker": "redis" if settings.REDIS_URL else "filesystem",
    }
    return JsonResponse(body, status=200 if all(databases.values()) else 503)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of email the user gets, from every outbox that can write to them."""
    user = signed_in_user(request)
    choices = email_choices.choices_for(user)
    form = EmailPreferencesForm(
        request.POST if request.method == "POST" else None,
        choices=[(choice.key, capfirst(choice.category.label)) for choice in choices],
        initial={"wanted": sorted(email_choices.wanted_by(user, choices))},
    )
    if request.method == "POST" and form.is_valid():
        email_choices.do_save_email_choices(
            user=user, choices=choices, wanted=set(form.cleaned_data["wanted"])
        )
        messages.success(request, "Your email preferences have been saved.")
        return redirect("email_preferences")
    return render(request, "portal/email_preferences.html", {"form": form, "choices": choices})
