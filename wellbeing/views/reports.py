"""The hub lead's reports page and its CSV download.

No audit entry is written: the reports open no one's record and show only suppressed counts,
so there is no "who opened my record" to answer (audit entries are per record; see
wellbeing/audit.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.rules import Permission
from portal.spreadsheets import csv_download
from wellbeing.forms.reports import PeriodForm
from wellbeing.queries import follow_up_console, outcomes_report, reports
from wellbeing.views.access import hub_staff_page


# How far back the period can start: five years of months to choose from.
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


# The hub lead's report pages, in the order the pages list them: (URL name, title).
REPORT_PAGES = (
    ("wellbeing:hub_reports", "Referrals, access and waiting"),
    ("wellbeing:hub_outcomes", "Outcomes: recovery and reliable change"),
    ("wellbeing:follow_up_responses", "Follow-up check-ins"),
)


def _report_pages(current: str, period: reports.Period | None) -> list[dict[str, Any]]:
    """The report pages for the list at the top of each, keeping the chosen period."""
    query = f"?start={period.first:%Y-%m}&end={period.last:%Y-%m}" if period else ""
    return [
        {"url": f"{reverse(name)}{query}", "title": title, "current": name == current}
        for name, title in REPORT_PAGES
    ]


def _report_context(request: HttpRequest, current: str) -> dict[str, Any]:
    form = _period_form(request)
    period = _chosen_period(form, timezone.localdate())
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "report_pages": _report_pages(current, period),
    }
    if period is not None:
        context["csv_query"] = f"start={period.first:%Y-%m}&end={period.last:%Y-%m}"
    return context


@hub_staff_page(Permission.VIEW_HUB_REPORTS)
@require_GET
def hub_reports(request: HttpRequest) -> HttpResponse:
    """Who the hub reaches and how quickly: referrals, uptake, time to assessment and more."""
    context = _report_context(request, "wellbeing:hub_reports")
    if context["period"] is not None:
        context["sections"] = reports.hub_report(context["period"])
    return render(request, "wellbeing/reports/index.html", context)


@hub_staff_page(Permission.VIEW_HUB_REPORTS)
@require_GET
def hub_outcomes(request: HttpRequest) -> HttpResponse:
    """Whether people got better, by service component and by group (issue 14). A page of its
    own: with the referrals' tables it was one page of 23 tables, slow to read and to build."""
    context = _report_context(request, "wellbeing:hub_outcomes")
    if context["period"] is not None:
        context["outcomes"] = outcomes_report.outcomes_report(context["period"])
    return render(request, "wellbeing/reports/outcomes.html", context)


@hub_staff_page(Permission.VIEW_HUB_REPORTS)
@require_GET
def hub_reports_csv(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    period = _chosen_period(form, timezone.localdate())
    if period is None:
        # The page shows what is wrong with the period, in words next to the field.
        return redirect(f"{reverse('wellbeing:hub_reports')}?{request.GET.urlencode()}")
    return csv_download(
        f"hub-report-{period.first:%Y-%m}-to-{period.last:%Y-%m}.csv",
        reports.csv_rows(
            period,
            [*reports.hub_report(period), *outcomes_report.outcomes_report(period).sections],
        ),
    )


@hub_staff_page(Permission.VIEW_HUB_REPORTS)
@require_GET
def follow_up_responses(request: HttpRequest) -> HttpResponse:
    """The follow-up console: how each round of re-screening was answered, over a period."""
    context = _report_context(request, "wellbeing:follow_up_responses")
    if context["period"] is not None:
        context["console"] = follow_up_console.follow_up_console(context["period"])
    context["window_days"] = follow_up_console.RESPONSE_WINDOW.days
    return render(request, "wellbeing/reports/follow_ups.html", context)
