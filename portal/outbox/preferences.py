"""People's choices about email: one opt-out per outbox, person and category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from portal import roles
from portal.outbox import registry
from portal.outbox.models import OutboxMessageBase
from portal.rules import role_names

if TYPE_CHECKING:
    from portal.models import User

# Categories sent only to people in a role, so only they see them in their email preferences;
# a category not named here can reach any member of staff.
ROLES_FOR_CATEGORY: dict[str, frozenset[str]] = {
    "hub_work": frozenset({roles.HUB_CLINICIAN, roles.HUB_LEAD}),
    "team_support": frozenset({roles.TEAM_LEAD}),
    "curator_reminders": frozenset({roles.CURATOR}),
}


def message_for(label: str, message_id: int) -> OutboxMessageBase | None:
    try:
        outbox = registry.get(label)
    except KeyError:
        return None
    return outbox.messages().filter(pk=message_id).first()


def is_opted_out(label: str, recipient_ref: str, category: str) -> bool:
    outbox = registry.get(label)
    return outbox.opt_outs().filter(recipient_ref=recipient_ref, category=category).exists()


def opt_out(label: str, recipient_ref: str, category: str) -> None:
    """Record the choice; doing it twice changes nothing."""
    outbox = registry.get(label)
    if not outbox.category(category).opt_out or not recipient_ref:
        return
    outbox.opt_outs().get_or_create(recipient_ref=recipient_ref, category=category)


# --- The email preferences page ------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One category a person may turn off, named across outboxes as "<outbox>:<category>"."""

    outbox: str
    category: registry.Category

    @property
    def key(self) -> str:
        return f"{self.outbox}:{self.category.key}"


def choices_for(user: User) -> list[Choice]:
    """Every category of email that can reach this person and that they may turn off."""
    held = role_names(user)
    return [
        Choice(outbox.label, category)
        for outbox in registry.all_outboxes()
        for category in outbox.categories.values()
        if category.opt_out
        and (category.key not in ROLES_FOR_CATEGORY or ROLES_FOR_CATEGORY[category.key] & held)
    ]


def _by_outbox(choices: Iterable[Choice]) -> dict[str, list[Choice]]:
    grouped: dict[str, list[Choice]] = defaultdict(list)
    for choice in choices:
        grouped[choice.outbox].append(choice)
    return grouped


def wanted_by(user: User, choices: list[Choice]) -> set[str]:
    """The keys of the choices this person has not turned off: one query per outbox."""
    wanted = {choice.key for choice in choices}
    for label in _by_outbox(choices):
        outbox = registry.get(label)
        refused = (
            outbox.opt_outs()
            .filter(recipient_ref=outbox.ref_for_user(user.pk))
            .values_list("category", flat=True)
        )
        wanted -= {f"{label}:{category}" for category in refused}
    return wanted


def do_save_email_choices(*, user: User, choices: list[Choice], wanted: set[str]) -> None:
    """Opt the person in to the choices in `wanted` and out of the rest of `choices`."""
    for label, in_outbox in _by_outbox(choices).items():
        outbox = registry.get(label)
        ref = outbox.ref_for_user(user.pk)
        opt_outs = outbox.opt_outs()
        refused = [c.category.key for c in in_outbox if c.key not in wanted]
        with transaction.atomic(using=outbox.database):
            opt_outs.filter(recipient_ref=ref).exclude(category__in=refused).filter(
                category__in=[c.category.key for c in in_outbox]
            ).delete()
            opt_outs.bulk_create(
                [outbox.opt_out_model(recipient_ref=ref, category=key) for key in refused],
                ignore_conflicts=True,
            )
