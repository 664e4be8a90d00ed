"""Error messages in the NHS.UK style, for fields that would otherwise get Django's wording."""

from __future__ import annotations


def text_errors(what: str, called: str, max_length: int) -> dict[str, str]:
    """Messages for a text field: 'Enter <what>', '<Called> must be ... or fewer'."""
    return {
        "required": f"Enter {what}",
        "max_length": f"{called} must be {max_length:,} characters or fewer",
        "null_characters_not_allowed": f"{called} must only include letters, numbers and "
        "punctuation",
    }
