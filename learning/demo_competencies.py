"""Demo data for the competency framework's curator side: sample resources tied to the starter
statements, and a few invented colleagues who rated their confidence before and after learning,
so the impact report and the team lead's page show figures (eleven of them share the demo team
lead's team, six of whom have rated themselves).

Kept apart from the sample catalogue (learning.demo) so the staff side's own demo ratings can
grow beside it. Safe to run any number of times: the colleagues' ratings are written afresh.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from learning.models import Competency, CompetencyRating, LearningRecord, LearningStatus, Resource
from portal.models import CaringFrequency, StaffGroup, StaffProfile, User

SAMPLE_SLUG_PREFIX = "sample-"
TEAM = "Physiotherapy"
TEAM_LEAD = "teamlead@demo.nhs.net"
# The portal's demo organisation (portal.demo.DEMO_ORGANISATION), read from the team lead's
# profile so the two never disagree.
FALLBACK_ORGANISATION = "Demo Health and Care Partnership (sample data)"

# Which starter statements each sample resource develops (slugs without "sample-"). L3-05
# (local partners) is left without a resource on purpose: the framework shows a content gap.
TIES: dict[str, tuple[str, ...]] = {
    "mind-and-body-care-an-introduction-for-everyone": ("L1-01", "L1-02"),
    "diagnostic-overshadowing-seeing-the-whole-person": ("L1-02", "L1-03"),
    "talking-about-mental-health-at-work-a-10-minute-guide": ("L1-03", "L1-04"),
    "looking-after-your-own-mind-and-body-a-staff-toolkit": ("L1-06",),
    "lived-experience-voices-living-with-a-long-term-condition-and-anxiety": ("L1-07",),
    "where-to-find-mind-and-body-support-a-directory-for-staff": ("L1-05", "L1-08"),
    "dementia-awareness-for-all-staff": ("L1-04",),
    "diabetes-and-depression-recognising-and-responding": ("L2-02", "L1-01"),
    "serious-mental-illness-physical-health-checks-in-practice": ("L2-03", "L1-02"),
    "long-term-conditions-and-anxiety-brief-interventions": ("L2-02", "L2-04"),
    "persistent-physical-symptoms-first-conversations": ("L2-01", "L2-04"),
    "delirium-spot-it-stop-it-support-recovery": ("L2-01",),
    "chronic-pain-and-mood-talking-with-patients-about-pain-and-low-mood": ("L2-01", "L2-04"),
    "antipsychotics-weight-gain-and-metabolic-health-a-monitoring-guide": ("L2-03", "L2-08"),
    "mind-and-body-in-primary-care-a-toolkit-for-practice-teams": ("L2-05",),
    "compassionate-conversations-communication-skills-for-mind-and-body-care": ("L2-04", "L2-06"),
    "cardiovascular-disease-and-depression-screening-in-cardiac-rehabilitation": ("L2-02",),
    "postgraduate-certificate-in-mind-and-body-care": ("L3-01", "L3-02"),
    "integrated-care-for-persistent-physical-symptoms-advanced-practice": ("L3-01", "L3-02"),
    "leading-mind-and-body-change-in-your-service": ("L3-04", "L3-07"),
    "teaching-mind-and-body-train-the-trainer": ("L3-03",),
    "evaluating-mind-and-body-training-a-toolkit-for-educators": ("L3-03", "L3-04"),
    "funding-your-mind-and-body-training-a-guide-for-service-leads": ("L3-08",),
    "co-produced-case-studies-mind-and-body-care-in-the-community": ("L3-06", "L1-07"),
}

# The statements the colleagues rate, and the resource each completes between ratings.
RATED = (
    ("L1-01", "mind-and-body-care-an-introduction-for-everyone"),
    ("L1-02", "mind-and-body-care-an-introduction-for-everyone"),
    ("L1-04", "talking-about-mental-health-at-work-a-10-minute-guide"),
    ("L2-01", "persistent-physical-symptoms-first-conversations"),
    ("L2-02", "diabetes-and-depression-recognising-and-responding"),
    ("L2-03", "serious-mental-illness-physical-health-checks-in-practice"),
)


RATING_COLLEAGUES = 24  # the first 24 rate themselves; the rest have not yet
TEAM_COLLEAGUES = (*range(1, 7), *range(25, 30))


def _colleagues() -> list[tuple[str, str, str]]:
    """(email, display name, staff group) of 29 invented colleagues."""
    # Four of those who rate are doctors: a small number, so figures are suppressed.
    groups = [
        StaffGroup.ALLIED_HEALTH_PROFESSIONALS,
        StaffGroup.NURSING_MIDWIFERY_REGISTERED,
        StaffGroup.ALLIED_HEALTH_PROFESSIONALS,
        StaffGroup.NURSING_MIDWIFERY_REGISTERED,
        StaffGroup.MEDICAL_DENTAL,
    ]
    return [
        (f"colleague{n:02d}@demo.nhs.net", f"Sample colleague {n}", groups[n % len(groups)])
        for n in range(1, 30)
    ]


def _at_nine(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _tie_resources() -> int:
    codes = {c.code: c for c in Competency.objects.filter(retired_at__isnull=True)}
    resources = Resource.objects.filter(
        slug__in=[SAMPLE_SLUG_PREFIX + slug for slug in TIES], is_sample=True
    )
    tied = 0
    for resource in resources:
        chosen = [
            codes[code]
            for code in TIES[resource.slug.removeprefix(SAMPLE_SLUG_PREFIX)]
            if code in codes and codes[code].level <= resource.level
        ]
        resource.competencies.set(chosen)
        tied += len(chosen)
    return tied


def _seed_colleagues(today: date) -> int:
    """Colleagues with profiles (seven in the team lead's team), ratings and completions."""
    lead = StaffProfile.objects.filter(user__email=TEAM_LEAD).first()
    organisation = lead.organisation if lead else FALLBACK_ORGANISATION
    if lead is not None and not lead.team:
        lead.team = TEAM
        lead.save(update_fields=["team"])
    codes = {c.code: c for c in Competency.objects.all()}
    resources = {
        r.slug.removeprefix(SAMPLE_SLUG_PREFIX): r
        for r in Resource.objects.filter(slug__in=[SAMPLE_SLUG_PREFIX + s for _c, s in RATED])
    }
    ratings = []
    for n, (email, name, group) in enumerate(_colleagues(), start=1):
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_unusable_password()  # nobody signs in as a sample colleague
            user.save()
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": name,
                "staff_group": group,
                "job_title": "Sample colleague",
                "organisation": organisation,
                "team": TEAM if n in TEAM_COLLEAGUES else "",
                "site": "Main site",
                "is_clinical": True,
                "cares_for_both": CaringFrequency.SOMETIMES,
            },
        )
        CompetencyRating.objects.filter(user=user).delete()
        if n > RATING_COLLEAGUES:
            continue
        for index, (code, slug) in enumerate(RATED):
            competency = codes.get(code)
            if competency is None:
                continue
            # Not confident to confident at first; one or two points higher after learning.
            first = 1 + (n + 2 * index) % 4
            ratings.append(
                CompetencyRating(
                    user=user,
                    competency=competency,
                    wording_version=competency.version,
                    confidence=first,
                    rated_at=_at_nine(today - timedelta(days=90)),
                )
            )
            resource = resources.get(slug)
            if resource is None or (n + index) % 2 == 0:
                continue  # not everyone has learned yet
            LearningRecord.objects.update_or_create(
                user=user,
                resource=resource,
                defaults={
                    "status": LearningStatus.COMPLETED,
                    "completed_on": today - timedelta(days=40),
                },
            )
            ratings.append(
                CompetencyRating(
                    user=user,
                    competency=competency,
                    wording_version=competency.version,
                    confidence=min(5, first + 1 + (n // 2 + index) % 2),
                    rated_at=_at_nine(today - timedelta(days=20)),
                )
            )
    CompetencyRating.objects.bulk_create(ratings)
    return RATING_COLLEAGUES


@transaction.atomic
def seed_demo_competency_impact() -> list[str]:
    """Tie sample resources to the starter statements and give the sample colleagues ratings;
    the lines say what was made."""
    today = timezone.localdate()
    tied = _tie_resources()
    colleagues = _seed_colleagues(today)
    return [
        f"  Competency ties on sample resources: {tied}",
        f"  Sample colleagues with ratings before and after learning: {colleagues} "
        f"({TEAM} team: {len(TEAM_COLLEAGUES)} colleagues and the demo team lead)",
    ]
