"""The referral's states: every pair of states is either an allowed move or refused plainly."""

from __future__ import annotations

import itertools

import pytest

from wellbeing import referral_states
from wellbeing.models import Referral, ReferralStatus
from wellbeing.referral_states import NotAllowed, move, require

S = ReferralStatus
ALLOWED = {
    (S.NEW, S.IN_ASSESSMENT),
    (S.NEW, S.CLOSED),
    (S.NEW, S.WITHDRAWN),
    (S.IN_ASSESSMENT, S.IN_SUPPORT),
    (S.IN_ASSESSMENT, S.CLOSED),
    (S.IN_ASSESSMENT, S.WITHDRAWN),
    (S.IN_SUPPORT, S.CLOSED),
    (S.IN_SUPPORT, S.WITHDRAWN),
}
EVERY_PAIR = list(itertools.product(S.values, repeat=2))


def a_referral(status: str) -> Referral:
    # Not saved: move() changes only the object in memory.
    return Referral(reference="RH-TEST-0001", status=status)


@pytest.mark.parametrize(("start", "end"), sorted(ALLOWED))
def test_an_allowed_move_changes_the_status(start, end):
    referral = a_referral(start)
    move(referral, end)
    assert referral.status == end


@pytest.mark.parametrize(("start", "end"), [pair for pair in EVERY_PAIR if pair not in ALLOWED])
def test_every_other_move_is_refused_with_a_plain_message_and_changes_nothing(start, end):
    referral = a_referral(start)
    with pytest.raises(NotAllowed) as refusal:
        move(referral, end)
    assert referral.status == start
    message = str(refusal.value)
    assert message.startswith("Referral RH-TEST-0001 is ")
    assert referral_states.describe(start) in message
    assert "cannot be" in message


def test_a_closed_referral_is_never_reopened():
    for end in S.values:
        assert not referral_states.MOVES.allows(S.CLOSED, end)
        assert not referral_states.MOVES.allows(S.WITHDRAWN, end)


def test_withdrawing_is_allowed_from_every_open_state_and_only_those():
    assert set(referral_states.MOVES.sources_of(S.WITHDRAWN)) == {
        S.NEW,
        S.IN_ASSESSMENT,
        S.IN_SUPPORT,
    }
    assert {s for s in S.values if a_referral(s).is_open} == {S.NEW, S.IN_ASSESSMENT, S.IN_SUPPORT}


@pytest.mark.parametrize(
    ("action", "allowed_in"),
    [
        ("record a contact attempt", {S.NEW, S.IN_ASSESSMENT, S.IN_SUPPORT}),
        ("record a rapid assessment", {S.NEW, S.IN_ASSESSMENT}),
        ("add support", {S.IN_SUPPORT}),
        ("log a therapy session", {S.IN_SUPPORT}),
        ("update an onward referral", {S.IN_SUPPORT, S.CLOSED}),
        ("send a message", {S.NEW, S.IN_ASSESSMENT, S.IN_SUPPORT}),
        ("close", {S.NEW, S.IN_ASSESSMENT, S.IN_SUPPORT}),
    ],
)
def test_each_action_is_allowed_only_in_its_states(action, allowed_in):
    for status in S.values:
        referral = a_referral(status)
        if status in allowed_in:
            require(referral, action)
        else:
            with pytest.raises(NotAllowed, match=f"so you cannot {action} now"):
                require(referral, action)
