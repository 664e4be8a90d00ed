"""Forms of the portal app."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.models import CaringFrequency, StaffGroup, StaffProfile
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit


def _is_yes(value: str) -> bool:
    return value == "True"


class StaffProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    # Declared here so the empty choice says what to do, rather than Django's "---------".
    staff_group = forms.ChoiceField(
        label="Staff group",
        help_text="As shown in the Electronic Staff Record (ESR).",
        choices=[("", "Choose your staff group"), *StaffGroup.choices],
        error_messages={
            "required": "Select your staff group",
            "invalid_choice": "Select your staff group from the list",
        },
    )
    is_clinical = forms.TypedChoiceField(
        label="Is your role clinical?",
        help_text="A clinical role involves caring for patients or service users directly.",
        choices=[("True", "Yes"), ("False", "No")],
        coerce=_is_yes,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if your role is clinical"},
    )

    # Declared here so the radios offer only the three answers, not an empty "---------" one.
    cares_for_both = forms.ChoiceField(
        label="How often do you care for people with both physical and mental health needs?",
        help_text="This helps us recommend the right level of learning for you.",
        choices=CaringFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": (
                "Select how often you care for people with both physical and mental health needs"
            ),
            "invalid_choice": "Select one of the options",
        },
    )

    class Meta:
        model = StaffProfile
        fields = [
            "display_name",
            "job_title",
            "staff_group",
            "organisation",
            "team",
            "site",
            "is_clinical",
            "cares_for_both",
        ]
        labels = {
            "display_name": "Display name",
            "job_title": "Job title",
            "organisation": "Organisation",
            "team": "Team (optional)",
            "site": "Site or base (optional)",
        }
        help_texts = {
            "display_name": "Shown beside any comments you post, instead of your email address.",
            "organisation": "For example, King's College Hospital NHS Foundation Trust.",
            "team": (
                "For example, Ward 5 or Community Diabetes Team. Your team lead sees totals for "
                "the team, never what one person has learned or how they rated themselves."
            ),
        }
        error_messages = {
            "display_name": {
                "required": "Enter a display name",
                "max_length": "Display name must be 80 characters or fewer",
                "null_characters_not_allowed": "Display name must only include letters, numbers and punctuation",
            },
            "job_title": {
                "required": "Enter your job title",
                "max_length": "Job title must be 120 characters or fewer",
                "null_characters_not_allowed": "Job title must only include letters, numbers and punctuation",
            },
            "organisation": {
                "required": "Enter your organisation",
                "max_length": "Organisation must be 120 characters or fewer",
                "null_characters_not_allowed": "Organisation must only include letters, numbers and punctuation",
            },
            "team": {
                "max_length": "Team must be 120 characters or fewer",
                "null_characters_not_allowed": "Team must only include letters, numbers and punctuation",
            },
            "site": {
                "max_length": "Site must be 120 characters or fewer",
                "null_characters_not_allowed": "Site must only include letters, numbers and punctuation",
            },
        }

    def clean_team(self) -> str:
        # Spaces tidied, so "Ward  5" and "Ward 5" are one team (learning.queries.team).
        return " ".join(str(self.cleaned_data["team"]).split())

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"].strip()
        if "@" in name:
            raise forms.ValidationError("Display name must not be an email address")
        return name


class EmailPreferencesForm(forms.Form):
    """Which kinds of email a person wants: one checkbox per category they may turn off."""

    wanted = forms.MultipleChoiceField(
        label="Send me emails about",
        help_text=(
            "Untick anything you do not want. We always send emails you need to use your "
            "account, such as a link to reset your password."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only the kinds of email shown"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = choices  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("wanted", legend_size="m"),
            Submit("save", "Save your email preferences"),
        )
