"""The learning catalogue's emails: its categories in the portal's outbox, and the reminders the
beat schedule queues (a monthly nudge to staff, a weekly one to curators).

Each builder returns unsaved rows for `portal.outbox.queueing.queue`. The rows carry a link and a
count, never titles or anything a person wrote; whether someone opted out is checked when the
row is sent, not here. Every builder runs a fixed number of queries however many people there
are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import cache

from django.db.models import Count, DateField, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from learning.competencies import recommended_levels_for
from learning.models import (
    CompetencyRating,
    LearningRecord,
    LearningStatus,
    Resource,
    ResourceStatus,
)
from portal import roles
from portal.models import OutboxMessage, StaffProfile, User
from portal.outbox import registry

OUTBOX = "portal"
LEARNING_REMINDERS = "learning_reminders"
CURATOR_REMINDERS = "curator_reminders"

CATEGORIES = (
    registry.Category(
        LEARNING_REMINDERS, "recommended learning you have not finished", capped=True
    ),
    registry.Category(CURATOR_REMINDERS, "resources due for review and broken links"),
)


def register() -> None:
    """Add learning's categories to the portal's outbox (registered first, by the portal app)."""
    registry.get(OUTBOX).categories.update({category.key: category for category in CATEGORIES})


# --- Staff: recommended learning started and not finished ----------------------------------


@cache
def _recommended_levels(is_clinical: bool, cares_for_both: str) -> frozenset[int]:
    # The profile's two answers are all recommended_levels_for reads: ask it once per pair.
    profile = StaffProfile(is_clinical=is_clinical, cares_for_both=cares_for_both)
    return recommended_levels_for(profile).levels


def unfinished_counts() -> dict[int, int]:
    """{user id: recommended resources in progress} for active staff with a profile. One query.

    "Recommended" is what the pathway recommends: published resources at the levels the
    person's profile points to. Saved but never started resources do not count.
    """
    rows = (
        LearningRecord.objects.filter(
            status=LearningStatus.IN_PROGRESS,
            resource__status=ResourceStatus.PUBLISHED,
            user__is_active=True,
            user__staff_profile__isnull=False,
        )
        .values_list(
            "user_id",
            "user__staff_profile__is_clinical",
            "user__staff_profile__cares_for_both",
            "resource__level",
        )
        .annotate(records=Count("pk"))
        .order_by()
    )
    counts: dict[int, int] = defaultdict(int)
    for user_id, is_clinical, cares_for_both, level, records in rows:
        if level in _recommended_levels(is_clinical, cares_for_both):
            counts[user_id] += records
    return dict(counts)


def rerating_due_counts() -> dict[int, int]:
    """{user id: statements to rate again} for active staff: statements they have rated and
    have since completed a resource that develops (completed on a later day than their latest
    rating). Retired statements are left out. One query.
    """
    latest_rating_day = Subquery(
        CompetencyRating.objects.filter(
            user_id=OuterRef("user_id"), competency_id=OuterRef("resource__competencies")
        )
        .order_by("-rated_at", "-id")
        .annotate(day=TruncDate("rated_at"))
        .values("day")[:1],
        output_field=DateField(),
    )
    rows = (
        LearningRecord.objects.filter(
            status=LearningStatus.COMPLETED,
            user__is_active=True,
            resource__competencies__retired_at__isnull=True,
        )
        .annotate(rated_on=latest_rating_day)
        .filter(rated_on__lt=F("completed_on"))
        .values("user_id")
        .annotate(statements=Count("resource__competencies", distinct=True))
        .values_list("user_id", "statements")
        .order_by()
    )
    return dict(rows)


def unfinished_learning_nudges(today: datetime.date | None = None) -> list[OutboxMessage]:
    """One nudge a month to each member of staff with recommended learning in progress, or with
    statements to rate again since they completed learning that develops them (issue 15: "see
    change"). The email says how many of each, never which."""
    today = today or timezone.localdate()
    path = reverse("learning:my_learning")
    unfinished = unfinished_counts()
    rerating = rerating_due_counts()
    messages = []
    for user_id in sorted(unfinished.keys() | rerating.keys()):
        context: dict[str, object] = {"path": path, "count": unfinished.get(user_id, 0)}
        if rerating.get(user_id):
            context["rerate"] = rerating[user_id]
        messages.append(
            OutboxMessage(
                idempotency_key=f"learning-nudge:{user_id}:{today:%Y-%m}",
                category=LEARNING_REMINDERS,
                template="learning/unfinished_learning",
                recipient_ref=str(user_id),
                context=context,
            )
        )
    return messages


# --- Curators: reviews due and broken links ------------------------------------------------


def curator_work(today: datetime.date) -> dict[str, int]:
    """How many resources are due or overdue for review (archived ones need none), and how many
    published resources have a link the checker found broken. One query."""
    counts: dict[str, int] = Resource.objects.aggregate(
        review_due=Count(
            "pk", filter=Q(review_due__lte=today) & ~Q(status=ResourceStatus.ARCHIVED)
        ),
        broken_links=Count("pk", filter=Q(link_broken=True, status=ResourceStatus.PUBLISHED)),
    )
    return counts


def curator_review_reminders(today: datetime.date | None = None) -> list[OutboxMessage]:
    """One reminder a week (ISO week) to each active curator, when there is work to do."""
    today = today or timezone.localdate()
    work = curator_work(today)
    if not any(work.values()):
        return []
    year, week, _day = today.isocalendar()
    curators = (
        User.objects.active_in_roles(roles.CURATOR).values_list("pk", flat=True).order_by("pk")
    )
    path = reverse("learning:curate_index")
    return [
        OutboxMessage(
            idempotency_key=f"curator-reviews:{user_id}:{year}-W{week:02d}",
            category=CURATOR_REMINDERS,
            template="learning/curator_reviews",
            recipient_ref=str(user_id),
            context={"path": path, **work},
        )
        for user_id in curators
    ]
