"""Remove Resilience Hub referrals closed or withdrawn longer ago than the retention period.

Run it weekly from cron on one machine (docs/operations.md). Each referral goes with everything
recorded about it; the audit log keeps one "deleted" entry per referral and everything before it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from wellbeing import audit
from wellbeing.models import (
    DATABASE,
    Assessment,
    AuditAction,
    ContactAttempt,
    FollowUp,
    HubMessage,
    OnwardReferral,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ScreeningResult,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)

BATCH = 200
# Who the audit log says removed them: no person, the retention schedule.
RETENTION = audit.Actor(ref="retention-schedule", role="System", name="Retention schedule")

# What goes with a referral, in the words the summary uses, and how each part finds it.
PARTS: tuple[tuple[str, type[Any], str], ...] = (
    ("questionnaire results", ScreeningResult, "referral"),
    ("timeline events", ReferralEvent, "referral"),
    ("messages", HubMessage, "referral"),
    ("contact attempts", ContactAttempt, "referral"),
    ("assessments", Assessment, "referral"),
    ("signposted resources", SignpostedResource, "referral"),
    ("therapy plans", TherapyPlan, "referral"),
    ("therapy sessions", TherapySession, "plan__referral"),
    ("onward referrals", OnwardReferral, "referral"),
    ("follow-ups", FollowUp, "referral"),
)


def due_for_removal(cutoff: datetime.datetime) -> QuerySet[Referral]:
    """Referrals closed or withdrawn before `cutoff`, with nothing recorded on them since.

    A referral is final once closed, but the service it was referred on to may still report
    back (wellbeing/referral_states.py); the period runs from the last thing recorded.
    """
    later_onward_news = OnwardReferral.objects.filter(
        referral=OuterRef("pk"), status_on__gte=timezone.localdate(cutoff)
    )
    return (
        Referral.objects.using(DATABASE)
        .alias(ended_at=Coalesce("closed_at", "withdrawn_at"))
        .filter(
            Q(status=ReferralStatus.CLOSED, closed_at__isnull=False)
            | Q(status=ReferralStatus.WITHDRAWN, withdrawn_at__isnull=False),
            ended_at__lt=cutoff,
            updated_at__lt=cutoff,
        )
        .exclude(Exists(later_onward_news))
    )


def parts_of(referral_ids: Sequence[int] | QuerySet[Referral, int]) -> dict[str, int]:
    return {
        words: model._default_manager.using(DATABASE)
        .filter(**{f"{lookup}__in": referral_ids})
        .count()
        for words, model, lookup in PARTS
    }


def remove_batch(cutoff: datetime.datetime, reason: str) -> int:
    """Remove up to BATCH referrals in one transaction, each with its audit entry."""
    with transaction.atomic(using=DATABASE):
        # Locked and checked again inside the transaction, so nothing recorded meanwhile is lost.
        referrals = list(
            due_for_removal(cutoff)
            .select_for_update(of=("self",))
            .only("id")
            .order_by("id")[:BATCH]
        )
        if not referrals:
            return 0
        audit.record_many(actor=RETENTION, action=AuditAction.DELETE, objs=referrals, reason=reason)
        Referral.objects.using(DATABASE).filter(pk__in=[r.pk for r in referrals]).delete()
    return len(referrals)


class Command(BaseCommand):
    help = (
        "Remove Resilience Hub referrals closed or withdrawn more than HUB_RETENTION_DAYS ago, "
        "with everything recorded about them (questionnaires, notes, messages, assessments, "
        "support, follow-ups). The audit log is kept and gets one 'deleted' entry per referral. "
        "The default period is 20 years, the Records Management Code of Practice 2021 "
        "(England) period for mental health records; set HUB_RETENTION_DAYS to your "
        "organisation's retention schedule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be removed, and remove nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        days = settings.HUB_RETENTION_DAYS
        if days < 1:
            raise CommandError("HUB_RETENTION_DAYS must be a number of days, at least 1.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        self.stdout.write(
            f"Retention period: {days} days; closed or withdrawn before "
            f"{timezone.localtime(cutoff):%d %B %Y}."
        )
        if dry_run:
            due = due_for_removal(cutoff).values_list("id", flat=True)
            self.stdout.write(f"Dry run: {due.count()} referrals would be removed, with:")
            for words, count in parts_of(due).items():
                self.stdout.write(f"  {count} {words}")
            self.stdout.write("Nothing was removed.")
            return
        reason = f"Removed after the retention period ({days} days)"
        removed = 0
        while batch := remove_batch(cutoff, reason):
            removed += batch
        self.stdout.write(
            self.style.SUCCESS(f"Removed {removed} referrals; the audit log records each one.")
        )
