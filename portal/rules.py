"""Who may do what: the one place where the portal's permission rules live.

Views check these with `@permission_required(...)` or `user.has_perm(...)`; templates with
`{% load rules %}{% has_perm ... %}`. Roles come from `portal.roles`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

import rules
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.utils.module_loading import import_string

from portal import roles

if TYPE_CHECKING:
    from portal.models import User

AnyUser: TypeAlias = "User | AnonymousUser"
logger = logging.getLogger(__name__)


def role_names(user: AnyUser) -> frozenset[str]:
    """The portal roles a user holds (none when anonymous), read once per user object: the
    groups from the back office, and the hub's roles from the hub's own store. A superuser
    holds no hub role, whatever any table says (ADR 0013, ADR 0023)."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_portal_role_names", None)
    if cached is None:
        names = set(user.groups.filter(name__in=roles.GROUP_ROLES).values_list("name", flat=True))
        if user.is_active and not user.is_superuser:
            names |= _hub_roles_safely(user)
        cached = frozenset(names)
        user._portal_role_names = cached  # type: ignore[attr-defined]
    return cached


def _hub_roles_safely(user: User) -> frozenset[str]:
    """Hub roles fail closed: if the hub's store cannot be read, learning still works and the
    hub stays shut, rather than every signed-in page failing."""
    try:
        return _hub_roles_of()(user) & roles.HUB_ROLES
    except DatabaseError as error:
        logger.warning("Hub roles could not be read (%s): no hub role given", type(error).__name__)
        return frozenset()


def hub_roles_held(user: User) -> frozenset[str]:
    """The hub roles the hub's store has for this account, superuser or not: for the back office
    to refuse making a hub member a superuser."""
    return _hub_roles_of()(user) & roles.HUB_ROLES


def forget_roles(user: AnyUser) -> None:
    """Drop the roles read for this user object, after they change."""
    user.__dict__.pop("_portal_role_names", None)


@functools.cache
def _hub_roles_of() -> Callable[[User], frozenset[str]]:
    return import_string(settings.HUB_ROLES_OF)  # type: ignore[no-any-return]


def _in_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"is_{role.lower().replace(' ', '_')}")
    def predicate(user: AnyUser) -> bool:
        return role in role_names(user)

    return predicate


is_curator = _in_role(roles.CURATOR)
is_team_lead = _in_role(roles.TEAM_LEAD)
is_hub_clinician = _in_role(roles.HUB_CLINICIAN)
is_hub_lead = _in_role(roles.HUB_LEAD)
is_hub_researcher = _in_role(roles.HUB_RESEARCHER)
is_hub_staff = is_hub_clinician | is_hub_lead
is_signed_in = rules.is_authenticated


class Permission(StrEnum):
    """Every permission of the portal, named once. Views check `Permission.WORK_IN_HUB`;
    templates `{% has_perm "portal.work_in_hub" user %}`."""

    USE_LEARNING = "portal.use_learning"
    SELF_REFER = "portal.self_refer"
    CURATE_LEARNING = "portal.curate_learning"
    MODERATE_COMMENTS = "portal.moderate_comments"
    VIEW_LEARNING_UPTAKE = "portal.view_learning_uptake"
    REQUEST_TEAM_SUPPORT = "portal.request_team_support"
    VIEW_TEAM_LEARNING = "portal.view_team_learning"
    WORK_IN_HUB = "portal.work_in_hub"
    ALLOCATE_REFERRALS = "portal.allocate_referrals"
    MANAGE_SERVICE_DIRECTORY = "portal.manage_service_directory"
    RUN_OUTREACH_CAMPAIGNS = "portal.run_outreach_campaigns"
    VIEW_HUB_REPORTS = "portal.view_hub_reports"
    VIEW_RECORD_AUDIT = "portal.view_record_audit"
    MANAGE_TEAM_SUPPORT = "portal.manage_team_support"
    MANAGE_HUB_TEAM = "portal.manage_hub_team"
    USE_RESEARCH_EXTRACT = "portal.use_research_extract"
    USE_BACK_OFFICE = "portal.use_back_office"


@rules.predicate
def is_admin_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_staff)


# Who holds each permission. The Hub lead does everything a clinician does, and more.
RULES: dict[Permission, rules.Predicate] = {
    Permission.USE_LEARNING: is_signed_in,
    Permission.SELF_REFER: is_signed_in,
    Permission.CURATE_LEARNING: is_curator,
    Permission.MODERATE_COMMENTS: is_curator,
    Permission.VIEW_LEARNING_UPTAKE: is_curator,
    Permission.REQUEST_TEAM_SUPPORT: is_team_lead,
    Permission.VIEW_TEAM_LEARNING: is_team_lead,
    Permission.WORK_IN_HUB: is_hub_staff,
    Permission.ALLOCATE_REFERRALS: is_hub_lead,
    Permission.MANAGE_SERVICE_DIRECTORY: is_hub_lead,
    Permission.RUN_OUTREACH_CAMPAIGNS: is_hub_lead,
    Permission.VIEW_HUB_REPORTS: is_hub_lead,
    Permission.VIEW_RECORD_AUDIT: is_hub_lead,
    Permission.MANAGE_TEAM_SUPPORT: is_hub_lead,
    Permission.MANAGE_HUB_TEAM: is_hub_lead,
    Permission.USE_RESEARCH_EXTRACT: is_hub_researcher,
    Permission.USE_BACK_OFFICE: is_admin_staff,
}
for _permission, _predicate in RULES.items():
    rules.add_perm(_permission.value, _predicate)

# Permissions only a role gives, derived from the rules: those of the hub roles and team leads.
# Django hands a superuser every permission, but the back office's administrator is not in the
# hub: these open for the role only, whoever else is signed in (portal.models.User.has_perm).
ROLE_ONLY_PERMISSIONS = frozenset(
    permission.value
    for permission, predicate in RULES.items()
    if predicate in (is_hub_staff, is_hub_lead, is_hub_researcher, is_team_lead)
)


def requires_mfa(user: AnyUser) -> bool:
    """Whether a user must have an authenticator before using the portal."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or role_names(user) & roles.MFA_REQUIRED_ROLES)


def is_hub_member(user: AnyUser) -> bool:
    return bool(role_names(user) & roles.HUB_ROLES)
