"""Template tags for NHS.UK forms: the error summary, and the field rendering behind the
``nhsuk`` crispy-forms template pack (templates/nhsuk/).

The templates hold the NHS.UK markup; this module works out what they cannot easily do
themselves: which component a widget becomes, the ids of hints and error messages, which
input an error summary link should focus, and the classes and ARIA attributes on each control.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict, flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from portal.nhsuk_forms.fields import DATE_PARTS, DateInputWidget
from portal.nhsuk_forms.layout import width_class

register = template.Library()

# The NHS.UK class of each kind of control, and its modifier when the field is in error.
CONTROL_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "file": ("nhsuk-file-upload__input", ""),
    "checkbox": ("nhsuk-checkboxes__input", ""),
}

# Attributes the pack decides for itself rather than taking from Django's defaults. `required`
# in particular would let the browser's own validation pre-empt our error messages.
MANAGED_ATTRIBUTES = ("required", "aria-describedby", "aria-invalid", "class", "id", "checked")


def field_kind(bound_field: BoundField) -> str:
    """Which NHS.UK component renders this field, decided by its widget."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, DateInputWidget):
        return "date"
    # CheckboxSelectMultiple is a RadioSelect in Django, so it is tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def _base_id(bound_field: BoundField) -> str:
    """The id hint, error and part ids build on: the control's own id, as NHS.UK does."""
    return str(bound_field.field.widget.attrs.get("id") or bound_field.auto_id)


def _date_parts_in_error(bound_field: BoundField) -> tuple[str, ...]:
    """The boxes of a date field to highlight: those its errors name, or all three."""
    parts: set[str] = set()
    for error in bound_field.errors.as_data():
        params = error.params or {}
        named = params.get("parts_in_error") if isinstance(params, dict) else None
        if not named:
            return DATE_PARTS
        parts.update(named)
    return tuple(part for part in DATE_PARTS if part in parts)


def first_input_id(bound_field: BoundField) -> str:
    """The id an error summary link should point at: the first input the user can fix."""
    base_id = _base_id(bound_field)
    if not base_id:
        return ""
    kind = field_kind(bound_field)
    if kind in ("radios", "checkboxes"):
        for option in bound_field.subwidgets:
            option_id = option.data["attrs"].get("id")
            if option_id:
                return str(option_id)
        return base_id
    if kind == "date":
        in_error = _date_parts_in_error(bound_field) or DATE_PARTS
        return f"{base_id}-{in_error[0]}"
    return base_id


@dataclass(frozen=True)
class FieldError:
    id: str
    message: str


@dataclass(frozen=True)
class ChoiceOption:
    """One radio or checkbox of a choice field."""

    id: str
    name: str
    value: str
    label: str
    checked: bool
    attrs: SafeString  # anything else the widget asked for, such as disabled


@dataclass(frozen=True)
class FieldView:
    """Everything the pack's templates need to render one field as an NHS.UK component."""

    field: BoundField
    kind: str
    id: str
    hint_id: str
    errors: tuple[FieldError, ...]
    control: SafeString
    options: tuple[ChoiceOption, ...]

    @property
    def describedby(self) -> str:
        """The hint and error ids, for aria-describedby on the control or fieldset."""
        ids = [self.hint_id] if self.hint_id else []
        ids.extend(error.id for error in self.errors)
        return " ".join(ids)


def _classes(*groups: str) -> str:
    seen: dict[str, None] = {}
    for group in groups:
        for name in group.split():
            seen.setdefault(name)
    return " ".join(seen)


def _render_control(
    bound_field: BoundField, kind: str, describedby: str, *, in_error: bool
) -> SafeString:
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs({}, widget)
    for attribute in ("required", "aria-describedby", "aria-invalid"):
        attrs.pop(attribute, None)
    if in_error:
        attrs["aria-invalid"] = "true"
    base_class, error_class = CONTROL_CLASSES[kind]
    attrs["class"] = _classes(
        base_class, widget.attrs.get("class", ""), error_class if in_error else ""
    )
    own_describedby = _classes(describedby, widget.attrs.get("aria-describedby", ""))
    if own_describedby:
        attrs["aria-describedby"] = own_describedby
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs["id"] = bound_field.auto_id
    if _is_plain_select(widget):
        return _select(widget, bound_field.html_name, bound_field.value(), attrs)
    return SafeString(
        widget.render(
            name=bound_field.html_name,
            value=bound_field.value(),
            attrs=attrs,
            renderer=bound_field.form.renderer,
        )
    )


def _is_plain_select(widget: forms.Widget) -> bool:
    """A select that renders with Django's own templates, unchanged."""
    return (
        isinstance(widget, forms.Select)
        and not isinstance(widget, forms.SelectMultiple)
        and widget.template_name == forms.Select.template_name
        and widget.option_template_name == forms.Select.option_template_name
    )


def _select(widget: forms.Select, name: str, value: Any, attrs: dict[str, Any]) -> SafeString:
    """What Django's select templates render, character for character, written out here: a
    month select of 60 options rendered option by option through the template engine took 20 ms
    of each hub report page (ADR 0042). tests/portal/test_nhsuk_forms.py holds them equal."""
    context = widget.get_context(name, value, attrs)["widget"]
    parts = [f'<select name="{conditional_escape(name)}"{_attributes(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return SafeString("".join(parts))


def _attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: in order, True as a bare name, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(bound_field: BoundField) -> tuple[ChoiceOption, ...]:
    options = []
    for subwidget in bound_field.subwidgets:
        data = subwidget.data
        extra = {k: v for k, v in data["attrs"].items() if k not in MANAGED_ATTRIBUTES}
        options.append(
            ChoiceOption(
                id=str(data["attrs"].get("id", "")),
                name=data["name"],
                value="" if data["value"] is None else str(data["value"]),
                label=str(data["label"]),
                checked=bool(data["selected"]),
                attrs=mark_safe(flatatt(extra)),  # noqa: S308 - flatatt escapes the values
            )
        )
    return tuple(options)


def field_view(bound_field: BoundField, show_errors: bool = True) -> FieldView:
    """Describe a bound field for the pack's templates."""
    kind = field_kind(bound_field)
    # Without any id (a form with auto_id=False) hints and errors still need one to be linked.
    base_id = _base_id(bound_field) or bound_field.html_name
    hint_id = f"{base_id}-hint" if bound_field.help_text else ""
    messages = [str(message) for message in bound_field.errors] if show_errors else []
    errors = tuple(
        FieldError(id=f"{base_id}-error" if n == 1 else f"{base_id}-error-{n}", message=message)
        for n, message in enumerate(messages, start=1)
    )
    describedby = " ".join([hint_id, *(error.id for error in errors)]).strip()
    control = SafeString("")
    options: tuple[ChoiceOption, ...] = ()
    if kind in CONTROL_CLASSES:
        control = _render_control(bound_field, kind, describedby, in_error=bool(errors))
    elif kind in ("radios", "checkboxes"):
        options = _options(bound_field)
    elif kind == "date":
        widget = cast(DateInputWidget, bound_field.field.widget)
        # Django's attributes (disabled, for one) reach every box; the id is the parts' stem.
        date_attrs = bound_field.build_widget_attrs({}, widget)
        if _base_id(bound_field):
            date_attrs["id"] = _base_id(bound_field)
        control = widget.render_parts(
            bound_field.html_name,
            bound_field.value(),
            attrs=date_attrs,
            renderer=bound_field.form.renderer,
            error_parts=frozenset(_date_parts_in_error(bound_field) if errors else ()),
        )
    else:
        control = SafeString(str(bound_field))
    return FieldView(
        field=bound_field,
        kind=kind,
        id=base_id,
        hint_id=hint_id,
        errors=errors,
        control=control,
        options=options,
    )


@register.simple_tag
def nhsuk_field(bound_field: BoundField, show_errors: object = True) -> FieldView:
    """``{% nhsuk_field field show_errors=form_show_errors as f %}``, for the pack's templates.

    Errors show unless the helper turned them off (``form_show_errors`` is then False; when the
    variable is missing it resolves to "", and errors still show).
    """
    return field_view(bound_field, show_errors=show_errors is not False)


@register.filter
def nhsuk_reveal(reveals: object, value: str) -> SafeString:
    """What choosing the radio with this value reveals (``Field.radios(reveals=...)``), or ""."""
    if not isinstance(reveals, dict):
        return SafeString("")
    shown = reveals.get(value, "")
    return shown if isinstance(shown, SafeString) else SafeString("")


@dataclass(frozen=True)
class SummaryItem:
    message: str
    href: str


def error_summary_items(form: forms.BaseForm | None) -> list[SummaryItem]:
    """One item per error, in the order the fields appear, form-wide errors first."""
    if form is None or not getattr(form, "errors", None):
        return []
    items = [SummaryItem(str(message), "") for message in form.non_field_errors()]
    for bound_field in form:
        target = "" if bound_field.is_hidden else first_input_id(bound_field)
        items.extend(
            SummaryItem(str(message), f"#{target}" if target else "")
            for message in bound_field.errors
        )
    return items


@register.inclusion_tag("nhsuk/layout/error_summary.html")
def nhsuk_error_summary(form: forms.BaseForm | None) -> dict[str, object]:
    """``{% nhsuk_error_summary form %}``: the NHS.UK error summary, or nothing without errors.

    Place it at the top of ``<main>``, before the h1.
    """
    return {"items": error_summary_items(form)}


@register.filter
def nhsuk_without_placeholders(form: forms.BaseForm) -> forms.BaseForm:
    """Drop placeholder text from a form's widgets, for forms we do not own (allauth's).

    NHS.UK forms label every field and never use placeholders: they vanish as you type and
    often fail colour contrast.
    """
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)
    return form


@register.simple_tag
def nhsuk_field_options(
    form: forms.BaseForm | None,
    name: str,
    label: str = "",
    hint: str | None = None,
    width: int | str | None = None,
    **attrs: str,
) -> str:
    """Adjust a field of a form we do not own (allauth's) before it renders.

    ``{% nhsuk_field_options form "code" label="Code from your authenticator app" hint="..."
    width=10 inputmode="numeric" %}`` rewords the label and hint in NHS.UK content style, sets an
    NHS.UK input width and adds attributes. It changes this form instance only, and outputs
    nothing.
    """
    if form is None or name not in form.fields:
        return ""
    field = form.fields[name]
    # A form that has been validated has cached its bound fields, with the old words in them.
    bound_field = form[name]
    if label:
        field.label = bound_field.label = label
    if hint is not None:
        field.help_text = bound_field.help_text = hint
    if width is not None:
        field.widget.attrs["class"] = _classes(
            field.widget.attrs.get("class", ""), width_class(width)
        )
    field.widget.attrs.update(attrs)
    return ""


def _slot_text(slots: dict[str, list[str]], name: str) -> SafeString:
    # Slots hold template output that allauth's templates have already escaped.
    return mark_safe("".join(slots.get(name) or []).strip())  # noqa: S308


@register.simple_tag
def nhsuk_allauth_field(attrs: dict[str, Any], slots: dict[str, list[str]]) -> BoundField:
    """A one-off field from allauth's ``{% element field %}``, as a real bound field.

    allauth draws some inputs outside its forms (a disabled "current email", for one). Building
    a Django field for them lets the pack render them like every other field, rather than a
    second copy of the NHS.UK markup living here.
    """
    name = str(attrs.get("name") or attrs.get("id") or "field")
    input_type = str(attrs.get("type") or "text")
    widget_attrs = {
        key: attrs[key]
        for key in ("id", "autocomplete", "rows", "readonly", "class", "spellcheck")
        if attrs.get(key) not in (None, "", False)
    }
    label = _slot_text(slots, "label")
    value: object = attrs.get("value")
    field: forms.Field
    if input_type == "textarea":
        field = forms.CharField(widget=forms.Textarea(attrs=widget_attrs))
        value = _slot_text(slots, "value")
    elif input_type == "checkbox":
        field = forms.BooleanField(widget=forms.CheckboxInput(attrs=widget_attrs))
        value = bool(attrs.get("checked"))
    elif input_type == "radio":
        # allauth draws radios one at a time: each is an unlabelled group of one option.
        field = forms.ChoiceField(
            choices=[(attrs.get("value"), label)], widget=forms.RadioSelect(attrs=widget_attrs)
        )
        value = attrs.get("value") if attrs.get("checked") else None
        label = SafeString("")
    else:
        widget = forms.TextInput(attrs=widget_attrs)
        widget.input_type = input_type
        field = forms.CharField(widget=widget)
    field.label = label
    field.help_text = _slot_text(slots, "help_text")
    field.required = False
    field.disabled = bool(attrs.get("disabled"))
    form_class = type("AllauthFieldForm", (forms.Form,), {name: field})
    form = form_class(initial={name: value})
    errors = attrs.get("errors")
    if errors:
        # Errors come from the page's real form; the stand-in form only displays them.
        form._errors = ErrorDict({name: form.error_class(list(errors))})
    return cast(BoundField, form[name])
