"""Staff rating and commenting on a resource: a comment waits for a curator's moderation
(``learning.services.curation``), and each person may post only a few an hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

from learning.models import Comment, CommentStatus, Resource
from learning.services.my_learning import require_published

if TYPE_CHECKING:
    from portal.models import User

COMMENTS_PER_HOUR = 5
COMMENT_WINDOW_SECONDS = 60 * 60


class CommentLimitReached(Exception):
    """The member of staff has posted as many comments as the hourly limit allows."""


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
    require_published(resource)
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
