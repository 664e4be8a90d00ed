"""Demo accounts for development: one per role, with known passwords and TOTP secrets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group
from django.db import transaction

from portal import roles
from portal.models import CaringFrequency, StaffGroup, StaffProfile, User


@dataclass(frozen=True)
class DemoSection:
    """What one app's demo step made, as `seed_demo` prints it: a heading and its lines."""

    heading: str
    lines: Sequence[str]


# An app's demo step: `<app>.demo.seed`, named in settings.DEMO_STEPS and run by `seed_demo`
# after the accounts. The core names the steps by string so that it imports neither app.
DemoStep = Callable[[], Sequence[DemoSection]]

DEMO_PASSWORD = "demo-Mind-and-Body-2026"  # noqa: S105 - published on purpose, development only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str | None
    staff_group: str
    job_title: str
    is_clinical: bool
    cares_for_both: str
    superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        "staff@demo.nhs.net",
        "Sam Staff",
        None,
        StaffGroup.NURSING_MIDWIFERY_REGISTERED,
        "Staff nurse, acute medical unit",
        True,
        CaringFrequency.SOMETIMES,
    ),
    DemoAccount(
        "curator@demo.nhs.net",
        "Chris Curator",
        roles.CURATOR,
        StaffGroup.ADMINISTRATIVE_CLERICAL,
        "Learning and development lead",
        False,
        CaringFrequency.NEVER,
    ),
    DemoAccount(
        "teamlead@demo.nhs.net",
        "Taylor Teamlead",
        roles.TEAM_LEAD,
        StaffGroup.ALLIED_HEALTH_PROFESSIONALS,
        "Physiotherapy team lead",
        True,
        CaringFrequency.REGULARLY,
    ),
    DemoAccount(
        "clinician@demo.nhs.net",
        "Casey Clinician",
        roles.HUB_CLINICIAN,
        StaffGroup.ADD_PROF_SCIENTIFIC_TECHNICAL,
        "Clinical psychologist, Resilience Hub",
        True,
        CaringFrequency.REGULARLY,
    ),
    DemoAccount(
        "hublead@demo.nhs.net",
        "Harper Hublead",
        roles.HUB_LEAD,
        StaffGroup.MEDICAL_DENTAL,
        "Consultant psychiatrist, Resilience Hub lead",
        True,
        CaringFrequency.REGULARLY,
    ),
    DemoAccount(
        "researcher@demo.nhs.net",
        "Robin Researcher",
        roles.HUB_RESEARCHER,
        StaffGroup.ADD_PROF_SCIENTIFIC_TECHNICAL,
        "Service evaluation researcher, Resilience Hub",
        False,
        CaringFrequency.NEVER,
    ),
    DemoAccount(
        "admin@demo.nhs.net",
        "Alex Admin",
        None,
        StaffGroup.ADMINISTRATIVE_CLERICAL,
        "Portal administrator",
        False,
        CaringFrequency.NEVER,
        superuser=True,
    ),
)

DEMO_ORGANISATION = "Demo Health and Care Partnership (sample data)"


@dataclass(frozen=True)
class SeededAccount:
    email: str
    role: str
    totp_secret: str | None


def _totp_secret_for(user: User) -> str:
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing:
        secret: str = decrypt(existing.data["secret"])
        return secret
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


@transaction.atomic
def seed_demo_accounts() -> list[SeededAccount]:
    """Create (or refresh) the demo accounts. Safe to run any number of times."""
    seeded = []
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(email=account.email)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = account.superuser
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        # Hub roles are given by the hub's own demo step (wellbeing.demo), as the hub holds them.
        if account.role in roles.GROUP_ROLES:
            user.groups.add(Group.objects.get(name=account.role))
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": account.display_name,
                "staff_group": account.staff_group,
                "job_title": account.job_title,
                "organisation": DEMO_ORGANISATION,
                "site": "Main site",
                "is_clinical": account.is_clinical,
                "cares_for_both": account.cares_for_both,
            },
        )
        needs_mfa = account.superuser or account.role in roles.MFA_REQUIRED_ROLES
        secret = _totp_secret_for(user) if needs_mfa else None
        role = "Superuser" if account.superuser else (account.role or "Staff")
        seeded.append(SeededAccount(account.email, role, secret))
    return seeded
