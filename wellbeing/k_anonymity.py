"""k-anonymity for the research extract: no combination of quasi-identifiers names fewer than k
rows (Sweeney L. k-anonymity: a model for protecting privacy. Int J Uncertain Fuzziness
Knowl-Based Syst. 2002;10(5):557-570).

Pure Python, like `portal.suppression`: no Django, so the rule is tested on its own. The
caller gives a ladder of generalisations, mildest first (ADR 0041 says which and why). Rungs are
tried in order, over and over while any helps:

- a rung that coarsens a hierarchy (a month into its quarter) is applied to every row whose
  value falls in the same coarser value as a rare row's, so the rare row can join its
  neighbours: all of July, August and September become "Q3" together, other quarters keep
  their months;
- a rung that withholds a value ("Not given") is applied to the rare rows only, which then join
  those who did not answer;
- a rung is kept only if it leaves fewer rows in rare combinations, or as many in fewer
  combinations (rare rows merging, which a later rung may lift to k); otherwise it is undone.

Rows still in a combination shared by fewer than k rows when no rung helps are dropped. Classes
only ever merge, so a combination already shared by k rows never falls below k. The result
counts the rows released with a value changed and the rows dropped, so the extract can say so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Anonymised", "Generalisation", "anonymise", "small_combinations"]

Row = dict[str, str]


@dataclass(frozen=True)
class Generalisation:
    """One rung of the ladder: make `column` less precise, e.g. a month into its quarter."""

    column: str
    description: str
    generalise: Callable[[str], str]
    # True: every row whose value coarsens to the same value as a rare row's (a hierarchy).
    # False: the rare rows only (withholding a value).
    whole_group: bool = True


@dataclass(frozen=True)
class Anonymised:
    rows: list[Row]
    # Rows released with at least one value made less precise, and rows left out.
    generalised: int
    dropped: int


def _key(row: Mapping[str, str], quasi_identifiers: Sequence[str]) -> tuple[str, ...]:
    return tuple(row[column] for column in quasi_identifiers)


def small_combinations(
    rows: Sequence[Mapping[str, str]], quasi_identifiers: Sequence[str], k: int
) -> dict[tuple[str, ...], int]:
    """The combinations of quasi-identifiers that fewer than k rows share, with their counts."""
    counts = Counter(_key(row, quasi_identifiers) for row in rows)
    return {key: count for key, count in counts.items() if count < k}


def _rare_rows(
    rows: Sequence[Mapping[str, str]], quasi_identifiers: Sequence[str], k: int
) -> tuple[list[int], int]:
    """The rows in combinations shared by fewer than k rows, and how many such combinations."""
    small = small_combinations(rows, quasi_identifiers, k)
    return [i for i, row in enumerate(rows) if _key(row, quasi_identifiers) in small], len(small)


def _rows_to_change(rung: Generalisation, rows: Sequence[Row], rare: Sequence[int]) -> list[int]:
    column, generalise = rung.column, rung.generalise
    if not rung.whole_group:
        return [i for i in rare if generalise(rows[i][column]) != rows[i][column]]
    targets = {generalise(rows[i][column]) for i in rare}
    return [
        i
        for i, row in enumerate(rows)
        if generalise(row[column]) in targets and generalise(row[column]) != row[column]
    ]


def anonymise(
    rows: Sequence[Mapping[str, str]],
    *,
    quasi_identifiers: Sequence[str],
    ladder: Sequence[Generalisation],
    k: int,
) -> Anonymised:
    """The rows, generalised and then dropped, until every combination of `quasi_identifiers`
    is shared by at least `k` of them. The input is not changed."""
    if k < 1:
        raise ValueError("k must be at least 1")
    unknown = {rung.column for rung in ladder} - set(quasi_identifiers)
    if unknown:
        raise ValueError(f"Generalisations of columns that are not quasi-identifiers: {unknown}")
    original = [dict(row) for row in rows]
    working = [dict(row) for row in rows]
    rare, rare_combinations = _rare_rows(working, quasi_identifiers, k)
    helped = True
    while rare and helped:
        helped = False
        for rung in ladder:
            if not rare:
                break
            changing = _rows_to_change(rung, working, rare)
            if not changing:
                continue
            before = {i: working[i][rung.column] for i in changing}
            for i in changing:
                working[i][rung.column] = rung.generalise(before[i])
            still_rare, combinations = _rare_rows(working, quasi_identifiers, k)
            # Progress: fewer rare rows, or as many in fewer combinations (rare rows merging,
            # which a later step may lift to k).
            if (len(still_rare), combinations) < (len(rare), rare_combinations):
                rare, rare_combinations, helped = still_rare, combinations, True
            else:
                for i, value in before.items():
                    working[i][rung.column] = value
    dropped = set(rare)
    kept = [i for i in range(len(working)) if i not in dropped]
    return Anonymised(
        rows=[working[i] for i in kept],
        generalised=sum(1 for i in kept if working[i] != original[i]),
        dropped=len(dropped),
    )
