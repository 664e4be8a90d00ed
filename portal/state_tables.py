"""The one shape of a state table: which moves a record may make, and who or what makes each.

Three records have a lifecycle: a referral (wellbeing.referral_states), a team request
(wellbeing.services.team_support) and a learning resource (learning's curation workflow). Each
writes its moves as data in this shape, so a reader learns one way of reading them and a service
asks the table, never an `if` of its own, whether a move is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Move:
    """One move from `source` to `target`. `label` is its words (a button, or why it happens);
    `by` says who makes it where more than one party can move the record."""

    source: str
    target: str
    label: str
    by: str = ""


class StateTable:
    """Every move a record can make, in the order a page offers them. A move not listed is
    refused."""

    def __init__(self, moves: Iterable[Move]) -> None:
        self.moves: tuple[Move, ...] = tuple(moves)

    def find(self, source: str, target: str, *, by: str | None = None) -> Move | None:
        """The move from `source` to `target` (made by `by`, when given), or None."""
        return next(
            (
                move
                for move in self.moves
                if move.source == source and move.target == target and (by is None or move.by == by)
            ),
            None,
        )

    def allows(self, source: str, target: str, *, by: str | None = None) -> bool:
        return self.find(source, target, by=by) is not None

    def moves_from(self, source: str, *, by: str | None = None) -> list[Move]:
        """The moves a record in `source` can make (by `by`, when given), in table order."""
        return [m for m in self.moves if m.source == source and (by is None or m.by == by)]

    def sources_of(self, target: str) -> tuple[str, ...]:
        """Every state with a move to `target`: the filter of a conditional update."""
        return tuple(dict.fromkeys(m.source for m in self.moves if m.target == target))
