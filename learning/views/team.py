"""A team lead's page: their team's learning as totals (learning.queries.team)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from learning.queries.team import MINIMUM_TEAM, team_learning_for
from portal.queries import staff_profile_for
from portal.rules import Permission


@login_required
@permission_required(Permission.VIEW_TEAM_LEARNING, raise_exception=True)
@require_GET
def team_learning(request: HttpRequest) -> HttpResponse:
    profile = staff_profile_for(request.user)  # type: ignore[arg-type]
    context = {"team": team_learning_for(profile), "minimum": MINIMUM_TEAM}
    return render(request, "learning/team.html", context)
