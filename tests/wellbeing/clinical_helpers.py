"""People and records for the clinician-side tests (tests/wellbeing/test_clinical_*.py)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from portal import roles
from portal.models import User
from tests.factories import UserFactory
from tests.wellbeing.factories import ReferralFactory
from wellbeing.audit import actor_for
from wellbeing.models import (
    AuditEntry,
    Referral,
    ReferralStatus,
    Service,
    TeamRequest,
    TeamRequestStatus,
)
from wellbeing.pseudonyms import staff_ref_for

DB = "confidential"


def a_hub_member(role: str = roles.HUB_CLINICIAN, name: str = "Casey Clinician") -> User:
    user: User = UserFactory(with_profile=True, roles=[role], with_totp=True)
    user.staff_profile.display_name = name
    user.staff_profile.save()
    return user


def a_referral_from(owner: User, **fields: object) -> Referral:
    """A referral made by `owner`, whose emails therefore reach them. It arrived ten days ago
    unless told otherwise, so the dates a clinician types (an attempt, a session) can follow it."""
    fields.setdefault("created_at", timezone.now() - datetime.timedelta(days=10))
    referral: Referral = ReferralFactory(
        staff_ref=staff_ref_for(owner.pk), owner_key=str(owner.pk), **fields
    )
    return referral


def a_referral_in(status: str, owner: User | None = None) -> Referral:
    owner = owner or UserFactory(with_profile=True)
    return a_referral_from(owner, status=status)


_services = itertools.count(1)


def a_service(name: str = "", *, active: bool = True) -> Service:
    # The directory is seeded by a migration: test services get names of their own.
    return Service.objects.using(DB).create(
        name=name or f"Test talking therapies service {next(_services)}",
        criteria="Adults with anxiety or depression",
        how_to_refer="Online self-referral",
        contact="talking.therapies@test.nhs.net",
        typical_wait="6 weeks",
        active=active,
    )


def a_team_request(status: str = TeamRequestStatus.ACCEPTED) -> TeamRequest:
    return TeamRequest.objects.using(DB).create(
        requester_ref="t" * 64,
        requester_key="1",
        requester_name="Terry Teamlead",
        team="Ward 7",
        organisation="Test Hospital NHS Foundation Trust",
        team_size=20,
        support_type="workshop",
        topic="After a difficult death on the ward",
        status=status,
    )


def fresh(referral: Referral) -> Referral:
    return Referral.objects.using(DB).get(pk=referral.pk)


def entries_by(user: User) -> list[tuple[str, str, int, str]]:
    """(action, object_type, object_id, reason) of each audit entry the user wrote."""
    return list(
        AuditEntry.objects.using(DB)
        .filter(actor_ref=actor_for(user).ref)
        .order_by("id")
        .values_list("action", "object_type", "object_id", "reason")
    )


OPEN = (ReferralStatus.NEW, ReferralStatus.IN_ASSESSMENT, ReferralStatus.IN_SUPPORT)
