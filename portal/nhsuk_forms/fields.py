"""The NHS.UK date input: one form field typed as day, month and year in three boxes.

NHS.UK (like GOV.UK) asks for dates in three text boxes rather than a date picker, and reports
problems in plain English, naming the part that is wrong ("Date must include a month"). Each
error carries the parts it concerns in its params, so the template pack highlights only those
boxes and the error summary links to the first of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import BaseRenderer
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

DATE_PARTS = ("day", "month", "year")
PART_LABELS = {"day": "Day", "month": "Month", "year": "Year"}
PART_WIDTHS = {"day": 2, "month": 2, "year": 4}

# People type month names as often as numbers; GOV.UK's guidance is to accept them.
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


@dataclass(frozen=True)
class DatePart:
    """One of the three boxes, ready for the template."""

    part: str
    label: str
    id: str
    control: SafeString
    in_error: bool


class DateInputWidget(forms.MultiWidget):
    """Day, month and year text boxes in the NHS.UK date input markup.

    The boxes are named ``<name>_day``, ``<name>_month`` and ``<name>_year`` and get the ids
    ``<id>-day`` and so on, NHS.UK's id scheme. Pass ``autocomplete="bday"`` for a date of birth:
    each box then gets ``bday-day``, ``bday-month`` or ``bday-year``.
    """

    template_name = "nhsuk/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None, autocomplete: str | None = None):
        self.autocomplete = autocomplete
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(
                attrs={
                    "class": (
                        f"nhsuk-input nhsuk-input--width-{PART_WIDTHS[part]} "
                        "nhsuk-date-input__input"
                    ),
                    # A numeric keypad on phones, without type=number's spinners and rounding.
                    "inputmode": "numeric",
                }
            )
            for part in DATE_PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        return self.render_parts(name, value, attrs, renderer)

    def render_parts(
        self,
        name: str,
        value: Any,
        attrs: Mapping[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
        error_parts: frozenset[str] = frozenset(),
    ) -> SafeString:
        """Render the three boxes, marking those in ``error_parts`` as in error."""
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        merged = {**self.attrs, **(attrs or {})}
        base_id = merged.pop("id", None)
        # These belong on the fieldset (aria-describedby) or are decided per box here.
        for attribute in ("class", "aria-describedby", "aria-invalid", "required"):
            merged.pop(attribute, None)
        parts = []
        for part, widget, part_value in zip(DATE_PARTS, self.widgets, values, strict=True):
            part_attrs = dict(merged)
            part_id = f"{base_id}-{part}" if base_id else ""
            if part_id:
                part_attrs["id"] = part_id
            if self.autocomplete:
                part_attrs["autocomplete"] = f"{self.autocomplete}-{part}"
            in_error = part in error_parts
            if in_error:
                part_attrs["class"] = f"{widget.attrs['class']} nhsuk-input--error"
                part_attrs["aria-invalid"] = "true"
            parts.append(
                DatePart(
                    part=part,
                    label=PART_LABELS[part],
                    id=part_id,
                    # The names MultiWidget.value_from_datadict reads back.
                    control=widget.render(f"{name}_{part}", part_value, part_attrs, renderer),
                    in_error=in_error,
                )
            )
        return render_to_string(self.template_name, {"id": base_id, "parts": parts})


class DateInputField(forms.Field):
    """A date typed into the NHS.UK date input, cleaned to a ``datetime.date``.

    Messages follow the NHS.UK date input guidance. Override them per field with
    ``error_messages``, for example::

        DateInputField(
            label="What is your date of birth?",
            error_messages={
                "required": "Enter your date of birth",
                "incomplete": "Date of birth must include a %(parts)s",
                "invalid": "Date of birth must be a real date",
            },
        )

    Each error's params name the parts it concerns (``parts_in_error``), which the template pack
    uses to highlight the right boxes.
    """

    widget = DateInputWidget
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "Date must include a %(parts)s",
        "invalid": "Date must be a real date",
        "invalid_year": "Year must include 4 numbers",
    }

    def __init__(self, *, autocomplete: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInputWidget(autocomplete=autocomplete))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        if value in self.empty_values:
            return None
        if not isinstance(value, list | tuple) or len(value) != len(DATE_PARTS):
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"parts_in_error": DATE_PARTS},
            )
        text = dict(
            zip(DATE_PARTS, (str(v if v is not None else "").strip() for v in value), strict=True)
        )
        if not any(text.values()):
            return None
        missing = [part for part in DATE_PARTS if not text[part]]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"parts": " and ".join(missing), "parts_in_error": tuple(missing)},
            )
        return self._real_date(text)

    def _real_date(self, text: Mapping[str, str]) -> datetime.date:
        month_text = text["month"].lower().rstrip(".")
        numbers = {
            "day": text["day"],
            "month": str(MONTH_NAMES[month_text]) if month_text in MONTH_NAMES else month_text,
            "year": text["year"],
        }
        # isascii() too: "²" passes isdigit() but int() refuses it.
        not_numbers = tuple(
            part for part in DATE_PARTS if not (numbers[part].isascii() and numbers[part].isdigit())
        )
        if not_numbers:
            raise self._invalid(not_numbers)
        if len(numbers["year"]) != 4:
            raise ValidationError(
                self.error_messages["invalid_year"],
                code="invalid_year",
                params={"parts_in_error": ("year",)},
            )
        # A day or month of more than two digits is not a real one, and a very long number
        # would overflow date() or int().
        too_long = tuple(part for part in ("day", "month") if len(numbers[part].lstrip("0")) > 2)
        if too_long:
            raise self._invalid(too_long)
        day, month, year = (int(numbers[part]) for part in DATE_PARTS)
        if year < datetime.MINYEAR:
            raise self._invalid(("year",))
        if not 1 <= month <= 12:
            raise self._invalid(("month",))
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise self._invalid(("day",)) from None

    def _invalid(self, parts: Sequence[str]) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid"], code="invalid", params={"parts_in_error": tuple(parts)}
        )
