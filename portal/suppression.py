"""Small-number suppression for the portal's reports: pure functions, no database.

Here in the core, not in the hub, so the hub's reports and the learning impact report apply the
same rules while learning never imports wellbeing (ADR 0015, ADR 0021, ADR 0034).

The rules, as NHS statistical publications apply them:

- **Primary.** A count from 1 to 4 shows as "<5". Zero shows as 0: knowing that nobody in a
  group was referred says nothing about a person, and hiding zeros would hide most of a small
  hub's tables for no benefit.
- **Secondary.** Where a table shows a total, a hidden count must not be worked out from the
  total and the counts still shown. In every line (a row with its total, a column with its
  total), a line with exactly one hidden figure gets its next smallest non-zero cell hidden as
  well, shown as "*". The same happens while a "<5" could still be pinned to one value from
  what a reader knows: "<5" is 1 to 4, "*" is 5 or more (a reader can deduce that, so the check
  assumes it), shown figures are exact. If a line has no cell left to hide, its total is hidden.
- **Totals** are counts too: a total of 1 to 4 shows as "<5".
- **Complements.** A hidden figure must not be all of its line: "Men: <5" beside "Other
  referrals: 0" says that everyone who answered is a man, though it hides how many. So where
  every other cell of a hidden figure's line is a shown zero, one of those zeros is hidden too
  and shows as "<5", which is true of 0: "<5" means 0 to 4 (ADR 0021).
- **Statistics.** A percentage, median or mean from fewer than 5 people shows as "*", and so
  does a percentage whose numerator or base is hidden.

Zeros are never hidden as "*": a "*" that could be 0 would let a reader pin a "<5" whenever the
hidden figures of a line add up to 1 to 4. A zero hidden as "<5" keeps every symbol's range
whole (a "<5" is 0 to 4, a "*" cell 5 or more), so the reader's bounds below stay exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "HIDDEN",
    "SMALL",
    "Shown",
    "SuppressedTable",
    "percentage",
    "statistic",
    "suppress_count",
    "suppress_figures",
    "suppress_line",
    "suppress_table",
]

SMALL = "<5"
HIDDEN = "*"
MINIMUM_BASE = 5

Position = tuple[int, int]
Line = tuple[tuple[Position, ...], Position]


class Suppression(Enum):
    PRIMARY = "primary"  # 1 to 4: "<5"
    SECONDARY = "secondary"  # hidden to protect a "<5": "*"
    # A small total whose "<5" would itself give its cells away (four "<5" cells and a "<5"
    # total can only be 1 + 1 + 1 + 1 = 4): shown as "*", which does not say it is small.
    MASKED = "masked"
    # A zero that would show a hidden figure to be all of its line: shown as "<5", true of 0.
    COMPLEMENT = "complement"


@dataclass(frozen=True)
class Shown:
    """A count as the report may show it. The true value of a hidden count is not kept, so a
    template or CSV built from these cannot leak it."""

    text: str
    number: int | None

    @property
    def hidden(self) -> bool:
        return self.number is None

    def __str__(self) -> str:
        return self.text


def _shown(value: int, suppression: Suppression | None) -> Shown:
    if suppression in (Suppression.PRIMARY, Suppression.COMPLEMENT):
        return Shown(SMALL, None)
    if suppression in (Suppression.SECONDARY, Suppression.MASKED):
        return Shown(HIDDEN, None)
    return Shown(str(value), value)


def _is_small(value: int) -> bool:
    return 1 <= value < MINIMUM_BASE


def suppress_count(value: int) -> Shown:
    """A count shown on its own, with no total that could reveal it."""
    if value < 0:
        raise ValueError(f"A count cannot be negative: {value}")
    return _shown(value, Suppression.PRIMARY if _is_small(value) else None)


@dataclass(frozen=True)
class SuppressedTable:
    """A table's figures after suppression. `row_totals[r]` totals row r, `column_totals[c]`
    column c, `grand_total` both (each None where the table has no such total)."""

    cells: tuple[tuple[Shown, ...], ...]
    row_totals: tuple[Shown, ...] | None
    column_totals: tuple[Shown, ...] | None
    grand_total: Shown | None


def suppress_table(
    cells: Sequence[Sequence[int]], *, row_totals: bool = False, column_totals: bool = False
) -> SuppressedTable:
    """Suppress a table of counts whose totals (per row, per column, or both) are shown.

    The totals are computed here from the cells, so they always add up.
    """
    grid = [list(row) for row in cells]
    rows = len(grid)
    cols = len(grid[0]) if grid else 0
    if any(len(row) != cols for row in grid):
        raise ValueError("Every row of a table needs the same number of cells")
    if any(value < 0 for row in grid for value in row):
        raise ValueError("A count cannot be negative")
    values = _with_totals(grid, rows, cols)
    lines = _lines(rows, cols, row_totals=row_totals, column_totals=column_totals)
    shown_positions = {(r, c) for r in range(rows) for c in range(cols)}
    if row_totals:
        shown_positions |= {(r, cols) for r in range(rows)}
    if column_totals:
        shown_positions |= {(rows, c) for c in range(cols)}
    if row_totals and column_totals:
        shown_positions.add((rows, cols))
    hidden = _suppress(values, shown_positions, lines)

    def at(position: Position) -> Shown:
        return _shown(values[position], hidden.get(position))

    return SuppressedTable(
        cells=tuple(tuple(at((r, c)) for c in range(cols)) for r in range(rows)),
        row_totals=tuple(at((r, cols)) for r in range(rows)) if row_totals else None,
        column_totals=tuple(at((rows, c)) for c in range(cols)) if column_totals else None,
        grand_total=at((rows, cols)) if row_totals and column_totals else None,
    )


def suppress_line(values: Sequence[int]) -> tuple[tuple[Shown, ...], Shown]:
    """A list of counts and their total: the common one-column table."""
    table = suppress_table([[value] for value in values], column_totals=True)
    assert table.column_totals is not None  # noqa: S101 - asked for above
    return tuple(row[0] for row in table.cells), table.column_totals[0]


def suppress_figures(
    values: Sequence[int], sums: Sequence[tuple[Sequence[int], int]]
) -> tuple[Shown, ...]:
    """Suppress figures published together, given every sum a reader can see between them.

    `sums` holds (parts, whole) pairs of indexes into `values`: the parts add up to the whole.
    For figures that appear in more than one table (the period's referrals are the total of the
    months, of the staff groups and of the organisations alike), so that a figure hidden in one
    table is not given away by another.
    """
    if any(value < 0 for value in values):
        raise ValueError("A count cannot be negative")
    for parts, whole in sums:
        if sum(values[part] for part in parts) != values[whole]:
            raise ValueError(f"Figures {list(parts)} do not add up to figure {whole}")
    grid = {(i, 0): value for i, value in enumerate(values)}
    lines: list[Line] = [(tuple((part, 0) for part in parts), (whole, 0)) for parts, whole in sums]
    hidden = _suppress(grid, set(grid), lines)
    return tuple(_shown(value, hidden.get((i, 0))) for i, value in enumerate(values))


def _with_totals(grid: list[list[int]], rows: int, cols: int) -> dict[Position, int]:
    """Cells and totals in one grid: row `rows` holds column totals, column `cols` row totals."""
    values = {(r, c): grid[r][c] for r in range(rows) for c in range(cols)}
    for r in range(rows):
        values[(r, cols)] = sum(grid[r])
    for c in range(cols):
        values[(rows, c)] = sum(grid[r][c] for r in range(rows))
    values[(rows, cols)] = sum(sum(row) for row in grid)
    return values


def _lines(rows: int, cols: int, *, row_totals: bool, column_totals: bool) -> list[Line]:
    """Every "these add up to that" a reader can use."""
    lines: list[Line] = []
    if row_totals:
        lines += [(tuple((r, c) for c in range(cols)), (r, cols)) for r in range(rows)]
    if column_totals:
        lines += [(tuple((r, c) for r in range(rows)), (rows, c)) for c in range(cols)]
    if row_totals and column_totals:
        lines.append((tuple((rows, c) for c in range(cols)), (rows, cols)))
        lines.append((tuple((r, cols) for r in range(rows)), (rows, cols)))
    return lines


def _suppress(
    values: dict[Position, int], shown: set[Position], lines: list[Line]
) -> dict[Position, Suppression]:
    hidden = {p: Suppression.PRIMARY for p in sorted(shown) if _is_small(values[p])}
    # Each step hides (or masks) one more figure, so this ends.
    while (step := _next_protection(values, hidden, lines)) is not None:
        position, suppression = step
        hidden[position] = suppression
    return hidden


Step = tuple[Position, Suppression]


def _next_protection(
    values: dict[Position, int], hidden: dict[Position, Suppression], lines: list[Line]
) -> Step | None:
    """The next figure to hide so that no hidden figure can be worked out; None when done."""
    for line in lines:
        members, total = line
        if sum(p in hidden for p in (*members, total)) == 1 and (
            step := _protect(values, hidden, line)
        ):
            return step
    if step := _hide_a_revealing_zero(values, hidden, lines):
        return step
    bounds = _reader_bounds(values, hidden, lines)
    pinned = {p for p in hidden if _pinned(bounds[p])}
    if not pinned:
        return None
    for line in lines:
        members, total = line
        if pinned & {*members, total} and (step := _protect(values, hidden, line)):
            return step
    # The pinned figure's own lines have nothing left to hide: the figures that pin it are
    # shown elsewhere, in lines that meet it. Hide the smallest of those.
    around = [
        p
        for line in lines
        if any(m in hidden for m in (*line[0], line[1]))
        and (p := _next_to_hide(values, hidden, line)) is not None
    ]
    if around:
        return min(around, key=lambda p: (values[p], p)), Suppression.SECONDARY
    return None


def _hide_a_revealing_zero(
    values: dict[Position, int], hidden: dict[Position, Suppression], lines: list[Line]
) -> Step | None:
    """A hidden cell whose line's other cells are all shown zeros is all of that line, which
    tells a reader everyone counted there is in it: hide the first of those zeros as well."""
    for members, _total in lines:
        if len(members) < 2:
            continue  # a line of one cell is its total by construction: nothing to learn
        for p in members:
            others = [m for m in members if m != p]
            if p in hidden and all(m not in hidden and values[m] == 0 for m in others):
                return others[0], Suppression.COMPLEMENT
    return None


def _protect(
    values: dict[Position, int], hidden: dict[Position, Suppression], line: Line
) -> Step | None:
    """Hide the line's next smallest figure, or failing that stop its "<5" total saying so, or
    failing that hide one of its zeros as "<5" (a shown 0 total pins hidden zeros at 0)."""
    extra = _next_to_hide(values, hidden, line)
    if extra is not None:
        return extra, Suppression.SECONDARY
    if hidden.get(line[1]) is Suppression.PRIMARY:
        return line[1], Suppression.MASKED
    zeros = [p for p in (*line[0], line[1]) if p not in hidden and values[p] == 0]
    return (zeros[0], Suppression.COMPLEMENT) if zeros else None


def _pinned(bound: tuple[float, float]) -> bool:
    return bound[0] == bound[1]


def _next_to_hide(
    values: dict[Position, int], hidden: dict[Position, Suppression], line: Line
) -> Position | None:
    """The line's smallest shown non-zero cell, else its total if shown and non-zero."""
    members, total = line
    candidates = [p for p in members if p not in hidden and values[p] > 0]
    if candidates:
        return min(candidates, key=lambda p: (values[p], p))
    return total if total not in hidden and values[total] > 0 else None


def _reader_bounds(
    values: dict[Position, int], hidden: dict[Position, Suppression], lines: list[Line]
) -> dict[Position, tuple[float, float]]:
    """What a reader can work out about each hidden figure: the narrowest range each line's
    sum allows, repeated until nothing narrows (bounds propagation over the lines)."""
    first_guess = {
        Suppression.PRIMARY: (1, MINIMUM_BASE - 1),
        Suppression.SECONDARY: (MINIMUM_BASE, math.inf),
        Suppression.MASKED: (1, math.inf),
        Suppression.COMPLEMENT: (0, MINIMUM_BASE - 1),
    }
    bounds: dict[Position, tuple[float, float]] = {p: first_guess[k] for p, k in hidden.items()}

    def bound(p: Position) -> tuple[float, float]:
        return bounds[p] if p in hidden else (values[p], values[p])

    changed = True
    while changed:
        changed = False
        for members, total in lines:
            for p in (*members, total):
                if p not in hidden:
                    continue
                if p == total:
                    low = sum(bound(m)[0] for m in members)
                    high = sum(bound(m)[1] for m in members)
                else:
                    others = [m for m in members if m != p]
                    low = bound(total)[0] - sum(bound(m)[1] for m in others)
                    high = bound(total)[1] - sum(bound(m)[0] for m in others)
                old = bounds[p]
                new = (max(old[0], low), min(old[1], high))
                if new != old:
                    bounds[p] = new
                    changed = True
    return bounds


def percentage(numerator: Shown, base: Shown) -> str:
    """A whole percentage, or "*" when either count is hidden or the base is under 5."""
    if numerator.number is None or base.number is None or base.number < MINIMUM_BASE:
        return HIDDEN
    return f"{round(100 * numerator.number / base.number)}%"


def statistic(value: float | None, base: int, *, unit: str = "", places: int = 0) -> str:
    """A median or mean, or "*" when it comes from fewer than 5 people (or there is none)."""
    if value is None or base < MINIMUM_BASE:
        return HIDDEN
    text = f"{value:.{places}f}"
    if places and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"{text}{unit}"
