"""State changes of the learning catalogue made by staff: saving, starting and completing a
resource, and commenting on it. Each runs in one transaction and takes keyword arguments only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

from learning.models import (
    Comment,
    CommentStatus,
    LearningRecord,
    LearningStatus,
    Resource,
    ResourceStatus,
)

if TYPE_CHECKING:
    from portal.models import User

COMMENTS_PER_HOUR = 5
COMMENT_WINDOW_SECONDS = 60 * 60


class ResourceNotAvailable(Exception):
    """The resource is not published, so staff cannot add it to their learning."""


class CommentLimitReached(Exception):
    """The member of staff has posted as many comments as the hourly limit allows."""


def _require_published(resource: Resource) -> None:
    if resource.status != ResourceStatus.PUBLISHED:
        raise ResourceNotAvailable(f"Resource {resource.pk} is not published")


@transaction.atomic
def do_save_resource(*, user: User, resource: Resource) -> LearningRecord:
    """Add a resource to the user's learning as "saved". Saving again changes nothing: the
    one-record-per-resource constraint and get_or_create make it idempotent, and a resource
    already in progress or completed keeps that status."""
    _require_published(resource)
    record, _ = LearningRecord.objects.get_or_create(
        user=user, resource=resource, defaults={"status": LearningStatus.SAVED}
    )
    return record


@transaction.atomic
def do_start_resource(*, user: User, resource: Resource) -> LearningRecord:
    """Mark a resource as in progress, saving it first if need be. A completed resource stays
    completed, so its CPD hours are not lost."""
    _require_published(resource)
    record, created = LearningRecord.objects.select_for_update().get_or_create(
        user=user, resource=resource, defaults={"status": LearningStatus.IN_PROGRESS}
    )
    if not created and record.status == LearningStatus.SAVED:
        record.status = LearningStatus.IN_PROGRESS
        record.save(update_fields=["status", "updated_at"])
    return record


@transaction.atomic
def do_complete_resource(
    *,
    user: User,
    resource: Resource,
    completed_on: datetime.date,
    hours: Decimal | None = None,
    reflection: str = "",
) -> LearningRecord:
    """Record that the user completed a resource, on a day, for some CPD hours (the resource's
    own CPD hours when not given), with an optional reflection.

    Submitting twice updates the one record rather than adding a second.
    """
    _require_published(resource)
    record, _ = LearningRecord.objects.update_or_create(
        user=user,
        resource=resource,
        defaults={
            "status": LearningStatus.COMPLETED,
            "completed_on": completed_on,
            "hours": hours if hours is not None else resource.cpd_hours,
            "reflection": reflection,
        },
    )
    return record


def _comment_count_key(user: User) -> str:
    return f"learning:comments-posted:{user.pk}"


def comments_left_this_hour(user: User) -> int:
    """How many more comments the user may post before the hourly limit."""
    posted = cache.get(_comment_count_key(user), 0)
    return max(0, COMMENTS_PER_HOUR - int(posted))


@transaction.atomic
def do_post_comment(*, user: User, resource: Resource, rating: int, body: str) -> Comment:
    """Post a rating and comment; it waits for a curator's moderation before others see it.

    At most COMMENTS_PER_HOUR comments per person per hour, counted in the shared cache (Redis
    in production) so the limit holds across processes. Raises CommentLimitReached beyond it.
    """
    _require_published(resource)
    key = _comment_count_key(user)
    # add() starts the hour's window only if none is running; incr() is atomic in Redis.
    cache.add(key, 0, timeout=COMMENT_WINDOW_SECONDS)
    try:
        posted = cache.incr(key)
    except ValueError:
        # The window ended between add() and incr(): this comment opens a new one.
        cache.set(key, 1, timeout=COMMENT_WINDOW_SECONDS)
        posted = 1
    if posted > COMMENTS_PER_HOUR:
        raise CommentLimitReached(f"At most {COMMENTS_PER_HOUR} comments an hour")
    return Comment.objects.create(
        resource=resource, author=user, rating=rating, body=body, status=CommentStatus.PENDING
    )
