"""The self-assessment's form: for each statement on the page, "How confident are you?" on the
5-point scale, or "Not relevant to my role". Every answer is optional, so a page can be saved
part-way; what is left is asked again next time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from learning.models import Confidence
from learning.queries.self_assessment import NOT_RELEVANT, NOT_RELEVANT_LABEL, RatedCompetency
from portal.submission_keys import OneTimeSubmissionForm

ANSWERS = [
    *((str(value), label) for value, label in Confidence.choices),
    (NOT_RELEVANT, NOT_RELEVANT_LABEL),
]
FIELD_PREFIX = "statement_"


def field_name(statement_id: int) -> str:
    return f"{FIELD_PREFIX}{statement_id}"


def statement_ids_posted(data: Any) -> set[int]:
    """The statement ids a post answers, whatever the form offered (to say which were retired)."""
    found = set()
    for name in data:
        number = str(name).removeprefix(FIELD_PREFIX)
        if str(name).startswith(FIELD_PREFIX) and number.isdigit() and len(number) < 12:
            found.add(int(number))
    return found


class SelfAssessmentForm(OneTimeSubmissionForm):
    """One radio group per statement, the person's latest answer chosen."""

    def __init__(self, *args: Any, statements: Iterable[RatedCompetency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements = list(statements)
        for statement in self.statements:
            self.fields[field_name(statement.competency.pk)] = forms.ChoiceField(
                label=statement.competency.text,
                help_text="How confident are you?",
                choices=ANSWERS,
                required=False,
                initial=statement.answer,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": (
                        f"Select how confident you are that '{statement.competency.text}', or "
                        "that it is not relevant to your role"
                    )
                },
            )

    def answers(self) -> dict[int, str]:
        """{statement id: answer} for the statements answered on this page."""
        return {
            statement.competency.pk: self.cleaned_data[field_name(statement.competency.pk)]
            for statement in self.statements
            if self.cleaned_data.get(field_name(statement.competency.pk))
        }
