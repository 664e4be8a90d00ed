"""CSV downloads never hand a spreadsheet a formula to run."""

from __future__ import annotations

import pytest

from portal.spreadsheets import spreadsheet_safe, undo_spreadsheet_guard


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(cell):
    assert spreadsheet_safe(cell) == f"'{cell}"
    assert undo_spreadsheet_guard(spreadsheet_safe(cell)) == cell


@pytest.mark.parametrize("value", ["Diabetes and depression", "", "'quoted already", "1.5"])
def test_ordinary_cells_are_left_alone(value):
    assert spreadsheet_safe(value) == value
    assert undo_spreadsheet_guard(value) == value


def test_none_becomes_an_empty_cell():
    assert spreadsheet_safe(None) == ""
