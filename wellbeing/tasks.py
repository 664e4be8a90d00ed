"""Background tasks of the Resilience Hub. They take ids, never content; what they send goes
through the outbox (portal/outbox/), whose emails carry links and no clinical detail."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from portal.outbox.queueing import queue
from wellbeing import audit_anchors
from wellbeing.models import DATABASE, ReferralDraft
from wellbeing.services import outreach


@shared_task(name="wellbeing.nudge_assessment_targets")
def nudge_assessment_targets() -> int:
    """Queue nudges for routine referrals near or past the rapid-assessment target; once per
    stage."""
    with transaction.atomic(using=DATABASE):
        messages = outreach.assessment_target_nudges()
        queue(messages)
    return len(messages)


@shared_task(name="wellbeing.chase_urgent_targets")
def chase_urgent_targets() -> int:
    """Queue nudges and duty alerts for urgent referrals near or past their target in hours;
    run every few minutes on every day. Once per referral, stage and person."""
    with transaction.atomic(using=DATABASE):
        messages = outreach.urgent_target_chases()
        queue(messages)
    return len(messages)


@shared_task(name="wellbeing.invite_follow_ups")
def invite_follow_ups() -> int:
    """Queue re-screening invitations that are due, and the first reminder a week later."""
    with transaction.atomic(using=DATABASE):
        messages = outreach.follow_up_invitations()
        queue(messages)
    return len(messages)


@shared_task(name="wellbeing.remind_follow_ups_again")
def remind_follow_ups_again() -> int:
    """Queue the second and last reminder of check-ins not answered a week after the first."""
    with transaction.atomic(using=DATABASE):
        messages = outreach.follow_up_second_reminders()
        queue(messages)
    return len(messages)


@shared_task(name="wellbeing.remind_team_sessions")
def remind_team_sessions() -> int:
    """Queue reminders to team leads for sessions on the next working day."""
    with transaction.atomic(using=DATABASE):
        messages = outreach.team_session_reminders()
        queue(messages)
    return len(messages)


@shared_task(name="wellbeing.remind_appointments")
def remind_appointments(on: str | None = None) -> int:
    """Queue reminders to staff of therapy appointments on the next working day; once per
    appointment and time. `on` (YYYY-MM-DD, default today) lets an operator run a missed day
    again; it carries a date, nothing about anyone."""
    today = datetime.date.fromisoformat(on) if on else None
    with transaction.atomic(using=DATABASE):
        messages = outreach.appointment_reminders(today)
        queue(messages)
    return len(messages)


@shared_task(name="wellbeing.purge_expired_drafts")
def purge_expired_drafts() -> int:
    """Delete self-referral drafts past their expiry; returns how many went."""
    deleted, _by_model = (
        ReferralDraft.objects.using(DATABASE).filter(expires_at__lte=timezone.now()).delete()
    )
    return deleted


@shared_task(name="wellbeing.anchor_audit_chain")
def anchor_audit_chain() -> int:
    """Record the audit chain's length and head MAC outside the confidential database; fails
    (and so shows in the worker's log) when the chain no longer reaches the last anchor."""
    return audit_anchors.record_anchor().entry_count
