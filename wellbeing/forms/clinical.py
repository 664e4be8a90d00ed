"""Forms of the clinicians' action pages, each validating in plain English next to its field.

The forms check what a person typed; wellbeing.services.clinical checks it again against the referral's
state and the records it names (a resource still published, a service still active).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from crispy_forms.layout import Layout
from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from portal.nhsuk_forms.fields import DateInputField
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Fieldset, Submit
from portal.submission_keys import OneTimeSubmissionForm
from wellbeing.forms.self_referral import PlainTextField
from wellbeing.forms.session_measures import (
    MEASURE_FIELDS,
    clean_measures,
    measure_fields,
    measures_layout,
)
from wellbeing.models import (
    CLOSE_REASONS_TO_CHOOSE,
    MAX_ID,
    AssessmentOutcome,
    Attendance,
    ContactMethod,
    ContactOutcome,
    OnwardStatus,
    Referral,
    RiskLevel,
    TherapyModality,
    UrgentReason,
    VoicemailOverride,
)
from wellbeing.services.referrals import RISK_NEEDING_SAFETY_PLAN, received_minute
from wellbeing.services.support import MAX_PLANNED_SESSIONS, OutcomeDetail


class Resource(Protocol):
    """A published learning resource, as learning.queries.resources_for_signposting gives it."""

    pk: Any
    title: str


_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def _text(label: str, max_length: int, *, name: str, required: bool = False, **kw: Any) -> Any:
    messages = {"max_length": f"{name} must be {max_length:,} characters or fewer"}
    messages.update(kw.pop("error_messages", {}))
    return PlainTextField(
        label=label,
        max_length=max_length,
        required=required,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": kw.pop("rows", 5)}),
        error_messages=messages,
        **kw,
    )


def _radios(label: str, choices: Any, message: str, **kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
        **kw,
    )


def _date(label: str, what: str, **kw: Any) -> DateInputField:
    return DateInputField(
        label=label,
        error_messages={
            "required": f"Enter the date {what}",
            "incomplete": f"The date {what} must include a %(parts)s",
            "invalid": f"The date {what} must be a real date",
            "invalid_year": "Year must include 4 numbers",
        },
        **kw,
    )


def _not_in_future(form: forms.Form, name: str, what: str) -> None:
    day = form.cleaned_data.get(name)
    if isinstance(day, datetime.date) and day > timezone.localdate():
        form.add_error(name, f"The date {what} must be today or in the past")


class ActionForm(OneTimeSubmissionForm):
    """A form on an action page: the page writes the <form> tag and its buttons. It carries a
    one-time key, so a double click or a refresh makes its change once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = self.make_helper()

    def make_helper(self) -> FormHelper:
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True  # the page's <form> has the token
        helper.layout = self.layout()
        return helper

    def layout(self) -> Layout:
        return Layout(*(name for name in self.fields if name != "submission_key"))

    def show_again_unchecked(self) -> None:
        """Draw a posted form again as it was typed, with no error messages: the clinician
        searched the catalogue rather than sending the form."""
        self._errors = ErrorDict()


# --- Contact attempt ------------------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _not_before(form: forms.Form, name: str, earliest: datetime.date, message: str) -> None:
    """A typed date that cannot come before what it follows (one message per problem: only if
    the field has no error yet)."""
    day = form.cleaned_data.get(name)
    if isinstance(day, datetime.date) and day < earliest and name not in form.errors:
        form.add_error(name, f"{message}, {_day(earliest)}")


class ContactAttemptForm(ActionForm):
    """An attempt to reach the member of staff, checked against their referral: not before it
    arrived, not in the future, and no voicemail for someone who asked for none unless the
    clinician says why (the reason is audited)."""

    on = _date("Date of the attempt", "of the attempt")
    time = forms.CharField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30.",
        max_length=5,
        error_messages={
            "required": "Enter the time of the attempt, for example 14:30",
            "null_characters_not_allowed": "Enter a real time, for example 14:30",
        },
    )
    method = _radios(
        "How did you try to contact them?",
        ContactMethod.choices,
        "Select how you tried to contact them",
    )
    outcome = _radios("What happened?", ContactOutcome.choices, "Select what happened")
    voicemail_override = _radios(
        "They asked the hub not to leave a voicemail. If you left one, why?",
        VoicemailOverride.choices,
        "Select why you left a voicemail",
        required=False,
        help_text="Answer only if you left a voicemail. The reason is recorded in the audit log.",
    )
    note = _text("Note (optional)", 2000, name="Note", rows=3)

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        self.referral = referral
        now = timezone.localtime()
        kwargs.setdefault("initial", {"on": now.date(), "time": f"{now:%H:%M}"})
        super().__init__(*args, **kwargs)
        if referral.voicemail_ok:
            del self.fields["voicemail_override"]
            self.helper = self.make_helper()

    def layout(self) -> Layout:
        return Layout(
            Field.date("on", legend_size="s"),
            Field.text("time", width=5),
            Field.radios("method", legend_size="s"),
            Field.radios("outcome", legend_size="s"),
            *(
                [Field.radios("voicemail_override", legend_size="s")]
                if "voicemail_override" in self.fields
                else []
            ),
            Field.textarea("note", rows=3),
        )

    def clean_time(self) -> datetime.time:
        match = _TIME.fullmatch(self.cleaned_data["time"].strip())
        if not match:
            raise forms.ValidationError("Enter a real time, for example 14:30", code="invalid")
        return datetime.time(int(match[1]), int(match[2]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on, at = cleaned.get("on"), cleaned.get("time")
        if isinstance(on, datetime.date) and isinstance(at, datetime.time):
            when = timezone.make_aware(datetime.datetime.combine(on, at))
            received = timezone.localtime(received_minute(self.referral))
            if when > timezone.now():
                self.add_error("on", "The date and time of the attempt must be in the past")
            elif when < received:
                self.add_error(
                    "on",
                    "The date and time of the attempt must be after the referral was received, "
                    f"{_day(received.date())} at {received:%H:%M}",
                )
            else:
                cleaned["at"] = when
        if cleaned.get("outcome") != ContactOutcome.VOICEMAIL or self.referral.voicemail_ok:
            cleaned["voicemail_override"] = ""
        elif not cleaned.get("voicemail_override") and "voicemail_override" not in self.errors:
            self.add_error(
                "voicemail_override",
                "They asked the hub not to leave a voicemail. Select why you left one, or "
                "select what else happened",
            )
        return cleaned


# --- Choosing resources to signpost --------------------------------------------------------------

# The button that searches the catalogue from inside an action form. It posts the whole form, so
# what the clinician has typed so far (assessment notes, a formulation) comes back as it was:
# a separate GET search form would lose it. A search never checks or saves anything.
RESOURCE_SEARCH_BUTTON = "search_resources"
MAX_RESOURCES_FOUND = 20  # a screenful of checkboxes; more means the words are too broad
MAX_SEARCH_LENGTH = 100
MAX_TICKED_RESOURCES = 100  # more ticked ids than this is not a person at a browser


def search_words(value: object) -> str:
    """Search words as typed, cut to length, with control characters and extra spaces gone."""
    text = value[:MAX_SEARCH_LENGTH] if isinstance(value, str) else ""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class ResourceSearchField(forms.CharField):
    """The words to search the catalogue for. Never an error: they only choose which resources
    are offered, and are never saved."""

    def __init__(self) -> None:
        super().__init__(
            label="Search the learning catalogue by topic or title",
            help_text="For example, sleep, stress or bereavement.",
            required=False,
            widget=forms.TextInput(attrs={"maxlength": MAX_SEARCH_LENGTH, "type": "search"}),
        )

    def clean(self, value: Any) -> str:
        return search_words(value)


class FindResources(Protocol):
    """learning.queries.resources_for_signposting, as the forms use it."""

    def __call__(
        self,
        *,
        ids: Sequence[int] | None = None,
        matching: str | None = None,
        limit: int | None = None,
    ) -> Sequence[Resource]: ...


def _posted_list(data: Any, name: str) -> list[str]:
    if data is None:
        return []
    if hasattr(data, "getlist"):
        return [str(value) for value in data.getlist(name)]
    value = data.get(name)
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value or "")]


@dataclass(frozen=True)
class ResourceOffer:
    """The resources a form offers as checkboxes: those ticked already, then those the search
    found, never the whole catalogue."""

    words: str
    resources: Sequence[Resource]
    more_found: bool = False  # the search found more than MAX_RESOURCES_FOUND

    @classmethod
    def for_data(
        cls, data: Any, find: FindResources, *, leave_out: Collection[int] = ()
    ) -> ResourceOffer:
        """What to offer for a posted form (None on GET): two queries at most."""
        words = search_words((data or {}).get("resource_search"))
        ticked = {
            int(value)
            for value in _posted_list(data, "resources")[:MAX_TICKED_RESOURCES]
            if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID
        }
        # Ticked ones stay offered (so a new search keeps them), unless no longer published.
        kept = list(find(ids=sorted(ticked))) if ticked else []
        found = list(find(matching=words, limit=MAX_RESOURCES_FOUND + 1)) if words else []
        kept_ids = {resource.pk for resource in kept}
        fresh = [r for r in found[:MAX_RESOURCES_FOUND] if r.pk not in kept_ids]
        return cls(
            words=words,
            resources=[r for r in [*kept, *fresh] if r.pk not in leave_out],
            more_found=len(found) > MAX_RESOURCES_FOUND,
        )

    def hint(self) -> str:
        if not self.words:
            return (
                "Search the catalogue to find published resources to tick. The member of staff "
                "sees their titles and links in my hub."
            )
        if self.more_found:
            return (
                f"The first {MAX_RESOURCES_FOUND} published resources matching "
                f"\u2018{self.words}\u2019, and any you ticked. Add a word to narrow the search."
            )
        if not self.resources:
            return f"No published resources match \u2018{self.words}\u2019. Try another word."
        return (
            f"Published resources matching \u2018{self.words}\u2019, and any you ticked. The "
            "member of staff sees their titles and links in my hub."
        )


def _resource_field(offer: ResourceOffer) -> forms.Field:
    message = "Select resources from the published list"
    return forms.TypedMultipleChoiceField(
        label="Resources to signpost",
        help_text=offer.hint(),
        choices=[(str(resource.pk), resource.title) for resource in offer.resources],
        coerce=int,
        required=False,  # the form says what is missing, beside the search when nothing is offered
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": message},
    )


def _resource_choice_layout(legend_size: Any) -> list[Any]:
    return [
        Field.text("resource_search", width=20),
        Submit(RESOURCE_SEARCH_BUTTON, "Search the catalogue", secondary=True),
        Field.checkboxes("resources", legend_size=legend_size, small=True),
    ]


def _require_resources(form: forms.Form, message: str) -> None:
    """At least one resource ticked; the message sits beside the search when there is nothing
    to tick yet, so the error summary's link lands on something the clinician can use."""
    if "resources" in form.errors or form.cleaned_data.get("resources"):
        return
    offered = form.fields["resources"]
    assert isinstance(offered, forms.ChoiceField)  # noqa: S101 - made by _resource_field
    form.add_error("resources" if offered.choices else "resource_search", message)


# --- Rapid assessment -----------------------------------------------------------------------------


def _team_request_field(team_requests: Any, *, required: bool) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label="Team request",
        help_text="Team requests the hub has accepted.",
        queryset=team_requests,
        required=required,
        empty_label="Choose a team request",
        error_messages={
            "required": "Select the team request",
            "invalid_choice": "Select a team request from the list",
        },
    )


def _service_field(services: Any, *, required: bool) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label="Service",
        help_text="Services in the hub's directory.",
        queryset=services,
        required=required,
        empty_label="Choose a service",
        error_messages={
            "required": "Select the service",
            "invalid_choice": "Select a service from the directory",
        },
    )


def _modality_field(*, required: bool) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Type of therapy",
        choices=[("", "Choose a type of therapy"), *TherapyModality.choices],
        required=required,
        error_messages={
            "required": "Select the type of therapy",
            "invalid_choice": "Select a type of therapy from the list",
        },
    )


def _planned_sessions_field(*, required: bool) -> forms.IntegerField:
    between = f"Planned sessions must be between 1 and {MAX_PLANNED_SESSIONS}"
    return forms.IntegerField(
        label="Planned sessions",
        help_text=f"From 1 to {MAX_PLANNED_SESSIONS}.",
        required=required,
        min_value=1,
        max_value=MAX_PLANNED_SESSIONS,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of planned sessions",
            "invalid": "Enter the number of planned sessions as a number, like 6",
            "min_value": between,
            "max_value": between,
        },
    )


@dataclass(frozen=True)
class OutcomeQuestions:
    """The questions an outcome asks, shown when it is chosen (NHS.UK conditional reveal)."""

    legend: str  # labels the section where every section shows (no JavaScript)
    fields: tuple[str, ...]
    needs: tuple[tuple[str, str], ...]  # the fields it cannot do without, and the message


OUTCOME_QUESTIONS: dict[str, OutcomeQuestions] = {
    AssessmentOutcome.SELF_HELP: OutcomeQuestions(
        "If the outcome is self-help",
        ("resource_search", "resources"),
        (("resources", "Select at least one resource to signpost"),),
    ),
    AssessmentOutcome.TEAM_SUPPORT: OutcomeQuestions(
        "If the outcome is team-based support",
        ("team_request",),
        (("team_request", "Select the team request"),),
    ),
    AssessmentOutcome.DIRECT_THERAPY: OutcomeQuestions(
        "If the outcome is direct therapy",
        ("modality", "planned_sessions"),
        (
            ("modality", "Select the type of therapy"),
            ("planned_sessions", "Enter the number of planned sessions"),
        ),
    ),
    AssessmentOutcome.ONWARD_REFERRAL: OutcomeQuestions(
        "If the outcome is onward referral",
        ("service", "onward_note"),
        (("service", "Select the service to refer to"),),
    ),
    AssessmentOutcome.CLOSE: OutcomeQuestions(
        "If the outcome is to close the referral",
        ("close_reason",),
        (("close_reason", "Select why the referral is being closed"),),
    ),
}


class AssessmentForm(ActionForm):
    """The rapid assessment and its outcome in one submit, so an outcome is never left without
    what it needs. Choosing an outcome reveals its questions; without JavaScript every
    outcome's questions show, each under its own legend. Only the chosen outcome's questions
    are checked and kept: whatever the others hold is ignored."""

    notes = _text(
        "Assessment notes",
        10_000,
        name="Assessment notes",
        required=True,
        rows=8,
        error_messages={"required": "Enter your assessment notes"},
    )
    risk_level = _radios("Risk level", RiskLevel.choices, "Select the risk level")
    safety_plan = _text(
        "Safety plan",
        5000,
        name="Safety plan",
        rows=5,
        help_text="Needed when risk is moderate or high.",
    )
    formulation = _text(
        "Formulation",
        5000,
        name="Formulation",
        required=True,
        rows=5,
        error_messages={"required": "Enter a formulation"},
    )
    outcome = _radios("Outcome", AssessmentOutcome.choices, "Select the outcome")
    resource_search = ResourceSearchField()
    onward_note = _text("Note for the onward referral (optional)", 2000, name="Note", rows=3)
    close_reason = _radios(
        "Why is the referral being closed?",
        CLOSE_REASONS_TO_CHOOSE,
        "Select why the referral is being closed",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        resources: ResourceOffer,
        team_requests: Any,
        services: Any,
        **kwargs: Any,
    ) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["resources"] = _resource_field(resources)
        self.fields["team_request"] = _team_request_field(team_requests, required=False)
        self.fields["modality"] = _modality_field(required=False)
        self.fields["planned_sessions"] = _planned_sessions_field(required=False)
        self.fields["service"] = _service_field(services, required=False)
        # The error summary lists problems in the order the page asks the questions.
        self.order_fields(
            [
                "notes",
                "risk_level",
                "safety_plan",
                "formulation",
                "outcome",
                *(name for questions in OUTCOME_QUESTIONS.values() for name in questions.fields),
            ]
        )
        self.helper = self.make_helper()

    def layout(self) -> Layout:
        sections: dict[str, list[Any]] = {
            AssessmentOutcome.SELF_HELP: _resource_choice_layout("s"),
            AssessmentOutcome.TEAM_SUPPORT: [Field.select("team_request")],
            AssessmentOutcome.DIRECT_THERAPY: [
                Field.select("modality"),
                Field.text("planned_sessions", width=2),
            ],
            AssessmentOutcome.ONWARD_REFERRAL: [
                Field.select("service"),
                Field.textarea("onward_note", rows=3),
            ],
            AssessmentOutcome.CLOSE: [Field.radios("close_reason", legend_size="s")],
        }
        return Layout(
            Field.textarea("notes", rows=8, label_size="s"),
            Field.radios("risk_level", legend_size="s", inline=True),
            Field.textarea("safety_plan", rows=5, label_size="s"),
            Field.textarea("formulation", rows=5, label_size="s"),
            Field.radios(
                "outcome",
                legend_size="m",
                reveals={
                    str(outcome): Fieldset(
                        *sections[outcome], legend=questions.legend, legend_size="s"
                    )
                    for outcome, questions in OUTCOME_QUESTIONS.items()
                },
            ),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("risk_level") in RISK_NEEDING_SAFETY_PLAN and not cleaned.get("safety_plan"):
            self.add_error(
                "safety_plan", "Enter a safety plan: it is needed when risk is moderate or high"
            )
        chosen = OUTCOME_QUESTIONS.get(cleaned.get("outcome", ""))
        # The other outcomes' sections may still hold answers (typed before the clinician
        # changed their mind, or shown without JavaScript): they are neither checked nor kept.
        for questions in OUTCOME_QUESTIONS.values():
            if questions is not chosen:
                for name in questions.fields:
                    self.errors.pop(name, None)
                    cleaned.pop(name, None)
        for name, message in chosen.needs if chosen else ():
            if name == "resources":
                _require_resources(self, message)
            elif name not in self.errors and cleaned.get(name) in (None, "", []):
                self.add_error(name, message)
        return cleaned

    def detail(self) -> OutcomeDetail:
        data = self.cleaned_data
        return OutcomeDetail(
            resource_ids=data.get("resources") or (),
            team_request=data.get("team_request"),
            modality=data.get("modality") or "",
            planned_sessions=data.get("planned_sessions"),
            service=data.get("service"),
            onward_note=data.get("onward_note") or "",
            close_reason=data.get("close_reason") or "",
        )


# --- More support ---------------------------------------------------------------------------------


class SignpostForm(ActionForm):
    """Resources to signpost, found by searching the catalogue (never a list of all of it)."""

    resource_search = ResourceSearchField()

    def __init__(self, *args: Any, resources: ResourceOffer, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["resources"] = _resource_field(resources)
        self.helper = self.make_helper()
        self.helper.layout = Layout(*_resource_choice_layout("m"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _require_resources(self, "Select at least one resource")
        return cleaned


class TeamSupportForm(ActionForm):
    def __init__(self, *args: Any, team_requests: Any, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["team_request"] = _team_request_field(team_requests, required=True)
        self.helper = self.make_helper()
        self.helper.layout = Layout(Field.select("team_request"))


class TherapyPlanForm(ActionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["modality"] = _modality_field(required=True)
        self.fields["planned_sessions"] = _planned_sessions_field(required=True)
        self.helper = self.make_helper()
        self.helper.layout = Layout(
            Field.select("modality"), Field.text("planned_sessions", width=2)
        )


class TherapySessionForm(ActionForm):
    """A session of a therapy plan: not in the future, not before the therapy started; with the
    PHQ-9 and GAD-7 taken at it, if any (ADR 0039)."""

    on = _date("Date of the session", "of the session")
    attendance = _radios(
        "Attendance", Attendance.choices, "Select whether the session was attended"
    )
    note = _text("Note (optional)", 2000, name="Note", rows=3)

    def layout(self) -> Layout:
        return Layout(
            Field.date("on", legend_size="s"),
            Field.radios("attendance", legend_size="s"),
            measures_layout(),
            Field.textarea("note", rows=3),
        )

    def __init__(self, *args: Any, started_on: datetime.date, **kwargs: Any) -> None:
        self.started_on = started_on
        forms.Form.__init__(self, *args, **kwargs)
        self.fields.update(measure_fields())
        self.order_fields(["on", "attendance", *MEASURE_FIELDS, "note"])
        self.helper = self.make_helper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        clean_measures(self, cleaned)
        _not_in_future(self, "on", "of the session")
        _not_before(
            self,
            "on",
            self.started_on,
            "The date of the session must be on or after the day the therapy started",
        )
        return cleaned


class OnwardReferralForm(ActionForm):
    """A referral to another service: sent neither in the future nor before the hub received
    the referral it follows."""

    sent_on = _date("Date the referral was sent", "the referral was sent")
    note = _text("Note (optional)", 2000, name="Note", rows=3)

    def __init__(
        self, *args: Any, services: Any, received_on: datetime.date, **kwargs: Any
    ) -> None:
        self.received_on = received_on
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        forms.Form.__init__(self, *args, **kwargs)
        self.fields["service"] = _service_field(services, required=True)
        self.order_fields(["service", "sent_on", "note"])
        self.helper = self.make_helper()
        self.helper.layout = Layout(
            Field.select("service"), Field.date("sent_on", legend_size="s"), Field.textarea("note")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _not_in_future(self, "sent_on", "the referral was sent")
        _not_before(
            self,
            "sent_on",
            self.received_on,
            "The date the referral was sent must be on or after the day the hub received "
            "this referral",
        )
        return cleaned


class OnwardStatusForm(ActionForm):
    status = _radios("Status", OnwardStatus.choices, "Select the status")
    status_on = _date("Date of this status", "of this status")

    def __init__(self, *args: Any, sent_on: datetime.date, **kwargs: Any) -> None:
        self.sent_on = sent_on
        super().__init__(*args, **kwargs)

    def layout(self) -> Layout:
        return Layout(Field.radios("status", legend_size="s"), Field.date("status_on", "s"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _not_in_future(self, "status_on", "of this status")
        _not_before(
            self,
            "status_on",
            self.sent_on,
            "The date of this status must be on or after the date the referral was sent",
        )
        return cleaned


# --- Closing and messages -------------------------------------------------------------------------


class UrgentForm(ActionForm):
    reason = _radios("Why is it urgent?", UrgentReason.choices, "Select why the referral is urgent")

    def layout(self) -> Layout:
        return Layout(Field.radios("reason", legend_size="m"))


class CloseForm(ActionForm):
    reason = _radios(
        "Why is the referral being closed?",
        CLOSE_REASONS_TO_CHOOSE,
        "Select why the referral is being closed",
    )

    def layout(self) -> Layout:
        return Layout(Field.radios("reason", legend_size="m"))


class JoinReferralForm(ActionForm):
    """Joining a referral sent while another was open into that one, and closing it."""

    confirm = forms.BooleanField(
        label=(
            "I have read both referrals: they are about the same need, and this one can be closed"
        ),
        error_messages={
            "required": "Confirm that both referrals are about the same need before joining them"
        },
    )

    def layout(self) -> Layout:
        return Layout(Field.checkbox("confirm"))


class HubMessageForm(ActionForm):
    body = _text(
        "Message",
        5000,
        name="Message",
        required=True,
        rows=8,
        help_text=(
            "They read it in my hub. The email they get says only that there is a new message."
        ),
        error_messages={"required": "Enter a message"},
    )

    def layout(self) -> Layout:
        return Layout(Field.textarea("body", rows=8, label_size="s"))
