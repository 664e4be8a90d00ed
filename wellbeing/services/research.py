"""Research: a person's answer to the research question, the studies a hub lead or researcher
defines, and making a study's extract (issue 14, ADR 0041).

- `do_change_research_consent`: a member of staff says yes or no again, in my hub, for all
  their referrals; recorded with its time and audited. A "no" takes them out of every later
  extract.
- `do_define_study`: a study with its approval reference and period, defined once.
- `do_make_extract`: the study's extract, de-identified, with one EXPORT audit entry for the
  study saying how many rows it held. No referral is opened, so no READ entry is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portal.models import User
from portal.rules import Permission
from wellbeing import audit
from wellbeing.models import DATABASE, AuditAction, Referral, Study
from wellbeing.queries.research_extract import Extract, extract_for


class ResearchRefused(Exception):
    """A research change that cannot be made; the message says why, in plain words."""


# --- The person's own answer ---------------------------------------------------------------------


def do_change_research_consent(*, acting_user: User, consent: bool) -> int:
    """Set the user's answer to the research question on every referral of theirs that holds
    another answer; returns how many changed. Each change is audited as the person's own."""
    now = timezone.now()
    with transaction.atomic(using=DATABASE):
        changing = list(
            Referral.objects.using(DATABASE)
            .owned_by(acting_user)
            .exclude(research_consent=consent)
            .select_for_update()
            .only("id")
        )
        Referral.objects.using(DATABASE).filter(pk__in=[r.pk for r in changing]).update(
            research_consent=consent, research_consent_changed_at=now
        )
        audit.record_many(
            actor=audit.actor_for(acting_user),
            action=AuditAction.UPDATE,
            objs=changing,
            reason=(
                "Agreed in my hub to their answers being used for research"
                if consent
                else "Withdrew in my hub their agreement to research"
            ),
        )
    return len(changing)


# --- Studies -------------------------------------------------------------------------------------


def _require_permission(user: User) -> None:
    if not user.has_perm(Permission.USE_RESEARCH_EXTRACT):
        raise ResearchRefused("Only someone with the research extract permission can do this.")


def studies() -> list[Study]:
    return list(Study.objects.using(DATABASE).order_by("-defined_at", "-id"))


def name_is_taken(name: str) -> bool:
    return Study.objects.using(DATABASE).filter(name__iexact=name.strip()).exists()


@dataclass(frozen=True)
class StudyDefinition:
    name: str
    approval_reference: str
    period_start: datetime.date
    period_end: datetime.date


def do_define_study(*, acting_user: User, definition: StudyDefinition) -> Study:
    """Define a study, audited as created by whoever defined it."""
    _require_permission(acting_user)
    actor = audit.actor_for(acting_user)
    with transaction.atomic(using=DATABASE):
        study = Study.objects.using(DATABASE).create(
            name=definition.name,
            approval_reference=definition.approval_reference,
            period_start=definition.period_start,
            period_end=definition.period_end,
            defined_by_ref=actor.ref,
            defined_by_name=actor.name[:80],
        )
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=study,
            reason=f"Defined research study {definition.approval_reference}"[:120],
        )
    return study


def do_make_extract(*, acting_user: User, study: Study, file_format: str) -> Extract:
    """The study's extract now, with one EXPORT audit entry naming the study, the format and
    the row count. Refused (ResearchRefused) when it would hold no row, so nobody gets an
    empty file."""
    _require_permission(acting_user)
    with transaction.atomic(using=DATABASE):
        extract = extract_for(study)
        if not extract.rows:
            raise ResearchRefused(empty_extract_message(extract))
        audit.record(
            actor=audit.actor_for(acting_user),
            action=AuditAction.EXPORT,
            obj=study,
            # The count first, so a long study name never cuts it off.
            reason=(
                f"Research extract ({file_format}): {len(extract.rows)} rows, study "
                f"{study.approval_reference} {study.name}"
            )[:120],
        )
    return extract


def empty_extract_message(extract: Extract) -> str:
    if not extract.consented:
        return (
            "No one who agreed to research was referred in this study's period, so there is "
            "nothing to download. Check the period, or try again when more people have agreed."
        )
    return (
        f"{extract.consented} people who agreed to research were referred in this period, but "
        "each of them would be identifiable in a group of fewer than 5, so nothing can be "
        "released. A longer period may help."
    )
