"""The hub's service directory: where clinicians refer people on to, kept by the hub lead.

Services are never deleted: an onward referral keeps pointing at the service it went to
(`OnwardReferral.service` is PROTECT), so a service the hub stops using is marked inactive and
drops out of the choices for new onward referrals. Every change writes an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404

from portal.models import User
from wellbeing.audit import actor_for, record
from wellbeing.models import DATABASE, MAX_ID, AuditAction, Service

# The fields a hub lead edits, in the order the history names them.
FIELD_NAMES = {
    "name": "name",
    "criteria": "criteria",
    "how_to_refer": "how to refer",
    "contact": "contact details",
    "typical_wait": "typical wait",
    "active": "whether it takes referrals",
}


class ServiceNameTaken(Exception):
    """Another service already has this name (names are unique, so lists are unambiguous)."""


def services_for_directory(*, include_inactive: bool) -> QuerySet[Service]:
    """The directory, active services first, then by name."""
    services = Service.objects.using(DATABASE).order_by("-active", "name", "id")
    return services if include_inactive else services.filter(active=True)


def services_for_onward_referral() -> QuerySet[Service]:
    """The services a clinician may refer someone on to now: the active ones, by name."""
    return Service.objects.using(DATABASE).filter(active=True).order_by("name", "id")


def service_or_404(service_id: int) -> Service:
    service = (
        Service.objects.using(DATABASE).filter(pk=service_id).first()
        if 0 < service_id <= MAX_ID
        else None
    )
    if service is None:
        raise Http404("No such service")
    return service


def name_is_taken(name: str, *, except_service: Service | None = None) -> bool:
    others = Service.objects.using(DATABASE).filter(name__iexact=name.strip())
    if except_service is not None:
        others = others.exclude(pk=except_service.pk)
    return others.exists()


def do_add_service(*, acting_user: User, fields: dict[str, Any]) -> Service:
    """Add a service to the directory; it takes referrals at once."""
    try:
        with transaction.atomic(using=DATABASE):
            service = Service.objects.using(DATABASE).create(
                **{name: fields[name] for name in FIELD_NAMES if name in fields}
            )
            record(
                actor=actor_for(acting_user),
                action=AuditAction.CREATE,
                obj=service,
                reason="Added to the service directory",
            )
    except IntegrityError as error:
        # Two hub leads adding the same name at once: the unique index decides.
        raise ServiceNameTaken(fields["name"]) from error
    return service


@dataclass(frozen=True)
class ServiceChange:
    service: Service
    changed: list[str]


def do_update_service(
    *, service: Service, acting_user: User, fields: dict[str, Any]
) -> ServiceChange:
    """Change a service's details or whether it takes referrals. Nothing changed, nothing
    written: the audit log only records real changes."""
    changed = [
        name for name in FIELD_NAMES if name in fields and getattr(service, name) != fields[name]
    ]
    if not changed:
        return ServiceChange(service, [])
    for name in changed:
        setattr(service, name, fields[name])
    if changed == ["active"]:
        reason = (
            "Made active again in the service directory"
            if service.active
            else "Marked inactive in the service directory"
        )
    else:
        what = plain_words([FIELD_NAMES[name] for name in changed])
        reason = f"Changed the {what} in the service directory"[:120]
    try:
        with transaction.atomic(using=DATABASE):
            service.save(using=DATABASE, update_fields=[*changed, "updated_at"])
            record(
                actor=actor_for(acting_user), action=AuditAction.UPDATE, obj=service, reason=reason
            )
    except IntegrityError as error:
        raise ServiceNameTaken(fields["name"]) from error
    return ServiceChange(service, [FIELD_NAMES[name] for name in changed])


def plain_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
