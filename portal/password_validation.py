"""A ceiling on password length, far above anything a person or a password manager uses.

Long passphrases are encouraged (NCSC: length over complexity), so at least 128 characters must
be accepted. The ceiling only refuses absurd input, which bounds the work each attempt costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from portal.models import User


class MaximumLengthValidator:
    def __init__(self, max_length: int = 256) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: User | None = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"Your password must be {self.max_length} characters or fewer.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."
