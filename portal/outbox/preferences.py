"""People's choices about email: one opt-out per outbox, person and category."""

from __future__ import annotations

from portal.outbox import registry
from portal.outbox.models import OutboxMessageBase


def message_for(label: str, message_id: int) -> OutboxMessageBase | None:
    try:
        outbox = registry.get(label)
    except KeyError:
        return None
    return (
        outbox.message_model._default_manager.using(outbox.database).filter(pk=message_id).first()
    )


def is_opted_out(label: str, recipient_ref: str, category: str) -> bool:
    outbox = registry.get(label)
    return (
        outbox.opt_out_model._default_manager.using(outbox.database)
        .filter(recipient_ref=recipient_ref, category=category)
        .exists()
    )


def opt_out(label: str, recipient_ref: str, category: str) -> None:
    """Record the choice; doing it twice changes nothing."""
    outbox = registry.get(label)
    if not outbox.category(category).opt_out or not recipient_ref:
        return
    outbox.opt_out_model._default_manager.using(outbox.database).get_or_create(
        recipient_ref=recipient_ref, category=category
    )


def opt_in(label: str, recipient_ref: str, category: str) -> None:
    outbox = registry.get(label)
    outbox.opt_out_model._default_manager.using(outbox.database).filter(
        recipient_ref=recipient_ref, category=category
    ).delete()
