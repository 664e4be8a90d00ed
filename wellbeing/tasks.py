"""Background tasks of the Resilience Hub. They take ids, never content, and their emails carry
no clinical detail and no names: a Celery message or an inbox is not the confidential store."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from wellbeing.models import Referral, ReferralDraft

DATABASE = "confidential"
logger = logging.getLogger(__name__)

URGENT_ALERT_SUBJECT = "Urgent self-referral waiting in the Resilience Hub queue"
URGENT_ALERT_BODY = (
    "An urgent self-referral is waiting in the Resilience Hub queue. Sign in to see it.\n\n{link}\n"
)


@shared_task(
    name="wellbeing.alert_hub_of_urgent_referral",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=8,
)
def alert_hub_of_urgent_referral(referral_id: int) -> bool:
    """Tell the hub's duty inbox that an urgent referral is waiting: no name, no content.

    Returns whether an email was sent. Nothing is sent for a referral that is no longer urgent
    or no longer exists.
    """
    if not Referral.objects.using(DATABASE).filter(pk=referral_id, urgent=True).exists():
        return False
    if not settings.HUB_DUTY_EMAIL:
        logger.error(
            "HUB_DUTY_EMAIL is not set, so the duty alert for an urgent referral was not sent"
        )
        return False
    link = settings.PORTAL_URL.rstrip("/") + reverse("home")
    send_mail(
        URGENT_ALERT_SUBJECT,
        URGENT_ALERT_BODY.format(link=link),
        None,
        [settings.HUB_DUTY_EMAIL],
    )
    return True


@shared_task(name="wellbeing.purge_expired_drafts")
def purge_expired_drafts() -> int:
    """Delete self-referral drafts past their expiry; returns how many went."""
    deleted, _by_model = (
        ReferralDraft.objects.using(DATABASE).filter(expires_at__lte=timezone.now()).delete()
    )
    return deleted
