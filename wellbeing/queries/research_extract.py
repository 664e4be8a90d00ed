"""The consented research extract of a study: read, de-identified, k-anonymised (ADR 0041).

One row per referral made in the study's period whose person says yes to research now (a
withdrawal is honoured by the next extract). Rows are built from plain columns only (categories,
dates coarsened to months, score totals); the one encrypted value read is the item answers of
the questionnaires the FHIR file carries. No name, contact detail, free text, exact date, user
id or staff reference leaves this module. Making an extract opens no referral: the caller writes
one EXPORT entry for the study (wellbeing.services.research), never a READ per referral.

Query count is constant in the number of rows: referrals, scores, components (two), and for
the FHIR file the chosen answers.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from portal.models import StaffGroup
from wellbeing.instruments import INSTRUMENTS
from wellbeing.k_anonymity import Anonymised, Generalisation, anonymise
from wellbeing.models import (
    AGE_BAND_CHOICES,
    DATABASE,
    SEX_CHOICES,
    Referral,
    ScoreSource,
    ScreeningResult,
    Sector,
    Study,
)
from wellbeing.outcomes import PAIRED_MEASURES
from wellbeing.pseudonyms import study_pseudonyms
from wellbeing.queries.outcomes import PairedScores, components, paired_scores
from wellbeing.research_formats import (
    COLUMN_NAMES,
    NOT_GIVEN,
    QuestionnaireAnswers,
    column_slug,
    fhir_date,
)

K = 5
QUASI_IDENTIFIERS = (
    "age_band",
    "sex",
    "ethnic_group",
    "staff_group",
    "sector",
    "component",
    "referral_period",
)

# Short labels for the extract (the form's are sentences).
SECTOR_LABELS: dict[str, str] = {
    Sector.NHS_TRUST: "NHS trust",
    Sector.PRIMARY_CARE: "Primary care",
    Sector.CARE_HOME: "Care home or home care",
    Sector.EMERGENCY_SERVICES: "Emergency services",
    Sector.LOCAL_AUTHORITY: "Local authority",
    Sector.VOLUNTARY: "Voluntary sector",
    Sector.OTHER: "Other",
}
ETHNIC_GROUP_LABELS: dict[str, str] = {
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed",
    "white": "White",
    "other": "Other ethnic group",
}
MINORITY_ETHNIC = "Minority ethnic group"
# ESR staff groups into four broader groups, for the k-anonymity ladder.
BROAD_STAFF_GROUPS: dict[str, str] = {
    StaffGroup.ADD_PROF_SCIENTIFIC_TECHNICAL.label: "Registered professions",
    StaffGroup.ALLIED_HEALTH_PROFESSIONALS.label: "Registered professions",
    StaffGroup.HEALTHCARE_SCIENTISTS.label: "Registered professions",
    StaffGroup.MEDICAL_DENTAL.label: "Registered professions",
    StaffGroup.NURSING_MIDWIFERY_REGISTERED.label: "Registered professions",
    StaffGroup.ADDITIONAL_CLINICAL_SERVICES.label: "Clinical support",
    StaffGroup.STUDENTS.label: "Clinical support",
    StaffGroup.ADMINISTRATIVE_CLERICAL.label: "Non-clinical",
    StaffGroup.ESTATES_ANCILLARY.label: "Non-clinical",
    StaffGroup.OTHER.label: "Other",
}
WIDER_AGE_BANDS: dict[str, str] = {
    "16 to 24": "16 to 34",
    "25 to 34": "16 to 34",
    "35 to 44": "35 to 54",
    "45 to 54": "35 to 54",
    "55 to 64": "55 or over",
    "65 or over": "55 or over",
}


def _quarter(period: str) -> str:
    year, _, month = period.partition("-")
    if not month or month.startswith("Q"):
        return period
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def _year(period: str) -> str:
    return period.partition("-")[0]


def _without_service(component: str) -> str:
    return component.partition(":")[0]


def _withheld(_value: str) -> str:
    return NOT_GIVEN


# The order in which values are tried, less precise (ADR 0041): time first, then the onward
# service's name, then detail within each group, then a rare row's own answer withheld, keeping
# sex and the component (what the evaluation compares) longest. A step is kept only if it helps.
LADDER: tuple[Generalisation, ...] = (
    Generalisation("referral_period", "Referral month widened to its quarter.", _quarter),
    Generalisation("referral_period", "Referral quarter widened to its year.", _year),
    Generalisation(
        "component", "The onward referral's service withheld (Onward referral).", _without_service
    ),
    Generalisation(
        "staff_group",
        "Staff group broadened (Registered professions, Clinical support, Non-clinical, Other).",
        lambda value: BROAD_STAFF_GROUPS.get(value, value),
    ),
    Generalisation(
        "age_band",
        "Age band widened (16 to 34, 35 to 54, 55 or over).",
        lambda value: WIDER_AGE_BANDS.get(value, value),
    ),
    Generalisation(
        "ethnic_group",
        "Ethnic group broadened to White or Minority ethnic group.",
        lambda value: value if value in ("White", NOT_GIVEN) else MINORITY_ETHNIC,
    ),
    *(
        Generalisation(column, f"{name} withheld ({NOT_GIVEN}).", _withheld, whole_group=False)
        for column, name in (
            ("ethnic_group", "Ethnic group"),
            ("sector", "Kind of organisation"),
            ("age_band", "Age band"),
            ("staff_group", "Staff group"),
            ("sex", "Sex"),
        )
    ),
)
LADDER_DESCRIPTIONS = tuple(rung.description for rung in LADDER)


@dataclass
class Extract:
    """A study's extract as it stands now: its rows and what de-identifying it changed."""

    study: Study
    consented: int
    rows: list[dict[str, str]]
    generalised: int
    dropped: int
    # The referral behind each row's pseudonym: kept in memory to pick the FHIR answers, never
    # written to any file.
    referral_of: dict[str, int] = field(default_factory=dict, repr=False)
    paired: dict[int, PairedScores] = field(default_factory=dict, repr=False)

    @property
    def period(self) -> str:
        # Months only: a file holds no exact date, the study's own included.
        return f"{self.study.period_start:%B %Y} to {self.study.period_end:%B %Y}"


def _bounds(study: Study) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(study.period_start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        study.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def consented_referrals(study: Study) -> QuerySet[Referral]:
    """Referrals made in the study's period whose person says yes to research now."""
    start, end = _bounds(study)
    return Referral.objects.using(DATABASE).filter(
        research_consent=True, created_at__gte=start, created_at__lt=end
    )


def consented_count(study: Study) -> int:
    return consented_referrals(study).count()


def _label(choices: list[tuple[str, str]], value: object) -> str:
    if not isinstance(value, str) or value in ("", "prefer_not_to_say"):
        return NOT_GIVEN
    return dict(choices).get(value, NOT_GIVEN)


def _month(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m}"


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


CHANGE_WORDS = {-1: "better", 0: "none", 1: "worse"}


def _scores(scores: PairedScores) -> dict[str, str]:
    row: dict[str, str] = {}
    for code in INSTRUMENTS:
        slug = column_slug(code)
        first = scores.first.get(code)
        if code in PAIRED_MEASURES:
            last = scores.last.get(code)
        else:
            last = scores.latest_other[code][0] if code in scores.latest_other else None
        row[f"{slug}_first"] = "" if first is None else str(first)
        row[f"{slug}_last"] = "" if last is None else str(last)
    outcome = scores.outcome
    row["has_paired_outcome"] = _yes_no(outcome is not None)
    if outcome is not None:
        row["caseness_at_start"] = _yes_no(outcome.caseness_at_start)
        row["caseness_at_end"] = _yes_no(outcome.caseness_at_end)
        row["reliable_improvement"] = _yes_no(outcome.reliable_improvement)
        row["reliable_deterioration"] = _yes_no(outcome.reliable_deterioration)
        row["recovery"] = _yes_no(outcome.recovery)
        row["reliable_recovery"] = _yes_no(outcome.reliable_recovery)
    for code, change in scores.other_changes().items():
        row[f"{column_slug(code)}_reliable_change"] = CHANGE_WORDS[change]
    return row


def _last_measure_at(scores: PairedScores) -> datetime.datetime | None:
    moments = [scores.last_at] if scores.last_at else []
    moments += [taken_at for _total, taken_at in scores.latest_other.values()]
    return max(moments, default=None)


def _as_precise_as(period: str, like: str) -> str:
    """`period` (a month) no more precise than `like` (a month, quarter or year)."""
    if not period or "-" not in like:
        return _year(period) if period else ""
    return _quarter(period) if "-Q" in like else period


def extract_for(study: Study) -> Extract:
    """The study's extract now: every consented referral in its period, de-identified and
    k-anonymised (k = 5)."""
    referrals = list(
        consented_referrals(study)
        .order_by("id")
        .values_list("id", "created_at", "staff_group", "sector", "equality_monitoring")
    )
    ids = [referral_id for referral_id, *_ in referrals]
    paired = paired_scores(ids)
    component_of = components(ids)
    pseudonym_of = study_pseudonyms(study.pseudonym_salt, ids)
    rows: list[dict[str, str]] = []
    last_month: dict[str, str] = {}
    for referral_id, created_at, staff_group, sector, equality in referrals:
        equality = equality if isinstance(equality, Mapping) else {}
        pseudonym = pseudonym_of[referral_id]
        scores = paired[referral_id]
        last_at = _last_measure_at(scores)
        last_month[pseudonym] = _month(last_at) if last_at else ""
        rows.append(
            {
                **dict.fromkeys(COLUMN_NAMES, ""),
                "pseudonym": pseudonym,
                "age_band": _label(AGE_BAND_CHOICES, equality.get("age_band")),
                "sex": _label(SEX_CHOICES, equality.get("sex")),
                "ethnic_group": _label(
                    list(ETHNIC_GROUP_LABELS.items()), equality.get("ethnic_group")
                ),
                "staff_group": _label(StaffGroup.choices, staff_group),
                "sector": SECTOR_LABELS.get(sector, NOT_GIVEN),
                "component": component_of[referral_id].label,
                "referral_period": _month(created_at),
                **_scores(scores),
            }
        )
    anonymised: Anonymised = anonymise(
        rows, quasi_identifiers=QUASI_IDENTIFIERS, ladder=LADDER, k=K
    )
    for row in anonymised.rows:
        # The last measure is never more precise than the referral's own period.
        row["last_measure_period"] = _as_precise_as(
            last_month[row["pseudonym"]], row["referral_period"]
        )
    kept = {row["pseudonym"] for row in anonymised.rows}
    referral_of = {p: r for r, p in pseudonym_of.items() if p in kept}
    return Extract(
        study=study,
        consented=len(rows),
        rows=anonymised.rows,
        generalised=anonymised.generalised,
        dropped=anonymised.dropped,
        referral_of=referral_of,
        paired={referral_id: paired[referral_id] for referral_id in referral_of.values()},
    )


def questionnaire_answers(extract: Extract) -> list[QuestionnaireAnswers]:
    """The item answers of each row's first and last questionnaires, for the FHIR file: the
    same sittings whose totals the CSV holds, dated no more precisely than the row's period."""
    wanted: dict[int, tuple[str, str, str]] = {}  # result id -> (pseudonym, which, authored)
    by_referral = {referral_id: p for p, referral_id in extract.referral_of.items()}
    row_of = {row["pseudonym"]: row for row in extract.rows}
    sittings = (
        ScreeningResult.objects.using(DATABASE)
        .filter(referral_id__in=list(by_referral))
        .order_by("referral_id", "taken_at", "id")
        .values_list("id", "referral_id", "instrument", "taken_at", "source")
    )
    first_seen: set[tuple[int, str]] = set()
    latest: dict[tuple[int, str], int] = {}
    for result_id, referral_id, code, taken_at, source in sittings.iterator(chunk_size=5000):
        pseudonym = by_referral[referral_id]
        row = row_of[pseudonym]
        scores = extract.paired[referral_id]
        if source == ScoreSource.SELF_REFERRAL:
            if (referral_id, code) not in first_seen:
                first_seen.add((referral_id, code))
                wanted[result_id] = (pseudonym, "first", fhir_date(row["referral_period"]))
            continue
        if code in PAIRED_MEASURES:
            if (taken_at, source) == (scores.last_at, scores.last_source):
                latest[(referral_id, code)] = result_id
        elif code in scores.latest_other and scores.latest_other[code][1] == taken_at:
            latest[(referral_id, code)] = result_id
    for (referral_id, _code), result_id in latest.items():
        pseudonym = by_referral[referral_id]
        wanted[result_id] = (
            pseudonym,
            "last",
            fhir_date(row_of[pseudonym]["last_measure_period"]),
        )
    answers_of = (
        ScreeningResult.objects.using(DATABASE)
        .filter(pk__in=list(wanted))
        .order_by("referral_id", "taken_at", "id")
        .values_list("id", "instrument", "answers")
    )
    responses = []
    for result_id, code, stored in answers_of:
        answers: Any = stored  # an encrypted JSON list of item answers
        # A measure recorded as totals only has no item answers to send.
        if not isinstance(answers, list) or not any(isinstance(a, int) for a in answers):
            continue
        pseudonym, which, authored = wanted[result_id]
        responses.append(
            QuestionnaireAnswers(
                pseudonym=pseudonym,
                instrument=code,
                which=which,
                authored=authored,
                answers=[a if isinstance(a, int) else None for a in answers],
            )
        )
    return responses
