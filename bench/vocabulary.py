"""The words the benchmark's catalogue is written from, and one generated resource.

bench/run.py seeds resources from them and bench/search_traffic.py types searches from them,
so the searches find what the catalogue holds, as staff's do.
"""

from __future__ import annotations

import random
from typing import Any

PHYSICAL = (
    "diabetes", "COPD", "asthma", "heart failure", "coronary heart disease", "stroke", "cancer",
    "chronic pain", "obesity", "chronic kidney disease", "arthritis", "epilepsy", "HIV",
    "liver disease", "irritable bowel syndrome", "fibromyalgia", "long COVID", "hypertension",
    "multiple sclerosis", "Parkinson's disease",
)  # fmt: skip
MENTAL = (
    "depression", "anxiety", "psychosis", "bipolar disorder", "schizophrenia", "eating disorders",
    "dementia", "delirium", "post-traumatic stress", "self-harm", "alcohol misuse", "drug use",
    "personality disorder", "insomnia", "health anxiety", "low mood", "perinatal depression",
)  # fmt: skip
OPENINGS = (
    "Recognising", "Managing", "Understanding", "Supporting people with", "Assessing",
    "Talking about", "Screening for", "Caring for people with", "Preventing", "Treating",
)  # fmt: skip
ENDINGS = (
    "an introduction", "a practical guide", "essentials", "masterclass", "in practice",
    "for the whole team", "case studies", "a toolkit", "refresher", "advanced skills",
)  # fmt: skip
AUDIENCES = (
    "nurses", "GPs", "pharmacists", "physiotherapists", "healthcare assistants", "receptionists",
    "paramedics", "midwives", "social workers", "psychologists", "occupational therapists",
    "junior doctors", "care home staff", "health visitors",
)  # fmt: skip
SETTINGS = (
    "the emergency department", "acute medical wards", "primary care", "community mental health "
    "teams", "inpatient mental health units", "care homes", "outpatient clinics", "maternity "
    "services", "cardiac rehabilitation", "pulmonary rehabilitation", "diabetes clinics",
)  # fmt: skip
SKILLS = (
    "physical health checks", "brief interventions", "motivational interviewing",
    "risk assessment", "care planning", "medication reviews", "shared decision making",
    "breathing techniques", "sleep hygiene", "graded activity", "safety planning",
    "communication with carers", "referral pathways", "reasonable adjustments",
    "managing breathlessness", "mental health first aid",
)  # fmt: skip
PROVIDERS = (
    "Mind & Body Programme", "NHS England e-Learning for Healthcare", "Maudsley Learning",
    "King's College London", "Health Education England", "Royal College of Psychiatrists",
    "Diabetes UK", "Local NHS trust learning and development team", "British Heart Foundation",
    "Royal College of Nursing", "Mental Health Foundation", "Local authority public health team",
)  # fmt: skip


def generated_resource(rng: random.Random, number: int) -> dict[str, Any]:
    """The fields of one varied, plausible resource, from the word lists above."""
    from learning.models import ResourceFormat

    physical, mental = rng.choice(PHYSICAL), rng.choice(MENTAL)
    audience, setting = rng.choice(AUDIENCES), rng.choice(SETTINGS)
    skill, other_skill = rng.sample(SKILLS, 2)
    title = f"{rng.choice(OPENINGS)} {physical} and {mental}: {rng.choice(ENDINGS)}"
    summary = (
        f"Helps {audience} in {setting} recognise and respond to {mental} in people living with "
        f"{physical}."
    )
    description = " ".join(
        rng.sample(
            [
                f"It covers {skill} and {other_skill}, with examples from {setting}.",
                f"People living with {physical} describe how {mental} affected their care.",
                f"You will practise {skill} with case studies written for {audience}.",
                "It explains why physical health and mental health needs so often go together, "
                "and how joined-up care improves outcomes.",
                f"It links to local services for {mental} and to support for staff wellbeing.",
                f"The training was developed with {rng.choice(AUDIENCES)} and people with lived "
                "experience.",
            ],
            k=rng.randint(2, 4),
        )
    )
    minutes = rng.choice((10, 15, 20, 30, 45, 60, 90, 120, 180, 210, 420, 840, 2100, 9000))
    in_person = rng.random() < 0.25
    return {
        "title": title,
        "slug": f"bench-{number}",
        "summary": summary,
        "description": description,
        "format": rng.choice(ResourceFormat.values),
        "level": rng.choice((1, 1, 2, 2, 3)),
        "staff_groups": [],
        "duration_minutes": minutes,
        "cost_pence": rng.choice((0, 0, 0, 0, 2500, 4500, 12000, 45000)),
        "is_online": not in_person,
        "location": "Guy's Hospital, London" if in_person else "",
        "url": f"https://learning.example.nhs.uk/bench/{number}",
        "accredited": rng.random() < 0.2,
        "co_produced": rng.random() < 0.15,
        "is_sample": True,
    }
