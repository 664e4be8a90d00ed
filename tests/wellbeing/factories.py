"""factory_boy factories for the Resilience Hub's confidential records."""

from __future__ import annotations

import uuid

import factory
from django.db import transaction
from django.utils import timezone

from portal.models import User
from tests.factories import UserFactory
from wellbeing.audit import Actor, record
from wellbeing.models import HubMessage, Referral, ReferralEvent, ReferralEventKind, ScreeningResult
from wellbeing.pseudonyms import staff_ref_for


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        database = "confidential"

    reference = factory.Sequence(lambda n: f"RH-TEST-{n:04d}")
    staff_ref = factory.Sequence(lambda n: staff_ref_for(100_000 + n))
    submission_key = factory.LazyFunction(uuid.uuid4)
    name = "Alex Example-Person"
    phone = "07700 900123"
    email = "alex.example@test.nhs.net"
    whats_happening = "I have not been sleeping since a difficult shift on the ward."
    hoped_for_help = "Someone to talk to."
    organisation = "Test Hospital NHS Foundation Trust"
    staff_group = "nursing_midwifery_registered"
    consented_at = factory.LazyFunction(timezone.now)


class ScreeningResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningResult
        database = "confidential"

    referral = factory.SubFactory(ReferralFactory)
    instrument = "GAD-7"
    answers = [1, 1, 1, 1, 1, 1, 1]
    total = 7
    band = "mild"


CLINICIAN = Actor(ref="c" * 64, role="Hub clinician", name="Casey Clinician")


class ReferralEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralEvent
        database = "confidential"

    referral = factory.SubFactory(ReferralFactory)
    kind = ReferralEventKind.RECEIVED
    at = factory.LazyFunction(timezone.now)


class HubMessageFactory(factory.django.DjangoModelFactory):
    """A message from the hub; `from_hub=False, author_ref=staff_ref_for(user.pk)` for a reply."""

    class Meta:
        model = HubMessage
        database = "confidential"

    referral = factory.SubFactory(ReferralFactory)
    from_hub = True
    author_ref = CLINICIAN.ref
    author_name = "Casey Clinician"
    body = "Hello, I am Casey from the Resilience Hub. When is a good time to call you?"
    sent_at = factory.LazyFunction(timezone.now)


def a_staff_member() -> User:
    return UserFactory(with_profile=True)


def a_referral_for(user: User, **fields: object) -> Referral:
    fields.setdefault("owner_key", str(user.pk))
    referral: Referral = ReferralFactory(staff_ref=staff_ref_for(user.pk), **fields)
    return referral


def a_hub_member_opens(
    obj: object, *, actor: Actor = CLINICIAN, action: str = "read", reason: str = "Rapid assessment"
) -> None:
    with transaction.atomic(using="confidential"):
        record(actor=actor, action=action, obj=obj, reason=reason)  # type: ignore[arg-type]
