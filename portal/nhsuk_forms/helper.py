"""The FormHelper for NHS.UK forms."""

from __future__ import annotations

from typing import Any

from crispy_forms import helper as crispy_helper


class FormHelper(crispy_helper.FormHelper):
    """crispy-forms' FormHelper with the defaults an NHS.UK form wants.

    The form is posted, crispy writes the ``<form>`` tag, and the tag carries ``novalidate``: the
    browser's own validation bubbles would otherwise appear before, and instead of, our
    server-side error summary and messages. Use it as crispy's::

        self.helper = FormHelper()
        self.helper.layout = Layout(Field.text("name"), Submit("save", "Save and continue"))
    """

    def __init__(self, form: Any = None) -> None:
        super().__init__(form)
        self.form_method = "post"
        self.form_tag = True
        self.attrs = {"novalidate": True}
        # A hidden field (a form's one-time submission key) is named by no layout.
        self.render_hidden_fields = True
