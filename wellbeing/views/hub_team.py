"""The hub's team page: a hub lead gives and removes hub roles and issues enrolment codes.

Thin views: `wellbeing.services.hub_team` makes each change with its audit entry and its email
to the other hub leads. An enrolment code is shown once, in the response to the post that made
it, and kept nowhere but as a hash.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portal.models import User
from portal.rules import Permission
from portal.signed_in import signed_in_user
from wellbeing.forms.hub_team import GrantRoleForm
from wellbeing.models import MAX_ID, HubRole
from wellbeing.services import hub_team
from wellbeing.views.access import hub_staff_page, recently_authenticated


def _team_page(request: HttpRequest, form: GrantRoleForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "wellbeing/hub_team/team.html",
        {
            "form": form,
            "team": hub_team.current_team(),
            "roles": [(role.label, hub_team.ROLE_DESCRIPTIONS[role]) for role in HubRole],
        },
        status=status,
    )


def _code_page(request: HttpRequest, user: User, code: str, *, added: str = "") -> HttpResponse:
    return render(
        request,
        "wellbeing/hub_team/code.html",
        {
            "member": user,
            "code": code,
            "added": added,
            "hours": settings.HUB_ENROLMENT_CODE_HOURS,
        },
    )


@hub_staff_page(Permission.MANAGE_HUB_TEAM)
@recently_authenticated
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    form = GrantRoleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        lead = signed_in_user(request)
        member: User = form.cleaned_data["email"]
        role = form.cleaned_data["role"]
        try:
            hub_team.grant_role(by=lead, user=member, role=role)
        except hub_team.HubTeamError as error:
            form.add_error("email", str(error))
        else:
            has_authenticator = Authenticator.objects.filter(
                user=member, type=Authenticator.Type.TOTP
            ).exists()
            if not has_authenticator:
                code = hub_team.issue_enrolment_code(by=lead, user=member)
                return _code_page(request, member, code, added=role)
            messages.success(request, f"{member.email} is now a {role.lower()}.")
            return redirect("wellbeing:hub_team")
    return _team_page(request, form, status=400 if form.errors else 200)


@hub_staff_page(Permission.MANAGE_HUB_TEAM)
@recently_authenticated
@require_POST
def remove_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    if not 0 < membership_id <= MAX_ID:
        raise Http404("No such role")
    try:
        membership = hub_team.revoke_role(by=signed_in_user(request), membership_id=membership_id)
    except hub_team.HubTeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The {membership.role.lower()} role has been removed.")
    return redirect("wellbeing:hub_team")


@hub_staff_page(Permission.MANAGE_HUB_TEAM)
@recently_authenticated
@require_POST
def new_code(request: HttpRequest, user_id: int) -> HttpResponse:
    member = User.objects.filter(pk=user_id).first() if 0 < user_id <= MAX_ID else None
    if member is None:
        raise Http404("No such person")
    try:
        code = hub_team.issue_enrolment_code(by=signed_in_user(request), user=member)
    except hub_team.HubTeamError as error:
        messages.error(request, str(error))
        return redirect("wellbeing:hub_team")
    return _code_page(request, member, code)
