"""Forms of certificates: asking for one (a button with a one-time key), and the public check of
a verification code."""

from __future__ import annotations

from typing import Any

from django import forms

from learning import certificate_codes
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
