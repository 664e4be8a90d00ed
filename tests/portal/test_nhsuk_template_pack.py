"""The nhsuk crispy-forms template pack renders each NHS.UK component's markup.

Expected HTML follows nhsuk-frontend 10.6.1's own fixtures (node_modules/nhsuk-frontend/dist/
nhsuk/components/*/fixtures.json), compared as Django's assertHTMLEqual does: whitespace,
attribute order and class order do not matter. Two differences from those fixtures are ours on
purpose: Django's ids (``id_<name>``, radios ``id_<name>_0``...), and ``aria-invalid="true"``,
which Django adds to a control in error.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test import SimpleTestCase
from django.urls import reverse

from portal.nhsuk_forms.fields import DateInputField
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import HTML, Button, Div, Field, Fieldset, Layout, Submit
from portal.templatetags.nhsuk import error_summary_items
from tests.factories import PASSWORD, UserFactory

FIXTURES = Path(settings.BASE_DIR) / "node_modules/nhsuk-frontend/dist/nhsuk/components"
_html = SimpleTestCase()
_html.maxDiff = None


def assert_html_equal(actual: str, expected: str) -> None:
    _html.assertHTMLEqual(actual, expected)


def render(template: str, **context: object) -> str:
    return Template("{% load crispy_forms_tags nhsuk %}" + template).render(Context(context))


def crispy_filter(form: forms.BaseForm) -> str:
    return render("{{ form|crispy }}", form=form)


def crispy_tag(form: forms.BaseForm) -> str:
    return render("{% crispy form %}", form=form, csrf_token="TOKEN")


def crispy_layout(form: forms.BaseForm, *layout: object) -> str:
    """Render a form through {% crispy %} with a helper holding this layout, without <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    return render("{% crispy form helper %}", form=form, helper=helper)


def nhsuk_fixture(component: str, name: str) -> str:
    """The HTML of one of nhsuk-frontend's own examples; fails loudly without `make assets`."""
    fixtures = json.loads((FIXTURES / component / "fixtures.json").read_text())["fixtures"]
    return str(next(fixture["html"] for fixture in fixtures if fixture["name"] == name))


def without_aria_invalid(html: str) -> str:
    return html.replace(' aria-invalid="true"', "")


# --- Text inputs ------------------------------------------------------------------------------


class ContactForm(forms.Form):
    email = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    age = forms.IntegerField(label="Age", required=False)
    website = forms.URLField(label="Website", required=False, assume_scheme="https")


def test_text_inputs_render_as_nhsuk_inputs_keeping_their_type_and_autocomplete():
    assert_html_equal(
        crispy_filter(ContactForm()),
        """
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="id_email">Email address</label>
          <input class="nhsuk-input" id="id_email" name="email" type="email"
                 autocomplete="email" maxlength="320">
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="id_password">Password</label>
          <input class="nhsuk-input" id="id_password" name="password" type="password">
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="id_age">Age</label>
          <input class="nhsuk-input" id="id_age" name="age" type="number">
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="id_website">Website</label>
          <input class="nhsuk-input" id="id_website" name="website" type="url">
        </div>
        """,
    )


class NhsNumberForm(forms.Form):
    example = forms.CharField(
        label="What is your NHS number?",
        help_text=(
            'This is a 10 digit number (like <span class="nhsuk-u-nowrap">999 123 4567</span>) '
            "that you can find on an NHS letter, prescription or in the NHS App"
        ),
        error_messages={"required": "Enter NHS number"},
        widget=forms.TextInput(attrs={"id": "with-hint-error"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text(
                "example",
                width=10,
                label_size="l",
                label_tag="h1",
                css_class="nhsuk-input--code",
                spellcheck="false",
                inputmode="numeric",
            )
        )


def test_a_text_input_with_a_hint_and_an_error_matches_nhsuk_frontends_own_example():
    html = render("{% crispy form %}", form=NhsNumberForm(data={}))

    assert_html_equal(
        without_aria_invalid(html), nhsuk_fixture("input", "with error message and hint")
    )
    assert 'aria-invalid="true"' in html


def test_a_field_in_error_is_marked_and_described_by_its_hint_and_error():
    class NameForm(forms.Form):
        name = forms.CharField(
            label="Full name",
            help_text="As it appears on your ID badge.",
            error_messages={"required": "Enter your full name"},
        )

    assert_html_equal(
        crispy_filter(NameForm(data={})),
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <label class="nhsuk-label" for="id_name">Full name</label>
          <div class="nhsuk-hint" id="id_name-hint">As it appears on your ID badge.</div>
          <span class="nhsuk-error-message" id="id_name-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>Enter your full name
          </span>
          <input class="nhsuk-input nhsuk-input--error" id="id_name" name="name" type="text"
                 aria-describedby="id_name-hint id_name-error" aria-invalid="true">
        </div>
        """,
    )


def test_every_error_of_a_field_gets_its_own_message_and_is_described():
    class PasswordForm(forms.Form):
        password = forms.CharField(label="Password")

        def clean_password(self):
            raise forms.ValidationError(["Password is too short", "Password is too common"])

    html = crispy_filter(PasswordForm(data={"password": "x"}))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <label class="nhsuk-label" for="id_password">Password</label>
          <span class="nhsuk-error-message" id="id_password-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>Password is too short
          </span>
          <span class="nhsuk-error-message" id="id_password-error-2">
            <span class="nhsuk-u-visually-hidden">Error: </span>Password is too common
          </span>
          <input class="nhsuk-input nhsuk-input--error" id="id_password" name="password"
                 type="text" value="x" aria-invalid="true"
                 aria-describedby="id_password-error id_password-error-2">
        </div>
        """,
    )


def test_a_label_can_be_the_page_heading():
    class NameForm(forms.Form):
        example = forms.CharField(label="What is your full name?", required=False)

    form = NameForm(auto_id="%s")

    assert_html_equal(
        crispy_layout(form, Field.text("example", label_size="l", label_tag="h1")),
        nhsuk_fixture("input", "default"),
    )


def test_input_widths_are_nhsuks_fixed_and_fluid_widths():
    assert Field.text("postcode", width=10).attrs["class"] == "nhsuk-input--width-10"
    assert Field.text("town", width="two-thirds").attrs["class"] == "nhsuk-u-width-two-thirds"
    with pytest.raises(ValueError, match="width"):
        Field.text("postcode", width=7)
    with pytest.raises(ValueError, match="legend_size"):
        Field.radios("choice", legend_size="huge")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="label_tag"):
        Field.text("name", label_tag="div")


# --- Textarea and select ----------------------------------------------------------------------


def test_a_textarea_with_a_hint_and_an_error_matches_nhsuk_frontends_own_example():
    class DetailForm(forms.Form):
        example = forms.CharField(
            label="Can you provide more detail?",
            help_text=(
                "Do not include personal information like your name, date of birth or NHS number"
            ),
            error_messages={"required": "You must provide an explanation"},
            widget=forms.Textarea(attrs={"id": "with-hint-error"}),
        )

    form = DetailForm(data={})
    del form.fields["example"].widget.attrs["cols"]  # NHS.UK's example has none
    html = crispy_layout(form, Field.textarea("example", rows=5, label_size="l", label_tag="h1"))

    assert_html_equal(
        without_aria_invalid(html), nhsuk_fixture("textarea", "with error message and hint")
    )


def test_a_plain_textarea_renders_as_an_nhsuk_textarea():
    class NotesForm(forms.Form):
        notes = forms.CharField(label="Notes", widget=forms.Textarea, initial="Hello")

    assert_html_equal(
        crispy_filter(NotesForm()),
        """
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="id_notes">Notes</label>
          <textarea class="nhsuk-textarea" id="id_notes" name="notes" cols="40" rows="10">
Hello</textarea>
        </div>
        """,
    )


def test_a_select_renders_as_an_nhsuk_select():
    class SortForm(forms.Form):
        example = forms.ChoiceField(
            label="Sort by",
            choices=[
                ("published", "Recently published"),
                ("updated", "Recently updated"),
                ("views", "Most views"),
                ("comments", "Most comments"),
            ],
            initial="published",
        )

    form = SortForm(auto_id="%s")
    html = crispy_layout(form, Field.select("example", label_size="l", label_tag="h1"))

    # Django marks the initial option selected; NHS.UK's example has no initial value.
    assert_html_equal(
        html.replace(' selected=""', "").replace(" selected", ""),
        nhsuk_fixture("select", "default"),
    )


def test_a_select_in_error_gets_the_select_error_modifier():
    class SiteForm(forms.Form):
        site = forms.ChoiceField(
            label="Site",
            choices=[("", "Choose a site"), ("north", "North")],
            error_messages={"required": "Select a site"},
        )

    assert_html_equal(
        crispy_filter(SiteForm(data={})),
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <label class="nhsuk-label" for="id_site">Site</label>
          <span class="nhsuk-error-message" id="id_site-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>Select a site
          </span>
          <select class="nhsuk-select nhsuk-select--error" id="id_site" name="site"
                  aria-describedby="id_site-error" aria-invalid="true">
            <option value="" selected>Choose a site</option>
            <option value="north">North</option>
          </select>
        </div>
        """,
    )


# --- Radios and checkboxes --------------------------------------------------------------------

CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone"), ("text", "Text message")]


class ContactMethodForm(forms.Form):
    method = forms.ChoiceField(
        label="How do you want to be contacted about this?",
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Select 1 option",
        error_messages={"required": "Select how you want to be contacted"},
    )


def test_a_radio_field_renders_as_an_nhsuk_fieldset_with_a_legend():
    assert_html_equal(
        crispy_filter(ContactMethodForm(initial={"method": "phone"})),
        """
        <div class="nhsuk-form-group">
          <fieldset class="nhsuk-fieldset" aria-describedby="id_method-hint">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
              How do you want to be contacted about this?
            </legend>
            <div class="nhsuk-hint" id="id_method-hint">Select 1 option</div>
            <div class="nhsuk-radios" data-module="nhsuk-radios">
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_0" name="method" type="radio"
                       value="email">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_0">Email</label>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_1" name="method" type="radio"
                       value="phone" checked>
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_1">Phone</label>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_2" name="method" type="radio"
                       value="text">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_2">
                  Text message
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,
    )


def test_radios_in_error_describe_the_fieldset_by_hint_and_error_and_take_layout_options():
    form = ContactMethodForm(data={})

    assert_html_equal(
        crispy_layout(
            form, Field.radios("method", legend_size="l", legend_tag="h1", inline=True, small=True)
        ),
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <fieldset class="nhsuk-fieldset" aria-describedby="id_method-hint id_method-error">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">
              <h1 class="nhsuk-fieldset__heading">
                How do you want to be contacted about this?
              </h1>
            </legend>
            <div class="nhsuk-hint" id="id_method-hint">Select 1 option</div>
            <span class="nhsuk-error-message" id="id_method-error">
              <span class="nhsuk-u-visually-hidden">Error: </span>Select how you want to be
              contacted
            </span>
            <div class="nhsuk-radios nhsuk-radios--small nhsuk-radios--inline"
                 data-module="nhsuk-radios">
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_0" name="method" type="radio"
                       value="email">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_0">Email</label>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_1" name="method" type="radio"
                       value="phone">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_1">Phone</label>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_2" name="method" type="radio"
                       value="text">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_2">
                  Text message
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,
    )


class ContactDetailForm(ContactMethodForm):
    email = forms.CharField(label="Email address", required=False)
    phone = forms.CharField(label="Phone number", required=False)


def test_radios_reveal_each_options_own_fields_as_nhsuk_conditional_content():
    html = crispy_layout(
        ContactDetailForm(initial={"method": "phone"}),
        Field.radios(
            "method", reveals={"email": Field.text("email"), "phone": Field.text("phone")}
        ),
    )
    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <fieldset class="nhsuk-fieldset" aria-describedby="id_method-hint">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
              How do you want to be contacted about this?
            </legend>
            <div class="nhsuk-hint" id="id_method-hint">Select 1 option</div>
            <div class="nhsuk-radios" data-module="nhsuk-radios">
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_0" name="method" type="radio"
                       value="email" data-aria-controls="conditional-id_method_0">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_0">Email</label>
              </div>
              <div class="nhsuk-radios__conditional nhsuk-radios__conditional--hidden"
                   id="conditional-id_method_0">
                <div class="nhsuk-form-group">
                  <label class="nhsuk-label" for="id_email">Email address</label>
                  <input class="nhsuk-input" id="id_email" name="email" type="text">
                </div>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_1" name="method" type="radio"
                       value="phone" checked data-aria-controls="conditional-id_method_1">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_1">Phone</label>
              </div>
              <div class="nhsuk-radios__conditional" id="conditional-id_method_1">
                <div class="nhsuk-form-group">
                  <label class="nhsuk-label" for="id_phone">Phone number</label>
                  <input class="nhsuk-input" id="id_phone" name="phone" type="text">
                </div>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_method_2" name="method" type="radio"
                       value="text">
                <label class="nhsuk-label nhsuk-radios__label" for="id_method_2">
                  Text message
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,
    )


def test_revealed_fields_are_not_drawn_a_second_time_and_inline_radios_reveal_nothing():
    form = ContactDetailForm()
    helper = FormHelper()
    helper.form_tag = False
    helper.render_unmentioned_fields = True
    helper.layout = Layout(Field.radios("method", reveals={"email": Field.text("email")}))
    html = render("{% crispy form helper %}", form=form, helper=helper)
    assert html.count('id="id_email"') == 1
    assert html.count('id="id_phone"') == 1  # unmentioned, drawn once after the layout
    with pytest.raises(ValueError, match="not inline"):
        Field.radios("method", inline=True, reveals={"email": Field.text("email")})


def test_checkboxes_render_in_an_nhsuk_fieldset_and_keep_what_was_ticked():
    class ContactMethodsForm(forms.Form):
        methods = forms.MultipleChoiceField(
            label="How do you want to be contacted about this?",
            choices=CONTACT_CHOICES,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select how you want to be contacted"},
        )

        def clean_methods(self):
            raise forms.ValidationError("Select no more than 1 way to be contacted")

    form = ContactMethodsForm(data={"methods": ["email", "text"]})

    assert_html_equal(
        crispy_layout(form, Field.checkboxes("methods", legend_size="s", small=True)),
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <fieldset class="nhsuk-fieldset" aria-describedby="id_methods-error">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
              How do you want to be contacted about this?
            </legend>
            <span class="nhsuk-error-message" id="id_methods-error">
              <span class="nhsuk-u-visually-hidden">Error: </span>Select no more than 1 way to
              be contacted
            </span>
            <div class="nhsuk-checkboxes nhsuk-checkboxes--small" data-module="nhsuk-checkboxes">
              <div class="nhsuk-checkboxes__item">
                <input class="nhsuk-checkboxes__input" id="id_methods_0" name="methods"
                       type="checkbox" value="email" checked>
                <label class="nhsuk-label nhsuk-checkboxes__label" for="id_methods_0">
                  Email
                </label>
              </div>
              <div class="nhsuk-checkboxes__item">
                <input class="nhsuk-checkboxes__input" id="id_methods_1" name="methods"
                       type="checkbox" value="phone">
                <label class="nhsuk-label nhsuk-checkboxes__label" for="id_methods_1">
                  Phone
                </label>
              </div>
              <div class="nhsuk-checkboxes__item">
                <input class="nhsuk-checkboxes__input" id="id_methods_2" name="methods"
                       type="checkbox" value="text" checked>
                <label class="nhsuk-label nhsuk-checkboxes__label" for="id_methods_2">
                  Text message
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,
    )


class TermsForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree to the terms of use",
        help_text="You can read the terms of use before you agree.",
        error_messages={"required": "Agree to the terms of use to continue"},
    )


def test_a_boolean_field_renders_as_a_single_nhsuk_checkbox():
    assert_html_equal(
        crispy_filter(TermsForm()),
        """
        <div class="nhsuk-form-group">
          <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
            <div class="nhsuk-checkboxes__item">
              <input class="nhsuk-checkboxes__input" id="id_agree" name="agree" type="checkbox"
                     aria-describedby="id_agree-hint">
              <label class="nhsuk-label nhsuk-checkboxes__label" for="id_agree">
                I agree to the terms of use
              </label>
              <div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_agree-hint">
                You can read the terms of use before you agree.
              </div>
            </div>
          </div>
        </div>
        """,
    )


def test_a_single_checkbox_in_error_shows_its_message_above_the_checkbox():
    assert_html_equal(
        crispy_filter(TermsForm(data={})),
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <span class="nhsuk-error-message" id="id_agree-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>Agree to the terms of use to
            continue
          </span>
          <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
            <div class="nhsuk-checkboxes__item">
              <input class="nhsuk-checkboxes__input" id="id_agree" name="agree" type="checkbox"
                     aria-describedby="id_agree-hint id_agree-error" aria-invalid="true">
              <label class="nhsuk-label nhsuk-checkboxes__label" for="id_agree">
                I agree to the terms of use
              </label>
              <div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_agree-hint">
                You can read the terms of use before you agree.
              </div>
            </div>
          </div>
        </div>
        """,
    )


# --- Date input -------------------------------------------------------------------------------


class BirthdayForm(forms.Form):
    dob = DateInputField(
        label="What is your date of birth?",
        help_text="For example, 31 3 1980",
        autocomplete="bday",
    )


def date_item(part: str, width: int, value: str = "", *, error: bool = False) -> str:
    group_error = " nhsuk-form-group--error" if error else ""
    input_error = " nhsuk-input--error" if error else ""
    invalid = ' aria-invalid="true"' if error else ""
    value_attribute = f' value="{value}"' if value else ""
    return f"""
      <div class="nhsuk-date-input__item">
        <div class="nhsuk-form-group{group_error}">
          <label class="nhsuk-label nhsuk-date-input__label" for="id_dob-{part}">
            {part.title()}
          </label>
          <input class="nhsuk-input{input_error} nhsuk-input--width-{width}
                        nhsuk-date-input__input" id="id_dob-{part}" name="dob_{part}"
                 type="text" inputmode="numeric" autocomplete="bday-{part}"
                 {value_attribute}{invalid}>
        </div>
      </div>
    """


def test_a_date_field_renders_as_the_nhsuk_date_input():
    assert_html_equal(
        crispy_filter(BirthdayForm(initial={"dob": datetime.date(1980, 3, 31)})),
        f"""
        <div class="nhsuk-form-group">
          <fieldset class="nhsuk-fieldset" role="group" aria-describedby="id_dob-hint">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
              What is your date of birth?
            </legend>
            <div class="nhsuk-hint" id="id_dob-hint">For example, 31 3 1980</div>
            <div class="nhsuk-date-input" id="id_dob">
              {date_item("day", 2, "31")}
              {date_item("month", 2, "3")}
              {date_item("year", 4, "1980")}
            </div>
          </fieldset>
        </div>
        """,
    )


def test_a_date_missing_a_part_highlights_only_that_part():
    form = BirthdayForm(data={"dob_day": "31", "dob_month": "", "dob_year": "1980"})

    assert_html_equal(
        crispy_filter(form),
        f"""
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <fieldset class="nhsuk-fieldset" role="group"
                    aria-describedby="id_dob-hint id_dob-error">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
              What is your date of birth?
            </legend>
            <div class="nhsuk-hint" id="id_dob-hint">For example, 31 3 1980</div>
            <span class="nhsuk-error-message" id="id_dob-error">
              <span class="nhsuk-u-visually-hidden">Error: </span>Date must include a month
            </span>
            <div class="nhsuk-date-input" id="id_dob">
              {date_item("day", 2, "31")}
              {date_item("month", 2, error=True)}
              {date_item("year", 4, "1980")}
            </div>
          </fieldset>
        </div>
        """,
    )


def test_the_error_summary_matches_nhsuk_frontends_own_example_for_a_date():
    def in_the_past(value: datetime.date) -> None:
        if value >= datetime.date.today():
            raise forms.ValidationError("Date of birth must be in the past")

    class ExampleForm(forms.Form):
        dob = DateInputField(label="Date of birth", validators=[in_the_past])

    form = ExampleForm(data={"dob_day": "1", "dob_month": "1", "dob_year": "2999"})
    form.fields["dob"].widget.attrs["id"] = "example"

    assert_html_equal(
        render("{% nhsuk_error_summary form %}", form=form),
        nhsuk_fixture("error-summary", "default"),
    )


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("31", "3", "1980", datetime.date(1980, 3, 31)),
        (" 01 ", "03", "1980", datetime.date(1980, 3, 1)),
        ("29", "2", "2024", datetime.date(2024, 2, 29)),
        ("5", "Dec", "2025", datetime.date(2025, 12, 5)),
        ("5", "september", "2025", datetime.date(2025, 9, 5)),
    ],
)
def test_a_real_date_is_cleaned_to_a_date(day, month, year, expected):
    form = BirthdayForm(data={"dob_day": day, "dob_month": month, "dob_year": year})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["dob"] == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts_in_error"),
    [
        ("", "", "", "Enter a date", ("day", "month", "year")),
        ("", "3", "1980", "Date must include a day", ("day",)),
        ("31", "", "1980", "Date must include a month", ("month",)),
        ("31", "3", "", "Date must include a year", ("year",)),
        ("", "", "1980", "Date must include a day and month", ("day", "month")),
        ("31", "", "", "Date must include a month and year", ("month", "year")),
        ("30", "2", "2024", "Date must be a real date", ("day",)),
        ("29", "2", "2023", "Date must be a real date", ("day",)),
        ("1", "13", "2024", "Date must be a real date", ("month",)),
        ("0", "1", "2024", "Date must be a real date", ("day",)),
        ("x", "1", "2024", "Date must be a real date", ("day",)),
        ("1", "Smarch", "2024", "Date must be a real date", ("month",)),
        ("1", "1", "0000", "Date must be a real date", ("year",)),
        ("1", "1", "80", "Year must include 4 numbers", ("year",)),
    ],
)
def test_a_missing_or_impossible_date_gets_a_plain_english_message_about_the_right_part(
    day, month, year, message, parts_in_error
):
    form = BirthdayForm(data={"dob_day": day, "dob_month": month, "dob_year": year})

    assert not form.is_valid()
    assert form.errors["dob"] == [message]
    (error,) = form.errors.as_data()["dob"]
    params = error.params or {}
    assert params.get("parts_in_error", ("day", "month", "year")) == parts_in_error


def test_the_required_message_of_a_date_can_be_overridden():
    class AppointmentForm(forms.Form):
        when = DateInputField(
            label="When is your appointment?",
            error_messages={
                "required": "Enter the date of your appointment",
                "incomplete": "Date of your appointment must include a %(parts)s",
            },
        )

    empty = AppointmentForm(data={"when_day": "", "when_month": "", "when_year": ""})
    partial = AppointmentForm(data={"when_day": "4", "when_month": "", "when_year": ""})

    assert empty.errors["when"] == ["Enter the date of your appointment"]
    assert partial.errors["when"] == ["Date of your appointment must include a month and year"]


def test_an_optional_date_left_empty_is_none():
    class OptionalForm(forms.Form):
        when = DateInputField(label="When?", required=False)

    form = OptionalForm(data={"when_day": "", "when_month": "", "when_year": ""})

    assert form.is_valid()
    assert form.cleaned_data["when"] is None


# --- Hidden fields, fieldsets, buttons and whole forms ----------------------------------------


def test_a_hidden_field_renders_as_a_hidden_input_only():
    class NextForm(forms.Form):
        next = forms.CharField(widget=forms.HiddenInput, initial="/learning/")

    assert_html_equal(
        crispy_filter(NextForm()),
        '<input type="hidden" name="next" value="/learning/" id="id_next">',
    )


def test_a_fieldset_with_a_heading_legend_matches_nhsuk_frontends_own_example():
    class EmptyForm(forms.Form):
        pass

    form = EmptyForm()

    assert_html_equal(
        crispy_layout(
            form, Fieldset(legend="What is your address?", legend_size="l", legend_tag="h1")
        ),
        nhsuk_fixture("fieldset", "default"),
    )


def test_a_fieldset_groups_its_fields_under_the_legend():
    class AddressForm(forms.Form):
        line_1 = forms.CharField(label="Address line 1")
        town = forms.CharField(label="Town or city")

    form = AddressForm()

    assert_html_equal(
        crispy_layout(
            form,
            Fieldset(
                Field.text("line_1", autocomplete="address-line1"),
                Field.text("town", width="two-thirds", autocomplete="address-level2"),
                legend="What is your address?",
            ),
            Div(HTML("<p>We only use this to post your certificate.</p>"), css_class="app-note"),
        ),
        """
        <fieldset class="nhsuk-fieldset">
          <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">
            What is your address?
          </legend>
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="id_line_1">Address line 1</label>
            <input class="nhsuk-input" id="id_line_1" name="line_1" type="text"
                   autocomplete="address-line1">
          </div>
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="id_town">Town or city</label>
            <input class="nhsuk-input nhsuk-u-width-two-thirds" id="id_town" name="town"
                   type="text" autocomplete="address-level2">
          </div>
        </fieldset>
        <div class="app-note"><p>We only use this to post your certificate.</p></div>
        """,
    )


@pytest.mark.parametrize(
    ("button", "fixture"),
    [
        (Submit("", "Save and continue"), "default"),
        (Submit("", "Find my location", secondary=True), "secondary"),
        (Submit("", "Yes, delete this vaccine", warning=True), "warning"),
        (Submit("", "Save and continue", small=True), "default, small"),
    ],
)
def test_buttons_match_nhsuk_frontends_own_examples(button, fixture):
    class EmptyForm(forms.Form):
        pass

    form = EmptyForm()

    assert_html_equal(crispy_layout(form, button), nhsuk_fixture("button", fixture))


def test_a_named_button_sends_its_name_and_a_plain_button_does_not_submit():
    class EmptyForm(forms.Form):
        pass

    form = EmptyForm()

    assert_html_equal(
        crispy_layout(
            form, Submit("save", "Save"), Button("print", "Print this page", secondary=True)
        ),
        """
        <button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="save">
          Save
        </button>
        <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button"
                type="button" name="print">Print this page</button>
        """,
    )
    with pytest.raises(ValueError, match="secondary or warning"):
        Submit("x", "X", secondary=True, warning=True)


def test_the_crispy_tag_writes_a_posted_novalidate_form_with_its_buttons():
    class NameForm(forms.Form):
        name = forms.CharField(label="Full name")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper = FormHelper()
            self.helper.add_input(Submit("save", "Save and continue"))
            self.helper.add_input(Submit("cancel", "Cancel", secondary=True))

    assert_html_equal(
        crispy_tag(NameForm()),
        """
        <form method="post" novalidate>
          <input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="id_name">Full name</label>
            <input class="nhsuk-input" id="id_name" name="name" type="text">
          </div>
          <div class="nhsuk-button-group">
            <button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="save">
              Save and continue
            </button>
            <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button"
                    type="submit" name="cancel">Cancel</button>
          </div>
        </form>
        """,
    )


def test_a_form_without_our_helper_is_still_novalidate():
    class NameForm(forms.Form):
        name = forms.CharField(label="Full name")

    html = crispy_tag(NameForm())

    assert html.strip().startswith("<form novalidate")


# --- Error summary and form-wide errors -------------------------------------------------------


class SignInForm(forms.Form):
    email = forms.EmailField(label="Email address", error_messages={"required": "Enter email"})
    method = forms.ChoiceField(
        label="How should we contact you?",
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how we should contact you"},
    )
    dob = DateInputField(label="Date of birth")
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Email address or password is not right")


def test_the_error_summary_links_each_error_to_the_first_input_of_its_field():
    form = SignInForm(data={"dob_day": "1", "dob_month": "", "dob_year": "2000"})

    assert_html_equal(
        render("{% nhsuk_error_summary form %}", form=form),
        """
        <div class="nhsuk-error-summary" data-module="nhsuk-error-summary">
          <div role="alert">
            <h2 class="nhsuk-error-summary__heading">There is a problem</h2>
            <div class="nhsuk-error-summary__body">
              <ul class="nhsuk-list nhsuk-error-summary__list">
                <li>Email address or password is not right</li>
                <li><a href="#id_email">Enter email</a></li>
                <li><a href="#id_method_0">Select how we should contact you</a></li>
                <li><a href="#id_dob-month">Date must include a month</a></li>
              </ul>
            </div>
          </div>
        </div>
        """,
    )


def test_every_summary_link_points_at_an_input_on_the_page():
    form = SignInForm(data={})
    page = crispy_filter(form)

    links = [item.href for item in error_summary_items(form) if item.href]

    assert links == ["#id_email", "#id_method_0", "#id_dob-day"]
    for link in links:
        assert f'id="{link[1:]}"' in page


def test_the_error_summary_renders_nothing_without_errors():
    assert render("{% nhsuk_error_summary form %}", form=SignInForm()).strip() == ""
    assert render("{% nhsuk_error_summary form %}", form=None).strip() == ""
    assert render("{% nhsuk_error_summary missing %}").strip() == ""


def test_form_wide_errors_show_as_an_error_message_at_the_top_of_the_form():
    form = SignInForm(
        data={
            "email": "jo@nhs.net",
            "method": "email",
            "dob_day": "1",
            "dob_month": "2",
            "dob_year": "1990",
        }
    )
    html = crispy_filter(form)

    assert_html_equal(
        html[: html.index('<div class="nhsuk-form-group">')],
        """
        <span class="nhsuk-error-message">
          <span class="nhsuk-u-visually-hidden">Error: </span>Email address or password is not
          right
        </span>
        """,
    )


# --- allauth's forms, through the pack ----------------------------------------------------------


def test_a_validated_form_we_do_not_own_can_be_reworded_before_it_renders():
    class CodeForm(forms.Form):
        code = forms.CharField(label="Code", help_text="Old hint")

    form = CodeForm(data={})
    assert not form.is_valid()  # its bound fields are now cached with the old words

    html = render(
        '{% nhsuk_field_options form "code" label="Code from your authenticator app" '
        'hint="It changes every 30 seconds." width=10 inputmode="numeric" %}{{ form|crispy }}',
        form=form,
    )

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <label class="nhsuk-label" for="id_code">Code from your authenticator app</label>
          <div class="nhsuk-hint" id="id_code-hint">It changes every 30 seconds.</div>
          <span class="nhsuk-error-message" id="id_code-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>This field is required.
          </span>
          <input class="nhsuk-input nhsuk-input--error nhsuk-input--width-10" id="id_code"
                 name="code" type="text" inputmode="numeric" aria-invalid="true"
                 aria-describedby="id_code-hint id_code-error">
        </div>
        """,
    )


@pytest.mark.django_db
def test_allauths_sign_in_page_renders_its_form_and_errors_through_the_pack(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert 'placeholder="' not in html  # NHS.UK labels fields instead
    summary = html[html.index('class="nhsuk-error-summary"') : html.index("<h1")]
    assert '<a href="#id_login">' in summary
    assert '<a href="#id_password">' in summary
    assert '<label class="nhsuk-label" for="id_login">Email</label>' in html
    assert 'class="nhsuk-input nhsuk-input--error"' in html
    assert '<button class="nhsuk-button" data-module="nhsuk-button" type="submit">' in html


@pytest.mark.django_db
def test_the_authenticator_set_up_page_shows_the_secret_as_text_beside_the_qr_code(client):
    user = UserFactory(with_profile=True)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    response = client.get(reverse("mfa_activate_totp"))
    html = response.content.decode()

    assert response.status_code == 200
    secret = response.context["form"].secret
    assert 'src="data:image/svg+xml;base64,' in html
    assert f'value="{secret}"' in html
    assert '<label class="nhsuk-label" for="authenticator_secret">Secret key</label>' in html
    assert "readonly" in html
    assert "disabled" not in html  # a disabled input cannot be reached by keyboard
    assert '<label class="nhsuk-label" for="id_code">Code from your authenticator app' in html
    assert 'style="' not in html  # the Content-Security-Policy forbids inline styles


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        ([("2026-01", "January 2026"), ("2026-02", "February 2026")], "2026-02", {}),
        ([("", "Any"), ("a&b", "Fish & <chips>")], None, {"class": "x", "data-flag": True}),
        (
            [("Recent", [("1", "One"), ("2", "Two")]), ("3", "Three")],
            "2",
            {"id": "pick", "disabled": False, "aria-describedby": "pick-hint"},
        ),
        ([(1, "One"), (2, "Two")], 2, {}),
    ],
)
def test_a_select_written_out_is_what_djangos_templates_render(choices, value, attrs):
    # The fast path for plain selects must not change a character of what is sent.
    from portal.templatetags.nhsuk import _is_plain_select, _select

    widget = forms.Select(choices=choices)
    assert _is_plain_select(widget)
    assert str(_select(widget, "month", value, dict(attrs))) == widget.render(
        "month", value, attrs=dict(attrs)
    )
    assert not _is_plain_select(forms.SelectMultiple(choices=choices))
