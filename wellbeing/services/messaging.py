"""Secure messages on a referral: the hub writes to the member of staff, and they reply in my hub.

The message is encrypted in the confidential store; the email queued with it says only that
there is a message (wellbeing.services.outreach). Both directions use the lifecycle's locking
idiom (`changing`: the row locked, the state checked) and one double-submit guard,
`_just_sent`: the same text from the same author within `DUPLICATE_MESSAGE_WINDOW` (a double
click, a refresh that re-posts) returns the message already sent instead of adding another.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone

from portal.models import User
from portal.outbox.queueing import queue
from wellbeing import audit
from wellbeing.models import DATABASE, AuditAction, HubMessage, Referral
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.referral_states import NotAllowed, allows
from wellbeing.services import outreach
from wellbeing.services.referrals import audit_change, changing

DUPLICATE_MESSAGE_WINDOW = timedelta(seconds=30)


class ReferralIsClosed(NotAllowed):
    """The referral is closed or withdrawn: the hub is no longer reading messages on it."""


def _just_sent(
    referral: Referral, *, from_hub: bool, author_ref: str, body: str, now: datetime
) -> HubMessage | None:
    """The author's last message on this referral, if it is this one sent a moment ago."""
    last = (
        HubMessage.objects.using(DATABASE)
        .filter(
            referral=referral,
            from_hub=from_hub,
            author_ref=author_ref,
            sent_at__gte=now - DUPLICATE_MESSAGE_WINDOW,
        )
        .order_by("-sent_at", "-id")
        .first()
    )
    return last if last is not None and last.body == body else None


def do_send_hub_message(*, referral: Referral, acting_user: User, body: str) -> HubMessage:
    """Send the member of staff a secure message; they read it in my hub."""
    if not body.strip():
        raise NotAllowed("Write a message.")
    with changing(referral, "send a message") as locked:
        actor = audit.actor_for(acting_user)
        now = timezone.now()
        sent = _just_sent(locked, from_hub=True, author_ref=actor.ref, body=body, now=now)
        if sent is not None:
            return sent
        message = HubMessage.objects.using(DATABASE).create(
            referral=locked,
            from_hub=True,
            author_ref=actor.ref,
            author_name=actor.name[:80],
            body=body,
            sent_at=now,
        )
        audit_change(acting_user, locked, "Sent a message")
        queue(outreach.new_hub_message(message))
    return message


def do_reply(*, referral: Referral, acting_user: User, body: str) -> HubMessage:
    """Send the hub a message on the user's own open referral (ReferralIsClosed otherwise)."""
    own_ref = staff_ref_for(acting_user.pk)
    if referral.staff_ref != own_ref:
        raise Http404("No such referral")
    with changing(referral) as locked:
        if not allows(locked, "send a message"):
            raise ReferralIsClosed(referral.reference)
        now = timezone.now()
        sent = _just_sent(locked, from_hub=False, author_ref=own_ref, body=body, now=now)
        if sent is not None:
            return sent
        message = HubMessage.objects.using(DATABASE).create(
            referral=locked, from_hub=False, author_ref=own_ref, body=body, sent_at=now
        )
        audit.record_many(
            actor=audit.actor_for(acting_user),
            action=AuditAction.CREATE,
            objs=[message],
            reason="Replied in my hub",
        )
    return message
