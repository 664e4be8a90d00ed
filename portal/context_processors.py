"""Template context every page needs: the service name and the navigation for this user."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


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
    NavigationItem("Resilience Hub", "wellbeing:index", "portal.self_refer"),
    NavigationItem("Your profile", "profile", None),
    NavigationItem("Back office", "admin:index", "portal.use_back_office"),
)


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if item.permission is None or user.has_perm(item.permission):
            url = item.url
            items.append({"label": item.label, "url": url, "current": request.path.startswith(url)})
    return items


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "feedback_email": settings.FEEDBACK_EMAIL,
        "navigation": navigation_for(request),
    }
