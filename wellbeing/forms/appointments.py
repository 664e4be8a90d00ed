"""Forms for therapy appointments: booking or moving one, cancelling it and recording its
attendance (the clinician's), and asking to cancel or rearrange it (the member of staff's).

The dates a person types are checked against the record here, beside the field, with the same
rule the services apply (wellbeing.services.appointments.start_problem).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone

from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field
from wellbeing.forms.clinical import ActionForm, _date, _radios, _text
from wellbeing.forms.session_measures import (
    MEASURE_FIELDS,
    clean_measures,
    measure_fields,
    measures_layout,
)
from wellbeing.forms.team_support import parse_time
from wellbeing.models import AppointmentMode, Attendance, ChangeRequest, ScreeningResult
from wellbeing.services.appointments import CANCELLED_BY, LENGTHS, start_problem
from wellbeing.services.session_measures import SessionTotals

PLACE_MAX_LENGTH = 200


class AppointmentForm(ActionForm):
    """Booking an appointment, or moving one (the same questions, filled in)."""

    on = _date("Date", "of the appointment", help_text="For example, 15 3 2027")
    start_time = forms.CharField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 14:30.",
        max_length=8,
        error_messages={
            "required": "Enter the start time, for example 14:30",
            "max_length": "Enter the start time like 14:30",
            "null_characters_not_allowed": "Enter the start time like 14:30",
        },
    )
    minutes = forms.TypedChoiceField(
        label="Length",
        choices=[(str(length), f"{length} minutes") for length in LENGTHS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how long the appointment is",
            "invalid_choice": "Select how long the appointment is",
        },
    )
    mode = _radios(
        "How will it happen?", AppointmentMode.choices, "Select how the appointment will happen"
    )
    place = forms.CharField(
        label="Where",
        help_text="The site and room. Only the member of staff and the hub see it.",
        max_length=PLACE_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": f"Where must be {PLACE_MAX_LENGTH} characters or fewer",
            "null_characters_not_allowed": "Where must not contain special characters",
        },
    )

    def __init__(self, *args: Any, referral_created: datetime.datetime, **kwargs: Any) -> None:
        self.referral_created = referral_created
        super().__init__(*args, **kwargs)

    def layout(self) -> Layout:
        return Layout(
            Field.date("on", legend_size="s"),
            Field.text("start_time", width=5, label_size="s"),
            Field.radios("minutes", legend_size="s", inline=True),
            Field.radios(
                "mode",
                legend_size="s",
                reveals={AppointmentMode.IN_PERSON: Field.text("place", label_size="s")},
            ),
        )

    def clean_start_time(self) -> datetime.time:
        parsed = parse_time(self.cleaned_data["start_time"])
        if parsed is None:
            raise forms.ValidationError("Enter the start time like 14:30", code="invalid")
        return parsed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on, start = cleaned.get("on"), cleaned.get("start_time")
        if isinstance(on, datetime.date) and isinstance(start, datetime.time):
            try:
                starts_at = timezone.make_aware(datetime.datetime.combine(on, start))
            except (OverflowError, ValueError):
                self.add_error("on", "The date of the appointment must be a real date")
            else:
                problem = start_problem(
                    starts_at, referral_created=self.referral_created, now=timezone.now()
                )
                if problem:
                    self.add_error("on", problem)
                else:
                    cleaned["starts_at"] = starts_at
        place = (cleaned.get("place") or "").strip()
        if (
            cleaned.get("mode") == AppointmentMode.IN_PERSON
            and not place
            and "place" not in self.errors
        ):
            self.add_error("place", "Enter where the appointment will be")
        cleaned["place"] = place
        return cleaned


class CancelAppointmentForm(ActionForm):
    cancelled_by = _radios(
        "Who is cancelling it?",
        [(value, label) for value, label in Attendance.choices if value in CANCELLED_BY],
        "Select who is cancelling the appointment",
    )

    def layout(self) -> Layout:
        return Layout(Field.radios("cancelled_by", legend_size="s"))


class AttendanceForm(ActionForm):
    """What happened at an appointment, and the PHQ-9 and GAD-7 taken at it (ADR 0039), unless
    the member of staff answered them in my hub before it (`measured_before`)."""

    attendance = _radios(
        "What happened?", Attendance.choices, "Select whether the appointment was attended"
    )
    note = _text("Note (optional)", 2000, name="Note", rows=3)

    def __init__(
        self, *args: Any, measured_before: Sequence[ScreeningResult] = (), **kwargs: Any
    ) -> None:
        self.measured_before = list(measured_before)
        forms.Form.__init__(self, *args, **kwargs)
        if not measured_before:
            self.fields.update(measure_fields())
            self.order_fields(["attendance", *MEASURE_FIELDS, "note"])
        self.helper = self.make_helper()

    def layout(self) -> Layout:
        return Layout(
            Field.radios("attendance", legend_size="s"),
            *([] if self.measured_before else [measures_layout()]),
            Field.textarea("note", rows=3),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.measured_before:
            cleaned["measures"] = SessionTotals()
        else:
            clean_measures(self, cleaned)
        return cleaned


class ChangeRequestForm(forms.Form):
    """The member of staff asking, from my hub, to cancel or rearrange an appointment. It changes
    the appointment in place (asking twice is one request), so it needs no one-time key."""

    change = _radios(
        "What would you like to do?",
        ChangeRequest.choices,
        "Select whether you want to cancel or rearrange the appointment",
    )
    note = _text(
        "Anything the hub should know (optional)",
        1000,
        name="Your note",
        rows=3,
        help_text="For example, days and times that suit you better.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("change", legend_size="s"), Field.textarea("note", rows=3)
        )
