"""Issuing a certificate of completion, for a resource the person completed or a whole level
they covered (learning/queries/certificates.py says when). Issuing again gives back the same
certificate: one per person per resource and per level. ADR 0038.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from learning import certificate_codes
from learning.models import (
    Certificate,
    CertificateKind,
    LearningRecord,
    LearningStatus,
    Level,
    Resource,
)
from learning.queries.certificates import level_completions
from portal.queries import staff_profile_for

if TYPE_CHECKING:
    from portal.models import User

# A fresh code colliding with a stored one is vanishingly rare; trying a few times makes it
# impossible in practice rather than merely unlikely.
CODE_ATTEMPTS = 5


class CertificateRefused(Exception):
    """The person has not completed what the certificate would say; the message says why."""


def holder_name(user: User) -> str:
    profile = staff_profile_for(user)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.email


def _issue(**fields: object) -> Certificate:
    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Certificate.objects.create(code=certificate_codes.new_code(), **fields)
        except IntegrityError:
            # Either the code was taken (try another) or the certificate exists (the caller's
            # get() finds it after this loop).
            continue
    raise CertificateRefused("We could not make a certificate just now. Try again.")


@transaction.atomic
def do_issue_resource_certificate(*, user: User, resource: Resource) -> Certificate:
    """The certificate for a resource the user has completed: its title, level, the day they
    completed it and their CPD hours."""
    existing = Certificate.objects.filter(
        user=user, kind=CertificateKind.RESOURCE, resource=resource
    ).first()
    if existing is not None:
        return existing
    record = LearningRecord.objects.filter(
        user=user, resource=resource, status=LearningStatus.COMPLETED
    ).first()
    if record is None or record.completed_on is None:
        raise CertificateRefused(
            "You can have a certificate once you have recorded that you completed this resource"
        )
    return _issue(
        user=user,
        kind=CertificateKind.RESOURCE,
        resource=resource,
        level=resource.level,
        holder_name=holder_name(user),
        title=resource.title,
        completed_on=record.completed_on,
        hours=record.hours,
    )


@transaction.atomic
def do_issue_level_certificate(*, user: User, level: int) -> Certificate:
    """The certificate for a whole level the user has covered: the day they finished it and the
    CPD hours of everything they completed at it."""
    existing = Certificate.objects.filter(
        user=user, kind=CertificateKind.LEVEL, level=level
    ).first()
    if existing is not None:
        return existing
    completion = level_completions(user).get(level)
    if completion is None or not completion.is_complete or completion.completed_on is None:
        raise CertificateRefused(
            f"You can have a Level {level} certificate once you have completed learning for "
            "every competency of the level"
        )
    return _issue(
        user=user,
        kind=CertificateKind.LEVEL,
        level=level,
        holder_name=holder_name(user),
        title=f"{Level(level).label}: mind and body learning",
        completed_on=completion.completed_on,
        hours=completion.hours,
    )
