"""What each outcome of a rapid assessment sets up: signposted resources, a link to team-based
support, a therapy plan, an onward referral.

These run inside the caller's transaction, on a referral whose row the caller has locked: the
lifecycle (wellbeing.services.referrals) when the assessment chooses the outcome, and
wellbeing.services.clinical when a clinician adds support later. A refusal is `NotAllowed`, with
a message for the clinician; the caller's transaction then writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from learning.queries import resources_for_signposting
from portal.models import User
from wellbeing import audit
from wellbeing.models import (
    DATABASE,
    OnwardReferral,
    Referral,
    Service,
    SignpostedResource,
    TeamRequest,
    TeamRequestStatus,
    TherapyModality,
    TherapyPlan,
)
from wellbeing.referral_states import NotAllowed

# Team requests a person's support can join: the hub has said yes to them.
JOINABLE_TEAM_REQUESTS = (
    TeamRequestStatus.ACCEPTED,
    TeamRequestStatus.SCHEDULED,
    TeamRequestStatus.DELIVERED,
)
MAX_PLANNED_SESSIONS = 30


@dataclass(frozen=True)
class OutcomeDetail:
    """What the chosen outcome needs: only the fields for that outcome are read."""

    resource_ids: Sequence[int] = ()
    team_request: TeamRequest | None = None
    modality: str = ""
    planned_sessions: int | None = None
    service: Service | None = None
    onward_note: str = ""
    close_reason: str = ""


def joinable_team_requests() -> QuerySet[TeamRequest]:
    return (
        TeamRequest.objects.using(DATABASE)
        .filter(status__in=JOINABLE_TEAM_REQUESTS)
        .only("id", "team", "organisation", "support_type", "status", "created_at")
        .order_by("team", "organisation", "id")
    )


def signposted_ids(referral: Referral) -> set[int]:
    return set(
        SignpostedResource.objects.using(DATABASE)
        .filter(referral=referral)
        .values_list("resource_id", flat=True)
    )


def signpost(referral: Referral, resource_ids: Sequence[int], now: datetime.datetime) -> int:
    """Signpost published learning resources; an id that is not published is refused. Returns
    how many were new (one already signposted is not added twice)."""
    wanted = sorted(set(resource_ids))
    if not wanted:
        raise NotAllowed("Choose at least one resource to signpost.")
    published = {resource.pk for resource in resources_for_signposting(ids=wanted)}
    if published != set(wanted):
        raise NotAllowed("Choose resources from the published learning catalogue.")
    new = sorted(set(wanted) - signposted_ids(referral))
    SignpostedResource.objects.using(DATABASE).bulk_create(
        SignpostedResource(referral=referral, resource_id=pk, at=now) for pk in new
    )
    return len(new)


def link_team(referral: Referral, team_request: TeamRequest | None) -> None:
    """Make the person's support part of a team request the hub has accepted (in memory: the
    caller saves the referral)."""
    if team_request is None:
        raise NotAllowed("Choose the team request this person's support is part of.")
    joinable = (
        TeamRequest.objects.using(DATABASE)
        .filter(pk=team_request.pk, status__in=JOINABLE_TEAM_REQUESTS)
        .exists()
    )
    if not joinable:
        raise NotAllowed("Choose a team request the hub has accepted.")
    referral.team_request_id = team_request.pk


def start_therapy(
    referral: Referral, user: User, modality: str, planned_sessions: int | None
) -> TherapyPlan:
    if modality not in TherapyModality.values:
        raise NotAllowed("Choose the type of therapy.")
    if planned_sessions is None or not 1 <= planned_sessions <= MAX_PLANNED_SESSIONS:
        raise NotAllowed(f"Planned sessions must be between 1 and {MAX_PLANNED_SESSIONS}.")
    actor = audit.actor_for(user)
    return TherapyPlan.objects.using(DATABASE).create(
        referral=referral,
        modality=modality,
        planned_sessions=planned_sessions,
        therapist_ref=actor.ref,
        therapist_name=actor.name[:80],
    )


def refer_onward(
    referral: Referral, service: Service | None, sent_on: datetime.date, note: str
) -> OnwardReferral:
    if (
        service is None
        or not Service.objects.using(DATABASE).filter(pk=service.pk, active=True).exists()
    ):
        raise NotAllowed("Choose a service from the directory.")
    if sent_on > timezone.localdate():
        raise NotAllowed("The date the referral was sent cannot be in the future.")
    return OnwardReferral.objects.using(DATABASE).create(
        referral=referral, service=service, sent_on=sent_on, status_on=sent_on, note=note
    )
