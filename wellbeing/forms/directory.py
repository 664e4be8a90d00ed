"""The service directory's form, with NHS.UK messages in plain English."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.nhsuk_forms.messages import text_errors
from portal.submission_keys import OneTimeSubmissionForm
from wellbeing.models import Service
from wellbeing.services import directory

NAME_TAKEN = "There is already a service with this name. Edit that one, or choose another name"


def _yes(value: str) -> bool:
    return value == "yes"


class ServiceForm(OneTimeSubmissionForm):
    """Add a service, or (with `service=`) change one and whether it takes referrals."""

    name = forms.CharField(
        label="Name of the service",
        max_length=120,
        error_messages=text_errors("the name of the service", "Name", 120),
    )
    criteria = forms.CharField(
        label="Who the service is for",
        help_text="Who it accepts and who it does not, so clinicians can tell at a glance.",
        max_length=3000,
        widget=forms.Textarea,
        error_messages=text_errors("who the service is for", "Who the service is for", 3000),
    )
    how_to_refer = forms.CharField(
        label="How to refer",
        help_text="For example, whether people can refer themselves, and what the service needs.",
        max_length=3000,
        widget=forms.Textarea,
        error_messages=text_errors("how to refer", "How to refer", 3000),
    )
    contact = forms.CharField(
        label="Contact details",
        help_text="A phone number, email address or website. No personal numbers.",
        max_length=300,
        error_messages=text_errors("the contact details", "Contact details", 300),
    )
    typical_wait = forms.CharField(
        label="Typical wait (optional)",
        help_text="For example, about 6 weeks for a first appointment.",
        max_length=120,
        required=False,
        error_messages=text_errors("the typical wait", "Typical wait", 120),
    )

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        self.service = service
        if service is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(service, name) for name in directory.FIELD_NAMES},
                    "active": "yes" if service.active else "no",
                },
            )
        super().__init__(*args, **kwargs)
        layout = [
            Field.text("name", label_size="s"),
            Field.textarea("criteria", rows=5, label_size="s"),
            Field.textarea("how_to_refer", rows=5, label_size="s"),
            Field.text("contact", label_size="s"),
            Field.text("typical_wait", width="two-thirds", label_size="s"),
        ]
        if service is not None:
            # Marking a service inactive is how it leaves the directory: it is never deleted,
            # because onward referrals already made still point at it.
            self.fields["active"] = forms.TypedChoiceField(
                label="Is the hub referring people to this service?",
                help_text="Choose no to take it off the list for new onward referrals. "
                "Referrals already made to it keep their record.",
                choices=[("yes", "Yes"), ("no", "No, mark it inactive")],
                coerce=_yes,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Select yes if the hub is referring people to this service",
                    "invalid_choice": "Select yes if the hub is referring people to this service",
                },
            )
            layout.append(Field.radios("active", legend_size="s"))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *layout,
            Submit("save", "Save changes" if service is not None else "Add the service"),
        )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if directory.name_is_taken(name, except_service=self.service):
            raise forms.ValidationError(NAME_TAKEN)
        return name
