"""The hub reports' period: which months to report on."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from wellbeing.queries import reports

MONTHS_OFFERED = 60


def _month_choices(today: datetime.date) -> list[tuple[str, str]]:
    this_month = today.replace(day=1)
    months = [reports.months_back(this_month, n) for n in range(MONTHS_OFFERED)]
    return [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in months]


class PeriodForm(forms.Form):
    """Which months to report on, as a GET form (a report is a page anyone may bookmark)."""

    start = forms.ChoiceField(
        label="From",
        error_messages={
            "required": "Select the first month of the report",
            "invalid_choice": "Select the first month from the list",
        },
    )
    end = forms.ChoiceField(
        label="To",
        error_messages={
            "required": "Select the last month of the report",
            "invalid_choice": "Select the last month from the list",
        },
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = _month_choices(today)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.select("start"),
            Field.select("end"),
            # No name: the button adds nothing to the report's address.
            Submit("", "Show the report", secondary=True),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last month must be the same as or after the first month")
        return cleaned

    def period(self) -> reports.Period:
        def month(value: str) -> datetime.date:
            year, number = value.split("-")
            return datetime.date(int(year), int(number), 1)

        return reports.Period(
            first=month(self.cleaned_data["start"]), last=month(self.cleaned_data["end"])
        )
