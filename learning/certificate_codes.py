"""Certificates' verification codes: 12 characters from an alphabet with nothing that reads as
something else (no 0 or O, 1, I or L, no U), shown in three groups of four. ADR 0038.

30 characters to the power of 12 is about 5 x 10^17 codes (59 bits), and the public check
refuses more than a few wrong codes a minute from one address: guessing one is hopeless.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP = 4


def new_code() -> str:
    """A fresh random code, as stored (no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """ "ABCD-EFGH-JKMN": easier to read out and to type."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalise(typed: str) -> str | None:
    """A typed code as stored: spaces and hyphens dropped, capitals; None when it cannot be a
    code (wrong length or a character outside the alphabet)."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\u2010\u2011\u2012\u2013\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
