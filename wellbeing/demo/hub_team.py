"""The demo hub's team: the demo clinician, hub lead and researcher hold their roles as the hub holds them
(wellbeing.models.HubMembership), since the back office cannot give hub roles."""

from __future__ import annotations

from django.db import transaction

from portal.models import User
from wellbeing.models import DATABASE, HubMembership, HubRole

DEMO_HUB_TEAM = {
    "clinician@demo.nhs.net": HubRole.CLINICIAN,
    "hublead@demo.nhs.net": HubRole.LEAD,
    "researcher@demo.nhs.net": HubRole.RESEARCHER,
}


def seed_demo_hub_team() -> None:
    """Give the demo hub accounts their roles. Safe to run any number of times."""
    users = {user.email: user.pk for user in User.objects.filter(email__in=DEMO_HUB_TEAM)}
    with transaction.atomic(using=DATABASE):
        for email, role in DEMO_HUB_TEAM.items():
            if email in users:
                HubMembership.objects.using(DATABASE).get_or_create(
                    user_id=users[email], role=role, revoked_at=None
                )
