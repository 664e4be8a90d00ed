"""Small-number suppression: the rules on examples, then every small table against two readers
who try to work hidden figures out (exhaustive over small values, plus seeded random larger
ones). Random tables against a reader who also works out shares are in
test_complementary_suppression.py."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

import pytest

from portal.suppression import (
    HIDDEN,
    SMALL,
    Shown,
    SuppressedTable,
    percentage,
    statistic,
    suppress_count,
    suppress_line,
    suppress_table,
)


def texts(shown: tuple[Shown, ...]) -> list[str]:
    return [figure.text for figure in shown]


# --- The rules on examples ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (1, SMALL), (2, SMALL), (4, SMALL), (5, "5"), (123, "123")]
)
def test_a_count_from_1_to_4_shows_as_under_5_and_zero_shows_as_zero(value, text):
    assert suppress_count(value).text == text


def test_a_hidden_count_does_not_keep_its_value():
    assert suppress_count(3) == Shown(SMALL, None)
    assert suppress_count(3).hidden


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        suppress_count(-1)


def test_a_line_without_small_counts_is_shown_in_full():
    cells, total = suppress_line([7, 0, 12])
    assert texts(cells) == ["7", "0", "12"]
    assert total.text == "19"


def test_one_small_count_hides_the_next_smallest_so_the_total_cannot_reveal_it():
    cells, total = suppress_line([30, 3, 10, 20])
    assert texts(cells) == ["30", SMALL, HIDDEN, "20"]
    assert total.text == "63"


def test_zeros_are_never_hidden_to_protect_a_small_count():
    cells, total = suppress_line([0, 3, 0, 8])
    assert texts(cells) == ["0", SMALL, "0", HIDDEN]
    assert total.text == "11"


def test_a_small_total_is_hidden_too():
    # The first 0 is hidden too (ADR 0021): "0, <5, 0" would say everyone is in the second row.
    cells, total = suppress_line([0, 3, 0])
    assert texts(cells) == [SMALL, SMALL, "0"]
    assert total.text == SMALL


def test_two_ones_are_protected_because_a_total_of_2_would_pin_them():
    # "<5" + "<5" = 22 - 20 = 2 could only be 1 + 1, so the 20 goes too.
    cells, total = suppress_line([1, 1, 20])
    assert texts(cells) == [SMALL, SMALL, HIDDEN]
    assert total.text == "22"


def test_the_total_is_hidden_when_no_other_cell_can_protect_a_small_count():
    # 1 and 5 hidden would still give "<5" = 6 - (5 or more) = 1: only hiding the total helps.
    cells, total = suppress_line([1, 5])
    assert texts(cells) == [SMALL, HIDDEN]
    assert total.text == HIDDEN


def test_a_table_without_totals_only_hides_small_counts():
    table = suppress_table([[3, 10], [10, 0]])
    assert [texts(row) for row in table.cells] == [[SMALL, "10"], ["10", "0"]]
    assert table.row_totals is None
    assert table.column_totals is None
    assert table.grand_total is None


def test_secondary_suppression_runs_across_rows_and_columns():
    table = suppress_table([[2, 10], [10, 10]], row_totals=True, column_totals=True)
    assert [texts(row) for row in table.cells] == [[SMALL, HIDDEN], [HIDDEN, HIDDEN]]
    assert table.row_totals is not None
    assert texts(table.row_totals) == ["12", "20"]
    assert table.column_totals is not None
    assert texts(table.column_totals) == ["12", "20"]
    assert table.grand_total == Shown("32", 32)


def test_rows_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same number"):
        suppress_table([[1, 2], [3]])


@pytest.mark.parametrize(
    ("numerator", "base", "text"),
    [
        (suppress_count(6), suppress_count(12), "50%"),
        (suppress_count(0), suppress_count(8), "0%"),
        (suppress_count(2), suppress_count(8), HIDDEN),
        (suppress_count(6), Shown(HIDDEN, None), HIDDEN),
        (Shown("0", 0), Shown("0", 0), HIDDEN),
    ],
)
def test_a_percentage_is_hidden_when_its_counts_are_hidden_or_the_base_is_under_5(
    numerator, base, text
):
    assert percentage(numerator, base) == text


@pytest.mark.parametrize(
    ("value", "base", "places", "text"),
    [
        (3.0, 5, 0, "3 days"),
        (2.5, 4, 0, HIDDEN),
        (None, 10, 0, HIDDEN),
        (-2.25, 9, 1, "-2.2 days"),
        (-0.04, 9, 1, "0 days"),
        (4.0, 9, 1, "4 days"),
    ],
)
def test_a_median_or_mean_from_fewer_than_5_people_is_hidden(value, base, places, text):
    assert statistic(value, base, unit=" days", places=places) == text


# --- Readers who try to work hidden figures out --------------------------------------------------


def _grid_with_totals(
    table: SuppressedTable,
) -> tuple[dict[tuple[int, int], Shown], list[tuple[list[tuple[int, int]], tuple[int, int]]]]:
    rows = len(table.cells)
    cols = len(table.cells[0])
    shown = {(r, c): table.cells[r][c] for r in range(rows) for c in range(cols)}
    lines = []
    if table.row_totals is not None:
        for r in range(rows):
            shown[(r, cols)] = table.row_totals[r]
            lines.append(([(r, c) for c in range(cols)], (r, cols)))
    if table.column_totals is not None:
        for c in range(cols):
            shown[(rows, c)] = table.column_totals[c]
            lines.append(([(r, c) for r in range(rows)], (rows, c)))
    if table.grand_total is not None:
        shown[(rows, cols)] = table.grand_total
        lines.append(([(rows, c) for c in range(cols)], (rows, cols)))
        lines.append(([(r, cols) for r in range(rows)], (rows, cols)))
    return shown, lines


def solved_by_subtraction(table: SuppressedTable) -> set[tuple[int, int]]:
    """A reader who finds a line with one unknown, subtracts, and repeats with what they learn.
    Returns the hidden figures they recover."""
    shown, lines = _grid_with_totals(table)
    known = {p for p, figure in shown.items() if not figure.hidden}
    recovered = set()
    progress = True
    while progress:
        progress = False
        for members, total in lines:
            unknown = [p for p in (*members, total) if p not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                recovered.add(unknown[0])
                progress = True
    return recovered


def values_a_reader_cannot_rule_out(
    table: SuppressedTable, true_cells: list[list[int]]
) -> dict[tuple[int, int], set[int]]:
    """A reader who knows "<5" means 0 to 4 (ADR 0021) and "*" means 5 or more, and tries every
    possible table: for each "<5", the values that fit everything shown."""
    shown, _lines = _grid_with_totals(table)
    rows, cols = len(true_cells), len(true_cells[0])
    # Trying "*" up to a little above the largest true figure can only find fewer tables that
    # fit, which makes this reader stronger than a real one, never weaker.
    ceiling = max(max(row) for row in true_cells) + 3
    ranges = []
    for r in range(rows):
        for c in range(cols):
            figure = shown[(r, c)]
            if figure.text == SMALL:
                ranges.append(range(0, 5))
            elif figure.text == HIDDEN:
                ranges.append(range(5, max(ceiling, 6)))
            else:
                assert figure.number is not None
                ranges.append(range(figure.number, figure.number + 1))
    possible = _fitting_values(shown, ranges, rows, cols, hidden_from=5)
    if not any(possible.values()):
        # Nothing fits if a "*" is a small total: the reader learns "*" can be anything.
        ranges = [range(1, r.stop) if r.start == 5 else r for r in ranges]
        possible = _fitting_values(shown, ranges, rows, cols, hidden_from=1)
    return possible


def _fitting_values(
    shown: dict[tuple[int, int], Shown],
    ranges: list[range],
    rows: int,
    cols: int,
    *,
    hidden_from: int,
) -> dict[tuple[int, int], set[int]]:
    possible: dict[tuple[int, int], set[int]] = {
        p: set() for p, figure in shown.items() if figure.text == SMALL
    }
    # Each row's guesses are first checked against its own total, if shown, so that only
    # rows that could be true are combined: the same tables fit, found much faster.
    row_guesses = [
        [
            guess
            for guess in itertools.product(*ranges[r * cols : (r + 1) * cols])
            if (r, cols) not in shown or _fits(sum(guess), shown[(r, cols)], hidden_from)
        ]
        for r in range(rows)
    ]
    if (rows, 0) not in shown:
        # No column totals: the rows are independent, so each row's guesses are all it takes.
        for r, guesses in enumerate(row_guesses):
            for guess in guesses:
                for c, value in enumerate((*guess, sum(guess))):
                    if (r, c) in possible:
                        possible[(r, c)].add(value)
        return possible
    for grid in _combined(row_guesses, [_most(shown.get((rows, c))) for c in range(cols)]):
        values = {(r, c): grid[r][c] for r in range(rows) for c in range(cols)}
        for r in range(rows):
            values[(r, cols)] = sum(grid[r])
        for c in range(cols):
            values[(rows, c)] = sum(grid[r][c] for r in range(rows))
        values[(rows, cols)] = sum(map(sum, grid))
        if all(_fits(values[p], figure, hidden_from) for p, figure in shown.items()):
            for p in possible:
                possible[p].add(values[p])
    return possible


def _most(total: Shown | None) -> float:
    if total is None or total.text == HIDDEN:
        return math.inf
    return 4 if total.text == SMALL else float(total.number or 0)


def _combined(
    row_guesses: list[list[tuple[int, ...]]], column_most: list[float]
) -> Iterator[list[list[int]]]:
    """Every combination of row guesses, leaving out early any whose columns already add up to
    more than their totals allow: the same tables as trying them all, found much faster."""

    def extend(chosen: list[list[int]], sums: list[int]) -> Iterator[list[list[int]]]:
        if len(chosen) == len(row_guesses):
            yield chosen
            return
        for guess in row_guesses[len(chosen)]:
            more = [a + b for a, b in zip(sums, guess, strict=True)]
            if all(n <= most for n, most in zip(more, column_most, strict=True)):
                yield from extend([*chosen, list(guess)], more)

    yield from extend([], [0] * len(column_most))


def _fits(value: int, figure: Shown, hidden_from: int) -> bool:
    if figure.text == SMALL:
        return 0 <= value <= 4
    if figure.text == HIDDEN:
        return value >= hidden_from
    return value == figure.number


def assert_nothing_small_can_be_worked_out(cells: list[list[int]], **totals: bool) -> None:
    table = suppress_table(cells, **totals)
    shown, _lines = _grid_with_totals(table)
    assert not solved_by_subtraction(table), (cells, totals)
    for position, values in values_a_reader_cannot_rule_out(table, cells).items():
        assert len(values) >= 2, (cells, totals, position, values)
    # And suppression hid every small figure, cell or total.
    rows, cols = len(cells), len(cells[0])
    for r in range(rows):
        for c in range(cols):
            if 1 <= cells[r][c] <= 4:
                assert shown[(r, c)].text == SMALL
    for figure in shown.values():
        assert figure.hidden or not 1 <= (figure.number or 0) <= 4


def test_the_readers_catch_tables_that_only_hide_small_counts():
    by_subtraction = SuppressedTable(
        cells=((Shown(SMALL, None),), (Shown("10", 10),)),
        row_totals=None,
        column_totals=(Shown("12", 12),),
        grand_total=None,
    )
    assert solved_by_subtraction(by_subtraction) == {(0, 0)}
    two_fours = SuppressedTable(
        cells=((Shown(SMALL, None),), (Shown(SMALL, None),), (Shown("20", 20),)),
        row_totals=None,
        column_totals=(Shown("28", 28),),
        grand_total=None,
    )
    assert values_a_reader_cannot_rule_out(two_fours, [[4], [4], [20]]) == {
        (0, 0): {4},
        (1, 0): {4},
    }


@pytest.mark.parametrize("length", [1, 2, 3])
def test_no_small_count_in_any_short_line_can_be_worked_out(length):
    for values in itertools.product([0, 1, 2, 4, 5, 6, 9], repeat=length):
        assert_nothing_small_can_be_worked_out([[v] for v in values], column_totals=True)


def test_no_small_count_in_any_line_of_four_can_be_worked_out():
    for values in itertools.product([0, 1, 3, 5, 8], repeat=4):
        assert_nothing_small_can_be_worked_out([[v] for v in values], column_totals=True)


def test_no_small_count_in_any_two_by_two_table_with_all_totals_can_be_worked_out():
    for a, b, c, d in itertools.product([0, 1, 3, 5, 8], repeat=4):
        assert_nothing_small_can_be_worked_out(
            [[a, b], [c, d]], row_totals=True, column_totals=True
        )


def test_no_small_count_in_any_three_by_two_table_with_all_totals_can_be_worked_out():
    for values in itertools.product([0, 2, 6], repeat=6):
        cells = [list(values[0:2]), list(values[2:4]), list(values[4:6])]
        assert_nothing_small_can_be_worked_out(cells, row_totals=True, column_totals=True)


def test_no_small_count_in_any_two_by_three_table_with_row_totals_can_be_worked_out():
    for values in itertools.product([0, 1, 5], repeat=6):
        cells = [list(values[0:3]), list(values[3:6])]
        assert_nothing_small_can_be_worked_out(cells, row_totals=True)


def test_no_hidden_figure_in_larger_random_tables_can_be_worked_out_by_subtraction():
    rng = random.Random(20260105)  # noqa: S311 - seeded test data, so a failure is reproducible
    for _ in range(400):
        rows, cols = rng.randint(1, 5), rng.randint(1, 6)
        cells = [
            [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for _ in range(cols)]
            for _ in range(rows)
        ]
        for totals in (
            {"row_totals": True},
            {"column_totals": True},
            {"row_totals": True, "column_totals": True},
        ):
            table = suppress_table(cells, **totals)
            assert not solved_by_subtraction(table), (cells, totals)
            shown = _grid_with_totals(table)[0]
            assert all(
                figure.hidden or not 1 <= (figure.number or 0) <= 4 for figure in shown.values()
            )
