"""Messages that could not be sent: what the hub lead and curators see, and trying them again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from portal.outbox import registry
from portal.outbox.errors import SendError, parse
from portal.outbox.models import OutboxMessageBase, Status
from portal.outbox.queueing import hand_off

# What each kind of error means to someone who does not read tracebacks. A row keeps only the
# error's type and status code (portal.outbox.errors): its text can hold an email address.
PROBLEMS = {
    "PermanentFailure": "The mail service refused it; trying again will not help unless the "
    "address or the settings change",
    "SMTPRecipientsRefused": "The mail server refused the address",
    "SMTPServerDisconnected": "The mail server hung up",
    "SMTPAuthenticationError": "The portal could not sign in to the mail server",
    "TimeoutError": "The mail service did not answer in time",
    "ConnectionRefusedError": "The mail service could not be reached",
    "OSError": "The mail service could not be reached",
    "HTTPError": "GOV.UK Notify could not send it",
    "HTTP503Error": "GOV.UK Notify was unavailable",
}


@dataclass(frozen=True)
class FailedMessage:
    """One failed row as the failures page shows it: never its recipient or its error text."""

    pk: int
    kind: str
    created_at: datetime
    attempts: int
    error: SendError

    @property
    def problem(self) -> str:
        if self.error.type.startswith("SMTP") and self.error.temporary:
            return "The mail server asked for it to be sent later, and refused it at every attempt"
        if self.error.type.startswith("SMTP") and self.error.type not in PROBLEMS:
            return "The mail server did not accept it"
        return PROBLEMS.get(self.error.type, "Something went wrong while sending it")


def failed(label: str) -> QuerySet[OutboxMessageBase]:
    """Failed messages, newest first; only the fields the page needs (no recipient)."""
    outbox = registry.get(label)
    return (
        outbox.messages()
        .filter(status=Status.FAILED)
        .only("pk", "template", "context", "created_at", "attempts", "last_error")
        .order_by("-created_at", "-pk")
    )


def kind_of(message: OutboxMessageBase) -> str:
    """A readable name for a message: its subject line, which never holds personal detail."""
    context = {**message.context, "service_name": "", "link": "", "unsubscribe_link": ""}
    try:
        subject = render_to_string(f"emails/{message.template}.subject.txt", context)
    except TemplateDoesNotExist:
        return message.template
    return " ".join(subject.split()) or message.template


def describe(message: OutboxMessageBase) -> FailedMessage:
    return FailedMessage(
        pk=message.pk,
        kind=kind_of(message),
        created_at=message.created_at,
        attempts=message.attempts,
        error=parse(message.last_error),
    )


def do_retry_failed(*, label: str, message_id: int) -> bool:
    """Send a failed message again from scratch; False if it is not (or no longer) failed."""
    outbox = registry.get(label)
    now = timezone.now()
    with transaction.atomic(using=outbox.database):
        changed = (
            outbox.messages()
            .filter(pk=message_id, status=Status.FAILED)
            .update(
                status=Status.PENDING,
                attempts=0,
                due_at=now,
                enqueued_at=now,
                claim_token=None,
                claimed_at=None,
                last_error="",
            )
        )
        if changed:
            transaction.on_commit(lambda: hand_off(label, [message_id]), using=outbox.database)
    return bool(changed)
