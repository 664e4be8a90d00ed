"""State changes of the portal app, each in a transaction."""

from __future__ import annotations

from django.db import transaction

from portal.models import StaffProfile, User


@transaction.atomic
def do_save_staff_profile(*, user: User, profile: StaffProfile) -> StaffProfile:
    """Save what a member of staff told us about their role."""
    profile.user = user
    profile.save()
    return profile
