"""The production log handler, as settings.LOGGING wires it, writing into a buffer for tests.

Tests run with DEBUG, where the console handler writes plain text; these helpers build the
JSON handler production uses (the same filters and formatter, named by settings.LOGGING).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def production_handler(stream: StringIO) -> logging.Handler:
    config: dict[str, Any] = settings.LOGGING
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(config["formatters"]["json"]["()"])())
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    return handler


class JsonLog:
    def __init__(self) -> None:
        self.stream = StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        """Each line parsed; a line that is not one JSON object fails the test here."""
        parsed = [json.loads(line) for line in self.text.splitlines()]
        assert all(isinstance(line, dict) for line in parsed)
        return parsed


@contextmanager
def json_log() -> Iterator[JsonLog]:
    """Everything logged meanwhile, as production would write it."""
    log = JsonLog()
    handler = production_handler(log.stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield log
    finally:
        root.removeHandler(handler)
