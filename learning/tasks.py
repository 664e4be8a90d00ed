"""Background tasks of the learning catalogue: checking resources' links (the checker itself is
``learning.link_checker``) and queueing the learning reminders (built in ``learning.reminders``).
The task names are fixed: beat schedules in the database name them.

Beat runs them (portal/migrations/0004_outreach_schedules.py); none takes arguments. The link
checker touches no personal data, only resources' public web addresses. The reminders go through
the portal's outbox, so an email is a row first, sent once, and honours opt-outs at send.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from learning import reminders
from learning.link_checker import check_url
from learning.models import Resource
from learning.services.curation import do_record_link_check
from portal.outbox.queueing import queue

logger = logging.getLogger(__name__)

PARALLEL_CHECKS = 8


@shared_task(name="learning.check_resource_links")
def check_resource_links() -> dict[str, int]:
    """Check every published resource's link; record when, what status, and whether broken.

    A link refused for leading into a private network is recorded as broken, so curators see it.
    """
    resources = list(Resource.objects.published().order_by("pk").values_list("pk", "url"))
    with ThreadPoolExecutor(max_workers=PARALLEL_CHECKS) as pool:
        results = list(pool.map(lambda item: check_url(item[1]), resources))
    checked_at = timezone.now()
    for (resource_id, _url), result in zip(resources, results, strict=True):
        if result.refused:
            logger.warning("Did not check the link of resource %s: private address", resource_id)
        do_record_link_check(
            resource_id=resource_id,
            status=result.status,
            broken=result.broken,
            checked_at=checked_at,
        )
    return {
        "checked": len(results),
        "broken": sum(result.broken for result in results),
        "refused": sum(result.refused for result in results),
    }


# --- Reminders -------------------------------------------------------------------------------


@shared_task(name="learning.nudge_unfinished_learning")
def nudge_unfinished_learning() -> int:
    """Monthly: queue a nudge to staff with recommended learning in progress; once a month."""
    with transaction.atomic(using="default"):
        messages = reminders.unfinished_learning_nudges()
        queue(messages)
    return len(messages)


@shared_task(name="learning.remind_curators_of_reviews")
def remind_curators_of_reviews() -> int:
    """Weekly: queue a reminder to curators when reviews are due or links broken; once a week."""
    with transaction.atomic(using="default"):
        messages = reminders.curator_review_reminders()
        queue(messages)
    return len(messages)
