"""The competency framework's lifecycle, in one place: adding a statement, rewording it (with its
history), changing which objectives it serves, retiring it and bringing it back.

The rules, each written once here:

- A statement is written as "I can ..." and no two statements in use at one level say the same.
- Its code ("L2-03") is given when it is added, from its level and the next number there, and
  never changes or comes back: a retired statement keeps its code (ADR 0034).
- Its level never changes: a statement at the wrong level is retired and a new one added, so
  a code and its ratings always mean the same level.
- Rewording bumps the version and writes a ``CompetencyWording`` row, so every rating still
  says which wording it answered. A reworded starter statement is the L&D team's own: it is no
  longer marked as a starter.
- A retired statement cannot be reworded (bring it back first); retiring keeps its ratings and
  its links to resources, and hides it from new self-assessments and from the resource form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learning.models import Competency, CompetencyWording, Objective

if TYPE_CHECKING:
    from portal.models import User

STATEMENT_MAX_LENGTH = 300
_CODE = re.compile(r"^L(?P<level>[1-3])-(?P<number>\d{2,3})$")


class CompetencyError(Exception):
    """A change to the framework that cannot be made; the message says why, for a curator."""


def code_for(level: int, number: int) -> str:
    return f"L{level}-{number:02d}"


def tidy_statement(text: str) -> str:
    """The statement with its spaces tidied and no full stop at the end ("I can ...")."""
    return " ".join(text.split()).rstrip(".").rstrip()


def statement_problem(text: str, *, level: int | None, exclude_pk: int | None = None) -> str | None:
    """Why a statement cannot be used at this level, in a curator's words; None if it can.
    With no level, only the wording is checked."""
    if not text:
        return "Enter the statement, starting with 'I can'"
    if len(text) > STATEMENT_MAX_LENGTH:
        return f"Statement must be {STATEMENT_MAX_LENGTH} characters or fewer"
    if not re.match(r"^I can\s+\S", text, flags=re.IGNORECASE):
        return "Start the statement with 'I can', for example: I can recognise when..."
    if level is None:
        return None
    same = Competency.objects.filter(level=level, text__iexact=text, retired_at__isnull=True)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        return f"Level {level} already has this statement"
    return None


def _next_code(level: int) -> str:
    numbers = [
        int(match["number"])
        for code in Competency.objects.filter(level=level).values_list("code", flat=True)
        if (match := _CODE.match(code))
    ]
    return code_for(level, max(numbers, default=0) + 1)


def _with_capital(text: str) -> str:
    return "I can" + text[5:] if text[:5].lower() == "i can" else text


@transaction.atomic
def do_add_competency(
    *, level: int, text: str, objectives: Iterable[Objective], acting_user: User | None
) -> Competency:
    """Add a statement at the end of its level, with its code and its first wording."""
    text = _with_capital(tidy_statement(text))
    objectives = list(objectives)
    if problem := statement_problem(text, level=level):
        raise CompetencyError(problem)
    if not objectives:
        raise CompetencyError("Select at least one objective")
    # Lock the level's statements so two curators adding at once do not take one code.
    list(Competency.objects.select_for_update().filter(level=level).values_list("pk"))
    last = Competency.objects.filter(level=level).aggregate(last=Max("position"))["last"] or 0
    competency = Competency.objects.create(
        level=level, code=_next_code(level), text=text, version=1, position=last + 10
    )
    competency.objectives.set(objectives)
    CompetencyWording.objects.create(
        competency=competency, version=1, text=text, changed_by=acting_user
    )
    return competency


@transaction.atomic
def do_change_competency(
    *,
    competency: Competency,
    text: str,
    objectives: Iterable[Objective],
    acting_user: User | None,
) -> list[str]:
    """Reword a statement and change the objectives it serves; say what changed.

    A new wording is a new version with its own history row; objectives are not versioned (they
    say where a statement belongs, not what a person answered).
    """
    stored = Competency.objects.select_for_update().get(pk=competency.pk)
    if stored.retired_at is not None:
        raise CompetencyError(
            f"{stored.code} is retired. Bring it back into use before you change it"
        )
    text = _with_capital(tidy_statement(text))
    objectives = list(objectives)
    if not objectives:
        raise CompetencyError("Select at least one objective")
    changed: list[str] = []
    if text != stored.text:
        if problem := statement_problem(text, level=stored.level, exclude_pk=stored.pk):
            raise CompetencyError(problem)
        stored.version += 1
        stored.text = text
        stored.is_starter = False
        stored.save(update_fields=["text", "version", "is_starter"])
        CompetencyWording.objects.create(
            competency=stored, version=stored.version, text=text, changed_by=acting_user
        )
        changed.append("wording")
    if set(stored.objectives.values_list("pk", flat=True)) != {o.pk for o in objectives}:
        stored.objectives.set(objectives)
        changed.append("objectives")
    competency.text, competency.version = stored.text, stored.version
    competency.is_starter = stored.is_starter
    return changed


@transaction.atomic
def do_retire_competency(*, competency: Competency, acting_user: User | None) -> Competency:
    """Take a statement out of use: no new ratings or resource links, its history kept."""
    now = timezone.now()
    if not Competency.objects.filter(pk=competency.pk, retired_at__isnull=True).update(
        retired_at=now
    ):
        raise CompetencyError(f"{competency.code} is already retired")
    competency.retired_at = now
    return competency


@transaction.atomic
def do_restore_competency(*, competency: Competency, acting_user: User | None) -> Competency:
    """Bring a retired statement back into use, unless one in use at its level now says the
    same."""
    stored = Competency.objects.select_for_update().get(pk=competency.pk)
    if stored.retired_at is None:
        raise CompetencyError(f"{stored.code} is already in use")
    if statement_problem(stored.text, level=stored.level, exclude_pk=stored.pk):
        raise CompetencyError(
            f"Level {stored.level} already has a statement in use that says the same as "
            f"{stored.code}"
        )
    stored.retired_at = None
    stored.save(update_fields=["retired_at"])
    competency.retired_at = None
    return competency
