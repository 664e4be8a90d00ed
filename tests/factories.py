"""factory_boy factories for the portal's models."""

from __future__ import annotations

from typing import Any

import factory
import pyotp
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group

from portal import roles as portal_roles
from portal.models import CaringFrequency, StaffGroup, StaffProfile, User
from wellbeing.models import DATABASE, HubMembership

PASSWORD = "a-long-test-password-2026"


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    display_name = factory.Faker("name", locale="en_GB")
    staff_group = StaffGroup.NURSING_MIDWIFERY_REGISTERED
    job_title = "Staff nurse"
    organisation = "Test Hospital NHS Foundation Trust"
    site = "Main site"
    is_clinical = True
    cares_for_both = CaringFrequency.SOMETIMES


class UserFactory(factory.django.DjangoModelFactory):
    """A member of staff with a verified work email address.

    `UserFactory(with_profile=True, roles=["Hub clinician"], with_totp=True)`
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@test.nhs.net")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def with_profile(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            StaffProfileFactory(user=self)

    @factory.post_generation
    def roles(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Back-office roles as groups; hub roles as the hub holds them (as if a hub lead had
        given them on the team page, without the audit entry and email that page writes)."""
        if create and extracted:
            for name in extracted:
                if name in portal_roles.HUB_ROLES:
                    HubMembership.objects.using(DATABASE).create(user_id=self.pk, role=name)
                else:
                    self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def with_totp(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            TOTP.activate(self, generate_totp_secret())


def totp_for(user: User) -> pyotp.TOTP:
    """The authenticator app a user set up: `totp_for(user).now()` is a valid code."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return pyotp.TOTP(decrypt(authenticator.data["secret"]))
