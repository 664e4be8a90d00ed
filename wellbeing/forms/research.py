"""Research forms: defining a study, and a person's answer to the research question in my hub."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from portal.nhsuk_forms.fields import DateInputField
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.nhsuk_forms.messages import text_errors
from portal.submission_keys import OneTimeSubmissionForm
from wellbeing.forms.self_referral import PlainTextField, research_consent_field
from wellbeing.services import research

# A study looks back over the hub's records and may run on a little ahead; further either way is
# a typing mistake, not a plan.
YEARS_BACK = 10
YEARS_AHEAD = 5
LONGEST_YEARS = 10


def _date(label: str, what: str) -> DateInputField:
    return DateInputField(
        label=label,
        help_text="For example, 1 4 2026",
        error_messages={
            "required": f"Enter the date {what}",
            "incomplete": f"The date {what} must include a %(parts)s",
            "invalid": f"The date {what} must be a real date",
            "invalid_year": "Year must include 4 numbers",
        },
    )


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class StudyForm(OneTimeSubmissionForm):
    name = PlainTextField(
        label="Study name",
        help_text="As the ethics approval names it. For example: Resilience Hub evaluation 2026",
        max_length=120,
        error_messages=text_errors("the study name", "Study name", 120),
    )
    approval_reference = PlainTextField(
        label="Approval reference",
        help_text="The ethics or governance approval, for example an IRAS number like 123456 or "
        "a local reference like SE-2026-014.",
        max_length=60,
        error_messages=text_errors("the approval reference", "Approval reference", 60),
    )
    period_start = _date("Referrals made from", "referrals are taken from")
    period_end = _date("Referrals made up to and including", "referrals are taken up to")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name"),
            Field.text("approval_reference", width=20),
            Field.date("period_start", legend_size="s"),
            Field.date("period_end", legend_size="s"),
            Submit("save", "Define the study"),
        )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if research.name_is_taken(name):
            raise forms.ValidationError("A study with this name already exists: choose another")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        earliest = _years_from(today, -YEARS_BACK)
        latest = _years_from(today, YEARS_AHEAD)
        if isinstance(start, datetime.date):
            if start < earliest:
                self.add_error(
                    "period_start",
                    f"The date referrals are taken from must be after {earliest:%-d %B %Y}",
                )
            elif start > today:
                self.add_error(
                    "period_start", "The date referrals are taken from must be today or earlier"
                )
        if isinstance(end, datetime.date):
            if end > latest:
                self.add_error(
                    "period_end",
                    f"The date referrals are taken up to must be before {latest:%-d %B %Y}",
                )
            elif isinstance(start, datetime.date) and end < start:
                self.add_error(
                    "period_end",
                    "The date referrals are taken up to must be the same as or after the date "
                    "they are taken from",
                )
            elif isinstance(start, datetime.date) and end > _years_from(start, LONGEST_YEARS):
                self.add_error(
                    "period_end", f"A study's period must be {LONGEST_YEARS} years or shorter"
                )
        return cleaned

    def definition(self) -> research.StudyDefinition:
        return research.StudyDefinition(
            name=self.cleaned_data["name"],
            approval_reference=self.cleaned_data["approval_reference"],
            period_start=self.cleaned_data["period_start"],
            period_end=self.cleaned_data["period_end"],
        )


class ResearchConsentForm(OneTimeSubmissionForm):
    """My hub: say yes or no again to the research question, for every referral."""

    research_consent = research_consent_field(required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("research_consent", legend_size="m"),
            Submit("save", "Save my answer"),
        )

    @property
    def consent(self) -> bool:
        return bool(self.cleaned_data["research_consent"] == "yes")
