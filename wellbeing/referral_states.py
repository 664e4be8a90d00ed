"""A referral's states and the moves between them: the one place that says what may happen next.

    new ──────────────► in_assessment ──────────► in_support
     │   claimed, or the    │   an assessment with     │
     │   first contact      │   any outcome but close  │
     ▼                      ▼                          ▼
    closed ◄────────────────┴──────────────────────────┘   (a clinician closes it, with a reason)
    withdrawn ◄── new, in_assessment or in_support          (the member of staff withdraws it)

Closed and withdrawn are final. A closed referral is not re-opened: if someone needs the hub
again they refer themselves again, so the new request gets its own screening, its own place in
the queue and its own rapid-assessment target, and the reports' "time to assessment" and
"outcomes" are never muddled by a referral that was closed and then picked up months later.
Closing asks for confirmation for that reason.

`OPEN_STATUSES` (the states the hub is still working in) is defined beside the model, so that
querysets can say `Referral.objects.open()`. `move(referral, to)` checks the table and changes the status in memory; the caller saves it
inside the transaction that locked the row. `require(referral, action)` checks that an action
which does not change the status (logging a session, sending a message) fits the referral's state.
"""

from __future__ import annotations

from portal.state_tables import Move, StateTable
from wellbeing.models import OPEN_STATUSES, Referral, ReferralStatus

NEW = ReferralStatus.NEW
IN_ASSESSMENT = ReferralStatus.IN_ASSESSMENT
IN_SUPPORT = ReferralStatus.IN_SUPPORT
CLOSED = ReferralStatus.CLOSED
WITHDRAWN = ReferralStatus.WITHDRAWN

# Every move, with why it happens in a clinician's words. The lifecycle
# (wellbeing.services.referrals) is the only code that moves a referral, and asks this table.
MOVES = StateTable(
    [
        Move(NEW, IN_ASSESSMENT, "a clinician takes it or makes first contact"),
        Move(NEW, CLOSED, "closed before an assessment (for example, no contact could be made)"),
        Move(NEW, WITHDRAWN, "the member of staff withdraws it"),
        Move(IN_ASSESSMENT, IN_SUPPORT, "the rapid assessment chose an outcome other than close"),
        Move(IN_ASSESSMENT, CLOSED, "closed at or before the rapid assessment"),
        Move(IN_ASSESSMENT, WITHDRAWN, "the member of staff withdraws it"),
        Move(IN_SUPPORT, CLOSED, "support has ended"),
        Move(IN_SUPPORT, WITHDRAWN, "the member of staff withdraws it"),
    ]
)

# What can be recorded in each state without changing it. Keys are the actions' names.
ACTIONS: dict[str, tuple[str, ...]] = {
    "record a contact attempt": OPEN_STATUSES,
    "record a rapid assessment": (NEW, IN_ASSESSMENT),
    # Urgency is about the rapid-assessment target (ADR 0026): it matters until the assessment.
    "mark urgent": (NEW, IN_ASSESSMENT),
    "add support": (IN_SUPPORT,),
    "log a therapy session": (IN_SUPPORT,),
    "book an appointment": (IN_SUPPORT,),
    "change an appointment": (IN_SUPPORT,),
    # What happened at an appointment that has passed is recorded even after closing.
    "record attendance": (IN_SUPPORT, CLOSED, WITHDRAWN),
    # The other service may reply after the hub has closed its part.
    "update an onward referral": (IN_SUPPORT, CLOSED),
    "send a message": OPEN_STATUSES,
    "close": OPEN_STATUSES,
}

# How a state reads in a refusal: "Referral RH-… is closed".
_STATE_WORDS: dict[str, str] = {
    NEW: "waiting for a rapid assessment",
    IN_ASSESSMENT: "being assessed",
    IN_SUPPORT: "receiving support",
    CLOSED: "closed",
    WITHDRAWN: "withdrawn by the member of staff",
}


class NotAllowed(Exception):
    """A move or action that the referral's state does not allow. `str()` is a plain message
    for the person who asked for it."""


def describe(status: str) -> str:
    return _STATE_WORDS.get(status, status)


def move(referral: Referral, to: str) -> None:
    """Change `referral.status` to `to` if the table allows it; NotAllowed otherwise.

    Only the in-memory object changes: the caller saves it in the transaction that locked it.
    """
    if not MOVES.allows(referral.status, to):
        raise NotAllowed(
            f"Referral {referral.reference} is {describe(referral.status)}, so it cannot be "
            f"{_target_words(to)}."
        )
    referral.status = to


def allows(referral: Referral, action: str) -> bool:
    """Whether `action` (a key of ACTIONS) can be done in the referral's state."""
    if action == "mark urgent" and referral.urgent:
        return False  # already is
    return referral.status in ACTIONS[action]


def require(referral: Referral, action: str) -> None:
    """NotAllowed unless `action` (a key of ACTIONS) can be done in the referral's state."""
    if action == "mark urgent" and referral.urgent:
        raise NotAllowed(f"Referral {referral.reference} is already urgent.")
    if not allows(referral, action):
        raise NotAllowed(
            f"Referral {referral.reference} is {describe(referral.status)}, so you cannot "
            f"{action} now."
        )


def _target_words(to: str) -> str:
    words: dict[str, str] = {
        NEW: "put back in the queue",
        IN_ASSESSMENT: "moved to assessment",
        IN_SUPPORT: "moved to support",
        CLOSED: "closed",
        WITHDRAWN: "withdrawn",
    }
    return words.get(to, f"moved to {to}")
