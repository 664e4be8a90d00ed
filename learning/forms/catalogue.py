"""Forms of the catalogue's pages: the search and its filters (read from the URL, forgiving of
old or mistyped links), and the rating and comment on a resource's page."""

from __future__ import annotations

from typing import Any

from django import forms

from learning.queries.catalogue_search import (
    FACET_NAMES,
    FACETS,
    SEARCH_MAX_LENGTH,
    SORT_CHOICES,
    CatalogueChoices,
    CatalogueParams,
)
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout
from portal.submission_keys import OneTimeSubmissionForm

# Unknown values are echoed back in notices; a long one is cut short there.
ECHO_LIMIT = 40


def _echo(value: str) -> str:
    """A value from the URL, fit to quote back: printable characters only, and not too many."""
    value = "".join(ch for ch in value if ch.isprintable())
    return value if len(value) <= ECHO_LIMIT else f"{value[:ECHO_LIMIT]}…"


class FacetField(forms.MultipleChoiceField):
    """A facet's checkboxes. Values it does not know are dropped rather than refused, so an old
    bookmark or a mistyped link still shows results; the form says what it ignored."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value: Any) -> list[str]:
        values = self.to_python(value)
        known: list[str] = []
        for item in values:
            if self.valid_value(item) and item not in known:
                known.append(item)
        return known


class CatalogueFilterForm(forms.Form):
    """The catalogue's GET parameters: search, facets, sort and page.

    Only an over-long search is an error (shown beside the search box). Anything else that is
    not understood, such as ``level=9``, ``sort=evil`` or ``page=abc``, is ignored and described
    in ``notices``: a bad link should still lead somewhere useful.
    """

    q = forms.CharField(
        label="Search for learning",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": f"Search must be {SEARCH_MAX_LENGTH} characters or fewer",
            "null_characters_not_allowed": "Search must only include letters, numbers and "
            "punctuation",
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    sort = forms.CharField(required=False)
    page = forms.CharField(required=False)

    def __init__(self, data: Any, *, choices: CatalogueChoices) -> None:
        super().__init__(data)
        for name, legend in FACETS:
            self.fields[name] = FacetField(
                label=legend, required=False, choices=choices.for_facet(name)
            )
        self.notices: list[str] = []

    def clean_sort(self) -> str:
        sort: str = self.cleaned_data.get("sort") or ""
        if sort and sort not in dict(SORT_CHOICES):
            self.notices.append(f'We do not know how to sort by "{_echo(sort)}", so we ignored it.')
            return ""
        return sort

    def clean_page(self) -> int:
        raw: str = (self.cleaned_data.get("page") or "").strip()
        if not raw:
            return 1
        # isascii() as well: isdigit() accepts "²", which int() refuses.
        if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
            self.notices.append(f'There is no page "{_echo(raw)}", so we are showing page 1.')
            return 1
        # A 400-digit page number is still just "past the end" (and too long for int()).
        raw = raw.lstrip("0")
        return 1_000_000 if len(raw) > 6 else int(raw)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in FACET_NAMES:
            kept = set(cleaned.get(name) or ())
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            ignored = [v for v in raw if v not in kept]
            if ignored:
                values = ", ".join(f'"{_echo(v)}"' for v in dict.fromkeys(ignored))
                self.notices.append(
                    f"{self.fields[name].label}: we ignored {values}, which "
                    f"{'is not one' if len(set(ignored)) == 1 else 'are not'} of the options."
                )
        return cleaned

    def params(self) -> CatalogueParams:
        """The request as CatalogueParams, leaving out whatever was not valid. Call after
        ``is_valid()``."""
        cleaned = getattr(self, "cleaned_data", {})
        return CatalogueParams(
            q=" ".join(str(cleaned.get("q") or "").split()),
            sort=str(cleaned.get("sort") or ""),
            page=int(cleaned.get("page") or 1),
            **{name: tuple(cleaned.get(name) or ()) for name in FACET_NAMES},
        )


RATING_CHOICES = [
    (5, "5 out of 5: very useful"),
    (4, "4 out of 5"),
    (3, "3 out of 5"),
    (2, "2 out of 5"),
    (1, "1 out of 5: not useful"),
]


class CommentForm(OneTimeSubmissionForm):
    """A rating and a comment on a resource, for moderation."""

    rating = forms.TypedChoiceField(
        label="How useful was it?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how useful it was",
            "invalid_choice": "Select how useful it was",
        },
    )
    body = forms.CharField(
        label="Your comment",
        help_text="Comments are checked before they are published, and show your display "
        "name. Do not include anything that could identify a patient or colleague.",
        max_length=2000,
        error_messages={
            "required": "Enter your comment",
            "max_length": "Your comment must be 2,000 characters or fewer",
            "null_characters_not_allowed": "Your comment must only include letters, numbers and punctuation",
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A prefix keeps this form's ids apart from anything else on the resource page.
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("rating", legend_size="s", small=True), Field.textarea("body", rows=5)
        )
