"""Forms of 'my hub'."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.submission_keys import OneTimeSubmissionForm

REPLY_MAX_LENGTH = 5_000


class ReplyForm(OneTimeSubmissionForm):
    body = forms.CharField(
        label="Your message",
        help_text="Only the hub's clinicians can read it. Do not use it in an emergency.",
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {REPLY_MAX_LENGTH:,} characters or fewer",
            "null_characters_not_allowed": "Your message must only include letters, numbers "
            "and punctuation",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("body", rows=6, label_size="m"),
            Submit("send", "Send message"),
        )
