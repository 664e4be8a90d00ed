"""The session's questionnaires on a clinician's form (recording attendance, logging a session):
the PHQ-9 and GAD-7 totals, each optional, and the answer to PHQ-9 question 9 whenever a PHQ-9
total is given, because a total alone cannot show risk (ADR 0039, hazard log H15).

Each problem gets one plain message beside its field: an impossible total, a PHQ-9 total without
question 9, a total smaller than question 9's answer, scores for a session not attended.
"""

from __future__ import annotations

from typing import Any

from django import forms

from portal.nhsuk_forms.layout import Field, Fieldset
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import Attendance
from wellbeing.services.session_measures import PHQ_9, RISK_ITEM, SessionTotals

# The fields' names, in the order the form asks them.
MEASURE_FIELDS = ("phq9_total", "phq9_item_9", "gad7_total")
_ITEM_9 = PHQ_9.items[RISK_ITEM - 1]


def _total_field(code: str) -> forms.IntegerField:
    instrument = INSTRUMENTS[code]
    between = f"The {code} total must be a whole number from 0 to {instrument.max_total}"
    return forms.IntegerField(
        label=f"{code} total (optional)",
        help_text=f"From 0 to {instrument.max_total}.",
        required=False,
        min_value=instrument.min_total,
        max_value=instrument.max_total,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"invalid": between, "min_value": between, "max_value": between},
    )


def measure_fields() -> dict[str, forms.Field]:
    message = f"Select the answer they gave to PHQ-9 question {RISK_ITEM}"
    return {
        "phq9_total": _total_field("PHQ-9"),
        "phq9_item_9": forms.TypedChoiceField(
            label=f"PHQ-9 question {RISK_ITEM}: {_ITEM_9.text}",
            help_text=(
                "Needed with a PHQ-9 total: a total alone cannot show risk. Any answer but "
                "'Not at all' marks the referral urgent."
            ),
            choices=[(str(o.value), o.label) for o in PHQ_9.options],
            coerce=int,
            required=False,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": message},
        ),
        "gad7_total": _total_field("GAD-7"),
    }


def measures_layout() -> Fieldset:
    return Fieldset(
        Field.text("phq9_total", width=2),
        Field.radios("phq9_item_9", legend_size="s", small=True),
        Field.text("gad7_total", width=2),
        legend="Questionnaires at this session",
        legend_size="s",
    )


def clean_measures(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Check the totals together, a message beside the field at fault, and put the result in
    `cleaned["measures"]` (a SessionTotals)."""
    phq9, item_9, gad7 = (cleaned.get(name) for name in MEASURE_FIELDS)
    if "phq9_total" not in form.errors and phq9 is not None and "phq9_item_9" not in form.errors:
        if item_9 is None:
            form.add_error(
                "phq9_item_9",
                f"Select the answer to PHQ-9 question {RISK_ITEM}: a total alone cannot show risk",
            )
        elif item_9 > phq9:
            form.add_error(
                "phq9_total",
                f"The PHQ-9 total cannot be less than the answer to question {RISK_ITEM} "
                f"({item_9})",
            )
    if phq9 is None and item_9 is not None and "phq9_total" not in form.errors:
        form.add_error(
            "phq9_total", f"Enter the PHQ-9 total that goes with the answer to question {RISK_ITEM}"
        )
    attendance = cleaned.get("attendance")
    if attendance and attendance != Attendance.ATTENDED:
        for name, value in (("phq9_total", phq9), ("gad7_total", gad7)):
            if value is not None and name not in form.errors:
                form.add_error(name, "Scores can be recorded only for a session that was attended")
    cleaned["measures"] = SessionTotals(phq9=phq9, phq9_item_9=item_9, gad7=gad7)
