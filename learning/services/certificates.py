"""A certificate's lifecycle: issuing one, for a resource the person completed or a whole level
they covered (learning/queries/certificates.py says when), and a curator withdrawing it. Issuing
again gives back the same certificate, withdrawn or not: one per person per resource and per
level. ADR 0038, ADR 0046.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

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


# The most a withdrawal's reason may say (the form's limit).
WITHDRAWAL_REASON_MAX = 300


@transaction.atomic
def do_withdraw_certificate(*, certificate_id: int, reason: str, acting_user: User) -> Certificate:
    """Withdraw a certificate: from now the public check says it is no longer valid, and the
    holder's copy says so too. Final: a withdrawn certificate stays withdrawn, and asking for
    it again gives the withdrawn one. Refused (with why) if it was withdrawn already."""
    reason = reason.strip()
    if not reason:
        raise CertificateRefused("Enter why you are withdrawing this certificate")
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise CertificateRefused(f"Reason must be {WITHDRAWAL_REASON_MAX} characters or fewer")
    certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
    if certificate.withdrawn_at is not None:
        raise CertificateRefused(
            "This certificate was already withdrawn on "
            f"{timezone.localdate(certificate.withdrawn_at):%-d %B %Y}"
        )
    certificate.withdrawn_at = timezone.now()
    certificate.withdrawn_by = acting_user
    certificate.withdrawn_reason = reason
    certificate.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    return certificate
