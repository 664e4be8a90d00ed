"""Posting a form as a browser that drew it does: with the form's one-time submission key.

A browser always sends the key the page carried (portal.submission_keys), so the suite's test
client adds a fresh one to a post that names none; a test of the keys themselves passes its own,
or uses Django's plain `Client` to post without one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.test.client import MULTIPART_CONTENT

# The key's name in each form that has one: most forms have no prefix, the comment form on a
# resource page has "comment".
KEY_FIELDS = ("submission_key", "comment-submission_key")


def a_key() -> str:
    return str(uuid.uuid4())


class FormClient(Client):
    """Django's test client, posting a fresh one-time key with any form that gives none."""

    def post(  # type: ignore[override]
        self, path: str, data: Any = None, content_type: str = MULTIPART_CONTENT, **kwargs: Any
    ) -> Any:
        if data is None:
            data = {}
        if isinstance(data, dict) and content_type == MULTIPART_CONTENT:
            data = {**{name: a_key() for name in KEY_FIELDS}, **data}
        return super().post(path, data, content_type, **kwargs)
