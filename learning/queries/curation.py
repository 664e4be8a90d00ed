"""The reads behind the curator pages: resources by status, the counts on the curator's home
page, reviews due, broken links, comments waiting for moderation and a resource's history. Each
is one query (or a fixed few), however many rows.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone

from learning.models import (
    Comment,
    CommentStatus,
    Resource,
    ResourceChange,
    ResourceQuerySet,
    ResourceStatus,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.models import User

# How far ahead the review-due list looks.
REVIEW_WINDOW_DAYS = 30


def resources_for_curators(status: str | None = None) -> ResourceQuerySet:
    resources = Resource.objects.select_related("provider").order_by("title", "pk")
    if status in ResourceStatus.values:
        resources = resources.filter(status=status)
    return resources


def counts_by_status() -> dict[str, int]:
    """How many resources are in each status, every status present (zero if none)."""
    aggregates = {
        str(value): Count("pk", filter=Q(status=value)) for value in ResourceStatus.values
    }
    aggregates.update(
        review_due=Count(
            "pk",
            filter=Q(review_due__lte=review_horizon()) & ~Q(status=ResourceStatus.ARCHIVED),
        ),
        broken_links=Count("pk", filter=Q(link_broken=True, status=ResourceStatus.PUBLISHED)),
    )
    counts: dict[str, int] = Resource.objects.aggregate(**aggregates)
    counts["pending_comments"] = Comment.objects.filter(status=CommentStatus.PENDING).count()
    return counts


def review_horizon(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=REVIEW_WINDOW_DAYS)


def resources_due_for_review(today: datetime.date | None = None) -> ResourceQuerySet:
    """Resources whose review date has passed or falls in the next 30 days, oldest first.

    Archived resources are left out: nobody sees them, so they need no review.
    """
    return (
        Resource.objects.select_related("provider", "owner__staff_profile")
        .filter(review_due__lte=review_horizon(today))
        .exclude(status=ResourceStatus.ARCHIVED)
        .order_by("review_due", "title", "pk")
    )


def resources_with_broken_links() -> ResourceQuerySet:
    return (
        Resource.objects.select_related("provider")
        .filter(link_broken=True, status=ResourceStatus.PUBLISHED)
        .order_by("title", "pk")
    )


def comments_awaiting_moderation() -> QuerySet[Comment]:
    """Waiting comments, oldest first, with what the queue shows about each."""
    return (
        Comment.objects.select_related("resource", "author__staff_profile")
        .filter(status=CommentStatus.PENDING)
        .order_by("created_at", "pk")
    )


def history_of(resource: Resource, limit: int = 50) -> list[ResourceChange]:
    return list(
        resource.changes.select_related("changed_by__staff_profile").order_by("-changed_at", "-pk")[
            :limit
        ]
    )


def display_name(user: User | None) -> str:
    """How the curator pages name a person: their display name, or their email address."""
    if user is None:
        return "A deleted account"
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile is not None else user.email
