"""`{% one_time_key %}`: the hidden one-time submission key of a form that has no Django form
object of its own, such as one button among many in a list (portal/submission_keys.py, ADR 0022).
Each use draws a fresh key, so each button is its own submission."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def one_time_key(name: str = "submission_key") -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', name, uuid.uuid4())
