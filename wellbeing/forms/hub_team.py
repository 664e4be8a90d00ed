"""Forms for the hub's team: giving a hub role, and the enrolment code asked for when a hub
member sets up their authenticator."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms

from portal.models import User
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from wellbeing.models import HubRole
from wellbeing.services import hub_team

CHOOSE_A_ROLE = "Select the hub role to give"


class GrantRoleForm(forms.Form):
    email = forms.EmailField(
        label="Their work email address",
        help_text="The address they sign in to the portal with.",
        max_length=254,
        error_messages={
            "required": "Enter their work email address",
            "invalid": "Enter an email address in the correct format, like name@nhs.net",
            "max_length": "Email address must be 254 characters or fewer",
            "null_characters_not_allowed": "Email address must only include letters, numbers "
            "and punctuation",
        },
    )
    role = forms.ChoiceField(
        label="Which hub role?",
        choices=[(role.value, role.label) for role in HubRole],
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_A_ROLE, "invalid_choice": CHOOSE_A_ROLE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("email", width="two-thirds", autocomplete="off", label_size="s"),
            Field.radios("role", legend_size="s"),
            Submit("grant", "Give the role"),
        )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                "There is no portal account with this email address. Ask them to sign up, "
                "then give them the role"
            )
        return user


class ActivateTOTPWithEnrolmentCodeForm(ActivateTOTPForm):
    """allauth's form for setting up an authenticator, asking hub members for the one-time
    enrolment code a hub lead gave them (settings.MFA_FORMS). Everyone else sees allauth's form
    unchanged."""

    # allauth's field, with our messages: one plain message for each way it can be wrong.
    code = forms.CharField(
        label="Authenticator code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "null_characters_not_allowed": "Enter the 6-digit code from your authenticator app",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_code = hub_team.needs_enrolment_code(self.user)
        if self.needs_code:
            self.fields["enrolment_code"] = forms.CharField(
                label="Enrolment code from your hub lead",
                help_text="Your hub lead gave you this code when they added you to the hub. "
                "It is 16 letters and numbers, like ABCD-EFGH-JKLM-NPQR, and works once.",
                max_length=40,
                error_messages={
                    "required": "Enter the enrolment code from your hub lead",
                    "max_length": "Enter the enrolment code from your hub lead",
                    "null_characters_not_allowed": "Enter the enrolment code from your hub lead",
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        # Spent only when everything else is right, so a mistyped authenticator code does not
        # cost the person their enrolment code.
        spent = (
            self.needs_code
            and not self.errors
            and hub_team.use_enrolment_code(self.user, cleaned["enrolment_code"])
        )
        if self.needs_code and not self.errors and not spent:
            self.add_error(
                "enrolment_code",
                "This enrolment code is not right, has been used or has expired. Check it, "
                "or ask your hub lead for a new one",
            )
        return cleaned
