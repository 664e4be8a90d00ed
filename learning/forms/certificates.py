"""Forms of certificates: asking for one (a button with a one-time key), the public check of a
verification code, and a curator withdrawing one."""

from __future__ import annotations

from typing import Any

from django import forms

from learning import certificate_codes
from learning.services.certificates import WITHDRAWAL_REASON_MAX
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.submission_keys import OneTimeSubmissionForm


class CertificateRequestForm(OneTimeSubmissionForm):
    """ "Get a certificate": nothing to fill in, but it makes a row, so it carries a key."""


class CertificateCheckForm(forms.Form):
    """The code printed on a certificate, as a manager or appraiser types it."""

    code = forms.CharField(
        label="Verification code",
        help_text="12 letters and numbers, printed on the certificate, for example ABCD-EFGH-JKMN",
        max_length=40,
        error_messages={
            "required": "Enter the verification code printed on the certificate",
            "max_length": "A verification code is 12 letters and numbers",
            "null_characters_not_allowed": "A verification code is 12 letters and numbers",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "nhsuk-input--width-20"}
        ),
    )

    def clean_code(self) -> Any:
        code = certificate_codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "A verification code is 12 letters and numbers, like ABCD-EFGH-JKMN. Check you "
                "have typed it as it is printed",
                code="malformed",
            )
        return code


class WithdrawCertificateForm(forms.Form):
    """Why a curator withdraws a certificate. Withdrawing changes one row in place, so posting it
    twice leaves the same withdrawal: no one-time key (ADR 0022)."""

    reason = forms.CharField(
        label="Why are you withdrawing this certificate?",
        help_text=(
            "For example, the completion was recorded in error. Kept with the certificate for "
            "curators. The holder and anyone checking the code see only that it was withdrawn "
            "and when."
        ),
        max_length=WITHDRAWAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you are withdrawing this certificate",
            "max_length": f"Reason must be {WITHDRAWAL_REASON_MAX} characters or fewer",
            "null_characters_not_allowed": (
                "Reason must only include letters, numbers and punctuation"
            ),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=4),
            Submit("withdraw", "Withdraw certificate", warning=True),
        )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Enter why you are withdrawing this certificate")
        return reason
