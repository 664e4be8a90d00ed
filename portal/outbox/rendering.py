"""Turning an outbox row into the email a person reads.

Templates live in templates/emails/<template>.subject.txt and .txt. They get the row's context
(links and counts, never clinical detail), an absolute `link`, and the `unsubscribe_link`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from portal.outbox import unsubscribe
from portal.outbox.registry import Outbox

from .models import OutboxMessageBase


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    unsubscribe_url: str  # empty for team inboxes
    reference: str
    template: str


def absolute(path: str) -> str:
    return str(settings.PORTAL_URL).rstrip("/") + path


def render(outbox: Outbox, message: OutboxMessageBase, to: str) -> Email:
    category = outbox.category(message.category)
    unsubscribe_url = (
        absolute(unsubscribe.path_for(outbox.label, message.pk)) if category.opt_out else ""
    )
    context = {
        **message.context,
        "link": absolute(message.context.get("path", "/")),
        "unsubscribe_link": unsubscribe_url,
        "category": category,
        "service_name": settings.SERVICE_NAME,
    }
    subject = render_to_string(f"emails/{message.template}.subject.txt", context)
    body = render_to_string(f"emails/{message.template}.txt", context)
    return Email(
        to=to,
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        unsubscribe_url=unsubscribe_url,
        reference=message.idempotency_key,
        template=message.template,
    )
