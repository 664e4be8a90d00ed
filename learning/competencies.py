"""The Mind & Body Programme's competency levels and strategic objectives, as the
Learning and Development strategy sets them out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from portal.models import CaringFrequency

if TYPE_CHECKING:
    from portal.models import StaffProfile


@dataclass(frozen=True)
class CompetencyLevel:
    number: int
    audience: str
    aim: str


COMPETENCY_LEVELS = (
    CompetencyLevel(
        1,
        "All clinical and non-clinical staff",
        "Understand the need to address both physical and mental health needs in all people.",
    ),
    CompetencyLevel(
        2,
        "Clinical staff who sometimes care for people with or at risk of physical and mental "
        "health comorbidities",
        "Recognise and proactively address the physical and mental health needs of patients, "
        "service users, carers and colleagues.",
    ),
    CompetencyLevel(
        3,
        "Clinical staff who regularly care for people with or at risk of physical and mental "
        "health comorbidities",
        "Take the lead in improving care to better meet the physical and mental health needs of "
        "patients, service users, carers and colleagues.",
    ),
)

STRATEGIC_OBJECTIVES = (
    "Foster positive attitudes towards integrated mental and physical health, combatting stigma",
    "Improve recognition and support for both the mental and physical health needs of patients",
    "Assist staff to access support and resources for working with mind and body",
    "Ensure that mind and body care is addressed at all levels of healthcare education",
    "Engage local partners in improving mind and body training and subsequently care",
    "Allow staff to feel supported, engaged, and valued through their training on mind and body",
    "Advocate for co-produced training, securing a voice for service user perspectives and "
    "experience",
    "Establish sustainability of training delivery, accessing funding and support as appropriate",
)


@dataclass(frozen=True)
class Recommendation:
    levels: frozenset[int]
    reason: str


def recommended_levels_for(profile: StaffProfile | None) -> Recommendation:
    """The competency levels that fit a member of staff, and why, from their profile.

    Non-clinical roles: Level 1. Clinical roles that never or sometimes care for people with
    both physical and mental health needs: Levels 1 and 2. Clinical roles that regularly do:
    Levels 1 to 3.
    """
    if profile is None:
        return Recommendation(frozenset({1}), "Level 1 is for everyone who works with us.")
    if not profile.is_clinical:
        return Recommendation(
            frozenset({1}), "Because you told us your role is not clinical, we recommend Level 1."
        )
    if profile.cares_for_both == CaringFrequency.REGULARLY:
        return Recommendation(
            frozenset({1, 2, 3}),
            "Because you told us your role is clinical and you regularly care for people with "
            "both physical and mental health needs, we recommend Levels 1 to 3.",
        )
    how_often = "sometimes" if profile.cares_for_both == CaringFrequency.SOMETIMES else "never"
    return Recommendation(
        frozenset({1, 2}),
        f"Because you told us your role is clinical and you {how_often} care for people with "
        "both physical and mental health needs, we recommend Levels 1 and 2.",
    )
