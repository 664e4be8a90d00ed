"""Who may do what: the one place where the portal's permission rules live.

Views check these with `@permission_required(...)` or `user.has_perm(...)`; templates with
`{% load rules %}{% has_perm ... %}`. Roles come from `portal.roles`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import rules
from django.contrib.auth.models import AnonymousUser

from portal import roles

if TYPE_CHECKING:
    from portal.models import User

AnyUser: TypeAlias = "User | AnonymousUser"


def role_names(user: AnyUser) -> frozenset[str]:
    """The portal roles a user holds (none when anonymous), read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_portal_role_names", None)
    if cached is None:
        names = user.groups.filter(name__in=roles.ALL_ROLES).values_list("name", flat=True)
        cached = frozenset(names)
        user._portal_role_names = cached  # type: ignore[attr-defined]
    return cached


def _in_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"is_{role.lower().replace(' ', '_')}")
    def predicate(user: AnyUser) -> bool:
        return role in role_names(user)

    return predicate


is_curator = _in_role(roles.CURATOR)
is_team_lead = _in_role(roles.TEAM_LEAD)
is_hub_clinician = _in_role(roles.HUB_CLINICIAN)
is_hub_lead = _in_role(roles.HUB_LEAD)
is_hub_staff = is_hub_clinician | is_hub_lead
is_signed_in = rules.is_authenticated

# Everyone signed in.
rules.add_perm("portal.use_learning", is_signed_in)
rules.add_perm("portal.self_refer", is_signed_in)
# Curators.
rules.add_perm("portal.curate_learning", is_curator)
rules.add_perm("portal.moderate_comments", is_curator)
rules.add_perm("portal.view_learning_uptake", is_curator)
# Team leads.
rules.add_perm("portal.request_team_support", is_team_lead)
# The hub. The Hub lead does everything a clinician does, and more.
rules.add_perm("portal.work_in_hub", is_hub_staff)
rules.add_perm("portal.allocate_referrals", is_hub_lead)
rules.add_perm("portal.manage_service_directory", is_hub_lead)
rules.add_perm("portal.run_outreach_campaigns", is_hub_lead)
rules.add_perm("portal.view_hub_reports", is_hub_lead)
rules.add_perm("portal.view_record_audit", is_hub_lead)
rules.add_perm("portal.manage_team_support", is_hub_lead)


def requires_mfa(user: AnyUser) -> bool:
    """Whether a user must have an authenticator before using the portal."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or role_names(user) & roles.MFA_REQUIRED_ROLES)


def is_hub_member(user: AnyUser) -> bool:
    return bool(role_names(user) & roles.HUB_ROLES)


@rules.predicate
def is_admin_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_staff)


rules.add_perm("portal.use_back_office", is_admin_staff)
