"""CSV files and cells that are safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a quote before it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def undo_spreadsheet_guard(text: str) -> str:
    """Undo `spreadsheet_safe`, so a file we exported imports back unchanged."""
    guarded = text.startswith("'") and text[1:2] != "" and text[1:2] in FORMULA_STARTS
    return text[1:] if guarded else text


def csv_download(filename: str, rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A CSV file to download, the one way the portal sends one: UTF-8 with a byte order mark
    (so Excel reads it as UTF-8) and every cell spreadsheet-safe."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    response.write("\ufeff")
    csv.writer(response).writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return response
