"""factory_boy factories for the Resilience Hub's confidential records."""

from __future__ import annotations

import uuid

import factory
from django.utils import timezone

from wellbeing.models import Referral, ScreeningResult
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
