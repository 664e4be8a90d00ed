"""Who works in the hub: giving and removing hub roles, and enrolment codes for authenticators.

The hub's roles (Hub clinician, Hub lead, Hub researcher) are held here, in the confidential
store, and nowhere else (ADR 0023). Only a hub lead gives or removes them, on the hub's team
page; the first hub lead is made by `manage.py create_hub_lead`. Every change writes an entry in
the hub's audit log and emails the other hub leads. A superuser can never hold a hub role: the
grant refuses one, and the portal's rules ignore any role a superuser is found with.

A new hub member sets up their authenticator with a one-time enrolment code that a hub lead
gives them, so that whoever knows the password cannot enrol their own second factor.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import User
from portal.outbox.queueing import queue
from portal.rules import forget_roles, is_hub_lead
from wellbeing import audit
from wellbeing.models import (
    DATABASE,
    AuditAction,
    EnrolmentCode,
    HubMembership,
    HubRole,
)
from wellbeing.services import outreach

# What each role may do, as the team page explains it.
ROLE_DESCRIPTIONS = {
    HubRole.CLINICIAN: "Assesses and supports staff who contact the hub.",
    HubRole.LEAD: "Everything a clinician does, and runs the hub: allocation, services, "
    "outreach, reports, and who works in the hub.",
    HubRole.RESEARCHER: "Sees the hub's anonymised evaluation figures, defines research "
    "studies and downloads their consented, de-identified extracts. Opens no referral. A hub "
    "lead who makes extracts needs this role too.",
}
# Letters and digits that cannot be mistaken for one another when read out or copied.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4


class HubTeamError(Exception):
    """A change to the hub's team that cannot be made; the message says why, in plain words."""


def hub_roles_of(user: User) -> frozenset[str]:
    """The hub roles this account holds now (settings.HUB_ROLES_OF points here)."""
    held = (
        HubMembership.objects.using(DATABASE)
        .current()
        .filter(user_id=user.pk)
        .values_list("role", flat=True)
    )
    return frozenset(held)


# --- The team page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    user: User
    memberships: tuple[HubMembership, ...]

    @property
    def roles(self) -> list[str]:
        return [membership.role for membership in self.memberships]


def current_team() -> list[TeamMember]:
    """Everyone holding a hub role now, by name, with the roles they hold: two queries."""
    memberships = list(HubMembership.objects.using(DATABASE).current().order_by("role", "id"))
    users = User.objects.select_related("staff_profile").in_bulk(
        {membership.user_id for membership in memberships}
    )
    by_user: dict[int, list[HubMembership]] = {}
    for membership in memberships:
        by_user.setdefault(membership.user_id, []).append(membership)
    team = [
        TeamMember(users[user_id], tuple(held))
        for user_id, held in by_user.items()
        if user_id in users
    ]
    return sorted(team, key=lambda member: _display_name(member.user).lower())


def _display_name(user: User) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.email


# --- Giving and removing roles ------------------------------------------------------------------


def _require_lead(by: User) -> None:
    if not is_hub_lead(by):
        raise HubTeamError("Only a hub lead can change who works in the hub.")


def _check_can_join(user: User) -> None:
    if user.is_superuser:
        raise HubTeamError(
            "A back-office superuser cannot work in the hub. Ask them to use an ordinary "
            "account for hub work."
        )
    if not user.is_active:
        raise HubTeamError("This account is switched off, so it cannot be given a hub role.")


def _grant(user: User, role: str, actor: audit.Actor, by_id: int | None) -> HubMembership:
    try:
        membership = HubMembership.objects.using(DATABASE).create(
            user_id=user.pk, role=role, granted_by_id=by_id
        )
    except IntegrityError as error:
        raise HubTeamError(f"{_display_name(user)} is already a {role.lower()}.") from error
    audit.record(actor=actor, action=AuditAction.GRANT, obj=membership, reason=f"Gave {role}")
    queue(outreach.hub_team_changed(membership, "given", by_id))
    forget_roles(user)
    return membership


def grant_role(*, by: User, user: User, role: str) -> HubMembership:
    """Give `user` a hub role, as the hub lead `by`."""
    _require_lead(by)
    _check_can_join(user)
    if role not in HubRole.values:
        raise HubTeamError("Choose a hub role.")
    # The savepoint keeps the transaction usable after a refused duplicate.
    with transaction.atomic(using=DATABASE):
        return _grant(user, role, audit.actor_for(by), by.pk)


def revoke_role(*, by: User, membership_id: int) -> HubMembership:
    """Take a hub role away. The last hub lead cannot remove their own lead role, so the hub is
    never left with nobody to run it."""
    _require_lead(by)
    with transaction.atomic(using=DATABASE):
        membership = (
            HubMembership.objects.using(DATABASE)
            .select_for_update()
            .current()
            .filter(pk=membership_id)
            .first()
        )
        if membership is None:
            raise HubTeamError("That role has already been removed.")
        if membership.role == HubRole.LEAD and HubMembership.objects.holder_ids(HubRole.LEAD) == [
            membership.user_id
        ]:
            raise HubTeamError("The hub needs a lead. Give someone else the Hub lead role first.")
        membership.revoked_at = timezone.now()
        membership.revoked_by_id = by.pk
        membership.save(using=DATABASE, update_fields=["revoked_at", "revoked_by_id"])
        audit.record(
            actor=audit.actor_for(by),
            action=AuditAction.REVOKE,
            obj=membership,
            reason=f"Removed {membership.role}",
        )
        queue(outreach.hub_team_changed(membership, "removed", by.pk))
    return membership


def create_first_hub_lead(user: User) -> tuple[HubMembership, str]:
    """Make the hub's first lead, from the server (`manage.py create_hub_lead`): refused while
    the hub has a lead, who gives roles in the hub instead. Returns the enrolment code."""
    _check_can_join(user)
    actor = audit.Actor(
        ref="server", role="Server administrator", name=f"create_hub_lead by {getpass.getuser()}"
    )
    with transaction.atomic(using=DATABASE):
        if HubMembership.objects.holder_ids(HubRole.LEAD):
            raise HubTeamError(
                "The hub already has a lead. A hub lead gives hub roles on the hub's team page."
            )
        membership = _grant(user, HubRole.LEAD, actor, None)
        code = _issue_code(user, actor, None)
    return membership, code


# --- Enrolment codes ----------------------------------------------------------------------------


def _hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_code() -> str:
    groups = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    ]
    return "-".join(groups)


def _issue_code(user: User, actor: audit.Actor, by_id: int | None) -> str:
    now = timezone.now()
    # A new code replaces any the person has not used yet.
    EnrolmentCode.objects.using(DATABASE).filter(user_id=user.pk, used_at__isnull=True).update(
        used_at=now
    )
    code = _new_code()
    issued = EnrolmentCode.objects.using(DATABASE).create(
        user_id=user.pk,
        code_hash=_hash(code),
        issued_by_id=by_id,
        issued_at=now,
        expires_at=now + datetime.timedelta(hours=settings.HUB_ENROLMENT_CODE_HOURS),
    )
    audit.record(
        actor=actor, action=AuditAction.ISSUE, obj=issued, reason="Issued an enrolment code"
    )
    return code


def issue_enrolment_code(*, by: User, user: User) -> str:
    """A new one-time code for `user` to set up an authenticator, shown once to the hub lead."""
    _require_lead(by)
    if not hub_roles_of(user):
        raise HubTeamError("Give this person a hub role first.")
    with transaction.atomic(using=DATABASE):
        return _issue_code(user, audit.actor_for(by), by.pk)


def needs_enrolment_code(user: User) -> bool:
    """Whether setting up an authenticator takes an enrolment code: for hub members."""
    return bool(user.is_authenticated and hub_roles_of(user))


def use_enrolment_code(user: User, code: str) -> bool:
    """Spend a code: true once for a right, unexpired, unused code issued to this person."""
    with transaction.atomic(using=DATABASE):
        issued = (
            EnrolmentCode.objects.using(DATABASE)
            .select_for_update()
            .filter(
                user_id=user.pk,
                code_hash=_hash(code),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if issued is None:
            return False
        issued.used_at = timezone.now()
        issued.save(using=DATABASE, update_fields=["used_at"])
        audit.record(
            actor=audit.actor_for(user),
            action=AuditAction.UPDATE,
            obj=issued,
            reason="Set up an authenticator with an enrolment code",
        )
    return True
