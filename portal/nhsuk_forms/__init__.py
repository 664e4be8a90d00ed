"""The ``nhsuk`` template pack for django-crispy-forms: forms that render as NHS.UK components.

The markup lives in templates/nhsuk/, following nhsuk-frontend's own component fixtures; this
package holds the Python side: ``helper.FormHelper``, the layout objects in ``layout`` and the
date input in ``fields``. The error summary tag is ``{% load nhsuk %}{% nhsuk_error_summary form %}``
(portal/templatetags/nhsuk.py).
"""
