"""Staff's own learning: saving a published resource to "my learning", starting it and
completing it for CPD hours. Each runs in one transaction and takes keyword arguments only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from learning.models import (
    LearningRecord,
    LearningStatus,
    Resource,
    ResourceStatus,
)

if TYPE_CHECKING:
    from portal.models import User


class ResourceNotAvailable(Exception):
    """The resource is not published, so staff cannot add it to their learning or comment on it."""


def require_published(resource: Resource) -> None:
    """Refuse a resource staff cannot see (a draft, in review or archived)."""
    if resource.status != ResourceStatus.PUBLISHED:
        raise ResourceNotAvailable(f"Resource {resource.pk} is not published")


@transaction.atomic
def do_save_resource(*, user: User, resource: Resource) -> LearningRecord:
    """Add a resource to the user's learning as "saved". Saving again changes nothing: the
    one-record-per-resource constraint and get_or_create make it idempotent, and a resource
    already in progress or completed keeps that status."""
    require_published(resource)
    record, _ = LearningRecord.objects.get_or_create(
        user=user, resource=resource, defaults={"status": LearningStatus.SAVED}
    )
    return record


@transaction.atomic
def do_start_resource(*, user: User, resource: Resource) -> LearningRecord:
    """Mark a resource as in progress, saving it first if need be. A completed resource stays
    completed, so its CPD hours are not lost."""
    require_published(resource)
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
    require_published(resource)
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
