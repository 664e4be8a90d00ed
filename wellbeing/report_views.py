"""The hub lead's reports page and its CSV download.

No audit entry is written: the reports open no one's record and show only suppressed counts,
so there is no "who opened my record" to answer (audit entries are per record; see
wellbeing/audit.py).
"""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.spreadsheets import spreadsheet_safe
from wellbeing import reports
from wellbeing.hub_access import VIEW_REPORTS, hub_staff_page

# How far back the period can start: five years of months to choose from.
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


def _period_form(request: HttpRequest) -> PeriodForm:
    today = timezone.localdate()
    if "start" in request.GET or "end" in request.GET:
        return PeriodForm(request.GET, today=today)
    default = reports.last_twelve_months(today)
    return PeriodForm(
        today=today, initial={"start": f"{default.first:%Y-%m}", "end": f"{default.last:%Y-%m}"}
    )


def _chosen_period(form: PeriodForm, today: datetime.date) -> reports.Period | None:
    if not form.is_bound:
        return reports.last_twelve_months(today)
    return form.period() if form.is_valid() else None


@hub_staff_page(VIEW_REPORTS)
@require_GET
def hub_reports(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    period = _chosen_period(form, timezone.localdate())
    context: dict[str, Any] = {"form": form, "period": period}
    if period is not None:
        context["sections"] = reports.hub_report(period)
        context["csv_query"] = f"start={period.first:%Y-%m}&end={period.last:%Y-%m}"
    return render(request, "wellbeing/reports/index.html", context)


@hub_staff_page(VIEW_REPORTS)
@require_GET
def hub_reports_csv(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    period = _chosen_period(form, timezone.localdate())
    if period is None:
        # The page shows what is wrong with the period, in words next to the field.
        return redirect(f"{reverse('wellbeing:hub_reports')}?{request.GET.urlencode()}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"hub-report-{period.first:%Y-%m}-to-{period.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte order mark, so Excel opens the file as UTF-8
    writer = csv.writer(response)
    for row in reports.csv_rows(period, reports.hub_report(period)):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response
