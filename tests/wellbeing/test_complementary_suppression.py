"""Complementary suppression (ADR 0021): random tables of counts against a reader who knows every
published figure and tries every table that fits them.

The reader reads the figures as the report's legend says: a number is exact, "<5" is 0 to 4, a
"*" cell is 5 or more (secondary suppression never hides 0 to 4 as "*"), a "*" total is 1 or
more, and every total adds up its line. For each hidden figure they collect the values it can
take, and for each hidden cell its share of every total it adds up to ("Men: <5" beside
"Other referrals: 0" pins the men's share of those who answered at 100% without saying how many
men there are). Suppression works if more than one value remains for every one of them.
"""

from __future__ import annotations

import itertools
import os
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.suppression import (
    HIDDEN,
    SMALL,
    Shown,
    SuppressedTable,
    suppress_figures,
    suppress_table,
)

Position = tuple[int, int]

# `SUPPRESSION_SCALE=20 pytest ...` hunts longer than CI does (the examples stay deterministic).
SCALE = int(os.environ.get("SUPPRESSION_SCALE", "1"))
EXAMPLES = settings(
    max_examples=150 * SCALE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Zeros, small numbers and a few above 5, weighted towards the figures that need protecting.
COUNTS = st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 6, 8])


class Reading:
    """Everything a reader can rule in about a published table's hidden figures."""

    def __init__(self) -> None:
        self.values: dict[Position, set[int]] = {}
        self.shares: dict[tuple[Position, Position], set[Fraction]] = {}
        self.worlds = 0


def published(table: SuppressedTable) -> tuple[dict[Position, Shown], int, int]:
    """The table's figures on one grid: row `rows` holds column totals, column `cols` row
    totals."""
    rows, cols = len(table.cells), len(table.cells[0])
    figures = {(r, c): table.cells[r][c] for r in range(rows) for c in range(cols)}
    for r, total in enumerate(table.row_totals or ()):
        figures[(r, cols)] = total
    for c, total in enumerate(table.column_totals or ()):
        figures[(rows, c)] = total
    if table.grand_total is not None:
        figures[(rows, cols)] = table.grand_total
    return figures, rows, cols


def cell_values(figure: Shown, ceiling: int) -> range:
    if figure.text == SMALL:
        return range(0, 5)
    if figure.text == HIDDEN:
        # Up to a little above the largest true figure: trying fewer values can only leave
        # fewer tables that fit, so this reader is stronger than a real one, never weaker.
        return range(5, max(ceiling, 5) + 1)
    assert figure.number is not None
    return range(figure.number, figure.number + 1)


def total_fits(value: int, figure: Shown) -> bool:
    if figure.text == SMALL:
        return 0 <= value <= 4
    if figure.text == HIDDEN:
        return value >= 1  # a "*" total is 5 or more, or a small total masked
    return value == figure.number


def read(table: SuppressedTable, ceiling: int) -> Reading:
    """Try every table of cells that fits the published figures; note what each hidden figure,
    and each hidden cell's share of each of its totals, could be."""
    figures, rows, cols = published(table)
    reading = Reading()

    def row_choices(r: int) -> list[tuple[int, ...]]:
        choices = itertools.product(*(cell_values(figures[(r, c)], ceiling) for c in range(cols)))
        if (r, cols) not in figures:
            return list(choices)
        return [choice for choice in choices if total_fits(sum(choice), figures[(r, cols)])]

    # Without column totals the rows are independent, so each is tried on its own; with them,
    # every combination of rows is tried against the column totals and the grand total.
    groups = [[r] for r in range(rows)] if table.column_totals is None else [list(range(rows))]
    for group in groups:
        for choice in itertools.product(*(row_choices(r) for r in group)):
            grid = dict(zip(group, choice, strict=True))
            if table.column_totals is not None:
                columns = [sum(grid[r][c] for r in group) for c in range(cols)]
                if not all(total_fits(columns[c], figures[(rows, c)]) for c in range(cols)):
                    continue
                if table.grand_total is not None and not total_fits(
                    sum(columns), figures[(rows, cols)]
                ):
                    continue
            reading.worlds += 1
            _note(reading, figures, grid, rows, cols)
    return reading


def _note(
    reading: Reading,
    figures: dict[Position, Shown],
    grid: dict[int, tuple[int, ...]],
    rows: int,
    cols: int,
) -> None:
    value: dict[Position, int] = {}
    for r, row in grid.items():
        for c, n in enumerate(row):
            value[(r, c)] = n
        value[(r, cols)] = sum(row)
    complete = len(grid) == rows
    if complete:
        for c in range(cols):
            value[(rows, c)] = sum(grid[r][c] for r in range(rows))
        value[(rows, cols)] = sum(value[(r, cols)] for r in range(rows))
    for position, n in value.items():
        if position in figures and figures[position].hidden:
            reading.values.setdefault(position, set()).add(n)
    for (r, c), n in value.items():
        if r == rows or c == cols or not figures[(r, c)].hidden:
            continue
        totals = [((r, cols), cols)] if (r, cols) in figures else []
        if complete and (rows, c) in figures:
            totals.append(((rows, c), rows))
        for total, members in totals:
            if members > 1 and value[total] > 0:
                share = Fraction(n, value[total])
                reading.shares.setdefault(((r, c), total), set()).add(share)


def true_values(cells: list[list[int]]) -> dict[Position, int]:
    rows, cols = len(cells), len(cells[0])
    value = {(r, c): cells[r][c] for r in range(rows) for c in range(cols)}
    for r in range(rows):
        value[(r, cols)] = sum(cells[r])
    for c in range(cols):
        value[(rows, c)] = sum(cells[r][c] for r in range(rows))
    value[(rows, cols)] = sum(map(sum, cells))
    return value


def assert_no_hidden_figure_can_be_pinned(cells: list[list[int]], **totals: bool) -> None:
    table = suppress_table(cells, **totals)
    ceiling = max(map(max, cells)) + 3
    reading = read(table, ceiling)
    truth = true_values(cells)
    figures = published(table)[0]
    assert reading.worlds, "the true table itself fits what is published"
    for position, possible in reading.values.items():
        assert truth[position] in possible, (cells, totals, position)
        assert len(possible) > 1, (cells, totals, position, figures[position].text, possible)
    for (cell, total), shares in reading.shares.items():
        assert len(shares) > 1, (cells, totals, cell, total, shares)
    for position, figure in figures.items():
        assert figure.hidden or not 1 <= truth[position] <= 4, (cells, totals, position)


def tables(rows: st.SearchStrategy[int], cols: st.SearchStrategy[int]) -> st.SearchStrategy:
    return st.tuples(rows, cols).flatmap(
        lambda size: st.lists(
            st.lists(COUNTS, min_size=size[1], max_size=size[1]),
            min_size=size[0],
            max_size=size[0],
        )
    )


def with_a_complement(rows: st.SearchStrategy[int]) -> st.SearchStrategy:
    """A group and everyone else who answered, as the uptake section shows them: the second
    column is the first's complement within the row's total."""
    return rows.flatmap(
        lambda n: st.lists(
            st.tuples(COUNTS, COUNTS).map(lambda pair: [pair[0], pair[1]]),
            min_size=n,
            max_size=n,
        )
    )


# --- The exact case from the report --------------------------------------------------------------


def test_men_under_5_beside_no_other_referrals_no_longer_says_everyone_who_answered_is_a_man():
    table = suppress_table([[3, 0]], row_totals=True)

    men, others = table.cells[0]
    assert table.row_totals is not None
    assert (men.text, others.text, table.row_totals[0].text) == (SMALL, SMALL, SMALL)
    shares = read(table, ceiling=6).shares[((0, 0), (0, 2))]
    assert Fraction(1) in shares
    assert len(shares) > 1


def test_a_small_count_among_zeros_hides_a_zero_so_it_is_not_the_whole_line():
    table = suppress_table([[0], [3], [0], [0]], column_totals=True)

    assert [row[0].text for row in table.cells] == [SMALL, SMALL, "0", "0"]
    assert table.column_totals is not None
    assert table.column_totals[0].text == SMALL


def test_the_reader_catches_a_small_count_that_is_all_of_its_line():
    # What the report used to publish: the reader pins the men's share at 100%.
    before = SuppressedTable(
        cells=((Shown(SMALL, None), Shown("0", 0)),),
        row_totals=(Shown(SMALL, None),),
        column_totals=None,
        grand_total=None,
    )
    assert read(before, ceiling=6).shares[((0, 0), (0, 2))] == {Fraction(1)}


# --- Random tables -------------------------------------------------------------------------------


@EXAMPLES
@given(cells=tables(st.integers(1, 6), st.just(1)))
def test_no_hidden_figure_in_a_list_with_its_total_can_be_pinned(cells):
    assert_no_hidden_figure_can_be_pinned(cells, column_totals=True)


@EXAMPLES
@given(cells=with_a_complement(st.integers(1, 4)))
def test_no_hidden_figure_beside_its_complement_and_total_can_be_pinned(cells):
    assert_no_hidden_figure_can_be_pinned(cells, row_totals=True)


@EXAMPLES
@given(cells=tables(st.integers(1, 3), st.integers(2, 4)))
def test_no_hidden_figure_in_a_table_with_row_totals_can_be_pinned(cells):
    assert_no_hidden_figure_can_be_pinned(cells, row_totals=True)


@EXAMPLES
@given(cells=tables(st.integers(2, 3), st.integers(1, 3)))
def test_no_hidden_figure_in_a_table_with_column_totals_can_be_pinned(cells):
    assert_no_hidden_figure_can_be_pinned(cells, column_totals=True)


@EXAMPLES
@given(cells=tables(st.integers(2, 3), st.just(2)) | tables(st.just(2), st.integers(2, 3)))
def test_no_hidden_figure_in_a_table_with_every_total_can_be_pinned(cells):
    assert_no_hidden_figure_can_be_pinned(cells, row_totals=True, column_totals=True)


def test_the_random_tables_are_read_by_an_honest_reader() -> None:
    """The reader is no straw man: against suppression that hides only 1 to 4, it pins a "<5"
    from its total, and it finds the true table among those that fit."""
    only_small = SuppressedTable(
        cells=((Shown(SMALL, None),), (Shown("10", 10),)),
        row_totals=None,
        column_totals=(Shown("12", 12),),
        grand_total=None,
    )
    reading = read(only_small, ceiling=13)
    assert reading.values[(0, 0)] == {2}


# --- Tables that share a total -------------------------------------------------------------------


def read_lists_sharing_a_total(
    lists: list[tuple[Shown, ...]], total: Shown, ceiling: int
) -> tuple[list[list[set[int]]], set[int], list[list[set[Fraction]]]]:
    """Every value each hidden count, and the shared total, could take, and each count's share
    of the total, given several published lists that each add up to the same total (the months,
    the staff groups and the organisations of one period). Given the total the lists are
    independent, so each is tried on its own for every total the first list allows."""
    values: list[list[set[int]]] = [[set() for _ in counts] for counts in lists]
    shares: list[list[set[Fraction]]] = [[set() for _ in counts] for counts in lists]
    totals: set[int] = set()
    choices = [
        list(itertools.product(*(cell_values(figure, ceiling) for figure in counts)))
        for counts in lists
    ]
    for candidate in sorted({sum(choice) for choice in choices[0]}):
        if not total_fits(candidate, total):
            continue
        fitting = [[c for c in options if sum(c) == candidate] for options in choices]
        if not all(fitting):
            continue
        totals.add(candidate)
        for i, options in enumerate(fitting):
            for choice in options:
                for j, n in enumerate(choice):
                    values[i][j].add(n)
                    if candidate and len(choice) > 1:
                        shares[i][j].add(Fraction(n, candidate))
    return values, totals, shares


def lists_sharing_a_total() -> st.SearchStrategy:
    """A first list of counts, then one or two more lists that split the same total in other
    ways (cut points anywhere from 0 to the total, so zeros and small counts both occur)."""

    def split(total: int, parts: int) -> st.SearchStrategy[list[int]]:
        cuts = st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)
        return cuts.map(lambda c: [b - a for a, b in itertools.pairwise([0, *sorted(c), total])])

    def others(first: list[int]) -> st.SearchStrategy:
        one_more = st.integers(1, 3).flatmap(lambda parts: split(sum(first), parts))
        return st.lists(one_more, min_size=1, max_size=2).map(lambda rest: [first, *rest])

    return st.lists(COUNTS, min_size=1, max_size=3).flatmap(others)


@EXAMPLES
@given(lists=lists_sharing_a_total())
def test_no_hidden_figure_in_tables_that_share_a_total_can_be_pinned(lists):
    total = sum(lists[0])
    flat = [n for counts in lists for n in counts]
    indexes, start = [], 0
    for counts in lists:
        indexes.append(list(range(start, start + len(counts))))
        start += len(counts)
    sums = [(group, len(flat)) for group in indexes]
    shown = suppress_figures([*flat, total], sums)
    published_lists = [tuple(shown[i] for i in group) for group in indexes]
    ceiling = max([*flat, 0]) + 3
    values, totals, shares = read_lists_sharing_a_total(published_lists, shown[-1], ceiling)

    assert total in totals, "the true figures fit what is published"
    if shown[-1].hidden:
        assert len(totals) > 1, (lists, [f.text for f in shown])
    for i, counts in enumerate(lists):
        for j, n in enumerate(counts):
            figure = published_lists[i][j]
            assert figure.hidden or not 1 <= n <= 4, (lists, i, j)
            if figure.hidden:
                assert len(values[i][j]) > 1, (lists, [f.text for f in shown], i, j)
                if len(counts) > 1:
                    assert len(shares[i][j]) > 1, (lists, [f.text for f in shown], i, j)
