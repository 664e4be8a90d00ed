"""Structured logs: one JSON object per line, each with the id of the request (or Celery task)
that wrote it, and nothing a person typed.

Wired up by LOGGING in portal/settings.py. The request id is set by
portal.middleware.RequestIdMiddleware and, in workers, from the task id (portal/celery.py).

What a line may hold is a short allow-list (see JsonFormatter): Django's request logger passes
the whole request as an extra, and an exception's text can quote a row (psycopg's "Key
(email)=(...) already exists"), so neither is written. ScrubFilter cuts query strings from every
logged path, because a catalogue search is free text, and exception text from arguments.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# An id from the proxy is kept only if it looks like one: hex digits and hyphens (a UUID, nginx's
# $request_id), so a header cannot carry words into the logs.
TRUSTED_REQUEST_ID = re.compile(r"[0-9A-Fa-f][0-9A-Fa-f-]{15,63}")

# Extras a line may carry besides the basics: plain values, never anyone's details.
SAFE_EXTRAS = ("status_code",)

# A path followed by a query string, anywhere in a message: "/learning/catalogue/?q=..."
_QUERY_STRING = re.compile(r"(/[^\s?#\"']*)\?[^\s\"']*")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is well formed, otherwise a new one."""
    if header and TRUSTED_REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record a handler writes (None outside requests and tasks).

    On the handler, not a logger: a logger's filters do not see records from its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def without_query_strings(text: str) -> str:
    return _QUERY_STRING.sub(r"\1", text)


class ScrubFilter(logging.Filter):
    """Cuts from a record what could hold someone's details before any handler writes it.

    - Query strings, from paths anywhere in the message or its arguments: Django's development
      server logs the whole request line ("GET /learning/catalogue/?q=... HTTP/1.1"), and a
      search can hold anything.
    - An exception's text, from the arguments: it can quote a row or an address. Its type stays
      (Celery's "Task ... raised unexpected: %(exc)s" passes the exception's repr).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = without_query_strings(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrubbed(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _scrubbed(value) for key, value in record.args.items()}
            if "exc" in record.args and record.name.startswith("celery"):
                record.args["exc"] = _exception_type(record.args["exc"])
        return True


# The type at the front of an exception's repr: "OperationalError('connection failed: ...')".
_EXCEPTION_REPR = re.compile(r"([A-Za-z_][\w.]*)\(")


class _ExceptionType(str):
    """Reads the same through %s and %r, as the exception it stands for would."""

    def __repr__(self) -> str:
        return str(self)


def _exception_type(value: object) -> str:
    if isinstance(value, BaseException):
        return _ExceptionType(f"{type(value).__qualname__}(...)")
    found = _EXCEPTION_REPR.match(str(value))
    return _ExceptionType(f"{found.group(1)}(...)" if found else "(details left out)")


def _scrubbed(value: object) -> object:
    if isinstance(value, BaseException):
        return _exception_type(value)
    if isinstance(value, _ExceptionType):  # scrubbed already, by another handler's filter
        return value
    return without_query_strings(value) if isinstance(value, str) else value


def _exception(exc_info: Any) -> dict[str, str]:
    """The exception's type and where it was raised, without its message (which can quote
    data), for each exception in the chain."""
    _type, error, tb = exc_info
    chain: list[str] = []
    while error is not None and len(chain) < 10:
        chain.append(type(error).__qualname__)
        error = error.__cause__ or error.__context__
    return {
        "type": " <- ".join(chain),
        # Where, not what: file, line and function of each frame, without the source lines.
        "stack": "\n".join(
            f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)
        ),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and safe extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in SAFE_EXTRAS:
            value = getattr(record, name, None)
            if isinstance(value, int | str):
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = _exception(record.exc_info)
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str)
