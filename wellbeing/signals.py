"""Keep each referral's outcome summary in step with its scores, assessments and onward
referrals (wellbeing.outcome_summaries, ADR 0042), in the transaction that changes them.

`bulk_create` sends no signal: the services that write scores that way call
`outcome_summaries.refresh` themselves, and the reports work out any summary still missing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wellbeing import outcome_summaries
from wellbeing.models import Assessment, OnwardReferral, Referral, ScreeningResult


@receiver([post_save, post_delete], sender=ScreeningResult)
@receiver([post_save, post_delete], sender=Assessment)
@receiver([post_save, post_delete], sender=OnwardReferral)
def refresh_the_referrals_outcome_summary(
    sender: type, instance: ScreeningResult | Assessment | OnwardReferral, **kwargs: Any
) -> None:
    origin = kwargs.get("origin")
    if isinstance(origin, Referral) or (isinstance(origin, QuerySet) and origin.model is Referral):
        # The referral itself is being deleted, and its summary with it: working it out again
        # here would add a row the deletion has already passed over.
        return
    outcome_summaries.refresh([instance.referral_id])
