"""Layout objects for NHS.UK forms, in the shape of crispy-forms-gds.

Factory class methods name the NHS.UK component a field becomes and its presentation options::

    Layout(
        Field.text("full_name", autocomplete="name"),
        Field.text("postcode", width=10, autocomplete="postal-code"),
        Field.radios("contact_method", legend_size="m", inline=True),
        Field.date("date_of_birth", legend_size="l", legend_tag="h1"),
        Fieldset("address_line_1", "town", legend="What is your address?"),
        Submit("save", "Save and continue"),
    )

A form without a layout renders just as well: the pack picks the component from each widget.
"""

from __future__ import annotations

from typing import Any, Literal

from crispy_forms import layout as crispy_layout
from crispy_forms.layout import HTML, Div, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, flatatt
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

__all__ = [
    "HTML",
    "Button",
    "Div",
    "Field",
    "Fieldset",
    "Layout",
    "Submit",
]

Size = Literal["s", "m", "l", "xl"]
SIZES = ("s", "m", "l", "xl")
# NHS.UK's fixed input widths, in characters, and its fluid widths.
FIXED_WIDTHS = (2, 3, 4, 5, 10, 20, 30)
FLUID_WIDTHS = ("full", "three-quarters", "two-thirds", "one-half", "one-third", "one-quarter")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _size(size: str | None, what: str) -> str | None:
    if size is not None and size not in SIZES:
        raise ValueError(f"{what} must be one of {', '.join(SIZES)}, not {size!r}")
    return size


def _heading_tag(tag: str | None, what: str) -> str | None:
    if tag is not None and tag not in HEADING_TAGS:
        raise ValueError(f"{what} must be a heading tag (h1 to h6), not {tag!r}")
    return tag


def width_class(width: int | str) -> str:
    """The NHS.UK class for an input width: 2 to 30 characters, or a fraction of the column."""
    if isinstance(width, int):
        if width not in FIXED_WIDTHS:
            raise ValueError(f"width must be one of {FIXED_WIDTHS}, not {width}")
        return f"nhsuk-input--width-{width}"
    if width not in FLUID_WIDTHS:
        raise ValueError(f"width must be one of {FLUID_WIDTHS}, not {width!r}")
    return f"nhsuk-u-width-{width}"


class Field(crispy_layout.Field):
    """One form field, with NHS.UK presentation options for the pack's templates.

    Keyword arguments other than those named become attributes of the control, as in crispy
    (``data_thing="x"`` becomes ``data-thing="x"``). ``context`` holds template variables the
    pack reads: ``label_size``, ``label_tag``, ``legend_size``, ``legend_tag``,
    ``radios_inline``, ``radios_small`` and ``checkboxes_small``.
    """

    def __init__(
        self,
        *fields: str,
        context: dict[str, Any] | None = None,
        css_class: str | None = None,
        wrapper_class: str | None = None,
        template: str | None = None,
        **attrs: Any,
    ) -> None:
        super().__init__(
            *fields, css_class=css_class, wrapper_class=wrapper_class, template=template, **attrs
        )
        self.context = dict(context or {})

    # Radios only: the layout objects revealed under an option, by the option's value.
    reveals: dict[str, LayoutObject] | None = None

    def render(
        self,
        form: Any,
        context: Any,
        template_pack: Any = TEMPLATE_PACK,
        extra_context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SafeString:
        # Our options go into the field template's context only while this field renders.
        merged = {**self.context, **(extra_context or {})}
        if self.reveals:
            merged["radios_reveals"] = {
                value: SafeString(revealed.render(form, context, template_pack=template_pack))
                for value, revealed in self.reveals.items()
            }
        return SafeString(
            super().render(form, context, template_pack, extra_context=merged, **kwargs)
        )

    @classmethod
    def text(
        cls,
        name: str,
        width: int | str | None = None,
        autocomplete: str | None = None,
        *,
        label_size: Size | None = None,
        label_tag: str | None = None,
        **attrs: Any,
    ) -> Field:
        """A text input (or email, password, number...: the widget decides the type).

        ``width`` is 2, 3, 4, 5, 10, 20 or 30 characters, or "full", "three-quarters",
        "two-thirds", "one-half", "one-third" or "one-quarter" of the column.
        """
        if width is not None:
            attrs["css_class"] = " ".join(
                filter(None, [width_class(width), attrs.get("css_class")])
            )
        if autocomplete:
            attrs["autocomplete"] = autocomplete
        return cls(name, context=cls._label_context(label_size, label_tag), **attrs)

    @classmethod
    def textarea(
        cls,
        name: str,
        rows: int | None = None,
        *,
        label_size: Size | None = None,
        label_tag: str | None = None,
        **attrs: Any,
    ) -> Field:
        """A textarea; ``rows`` sets its height (Django's default is 10)."""
        if rows is not None:
            attrs["rows"] = str(rows)
        return cls(name, context=cls._label_context(label_size, label_tag), **attrs)

    @classmethod
    def select(
        cls,
        name: str,
        *,
        label_size: Size | None = None,
        label_tag: str | None = None,
        **attrs: Any,
    ) -> Field:
        """A select. NHS.UK prefers radios when there are few options."""
        return cls(name, context=cls._label_context(label_size, label_tag), **attrs)

    @classmethod
    def radios(
        cls,
        name: str,
        legend_size: Size | None = "m",
        legend_tag: str | None = None,
        inline: bool = False,
        small: bool = False,
        reveals: dict[str, LayoutObject] | None = None,
    ) -> Field:
        """Radios in a fieldset whose legend is the field's label.

        ``reveals`` maps an option's value to what is asked under it, in NHS.UK's conditional
        reveal box (``{"in_person": Field.text("place")}``). It is always shown, not toggled:
        nhsuk-frontend 10's script would mark the radio aria-expanded, an attribute a radio may
        not have (axe: aria-allowed-attr), and shown it works the same without JavaScript.
        """
        context = cls._legend_context(legend_size, legend_tag)
        context.update(radios_inline=inline and not reveals, radios_small=small)
        radios = cls(name, context=context)
        radios.reveals = dict(reveals or {})
        return radios

    @classmethod
    def checkboxes(
        cls,
        name: str,
        legend_size: Size | None = "m",
        legend_tag: str | None = None,
        small: bool = False,
    ) -> Field:
        """Checkboxes (a multiple choice field) in a fieldset whose legend is the label."""
        context = cls._legend_context(legend_size, legend_tag)
        context.update(checkboxes_small=small)
        return cls(name, context=context)

    @classmethod
    def checkbox(cls, name: str, small: bool = False) -> Field:
        """A single checkbox for a BooleanField, labelled by the field's label."""
        return cls(name, context={"checkboxes_small": small})

    @classmethod
    def date(
        cls, name: str, legend_size: Size | None = "m", legend_tag: str | None = None
    ) -> Field:
        """A DateInputField's day, month and year boxes in a fieldset."""
        return cls(name, context=cls._legend_context(legend_size, legend_tag))

    @staticmethod
    def _label_context(size: str | None, tag: str | None) -> dict[str, Any]:
        return {
            "label_size": _size(size, "label_size"),
            "label_tag": _heading_tag(tag, "label_tag"),
        }

    @staticmethod
    def _legend_context(size: str | None, tag: str | None) -> dict[str, Any]:
        # None means "no size": the legend is body text. The pack's own default is "m".
        return {
            "legend_size": _size(size, "legend_size") or "",
            "legend_tag": _heading_tag(tag, "legend_tag"),
        }


class Fieldset(LayoutObject):
    """An NHS.UK fieldset grouping several fields under one legend.

    ``Fieldset("address_line_1", "town", "postcode", legend="What is your address?",
    legend_size="l", legend_tag="h1")``
    """

    template = "%s/layout/fieldset.html"

    def __init__(
        self,
        *fields: Any,
        legend: str = "",
        legend_size: Size | None = "m",
        legend_tag: str | None = None,
        css_class: str | None = None,
        css_id: str | None = None,
        template: str | None = None,
        **attrs: Any,
    ) -> None:
        self.fields = list(fields)
        self.legend = legend
        self.legend_size = _size(legend_size, "legend_size") or ""
        self.legend_tag = _heading_tag(legend_tag, "legend_tag")
        self.css_class = css_class
        self.css_id = css_id
        self.template = template or self.template
        self.flat_attrs = flatatt(attrs)

    def render(
        self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return SafeString(
            render_to_string(
                self.get_template_name(template_pack), {"fieldset": self, "fields": fields}
            )
        )


class Button(crispy_layout.BaseInput):
    """An NHS.UK button. ``Button`` is ``type="button"``, for scripts; most forms want Submit.

    ``name`` is sent with the form when the button submits it (pass "" for none); ``value`` is
    the button's text. ``secondary``, ``warning``, ``reverse`` and ``small`` are NHS.UK's
    variants.
    """

    input_type = "button"
    template = "%s/layout/baseinput.html"

    def __init__(
        self,
        name: str,
        value: str,
        *,
        secondary: bool = False,
        warning: bool = False,
        reverse: bool = False,
        small: bool = False,
        css_id: str | None = None,
        css_class: str | None = None,
        template: str | None = None,
        **attrs: Any,
    ) -> None:
        if secondary and warning:
            raise ValueError("A button is either secondary or warning, not both")
        self.field_classes = " ".join(
            ["nhsuk-button"]
            + [
                f"nhsuk-button--{variant}"
                for variant, wanted in (
                    ("secondary", secondary),
                    ("warning", warning),
                    ("reverse", reverse),
                    ("small", small),
                )
                if wanted
            ]
        )
        super().__init__(
            name, value, css_id=css_id, css_class=css_class, template=template, **attrs
        )
        # crispy invents an id ("submit-id-save") for every button; NHS.UK buttons have none
        # unless asked, so two forms on one page cannot clash.
        self.id = css_id or ""


class Submit(Button):
    """The NHS.UK button that submits the form: ``Submit("save", "Save and continue")``."""

    input_type = "submit"
