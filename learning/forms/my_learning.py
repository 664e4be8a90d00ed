"""Forms of my learning: recording that a resource is completed, with CPD hours and a
reflection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from portal.nhsuk_forms.fields import DateInputField


class CompletionForm(forms.Form):
    """ "I've completed this": when, for how many CPD hours, and what the person took from it."""

    completed_on = DateInputField(
        label="When did you complete it?",
        help_text="For example, 27 3 2026",
        error_messages={
            "required": "Enter the date you completed it",
            "incomplete": "The date you completed it must include a %(parts)s",
            "invalid": "The date you completed it must be a real date",
            "invalid_year": "Year must include 4 numbers",
        },
    )
    hours = forms.DecimalField(
        label="How many CPD hours? (optional)",
        help_text="Up to one decimal place, for example 1.5. Leave it empty to use the hours "
        "the resource gives.",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        decimal_places=1,
        error_messages={
            "invalid": "CPD hours must be a number, like 1.5",
            "min_value": "CPD hours must be 0.1 or more",
            "max_value": "CPD hours must be 999.9 or fewer",
            "max_decimal_places": "CPD hours must have no more than 1 decimal place",
        },
        # A text box with a decimal keypad: NHS.UK avoids type=number's spinners and rounding.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
    )
    reflection = forms.CharField(
        label="What did you learn, and how will you use it? (optional)",
        help_text="Your reflection goes into your learning record for appraisal and "
        "revalidation. Only you can see it.",
        required=False,
        max_length=5000,
        error_messages={
            "max_length": "Reflection must be 5,000 characters or fewer",
            "null_characters_not_allowed": "Reflection must only include letters, numbers and punctuation",
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_completed_on(self) -> Any:
        completed_on = self.cleaned_data.get("completed_on")
        if completed_on is not None and completed_on > timezone.localdate():
            raise forms.ValidationError(
                "The date you completed it must be today or in the past",
                code="future",
                params={"parts_in_error": ("day", "month", "year")},
            )
        return completed_on
