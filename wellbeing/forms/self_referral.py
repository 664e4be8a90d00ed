"""The self-referral's question pages, one form per page, each validating in plain English.

Every form turns what was typed into the JSON-friendly answers a draft keeps (`answers()`), and
takes them back as `initial`, so a page shows what was said before. Scoring and risk live in
wellbeing.instruments; these forms only check that each answer is one that was offered.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from crispy_forms.layout import Layout
from django import forms

from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field
from wellbeing.instruments import TRAUMATIC_EVENT, Instrument
from wellbeing.models import (
    AGE_BAND_CHOICES,
    DISABILITY_CHOICES,
    ETHNIC_GROUP_CHOICES,
    RELIGION_CHOICES,
    SEX_CHOICES,
    SEXUAL_ORIENTATION_CHOICES,
    STAFF_GROUP_CHOICES,
    HowHeard,
    Sector,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


# Control characters arrive from pasted text and broken clients; none means anything in a
# name or a story. Line breaks and tabs stay where a field allows several lines.
_LINE_BREAKS = re.compile(r"\r\n?")


def _without_control_characters(text: str, *, multiline: bool) -> str:
    kept = []
    for ch in _LINE_BREAKS.sub("\n", text):
        if ch in "\n\t":
            kept.append(ch if multiline else " ")
        elif unicodedata.category(ch) != "Cc":
            kept.append(ch)
    return "".join(kept)


class PlainTextField(forms.CharField):
    """Text as a person types it: stripped, control characters removed, checked for length."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return _without_control_characters(text, multiline=self.multiline).strip()


def _text(label: str, max_length: int, *, name: str, required: bool = False, **kwargs: Any) -> Any:
    messages = {"max_length": f"{name} must be {max_length:,} characters or fewer"}
    messages.update(kwargs.pop("error_messages", {}))
    return PlainTextField(
        label=label, max_length=max_length, required=required, error_messages=messages, **kwargs
    )


class StepForm(forms.Form):
    """A question page. `answers()` is what the draft keeps: strings, lists or numbers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = self.layout()

    def layout(self) -> Layout:
        return Layout(*self.fields)

    def answers(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


# --- 1. How to contact you -------------------------------------------------------------------

PHONE_EXAMPLE = "like 07700 900 982 or +44 7700 900 982"
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def normalised_uk_phone(typed: str) -> str:
    """The digits of a UK phone number in national form (07700900982), or ValidationError."""
    compact = _PHONE_SEPARATORS.sub("", typed)
    not_uk = forms.ValidationError(
        f"Enter a UK phone number starting with 0 or +44, {PHONE_EXAMPLE}", code="invalid"
    )
    if compact.startswith("+44"):
        compact = "0" + compact[3:].removeprefix("0")
    elif compact.startswith("+"):
        raise not_uk
    if not compact.isascii() or not compact.isdigit():
        raise forms.ValidationError(
            f"Enter a phone number using only numbers, spaces and +44, {PHONE_EXAMPLE}",
            code="invalid",
        )
    if not compact.startswith("0"):
        raise not_uk
    if not 10 <= len(compact) <= 11:
        raise forms.ValidationError(
            f"Phone number must be 10 or 11 digits, {PHONE_EXAMPLE}", code="invalid_length"
        )
    return compact


class TelInput(forms.TextInput):
    input_type = "tel"


class ContactForm(StepForm):
    name = _text(
        "Full name",
        200,
        name="Full name",
        required=True,
        error_messages={"required": "Enter your full name"},
    )
    phone = _text(
        "Phone number",
        30,
        name="Phone number",
        required=True,
        help_text="A UK mobile or landline number. A hub clinician will usually call you first.",
        widget=TelInput,
        error_messages={"required": "Enter a phone number"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We have used the email address you sign in with. You can change it.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
            "null_characters_not_allowed": "Email address must only include letters, numbers and punctuation",
        },
    )
    voicemail_ok = forms.ChoiceField(
        label="Can the hub leave you a voicemail?",
        help_text="Choose no if someone else might listen to your messages.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes if the hub can leave you a voicemail",
            "invalid_choice": "Select yes if the hub can leave you a voicemail",
        },
    )
    best_times = _text(
        "When is the best time to contact you? (optional)",
        500,
        name="Best time to contact you",
        multiline=True,
        help_text="For example, weekday mornings, or after 5pm on Tuesdays.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def layout(self) -> Layout:
        return Layout(
            Field.text("name", autocomplete="name", spellcheck="false"),
            Field.text("phone", width=20, autocomplete="tel"),
            Field.text("email", autocomplete="email", spellcheck="false"),
            Field.radios("voicemail_ok", inline=True),
            Field.textarea("best_times", rows=3),
        )

    def clean_phone(self) -> str:
        typed: str = self.cleaned_data["phone"]
        normalised_uk_phone(typed)
        # Kept as typed (spaces make it easier to read back); the check above is what matters.
        return " ".join(typed.split())


# --- 2. Your work ------------------------------------------------------------------------------


class WorkForm(StepForm):
    organisation = _text(
        "Organisation (optional)",
        120,
        name="Organisation",
        help_text="For example, King's College Hospital NHS Foundation Trust.",
    )
    staff_group = forms.ChoiceField(
        label="Staff group (optional)",
        required=False,
        choices=[("", "Choose a staff group"), *STAFF_GROUP_CHOICES],
        error_messages={"invalid_choice": "Select a staff group from the list"},
    )
    sector = forms.ChoiceField(
        label="What kind of organisation do you work for? (optional)",
        help_text="The hub counts this to find out which kinds of organisation it reaches less.",
        required=False,
        choices=Sector.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the kind of organisation you work for"},
    )
    team = _text(
        "Team or department (optional)",
        200,
        name="Team or department",
        help_text="Only the hub's clinicians will see this.",
    )

    def layout(self) -> Layout:
        return Layout(
            Field.text("organisation", autocomplete="organization"),
            Field.radios("sector"),
            Field.select("staff_group"),
            Field.text("team"),
        )


# --- 3. What is happening for you ----------------------------------------------------------------


class AboutForm(StepForm):
    whats_happening = _text(
        "What has been happening?",
        5000,
        name="What is happening for you",
        required=True,
        multiline=True,
        help_text=(
            "Tell us in your own words: what has been happening, how long for, and how it is "
            "affecting you."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Tell us what is happening for you"},
    )
    hoped_for_help = _text(
        "What help are you hoping for? (optional)",
        2000,
        name="What help you are hoping for",
        multiline=True,
        help_text="If you are not sure, you can leave this blank.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def layout(self) -> Layout:
        return Layout(
            Field.textarea("whats_happening", rows=8, label_size="s"),
            Field.textarea("hoped_for_help", rows=4, label_size="s"),
        )


# --- 4. The questionnaires ----------------------------------------------------------------------


def item_field_name(number: int) -> str:
    return f"item_{number}"


def _option_label(value: int, label: str, numbered: bool) -> str:
    if not numbered:
        return label
    return f"{value} ({label.lower()})" if label else str(value)


class QuestionnaireForm(StepForm):
    """One questionnaire: a fieldset of radios per item, every item required.

    Built for an instrument with `QuestionnaireForm(instrument, data, initial=...)`. A scale
    labelled only at some points (WSAS) shows every point's number, so each choice has a name.
    """

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        self.instrument = instrument
        forms.Form.__init__(self, *args, **kwargs)
        for item in instrument.items:
            options = instrument.options_for(item)
            numbered = any(not option.label for option in options)
            message = f"Select an answer for question {item.number}"
            self.fields[item_field_name(item.number)] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[
                    (str(o.value), _option_label(o.value, o.label, numbered)) for o in options
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(Field.radios(name, legend_size="s", small=True) for name in self.fields)
        )

    def item_answers(self) -> list[int | None]:
        """The answers given, in item order, None where an item is unanswered or invalid.

        Safe to call on an invalid form: a questionnaire left half done keeps what was given.
        """
        cleaned = getattr(self, "cleaned_data", {})
        return [cleaned.get(item_field_name(item.number)) for item in self.instrument.items]

    @staticmethod
    def initial_for(answers: list[int | None] | None) -> dict[str, int]:
        return {
            item_field_name(number): answer
            for number, answer in enumerate(answers or [], start=1)
            if answer is not None
        }


class TraumaticEventForm(StepForm):
    """The one question asked before the PCL-5 (wellbeing.instruments.TRAUMATIC_EVENT)."""

    traumatic_event = forms.ChoiceField(
        label=TRAUMATIC_EVENT.question,
        help_text=TRAUMATIC_EVENT.hint,
        choices=TRAUMATIC_EVENT.options,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select yes, no or prefer not to say",
            "invalid_choice": "Select yes, no or prefer not to say",
        },
    )

    def layout(self) -> Layout:
        return Layout(Field.radios("traumatic_event", legend_size="l", legend_tag="h1"))


# --- 5. How you heard about the hub -------------------------------------------------------------


class HowHeardForm(StepForm):
    how_heard = forms.ChoiceField(
        label="How did you hear about the Resilience Hub?",
        choices=HowHeard.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how you heard about the hub",
            "invalid_choice": "Select how you heard about the hub",
        },
    )

    def layout(self) -> Layout:
        return Layout(Field.radios("how_heard", legend_size="l", legend_tag="h1"))


# --- 6. Equality monitoring --------------------------------------------------------------------


class EqualityForm(StepForm):
    sex = forms.ChoiceField(
        label="What is your sex? (optional)",
        required=False,
        choices=SEX_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select your sex, or prefer not to say"},
    )
    ethnic_group = forms.ChoiceField(
        label="What is your ethnic group? (optional)",
        required=False,
        choices=ETHNIC_GROUP_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select your ethnic group, or prefer not to say"},
    )
    age_band = forms.ChoiceField(
        label="What is your age? (optional)",
        required=False,
        choices=AGE_BAND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select your age, or prefer not to say"},
    )
    disability = forms.ChoiceField(
        label=(
            "Are your day-to-day activities limited because of a health problem or disability "
            "which has lasted, or is expected to last, at least 12 months? (optional)"
        ),
        help_text="Include problems related to old age.",
        required=False,
        choices=DISABILITY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Select whether your day-to-day activities are limited, or prefer "
            "not to say"
        },
    )
    sexual_orientation = forms.ChoiceField(
        label="Which of the following best describes your sexual orientation? (optional)",
        required=False,
        choices=SEXUAL_ORIENTATION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select your sexual orientation, or prefer not to say"},
    )
    religion = forms.ChoiceField(
        label="What is your religion or belief? (optional)",
        required=False,
        choices=RELIGION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select your religion or belief, or prefer not to say"},
    )

    def layout(self) -> Layout:
        return Layout(*(Field.radios(name) for name in self.fields))


# --- 7. Consent ----------------------------------------------------------------------------------


# The separate, optional research question (issue 14): asked beside the consent to be contacted
# but never bound to it, and changeable or withdrawn at any time in my hub.
RESEARCH_QUESTION = (
    "May the hub use your answers, without your name or contact details, for research that "
    "evaluates the service?"
)
RESEARCH_HINT = (
    "This is optional and separate from your referral: your answer does not change the help you "
    "get. If you say yes, researchers whose study has been approved may see your "
    "questionnaire answers and scores, your age band, sex, ethnic group, staff group and kind "
    "of organisation, the kind of support you had, and the month you were referred, under a "
    "code instead of your name. Never your name, contact details or what you wrote. You can "
    "change your mind at any time in My hub, and you will be left out of every later extract."
)
RESEARCH_CHOICES = [("yes", "Yes, the hub may use my answers for research"), ("no", "No")]


def research_consent_field(*, required: bool) -> forms.ChoiceField:
    message = "Select yes if the hub may use your answers for research"
    return forms.ChoiceField(
        label=RESEARCH_QUESTION if required else f"{RESEARCH_QUESTION} (optional)",
        help_text=RESEARCH_HINT,
        required=required,
        choices=RESEARCH_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ConsentForm(StepForm):
    consent = forms.BooleanField(
        label=(
            "I understand who can see what I tell the hub, and I agree that the hub may contact me"
        ),
        error_messages={
            "required": (
                "Confirm that you understand who can see what you tell the hub and agree that "
                "the hub may contact you"
            )
        },
    )

    research_consent = research_consent_field(required=False)

    def layout(self) -> Layout:
        return Layout(Field.checkbox("consent"), Field.radios("research_consent"))

    def answers(self) -> dict[str, Any]:
        return {"consent": "yes", "research_consent": self.cleaned_data.get("research_consent", "")}

    @staticmethod
    def initial_for(stored: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "consent": bool(stored and stored.get("consent") == "yes"),
            "research_consent": (stored or {}).get("research_consent", ""),
        }


# --- Sending -------------------------------------------------------------------------------------


class SendForm(forms.Form):
    """The check-answers page's button: carries the draft's one-time key."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
