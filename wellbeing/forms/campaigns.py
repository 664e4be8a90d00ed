"""The outreach campaign form, with NHS.UK error messages in plain English."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.models import StaffGroup
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.submission_keys import OneTimeSubmissionForm
from wellbeing.models import Campaign
from wellbeing.services import campaigns

EVERYONE = "everyone"
CHOSEN = "chosen"


class CampaignForm(OneTimeSubmissionForm):
    """A campaign's name and audience: everyone, or chosen staff groups and organisations."""

    name = forms.CharField(
        label="Campaign name",
        help_text="Only the hub sees this name. For example: Winter check-in 2026",
        max_length=120,
        error_messages={
            "required": "Enter a campaign name",
            "max_length": "Campaign name must be 120 characters or fewer",
            "null_characters_not_allowed": "Campaign name must only include letters, numbers and punctuation",
        },
    )
    audience = forms.ChoiceField(
        label="Who should get the invitation?",
        choices=[
            (EVERYONE, "Everyone with an account"),
            (CHOSEN, "Staff in the staff groups or organisations I choose"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who should get the invitation",
            "invalid_choice": "Select who should get the invitation",
        },
    )
    staff_groups = forms.MultipleChoiceField(
        label="Staff groups",
        help_text="If you also choose organisations, only these staff groups in those "
        "organisations get it.",
        choices=StaffGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select staff groups from the list"},
    )
    organisations = forms.MultipleChoiceField(
        label="Organisations",
        help_text="The organisations staff have given in their profiles.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select organisations from the list"},
    )

    def __init__(self, *args: Any, submit_label: str = "Save campaign", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = campaigns.organisations()
        self.fields["organisations"].choices = [(name, name) for name in names]  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name", width="two-thirds"),
            Field.radios("audience"),
            Field.checkboxes("staff_groups", small=True),
            Field.checkboxes("organisations", small=True),
            Submit("save", submit_label),
        )

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        return {
            "name": campaign.name,
            "audience": EVERYONE if campaign.everyone else CHOSEN,
            "staff_groups": campaign.staff_groups,
            "organisations": campaign.organisations,
        }

    def clean_name(self) -> str:
        return str(self.cleaned_data["name"]).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("staff_groups") or cleaned.get("organisations")
        already_wrong = self.has_error("staff_groups") or self.has_error("organisations")
        if cleaned.get("audience") == CHOSEN and not chosen and not already_wrong:
            self.add_error("staff_groups", "Select at least one staff group or organisation")
        return cleaned

    def audience_fields(self) -> dict[str, Any]:
        """The cleaned audience, as the service functions take it."""
        everyone = self.cleaned_data["audience"] == EVERYONE
        return {
            "everyone": everyone,
            "staff_groups": [] if everyone else self.cleaned_data["staff_groups"],
            "organisations": [] if everyone else self.cleaned_data["organisations"],
        }
