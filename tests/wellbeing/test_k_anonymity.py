"""k-anonymity on its own: rare combinations generalised or dropped, and counted truly."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from wellbeing.k_anonymity import Generalisation, anonymise, small_combinations

QI = ("age", "place", "month")
LADDER = (
    Generalisation(
        "month", "month to quarter", lambda m: f"Q{(int(m) - 1) // 3 + 1}" if m.isdigit() else m
    ),
    Generalisation("age", "age to decade", lambda a: f"{a[0]}0s" if a.isdigit() else a),
    Generalisation("place", "place withheld", lambda _p: "Not given", whole_group=False),
)


def rows_of(*specs: tuple[str, str, str, int]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for age, place, month, count in specs:
        for _ in range(count):
            rows.append({"id": str(len(rows)), "age": age, "place": place, "month": month})
    return rows


def test_combinations_shared_by_k_rows_are_left_as_they_are():
    rows = rows_of(("34", "Leeds", "1", 5), ("51", "York", "7", 6))
    result = anonymise(rows, quasi_identifiers=QI, ladder=LADDER, k=5)
    assert result.rows == rows
    assert (result.generalised, result.dropped) == (0, 0)


def test_a_rare_month_joins_its_quarter_and_only_that_quarter_is_widened():
    rows = rows_of(("34", "Leeds", "1", 4), ("34", "Leeds", "2", 1), ("34", "Leeds", "7", 5))
    result = anonymise(rows, quasi_identifiers=QI, ladder=LADDER, k=5)
    months = Counter(row["month"] for row in result.rows)
    assert months == {"Q1": 5, "7": 5}
    assert (result.generalised, result.dropped) == (5, 0)


def test_a_withheld_value_is_withheld_for_the_rare_rows_only():
    rows = rows_of(("34", "Leeds", "1", 5), ("34", "Not given", "1", 3), ("34", "Whitby", "1", 2))
    result = anonymise(rows, quasi_identifiers=QI, ladder=LADDER, k=5)
    places = Counter(row["place"] for row in result.rows)
    assert places == {"Leeds": 5, "Not given": 5}
    assert (result.generalised, result.dropped) == (2, 0)


def test_rows_that_no_step_can_hide_are_dropped_and_counted():
    rows = rows_of(("34", "Leeds", "1", 5), ("71", "Whitby", "12", 2))
    result = anonymise(rows, quasi_identifiers=QI, ladder=LADDER, k=5)
    assert len(result.rows) == 5
    assert result.dropped == 2
    assert result.generalised == 0


def test_the_input_rows_are_not_changed():
    rows = rows_of(("34", "Leeds", "1", 4), ("34", "Leeds", "2", 1))
    before = [dict(row) for row in rows]
    anonymise(rows, quasi_identifiers=QI, ladder=LADDER, k=5)
    assert rows == before


def test_a_generalisation_of_a_column_that_is_not_a_quasi_identifier_is_a_mistake():
    with pytest.raises(ValueError, match="not quasi-identifiers"):
        anonymise([], quasi_identifiers=("age",), ladder=LADDER, k=5)


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_never_release_a_combination_under_k_and_count_truly(seed):
    chooser = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    rows = [
        {
            "id": str(n),
            "age": str(chooser.choice([19, 23, 34, 38, 45, 52, 67])),
            "place": chooser.choice(["Leeds", "York", "Whitby", "Not given"]),
            "month": str(chooser.randint(1, 12)),
        }
        for n in range(chooser.randint(0, 120))
    ]
    k = chooser.choice([2, 3, 5])
    result = anonymise(rows, quasi_identifiers=QI, ladder=LADDER, k=k)
    assert small_combinations(result.rows, QI, k) == {}
    original = {row["id"]: row for row in rows}
    assert len(result.rows) + result.dropped == len(rows)
    assert result.generalised == sum(1 for row in result.rows if row != original[row["id"]])
    # Every released value is the original or one the ladder could make from it.
    for row in result.rows:
        before = original[row["id"]]
        assert row["place"] in (before["place"], "Not given")
        assert row["month"] in (before["month"], LADDER[0].generalise(before["month"]))
        assert row["age"] in (before["age"], LADDER[1].generalise(before["age"]))
