"""Forms of team-based support, with NHS.UK messages in plain English."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone

from portal.nhsuk_forms.fields import DateInputField
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import HTML, Field, Layout, Submit
from portal.nhsuk_forms.messages import text_errors
from portal.submission_keys import OneTimeSubmissionForm
from wellbeing.models import TeamRequestStatus, TeamSupportType

MAX_TEAM_SIZE = 500
MAX_ATTENDED = 1000
PROMPTED_BY_MAX_LENGTH = 2000
FEEDBACK_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 300
_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$")

# Shown just above the box where the team lead says what prompted the request.
NO_CLINICAL_DETAIL = (
    # The NHS.UK warning callout (a warning card in nhsuk-frontend 10).
    '<div class="nhsuk-card nhsuk-card--warning"><div class="nhsuk-card__content">'
    '<h2 class="nhsuk-card__heading"><span role="text">'
    '<span class="nhsuk-u-visually-hidden">Important: </span>'
    "Do not include anyone's personal or clinical details</span></h2>"
    '<p class="nhsuk-card__description">Describe what the team has been through, not any one '
    "person. Do not name anyone or say anything about a colleague's health. If you are worried "
    "about someone, encourage them to refer themselves to the hub.</p></div></div>"
)


class TeamRequestForm(OneTimeSubmissionForm):
    team = forms.CharField(
        label="Team name",
        help_text="For example, Ward 7 nursing team or Emergency department reception.",
        max_length=120,
        error_messages=text_errors("the team's name", "Team name", 120),
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=120,
        error_messages=text_errors("the organisation", "Organisation", 120),
    )
    team_size = forms.IntegerField(
        label="How many people are in the team?",
        min_value=1,
        max_value=MAX_TEAM_SIZE,
        # NHS.UK asks for numbers in a text box: type=number's spinners and scroll-to-change
        # cause mistakes, and it accepts "1e3".
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many people are in the team",
            "invalid": "Team size must be a number, like 12",
            "min_value": "Team size must be 1 or more",
            "max_value": f"Team size must be {MAX_TEAM_SIZE} or fewer: for a larger group, "
            "ask for a consultation first",
        },
    )
    support_type = forms.ChoiceField(
        label="What kind of support would help?",
        choices=TeamSupportType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of support that would help",
            "invalid_choice": "Select the kind of support that would help",
        },
    )
    topic = forms.CharField(
        label="What would you like it to cover?",
        help_text="For example, coping after a difficult incident, or managing stress on a busy "
        "unit.",
        max_length=200,
        error_messages=text_errors("what you would like it to cover", "What it should cover", 200),
    )
    preferred_dates = forms.CharField(
        label="When would suit the team? (optional)",
        help_text="For example, Tuesday afternoons in March, or after the 8am handover.",
        max_length=300,
        required=False,
        error_messages=text_errors("when would suit the team", "When would suit the team", 300),
    )
    prompted_by = forms.CharField(
        label="What prompted this request?",
        help_text="A sentence or two about what the team has been through.",
        max_length=PROMPTED_BY_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages=text_errors(
            "what prompted this request", "What prompted it", PROMPTED_BY_MAX_LENGTH
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("team", label_size="s"),
            Field.text("organisation", label_size="s"),
            Field.text("team_size", width=4, label_size="s"),
            Field.radios("support_type", legend_size="s"),
            Field.text("topic", label_size="s"),
            Field.text("preferred_dates", label_size="s"),
            HTML(NO_CLINICAL_DETAIL),
            Field.textarea("prompted_by", rows=5, label_size="s"),
            Submit("send", "Send the request"),
        )


class DecisionForm(forms.Form):
    """The hub lead's decision; the choices are the moves the request can make now."""

    decision = forms.ChoiceField(
        label="What is your decision?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select your decision",
            "invalid_choice": "Select one of the decisions shown",
        },
    )
    reason = forms.CharField(
        label="Reason or note for the team lead",
        help_text="The team lead reads this. It is needed if you decline the request.",
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages=text_errors("the reason", "The reason", REASON_MAX_LENGTH),
    )

    DECISION_LABELS = {
        TeamRequestStatus.ACCEPTED: "Accept the request",
        TeamRequestStatus.DECLINED: "Decline the request",
        TeamRequestStatus.DELIVERED: "Mark it delivered: the support is complete",
    }

    def __init__(self, *args: Any, decisions: list[TeamRequestStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)  # noqa: S101 - declared above
        decision.choices = [(value, self.DECISION_LABELS[value]) for value in decisions]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size="m"),
            Field.textarea("reason", rows=3, label_size="s"),
            Submit("decide", "Save the decision"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("decision") == TeamRequestStatus.DECLINED
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", "Enter why you are declining the request")
        return cleaned


def parse_time(text: str) -> datetime.time | None:
    """'14:30', '14.30', '9', '2pm' or '2:30pm' as a time of day; None if it is not one."""
    match = _TIME.match(text.strip().lower().replace(" ", ""))
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


class SessionForm(OneTimeSubmissionForm):
    on = DateInputField(
        label="Date of the session",
        help_text="For example, 15 3 2027",
        error_messages={
            "required": "Enter the date of the session",
            "incomplete": "Date of the session must include a %(parts)s",
            "invalid": "Date of the session must be a real date",
            "invalid_year": "Year must include 4 numbers",
        },
    )
    start_time = forms.CharField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 14:30",
        max_length=8,
        error_messages={
            "required": "Enter the start time",
            "max_length": "Enter the start time like 14:30",
            "null_characters_not_allowed": "Enter the start time like 14:30",
        },
    )
    facilitator = forms.CharField(
        label="Facilitator",
        help_text="Who from the hub will run it.",
        max_length=80,
        error_messages=text_errors("the facilitator's name", "Facilitator", 80),
    )
    place = forms.CharField(
        label="Place or video call link",
        help_text="A room and site, or a link to join the call.",
        max_length=200,
        error_messages=text_errors("the place or video call link", "Place or link", 200),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.date("on", legend_size="s"),
            Field.text("start_time", width=5, label_size="s"),
            Field.text("facilitator", label_size="s"),
            Field.text("place", label_size="s"),
            Submit("book", "Book the session"),
        )

    def clean_start_time(self) -> datetime.time:
        parsed = parse_time(self.cleaned_data["start_time"])
        if parsed is None:
            raise forms.ValidationError("Enter the start time like 14:30")
        return parsed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on, start = cleaned.get("on"), cleaned.get("start_time")
        if on is not None and start is not None:
            starts_at = timezone.make_aware(datetime.datetime.combine(on, start))
            if starts_at <= timezone.now():
                self.add_error("on", "The session must be in the future")
            else:
                cleaned["starts_at"] = starts_at
        return cleaned


class SessionRecordForm(forms.Form):
    attended = forms.IntegerField(
        label="How many people came?",
        help_text="A number only. Do not record who came.",
        min_value=0,
        max_value=MAX_ATTENDED,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many people came",
            "invalid": "Number of people must be a number, like 8",
            "min_value": "Number of people must be 0 or more",
            "max_value": f"Number of people must be {MAX_ATTENDED:,} or fewer",
        },
    )
    feedback = forms.CharField(
        label="Feedback and notes (optional)",
        help_text="How it went and anything to follow up. Only the hub lead sees this. Do not "
        "name anyone or record anyone's clinical details.",
        max_length=FEEDBACK_MAX_LENGTH,
        required=False,
        widget=forms.Textarea,
        error_messages=text_errors("the feedback", "Feedback", FEEDBACK_MAX_LENGTH),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("attended", width=4, label_size="s"),
            Field.textarea("feedback", rows=6, label_size="s"),
            Submit("record", "Save attendance and feedback"),
        )
