"""Which outboxes exist, where they live, and the categories of email each one sends.

Apps register in their AppConfig.ready, so the portal can sweep, send and unsubscribe for all
of them without importing any (learning never imports wellbeing, and the core imports neither).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from celery import current_app

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.outbox.models import OptOutBase, OutboxMessageBase


@dataclass(frozen=True)
class Category:
    """A kind of email a person can choose not to get.

    `label` completes "emails about ...". A category with `opt_out=False` goes to team inboxes
    only (the hub's duty alert), never to a person; only `capped` categories count towards,
    and wait for, the daily cap.
    """

    key: str
    label: str
    opt_out: bool = True
    # Outreach counts towards the daily cap per person; replies and work reminders do not.
    capped: bool = False


@dataclass(frozen=True)
class Outbox:
    label: str
    database: str
    message_model: type[OutboxMessageBase]
    opt_out_model: type[OptOutBase]
    ref_for_user: Callable[[int], str]
    categories: dict[str, Category] = field(default_factory=dict)

    def category(self, key: str) -> Category:
        return self.categories[key]

    def messages(self) -> QuerySet[OutboxMessageBase]:
        """This outbox's message rows, in its own database."""
        return self.message_model._default_manager.using(self.database)

    def opt_outs(self) -> QuerySet[OptOutBase]:
        """This outbox's opt-outs, in its own database."""
        return self.opt_out_model._default_manager.using(self.database)


_OUTBOXES: dict[str, Outbox] = {}


def register(outbox: Outbox) -> None:
    _OUTBOXES[outbox.label] = outbox


def get(label: str) -> Outbox:
    return _OUTBOXES[label]


def all_outboxes() -> list[Outbox]:
    return list(_OUTBOXES.values())


def for_model(model: type[OutboxMessageBase]) -> Outbox:
    for outbox in _OUTBOXES.values():
        if outbox.message_model is model:
            return outbox
    raise LookupError(f"{model.__name__} is not a registered outbox")


# The Celery task that sends a batch (portal.outbox.tasks), found by its name: delivery retries
# through it and queueing hands batches to it, while the task module imports both of them. By
# name, the three form no import loop.
DELIVER_TASK = "portal.outbox.deliver"


def deliver_task() -> Any:
    """The registered `portal.outbox.deliver` task (portal.apps imports the task module)."""
    return current_app.tasks[DELIVER_TASK]
