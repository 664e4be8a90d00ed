"""Forms of the curator pages, with NHS.UK error messages in plain English: a resource, publishing
one whose review date has passed, a competency statement, rejecting a comment, and uploading a
catalogue CSV.

``ResourceForm`` holds every rule of what a resource may be (lengths, required fields, ranges, web
address, dates) and its messages; the CSV import (``learning.services.catalogue_csv``) checks each
row with it too, so the rules are written once.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from learning.models import (
    Competency,
    Level,
    Objective,
    Provider,
    Resource,
    ResourceFormat,
    Topic,
)
from learning.services.competencies import STATEMENT_MAX_LENGTH, statement_problem, tidy_statement
from learning.services.curation import review_date_problem
from portal.models import StaffGroup
from portal.nhsuk_forms.fields import DateInputField
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from portal.submission_keys import OneTimeSubmissionForm

MAX_NEW_TOPICS = 10
TOPIC_NAME_MAX_LENGTH = 100
TOPIC_SEPARATOR = ";"
# The largest catalogue file the import reads.
MAX_BYTES = 2 * 1024 * 1024
_POUNDS = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


def _yes_no(value: str) -> bool:
    return value == "True"


def topic_names(text: str) -> list[str]:
    """Topic names typed in one box (or a CSV cell), separated by semicolons, spaces tidied."""
    names = [" ".join(name.split()) for name in text.split(TOPIC_SEPARATOR)]
    return [name for name in names if name]


def levels_problem(resource_level: int | None, competencies: list[Competency]) -> str | None:
    """Why a resource at this level cannot develop these statements (a statement above the
    resource's level), or None. A resource develops statements at its own level or below: a
    Level 2 course can deepen what Level 1 asks, a Level 1 video cannot make someone able to lead
    Level 3 improvement (ADR 0034)."""
    if resource_level is None:
        return None
    above = [c.code for c in competencies if c.level > resource_level]
    if not above:
        return None
    which = ", ".join(above)
    return (
        f"A Level {resource_level} resource can develop statements at Level {resource_level} or "
        f"below. Untick {which}, or change the level"
    )


class CompetencyChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Statements as checkboxes, each labelled with its code and level."""

    def label_from_instance(self, obj: Competency) -> str:
        return f"{obj.code} (Level {obj.level}): {obj.text}"


def check_topic_names(names: list[str]) -> None:
    """Refuse a topic name too long to store."""
    if any(len(name) > TOPIC_NAME_MAX_LENGTH for name in names):
        raise forms.ValidationError(
            f"Each topic must be {TOPIC_NAME_MAX_LENGTH} characters or fewer"
        )


class ResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    """Add or edit a resource. Providers and topics can be picked, or typed in as new."""

    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Provider.objects.all(),
        required=False,
        empty_label="Choose a provider",
        error_messages={"invalid_choice": "Select a provider from the list"},
    )
    new_provider = forms.CharField(
        label="Or add a new provider (optional)",
        help_text="Use this if the provider is not in the list.",
        required=False,
        max_length=150,
        error_messages={
            "max_length": "Provider name must be 150 characters or fewer",
            "null_characters_not_allowed": "Provider name must only include letters, numbers and punctuation",
        },
    )
    level = forms.TypedChoiceField(
        label="Level",
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level", "invalid_choice": "Select a level"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("", "Choose a format"), *ResourceFormat.choices],
        error_messages={"required": "Select a format", "invalid_choice": "Select a format"},
    )
    objectives = forms.ModelMultipleChoiceField(
        label="Which strategic objectives does it support?",
        queryset=Objective.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one objective",
            "invalid_choice": "Select objectives from the list",
            "invalid_pk_value": "Select objectives from the list",
        },
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics (optional)",
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Select topics from the list",
            "invalid_pk_value": "Select topics from the list",
        },
    )
    competencies = CompetencyChoiceField(
        label="Which competencies does it develop? (optional)",
        help_text=(
            "Statements of the competency framework at the resource's level or below. A "
            "statement no published resource develops is a content gap."
        ),
        queryset=Competency.objects.filter(retired_at__isnull=True).order_by(
            "level", "position", "pk"
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Select competencies from the list. A retired statement cannot be chosen",
            "invalid_pk_value": "Select competencies from the list",
        },
    )
    new_topics = forms.CharField(
        label="New topics (optional)",
        help_text="Separate topics with semicolons, for example: diabetes and depression; pain",
        required=False,
        max_length=500,
        error_messages={
            "max_length": "New topics must be 500 characters or fewer",
            "null_characters_not_allowed": "New topics must only include letters, numbers and punctuation",
        },
    )
    staff_groups = forms.MultipleChoiceField(
        label="Which staff groups is it for? (optional)",
        help_text="Leave these empty if it is for everyone.",
        choices=StaffGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select staff groups from the list"},
    )
    cost = forms.CharField(
        label="Cost in pounds",
        help_text="Enter 0 if it is free.",
        max_length=12,
        initial="0",
        error_messages={
            "required": "Enter the cost in pounds, or 0 if it is free",
            "null_characters_not_allowed": "Enter the cost in pounds, like 12.50, or 0 if it is free",
        },
    )
    is_online = forms.TypedChoiceField(
        label="Is it online?",
        choices=[("True", "Yes"), ("False", "No, it is in person")],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if it is online"},
    )
    url = forms.URLField(
        label="Web address",
        help_text="Where staff go to take it, starting https://",
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={
            "required": "Enter a web address",
            "invalid": "Enter a web address in the correct format, like https://www.nhs.uk",
            "max_length": "Web address must be 500 characters or fewer",
            "null_characters_not_allowed": "Web address must only include letters, numbers and punctuation",
        },
    )
    review_due = DateInputField(
        label="Review date (optional)",
        help_text="When a curator should check it is still right. For example, 15 3 2027",
        required=False,
        error_messages={
            "incomplete": "Review date must include a %(parts)s",
            "invalid": "Review date must be a real date",
            "invalid_year": "Year must include 4 numbers",
        },
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "summary",
            "description",
            "format",
            "level",
            "objectives",
            "competencies",
            "topics",
            "staff_groups",
            "duration_minutes",
            "is_online",
            "location",
            "url",
            "cpd_hours",
            "accredited",
            "co_produced",
            "is_sample",
            "review_due",
        ]
        labels = {
            "title": "Title",
            "summary": "Summary",
            "description": "Description",
            "duration_minutes": "How long it takes, in minutes",
            "location": "Where it takes place (optional)",
            "cpd_hours": "CPD hours (optional)",
            "accredited": "It is accredited",
            "co_produced": "It was co-produced with people with lived experience",
            "is_sample": "It is demo content (shown as a sample)",
        }
        help_texts = {
            "summary": "One or two sentences, shown in search results.",
            "cpd_hours": "For example, 1.5",
        }
        error_messages = {
            "title": {
                "required": "Enter a title",
                "max_length": "Title must be 200 characters or fewer",
                "null_characters_not_allowed": "Title must only include letters, numbers and punctuation",
            },
            "summary": {
                "required": "Enter a summary",
                "max_length": "Summary must be 300 characters or fewer",
                "null_characters_not_allowed": "Summary must only include letters, numbers and punctuation",
            },
            "description": {
                "required": "Enter a description",
                "null_characters_not_allowed": "Description must only include letters, numbers and punctuation",
            },
            "duration_minutes": {
                "required": "Enter how long it takes, in minutes",
                "invalid": "How long it takes must be a whole number of minutes, like 90",
                "min_value": "How long it takes must be at least 1 minute",
                "max_value": "How long it takes must be 525,600 minutes (a year) or fewer",
            },
            "location": {
                "max_length": "Location must be 200 characters or fewer",
                "null_characters_not_allowed": "Location must only include letters, numbers and punctuation",
            },
            "cpd_hours": {
                "invalid": "CPD hours must be a number, like 1.5",
                "min_value": "CPD hours must be 0 or more",
                "max_value": "CPD hours must be 999.9 or fewer",
                "max_digits": "CPD hours must be 999.9 or fewer",
                "max_decimal_places": "CPD hours can have only 1 decimal place, like 1.5",
                "max_whole_digits": "CPD hours must be 999.9 or fewer",
            },
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "duration_minutes": forms.TextInput(attrs={"inputmode": "numeric"}),
            "cpd_hours": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    # The order of the page, which the error summary follows.
    field_order = [
        "title",
        "summary",
        "description",
        "provider",
        "new_provider",
        "format",
        "level",
        "objectives",
        "competencies",
        "topics",
        "new_topics",
        "staff_groups",
        "duration_minutes",
        "cost",
        "is_online",
        "location",
        "url",
        "cpd_hours",
        "accredited",
        "co_produced",
        "is_sample",
        "review_due",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The provider is set by the service (it may be a new one), so it is not a model
            # field of this form; cost is typed in pounds and kept in pence.
            self.initial["provider"] = self.instance.provider_id
            self.initial["cost"] = f"{Decimal(self.instance.cost_pence) / 100:.2f}"
            self.initial["is_online"] = str(self.instance.is_online)
        else:
            self.initial.setdefault("is_online", "True")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("title"),
            Field.textarea("summary", rows=3),
            Field.textarea("description", rows=8),
            Field.select("provider"),
            Field.text("new_provider", width="two-thirds"),
            Field.select("format"),
            Field.radios("level", inline=True),
            Field.checkboxes("objectives"),
            Field.checkboxes("competencies", small=True),
            Field.checkboxes("topics", small=True),
            Field.text("new_topics"),
            Field.checkboxes("staff_groups", small=True),
            Field.text("duration_minutes", width=5),
            Field.text("cost", width=5),
            Field.radios("is_online", inline=True),
            Field.text("location"),
            Field.text("url"),
            Field.text("cpd_hours", width=5),
            Field.checkbox("accredited"),
            Field.checkbox("co_produced"),
            Field.checkbox("is_sample"),
            Field.date("review_due"),
            Submit("save", "Save resource"),
        )

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()

    def clean_cost(self) -> int:
        text = str(self.cleaned_data["cost"]).strip().lstrip("£").replace(",", "")
        if not _POUNDS.match(text):
            raise forms.ValidationError("Enter the cost in pounds, like 12.50, or 0 if it is free")
        try:
            return int(Decimal(text) * 100)
        except InvalidOperation:
            raise forms.ValidationError("Enter the cost in pounds, like 12.50") from None

    def clean_new_provider(self) -> str:
        return " ".join(str(self.cleaned_data["new_provider"]).split())

    def clean_new_topics(self) -> list[str]:
        names = topic_names(str(self.cleaned_data["new_topics"]))
        if len(names) > MAX_NEW_TOPICS:
            raise forms.ValidationError(f"Add no more than {MAX_NEW_TOPICS} new topics at once")
        check_topic_names(names)
        return names

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("provider") and not cleaned.get("new_provider"):
            if "provider" not in self.errors and "new_provider" not in self.errors:
                self.add_error("provider", "Select a provider, or add a new one")
        elif cleaned.get("provider") and cleaned.get("new_provider"):
            self.add_error("new_provider", "Either select a provider or add a new one, not both")
        if cleaned.get("is_online") is False and not cleaned.get("location"):
            self.add_error("location", "Enter where it takes place")
        if "competencies" in cleaned:
            chosen = list(cleaned["competencies"])
            if problem := levels_problem(cleaned.get("level"), chosen):
                self.add_error("competencies", problem)
            else:
                cleaned["competencies"] = chosen + self._retired_competencies()
        if "cost" in cleaned:
            self.instance.cost_pence = cleaned["cost"]
        return cleaned

    def _retired_competencies(self) -> list[Competency]:
        """Statements retired since the resource was tied to them: not offered, but kept, so
        the history of what the resource developed is not lost by saving it."""
        if not self.instance.pk:
            return []
        return list(self.instance.competencies.filter(retired_at__isnull=False))


class NewResourceForm(OneTimeSubmissionForm, ResourceForm):
    """The add-a-resource page: a resource's rules, and a one-time key so a double click adds
    one draft (ADR 0022). The edit page and the CSV import use ResourceForm itself."""


class PublishForm(forms.Form):
    """Publishing a resource whose review date has passed: a curator sets the next one."""

    review_due = DateInputField(
        label="When should it next be reviewed?",
        help_text="Its review date has passed. For example, 15 3 2027",
        error_messages={
            "required": "Enter the next review date",
            "incomplete": "Review date must include a %(parts)s",
            "invalid": "Review date must be a real date",
            "invalid_year": "Year must include 4 numbers",
        },
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.date("review_due"), Submit("publish", "Set the review date and publish")
        )

    def clean_review_due(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["review_due"]
        if problem := review_date_problem(value, self.today):
            raise forms.ValidationError(problem)
        return value


class CompetencyForm(forms.Form):
    """A competency statement: its wording and the objectives it serves. The level is chosen
    when a statement is added and never changes (learning.services.competencies)."""

    text = forms.CharField(
        label="Statement",
        help_text='Start with "I can". For example: I can recognise when a person\'s physical '
        "symptoms may be linked to their mental health",
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the statement, starting with 'I can'",
            "max_length": f"Statement must be {STATEMENT_MAX_LENGTH} characters or fewer",
            "null_characters_not_allowed": "Statement must only include letters, numbers and punctuation",
        },
    )
    objectives = forms.ModelMultipleChoiceField(
        label="Which strategic objectives does it serve?",
        queryset=Objective.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one objective",
            "invalid_choice": "Select objectives from the list",
            "invalid_pk_value": "Select objectives from the list",
        },
    )

    def __init__(self, *args: Any, competency: Competency | None = None, **kwargs: Any) -> None:
        self.competency = competency
        if competency is not None:
            kwargs.setdefault(
                "initial",
                {"text": competency.text, "objectives": list(competency.objectives.all())},
            )
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(*self._fields(), Submit("save", self.submit_label))

    submit_label = "Save statement"

    def _fields(self) -> list[Field]:
        return [Field.textarea("text", rows=3), Field.checkboxes("objectives")]

    def clean_text(self) -> str:
        text = tidy_statement(str(self.cleaned_data["text"]))
        # A new statement's level is checked with the level, in clean().
        level = self.competency.level if self.competency is not None else None
        exclude = self.competency.pk if self.competency is not None else None
        if problem := statement_problem(text, level=level, exclude_pk=exclude):
            raise forms.ValidationError(problem)
        return text


class NewCompetencyForm(OneTimeSubmissionForm, CompetencyForm):
    """Adding a statement: its level too, and a one-time key so a double click adds one."""

    level = forms.TypedChoiceField(
        label="Level",
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a level", "invalid_choice": "Select a level"},
    )
    field_order = ["level", "text", "objectives"]
    submit_label = "Add statement"

    def _fields(self) -> list[Field]:
        return [Field.radios("level", inline=True), *super()._fields()]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        level, text = cleaned.get("level"), cleaned.get("text")
        if (
            level is not None
            and text is not None
            and (problem := statement_problem(text, level=int(level)))
        ):
            self.add_error("text", problem)
        return cleaned


class RejectCommentForm(forms.Form):
    reason = forms.CharField(
        label="Why are you rejecting this comment?",
        help_text="Kept with the comment for other curators. The author is not shown it.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you are rejecting this comment",
            "max_length": "Reason must be 300 characters or fewer",
            "null_characters_not_allowed": "Reason must only include letters, numbers and punctuation",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=4), Submit("reject", "Reject comment", warning=True)
        )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Enter why you are rejecting this comment")
        return reason


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="UTF-8 CSV, up to 2 MB and 5,000 rows.",
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
            "missing": "Select a CSV file",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("file"), Submit("import", "Check and import"))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 2 MB")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        data: bytes = upload.read(MAX_BYTES + 1)
        return data
