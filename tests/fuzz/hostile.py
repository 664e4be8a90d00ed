"""Hypothesis strategies for hostile form input: what a broken client, a paste from a strange
place or an attacker might post, field by field, around a payload the form would accept.

Values are strings as a browser sends them. Lone surrogates are left out: they cannot be encoded
in an HTTP form post at all, so no server ever sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

OVERLONG = 10_000

# Fragments aimed at HTML, SQL, templates, formats and parsers, and characters that are easy to
# get wrong: NUL and other control characters, right-to-left override, combining marks, a byte
# order mark, digits that are not ASCII ("²" passes str.isdigit() but int() refuses it).
FRAGMENTS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x07\x08\x0b\x0c\x1b\x7f",
    "\r\n\r\n",
    "\t",
    "\u202eevil\u202c",
    "\u200b\u200d\ufeff",
    "e\u0301\u0301\u0301",
    "Z\u0351\u0364\u036b\u0343",
    "مرحبا بالعالم",
    "שלום",
    "😀👩‍⚕️🏳️‍🌈",
    "²",
    "١٢",
    "Ⅻ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR 1=1 --",
    "'; DROP TABLE auth_user; --",
    '" OR ""="',
    "{{ 7|add:7 }}",
    "{% debug %}",
    "%(name)s %s %d",
    "{0} {}",
    "../../../../etc/passwd",
    "null",
    "None",
    "true",
    "on",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "-1",
    "0",
    "-0",
    "00",
    "1.5",
    "1,5",
    "0.05",
    "2026-02-30",
    "30/02/2026",
    "25:61",
    "9999999999999999999999999999",
    "-9999999999999999999999999999",
    "2147483648",
    "9223372036854775808",
    "https://example.com/" + "a" * 600,
    "test@test.nhs.net",
    "x@" + "a" * 250 + ".nhs.net",
)

_characters = st.characters(exclude_categories=["Cs"])
_overlong = st.sampled_from(["x", "é", "9", "😀", "<", "\x00", " ", "\n"]).map(
    lambda ch: ch * OVERLONG
)
_numbers = st.one_of(
    st.integers(min_value=-40, max_value=40),
    st.integers(min_value=-(10**30), max_value=10**30),
).map(str)
_decimals = st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str)

hostile_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(_characters, max_size=40),
    _overlong,
    _numbers,
    _decimals,
    st.tuples(st.sampled_from(FRAGMENTS), st.text(_characters, max_size=10)).map("".join),
)

# Names a form does not have, some of them what a model or an attacker might hope for.
EXTRA_NAMES = (
    "id",
    "pk",
    "is_staff",
    "is_superuser",
    "user",
    "owner",
    "owner_key",
    "staff_ref",
    "status",
    "next",
    "reference",
    "created_at",
    "csrfmiddlewaretoken",
    "_method",
)

MISSING = object()
Value = str | list[str]


def _mutations(valid: Value) -> st.SearchStrategy[Any]:
    """A field's value made hostile: missing, a hostile scalar, or repeated as a list."""
    return st.one_of(
        st.just(MISSING),
        hostile_text,
        st.lists(hostile_text, min_size=2, max_size=3),
        st.just([valid, valid] if isinstance(valid, str) else [*valid, *valid]),
    )


@st.composite
def payloads(draw: st.DrawFn, valid: Mapping[str, Any]) -> dict[str, Value]:
    """Around `valid` (a payload the form accepts): one field hostile and the rest valid, so the
    form gets past its other checks; or several hostile at once; plus unknown fields."""
    names = sorted(valid)
    if not names:
        broken: set[str] = set()
    elif draw(st.booleans()):
        broken = {draw(st.sampled_from(names))}
    else:
        broken = set(draw(st.lists(st.sampled_from(names), unique=True)))
    payload: dict[str, Value] = {}
    for name in names:
        # A valid value may itself be drawn, such as a CSV file with one hostile cell.
        given = valid[name]
        accepted = draw(given) if isinstance(given, st.SearchStrategy) else given
        value = draw(_mutations(accepted)) if name in broken else accepted
        if value is not MISSING:
            payload[name] = value
    extra_names = st.one_of(
        st.sampled_from(EXTRA_NAMES), st.text(_characters, min_size=1, max_size=20)
    ).filter(lambda name: name not in valid)
    extra = draw(st.dictionaries(extra_names, hostile_text, max_size=2))
    return {**extra, **payload}
