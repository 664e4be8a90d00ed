"""Secure messages on a referral: the hub writes to the member of staff, and they reply in my hub.

The message is encrypted in the confidential store; the email queued with it says only that
there is a message (wellbeing.services.outreach). Both directions use the lifecycle's locking
idiom (`changing`: the row locked, the state checked). A double click or a refresh is caught
by the form's one-time key in the view (portal.submission_keys), so the same words sent twice
on purpose are two messages.
"""

from __future__ import annotations

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


class ReferralIsClosed(NotAllowed):
    """The referral is closed or withdrawn: the hub is no longer reading messages on it."""


def do_send_hub_message(*, referral: Referral, acting_user: User, body: str) -> HubMessage:
    """Send the member of staff a secure message; they read it in my hub."""
    if not body.strip():
        raise NotAllowed("Write a message.")
    with changing(referral, "send a message") as locked:
        actor = audit.actor_for(acting_user)
        now = timezone.now()
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
