"""Template context every page needs: the service name and the navigation for this user."""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from portal.rules import ROLE_ONLY_PERMISSIONS


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url_name: str
    permission: str | None  # None: everyone signed in

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# Later capabilities add their entries here; each shows only to those with its permission.
NAVIGATION = (
    NavigationItem("Learning", "learning:index", "portal.use_learning"),
    NavigationItem("My learning", "learning:my_learning", "portal.use_learning"),
    NavigationItem("Curate learning", "learning:curate_index", "portal.curate_learning"),
    NavigationItem("Resilience Hub", "wellbeing:index", "portal.self_refer"),
    NavigationItem("My hub", "wellbeing:my_hub", "portal.self_refer"),
    NavigationItem("Team support", "wellbeing:my_team_requests", "portal.request_team_support"),
    NavigationItem("Hub queue", "wellbeing:queue", "portal.work_in_hub"),
    NavigationItem("My caseload", "wellbeing:caseload", "portal.work_in_hub"),
    NavigationItem("Hub lead", "wellbeing:lead_home", "portal.allocate_referrals"),
    NavigationItem("Outreach", "wellbeing:campaigns", "portal.run_outreach_campaigns"),
    NavigationItem("Research", "wellbeing:research_studies", "portal.use_research_extract"),
    NavigationItem("Your profile", "profile", None),
    NavigationItem("Back office", "admin:index", "portal.use_back_office"),
)


def _may(user: AbstractBaseUser, permission: str) -> bool:
    """The menu's permissions are all rules; asking rules directly spares every page the two
    queries Django's ModelBackend makes to load a user's model permissions."""
    superuser = getattr(user, "is_superuser", False) and permission not in ROLE_ONLY_PERMISSIONS
    return bool(superuser or rules.has_perm(permission, user))


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    """The menu for this user; the current item is the one whose address best matches."""
    user = request.user
    if not user.is_authenticated:
        return []
    items: list[dict[str, object]] = [
        {"label": item.label, "url": item.url, "current": False}
        for item in NAVIGATION
        if item.permission is None or _may(user, item.permission)
    ]
    matching = [item for item in items if request.path.startswith(str(item["url"]))]
    if matching:
        max(matching, key=lambda item: len(str(item["url"])))["current"] = True
    return items


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "feedback_email": settings.FEEDBACK_EMAIL,
        "navigation": navigation_for(request),
    }
