"""What an outbox row keeps of a failed send: the error's type and status code, never its text.

A mail server's reply quotes the address it refused (`SMTPRecipientsRefused: {'jo@...': (450,
...)}`), and a row holds that beside its idempotency key, which names the referral: the
confidential database alone would then link a person to a referral. So a row keeps only
"SMTPRecipientsRefused 450": enough for the failed-emails pages to say what went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from smtplib import SMTPRecipientsRefused, SMTPResponseException

_SUMMARY = re.compile(r"(?P<type>[A-Za-z_][A-Za-z0-9_]*)(?: (?P<code>[1-5][0-9][0-9]))?")
# Where rows written before issue 12 quoted a status code in the server's text: SMTP replies
# "(450, b'...')", our Notify refusal "(400)", and texts that start with one ("451 try later").
_OLD_CODES = (
    re.compile(r"\(([1-5][0-9][0-9]), "),
    re.compile(r"\(([1-5][0-9][0-9])\)"),
    re.compile(r"^\s*([1-5][0-9][0-9])\b"),
)


@dataclass(frozen=True)
class SendError:
    """A failed send as a row records it: e.g. SendError("SMTPRecipientsRefused", 450)."""

    type: str
    code: int | None = None

    def __str__(self) -> str:
        return f"{self.type} {self.code}" if self.code else self.type

    @property
    def temporary(self) -> bool:
        """An SMTP 4xx: the server asked for the message to be sent later."""
        return self.code is not None and 400 <= self.code < 500


def status_code_of(error: BaseException) -> int | None:
    """The SMTP or HTTP status code behind an error, following `raise ... from` causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, SMTPRecipientsRefused) and current.recipients:
            # The lowest code decides, as the channel does: one 4xx means "try again later".
            return min(code for code, _ in current.recipients.values())
        if isinstance(current, SMTPResponseException):
            return current.smtp_code
        status = getattr(current, "status_code", None)  # GOV.UK Notify's HTTPError
        if isinstance(status, int):
            return status
        current = current.__cause__
    return None


def summary_of(error: BaseException) -> str:
    """What `last_error` stores: the error's type and status code, never the server's text."""
    return str(SendError(type(error).__name__, status_code_of(error)))


def parse(last_error: str) -> SendError:
    """Read back a stored summary; anything else (it should not exist) reads as Unknown."""
    match = _SUMMARY.match(last_error.strip())
    if not match:
        return SendError("Unknown")
    code = match.group("code")
    return SendError(match.group("type"), int(code) if code else None)


def scrubbed(last_error: str) -> str:
    """An old row's `last_error` ("Type: the server's text") as rows keep it now ("Type code").

    Used by the data migrations that took the server's text out of existing rows (portal 0008,
    wellbeing 0013), so keep its behaviour for old texts as it is.
    """
    if not last_error or _SUMMARY.fullmatch(last_error):
        return last_error
    name, _, text = last_error.partition(":")
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return "Unknown"
    found = (pattern.search(text) for pattern in _OLD_CODES)
    code = next((int(match.group(1)) for match in found if match), None)
    return str(SendError(name, code))
