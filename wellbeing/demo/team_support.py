"""Demo Resilience Hub content for development: team requests in each state. Run by seed_demo.

The service directory needs no demo data: migration 0007 seeds it. Requests are matched by the
demo team lead and the team's name, so running again changes nothing; every team name says it is
sample data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portal.models import User
from wellbeing.models import (
    DATABASE,
    Service,
    TeamRequest,
    TeamRequestStatus,
    TeamSession,
    TeamSupportType,
)
from wellbeing.pseudonyms import staff_ref_for

TEAM_LEAD_EMAIL = "teamlead@demo.nhs.net"
HUB_LEAD_EMAIL = "hublead@demo.nhs.net"


@dataclass(frozen=True)
class SampleSession:
    days_from_now: int
    attended: int | None = None
    feedback: str = ""


@dataclass(frozen=True)
class SampleTeamRequest:
    team: str
    team_size: int
    support_type: TeamSupportType
    topic: str
    preferred_dates: str
    prompted_by: str
    status: TeamRequestStatus
    days_ago: int
    decision_reason: str = ""
    sessions: tuple[SampleSession, ...] = ()


SAMPLE_REQUESTS = (
    SampleTeamRequest(
        team="Ward 7 nursing team (sample)",
        team_size=24,
        support_type=TeamSupportType.WORKSHOP,
        topic="Managing stress on a busy acute ward",
        preferred_dates="Tuesday afternoons, after the lunchtime handover",
        prompted_by="A long winter with high sickness absence; the team is tired.",
        status=TeamRequestStatus.REQUESTED,
        days_ago=2,
    ),
    SampleTeamRequest(
        team="Physiotherapy outpatients (sample)",
        team_size=12,
        support_type=TeamSupportType.PEER_SUPPORT,
        topic="Coming together after a difficult few months",
        preferred_dates="Any weekday morning",
        prompted_by="Several changes to the service in a short time.",
        status=TeamRequestStatus.SCHEDULED,
        days_ago=10,
        decision_reason="We would be glad to help. We have booked a session for next week.",
        sessions=(SampleSession(days_from_now=5),),
    ),
    SampleTeamRequest(
        team="Emergency department reception (sample)",
        team_size=9,
        support_type=TeamSupportType.CONSULTATION,
        topic="Supporting the team after aggression from the public",
        preferred_dates="",
        prompted_by="A run of difficult incidents at the front desk.",
        status=TeamRequestStatus.DELIVERED,
        days_ago=40,
        sessions=(
            SampleSession(
                days_from_now=-20,
                attended=1,
                feedback="Sample: helpful discussion with the team lead; follow-up offered.",
            ),
        ),
    ),
    SampleTeamRequest(
        team="Main theatres (sample)",
        team_size=60,
        support_type=TeamSupportType.WORKSHOP,
        topic="Resilience training for the whole department",
        preferred_dates="Any time in the next month",
        prompted_by="The department would like some general wellbeing training.",
        status=TeamRequestStatus.DECLINED,
        days_ago=30,
        decision_reason=(
            "General wellbeing training is run by the learning team: see the Learning pages. "
            "We would be glad to offer a consultation if something specific has happened."
        ),
    ),
)


def _at_two_pm(days_from_now: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days_from_now)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 0)))


def seed_demo_team_support() -> list[str]:
    """Create the demo team requests once, for the demo team lead. Returns lines to print."""
    team_lead = User.objects.filter(email=TEAM_LEAD_EMAIL).select_related("staff_profile").first()
    if team_lead is None:
        return ["  No demo team lead: run seed_demo_accounts first."]
    hub_lead = User.objects.filter(email=HUB_LEAD_EMAIL).select_related("staff_profile").first()
    facilitator = hub_lead.staff_profile.display_name if hub_lead else "Resilience Hub"
    now = timezone.now()
    with transaction.atomic(using=DATABASE):
        for sample in SAMPLE_REQUESTS:
            created_at = now - datetime.timedelta(days=sample.days_ago)
            team_request, created = TeamRequest.objects.using(DATABASE).get_or_create(
                requester_ref=staff_ref_for(team_lead.pk),
                team=sample.team,
                defaults={
                    "requester_key": str(team_lead.pk),
                    "requester_name": team_lead.staff_profile.display_name,
                    "organisation": team_lead.staff_profile.organisation,
                    "team_size": sample.team_size,
                    "support_type": sample.support_type,
                    "topic": sample.topic,
                    "preferred_dates": sample.preferred_dates,
                    "prompted_by": sample.prompted_by,
                    "status": sample.status,
                    "decision_reason": sample.decision_reason,
                    "created_at": created_at,
                    "decided_at": (
                        created_at + datetime.timedelta(days=1)
                        if sample.status != TeamRequestStatus.REQUESTED
                        else None
                    ),
                },
            )
            if not created:
                continue
            TeamSession.objects.using(DATABASE).bulk_create(
                TeamSession(
                    request=team_request,
                    starts_at=_at_two_pm(session.days_from_now),
                    facilitator=facilitator,
                    place="Wellbeing room, main site (sample)",
                    attended=session.attended,
                    feedback=session.feedback,
                )
                for session in sample.sessions
            )
        requests = TeamRequest.objects.using(DATABASE).filter(
            requester_ref=staff_ref_for(team_lead.pk)
        )
        return [
            f"  Team requests from {TEAM_LEAD_EMAIL}: {requests.count()}",
            f"  Services in the directory: {Service.objects.using(DATABASE).count()}",
        ]
