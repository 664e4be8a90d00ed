"""Post hostile payloads to a page and check what matters: never a server error, and a form
that refuses its input writes nothing, in either database.

Each example runs in a savepoint on both databases that is rolled back afterwards, with the
client's cookies put back, so every example meets the same records and the same signed-in
session. The shared cache (rate limits, used TOTP codes) is cleared before each example, so
every payload reaches the form rather than a rate limit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from copy import deepcopy
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache as shared_cache
from django.core.signals import got_request_exception
from django.db import connections, transaction
from django.forms import BaseForm
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.hostile import payloads
from tests.submission_keys import KEY_FIELDS

DATABASES = ("default", "confidential")
FUZZ_SUBMISSION_KEY = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
# Every page that shows a hub record audits the reading, a re-displayed form included: new
# audit entries may be reads, never anything else.
AUDIT_TABLE = "wellbeing_auditentry"
# Answers that mean "the page refused the request" (and so must have written nothing), beside a
# form re-displayed with its errors.
REFUSALS = {400, 403, 404, 405, 429}
# `FUZZ_SCALE=20 pytest tests/fuzz` hunts longer than CI does (the examples stay deterministic).
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))


@cache
def _tables(alias: str) -> tuple[str, ...]:
    return tuple(sorted(connections[alias].introspection.table_names()))


def row_counts() -> dict[str, int]:
    """The number of rows in every table of both databases: two queries."""
    counts: dict[str, int] = {}
    for alias in DATABASES:
        connection = connections[alias]
        quote = connection.ops.quote_name
        # Table names come from the database itself, quoted.
        parts = [
            f"SELECT %s, count(*) FROM {quote(table)}"  # noqa: S608
            + (" WHERE action <> 'read'" if table == AUDIT_TABLE else "")
            for table in _tables(alias)
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), _tables(alias))
            counts.update({f"{alias}.{table}": count for table, count in cursor.fetchall()})
    return counts


def forms_with_errors(response: Any) -> list[BaseForm]:
    """The forms in the response's template context that show errors."""
    found: list[BaseForm] = []
    for context in response.context or []:
        for value in context.flatten().values():
            for item in value if isinstance(value, list | tuple) else [value]:
                shows_errors = isinstance(item, BaseForm) and item.is_bound and item.errors
                if shows_errors and not any(item is seen for seen in found):
                    found.append(item)
    return found


def refused(response: Any) -> bool:
    if response.status_code in REFUSALS:
        return True
    return response.status_code == 200 and bool(forms_with_errors(response))


@contextmanager
def rolled_back() -> Iterator[None]:
    with ExitStack() as stack:
        for alias in DATABASES:
            stack.enter_context(transaction.atomic(using=alias))
        yield
        for alias in DATABASES:
            transaction.set_rollback(True, using=alias)


@contextmanager
def same_session(client: Client) -> Iterator[None]:
    """Put the client's cookies back afterwards: a sign-in or sign-out in a rolled-back example
    must not leave the client holding a session that no longer exists."""
    cookies = deepcopy(client.cookies)
    try:
        yield
    finally:
        client.cookies = cookies


@contextmanager
def server_errors() -> Iterator[list[BaseException]]:
    """The exceptions views raise: the client turns them into a 500 page and forgets them."""
    caught: list[BaseException] = []

    def receiver(sender: Any, request: Any = None, **kwargs: Any) -> None:
        caught.append(sys.exc_info()[1])  # type: ignore[arg-type]

    got_request_exception.connect(receiver, dispatch_uid="fuzz-server-errors")
    try:
        yield caught
    finally:
        got_request_exception.disconnect(dispatch_uid="fuzz-server-errors")


def hostile_client(client: Client) -> Client:
    """The test client, answering a view's exception with the 500 page instead of raising."""
    client.raise_request_exception = False
    return client


def send(client: Client, method: str, url: str, data: dict[str, Any], *, urlencoded: bool) -> Any:
    if method == "get":
        return client.get(url, data)
    if urlencoded:
        body = urlencode(data, doseq=True)
        return client.post(url, body, content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


def fuzz(
    client: Client,
    url: str | st.SearchStrategy[str],
    valid: Mapping[str, Any],
    *,
    examples: int,
    method: str = "post",
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    multipart: bool = False,
) -> None:
    """Send `examples` hostile variations of `valid` to `url`, asserting after each that the
    answer is not a server error and, if the page refused the payload, that no row changed.

    `valid` itself must be accepted, so the variations are of a real submission and reach the
    code behind the form (unless a value is a strategy, or the URL is).
    """
    if method == "post":
        # A browser posts the form's one-time key; each example is rolled back, so one fixed
        # key serves them all and the examples stay the same from run to run.
        valid = {**dict.fromkeys(KEY_FIELDS, FUZZ_SUBMISSION_KEY), **valid}
    urls = url if isinstance(url, st.SearchStrategy) else st.just(url)
    if isinstance(url, str) and not any(isinstance(v, st.SearchStrategy) for v in valid.values()):
        data = prepare(dict(valid)) if prepare else dict(valid)
        shared_cache.clear()
        with same_session(client), rolled_back():
            response = send(client, method, url, data, urlencoded=False)
            assert response.status_code < 400, f"{url} answered {response.status_code}"
            assert not refused(response), (
                f"the valid payload was refused by {url} ({response.status_code}): "
                f"{[form.errors for form in forms_with_errors(response)]}"
            )
    encodings = st.just(False) if multipart or method == "get" else st.booleans()

    @settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(target=urls, payload=payloads(valid), urlencoded=encodings)
    def one_example(target: str, payload: dict[str, Any], urlencoded: bool) -> None:
        shared_cache.clear()
        data = prepare(dict(payload)) if prepare else payload
        with same_session(client), rolled_back(), server_errors() as errors:
            before = row_counts()
            response = send(client, method, target, data, urlencoded=urlencoded)
            assert response.status_code < 500, (
                f"{method.upper()} {target} answered {response.status_code}: {errors[0]!r}"
                if errors
                else f"{method.upper()} {target} answered {response.status_code}"
            )
            if refused(response):
                after = row_counts()
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                assert changed == {}, (
                    f"{target} refused the payload ({response.status_code}) but wrote rows "
                    f"(before, after): {changed}"
                )

    one_example()
