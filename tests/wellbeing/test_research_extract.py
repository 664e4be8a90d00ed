"""The consented research extract: who is in it, how they are named, k-anonymity, what the raw
files may never hold, the audit trail, FHIR's shape, and who may make one (ADR 0041)."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.models import StaffGroup
from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import a_hub_member
from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    Assessment,
    AssessmentOutcome,
    AuditAction,
    AuditEntry,
    Referral,
    ScoreSource,
    Service,
    Study,
)
from wellbeing.pseudonyms import staff_ref_for, study_pseudonyms
from wellbeing.queries.outcomes import COMPONENT_LABELS
from wellbeing.queries.research_extract import (
    LADDER_DESCRIPTIONS,
    QUASI_IDENTIFIERS,
    K,
    extract_for,
)
from wellbeing.research_formats import COLUMN_NAMES, column_slug, data_dictionary_markdown

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
DB = "confidential"

# Words no extract may ever hold: each appears in the data the extract is made from.
SECRET_WORDS = ("Quillfeather", "Zanzibarine", "Marmalade-Thunder", "Wombleton", "Ward 42b")


def now() -> datetime.datetime:
    return timezone.now()


_people = itertools.count(1)


def a_consented_referral(
    *,
    days_ago: int = 20,
    consent: bool | None = True,
    sex: str = "female",
    ethnic_group: str = "white",
    age_band: str = "35_44",
    staff_group: str = "nursing_midwifery_registered",
    sector: str = "nhs_trust",
    outcome: str = AssessmentOutcome.DIRECT_THERAPY,
    first: tuple[int, int] = (15, 12),
    last: tuple[int, int] | None = (8, 6),
) -> Referral:
    n = next(_people)
    created = now() - datetime.timedelta(days=days_ago)
    referral: Referral = ReferralFactory(
        created_at=created,
        research_consent=consent,
        research_consent_changed_at=created if consent is not None else None,
        name=f"Robin {SECRET_WORDS[0]} {n}",
        email=f"robin.{SECRET_WORDS[3].lower()}{n}@test.nhs.net",
        phone=f"07700 900{n:03d}",
        whats_happening=f"My {SECRET_WORDS[1]} rota and the {SECRET_WORDS[2]} manager.",
        hoped_for_help=f"Talk about {SECRET_WORDS[3]}",
        team=SECRET_WORDS[4],
        best_times=f"After {SECRET_WORDS[1]} shifts",
        organisation=f"{SECRET_WORDS[3]} Community Trust",
        staff_group=staff_group,
        sector=sector,
        equality_monitoring={"sex": sex, "ethnic_group": ethnic_group, "age_band": age_band},
    )
    phq, gad = first
    ScreeningResultFactory(
        referral=referral, instrument="PHQ-9", total=phq, answers=[1] * 9, taken_at=created
    )
    ScreeningResultFactory(
        referral=referral, instrument="GAD-7", total=gad, answers=[2] * 7, taken_at=created
    )
    if outcome:
        Assessment.objects.using(DB).create(
            referral=referral,
            at=created + datetime.timedelta(days=2),
            by_ref="c" * 64,
            by_name=f"Casey {SECRET_WORDS[0]}",
            notes=f"{SECRET_WORDS[2]} notes",
            formulation=f"{SECRET_WORDS[1]} formulation",
            risk_level="low",
            outcome=outcome,
        )
    if last is not None:
        later = created + datetime.timedelta(days=10)
        for code, total in zip(("PHQ-9", "GAD-7"), last, strict=True):
            ScreeningResultFactory(
                referral=referral,
                instrument=code,
                total=total,
                answers=[0] * len(INSTRUMENTS[code].items),
                taken_at=later,
                source=ScoreSource.CHECK_IN,
            )
    return referral


def a_study(name: str = "Hub evaluation", *, days: int = 60) -> Study:
    today = timezone.localdate()
    return Study.objects.using(DB).create(
        name=name,
        approval_reference="IRAS 314159",
        period_start=today - datetime.timedelta(days=days),
        period_end=today,
        defined_by_ref="r" * 64,
        defined_by_name="Rae Researcher",
    )


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def researcher(client):
    user = a_hub_member(roles.HUB_RESEARCHER, name="Rae Researcher")
    client.force_login(user)
    return user


def download(client, study: Study, file_format: str):
    return client.post(reverse("wellbeing:research_download", args=[study.pk, file_format]))


# --- Who is in it ---------------------------------------------------------------------------------


def test_only_referrals_agreed_to_research_now_and_made_in_the_period_are_in_it():
    agreed = [a_consented_referral() for _ in range(5)]
    a_consented_referral(consent=False)
    a_consented_referral(consent=None)
    a_consented_referral(days_ago=200)  # before the study's period
    study = a_study()
    extract = extract_for(study)
    assert extract.consented == 5
    assert {row["pseudonym"] for row in extract.rows} == set(
        study_pseudonyms(study.pseudonym_salt, [r.pk for r in agreed]).values()
    )


def test_pseudonyms_are_stable_within_a_study_and_differ_between_studies():
    for _ in range(5):
        a_consented_referral()
    first, second = a_study("First study"), a_study("Second study")
    once = {row["pseudonym"] for row in extract_for(first).rows}
    again = {row["pseudonym"] for row in extract_for(first).rows}
    other = {row["pseudonym"] for row in extract_for(second).rows}
    assert once == again
    assert len(once) == 5
    assert not once & other
    assert all(re.fullmatch(r"[0-9a-f]{64}", pseudonym) for pseudonym in once | other)


def test_a_pseudonym_is_not_the_staff_reference_nor_made_without_the_key(settings):
    referral = a_consented_referral()
    study = a_study()
    pseudonym = study_pseudonyms(study.pseudonym_salt, [referral.pk])[referral.pk]
    assert pseudonym != referral.staff_ref
    settings.WELLBEING_PSEUDONYM_KEY = "another key altogether"
    assert study_pseudonyms(study.pseudonym_salt, [referral.pk])[referral.pk] != pseudonym


def test_scores_and_outcome_flags_are_those_of_the_first_and_last_measures():
    for _ in range(5):
        a_consented_referral(first=(15, 12), last=(8, 6))
    row = extract_for(a_study()).rows[0]
    assert (row["phq9_first"], row["phq9_last"]) == ("15", "8")
    assert (row["gad7_first"], row["gad7_last"]) == ("12", "6")
    assert row["has_paired_outcome"] == "yes"
    assert row["caseness_at_start"] == "yes"
    assert row["caseness_at_end"] == "no"
    assert row["reliable_improvement"] == "yes"
    assert row["reliable_deterioration"] == "no"
    assert row["recovery"] == row["reliable_recovery"] == "yes"
    assert row["component"] == "Direct therapy"


def test_a_referral_without_a_later_measure_says_so_rather_than_going_missing():
    for _ in range(5):
        a_consented_referral(last=None)
    rows = extract_for(a_study()).rows
    assert len(rows) == 5
    assert {row["has_paired_outcome"] for row in rows} == {"no"}
    assert {row["recovery"] for row in rows} == {""}
    assert {row["last_measure_period"] for row in rows} == {""}


# --- k-anonymity --------------------------------------------------------------------------------


def test_no_combination_of_quasi_identifiers_is_shared_by_fewer_than_five_rows():
    for _ in range(6):
        a_consented_referral()
    # Four men in a care home: too few alone, so they are generalised, then dropped.
    for _ in range(4):
        a_consented_referral(sex="male", sector="care_home", ethnic_group="black")
    extract = extract_for(a_study())
    combinations = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in extract.rows)
    assert min(combinations.values()) >= K
    assert len(extract.rows) + extract.dropped == extract.consented == 10


def test_rare_rows_are_generalised_in_order_and_counted():
    # Five alike; one with a different ethnic group, which the broadening hides in "Minority
    # ethnic group" only if four more share that - they do not, so it is withheld, joining the
    # five once sector and sex line up.
    for _ in range(5):
        a_consented_referral(ethnic_group="white")
    for _ in range(5):
        a_consented_referral(ethnic_group="asian")
    a_consented_referral(ethnic_group="black")
    extract = extract_for(a_study())
    assert extract.dropped == 0
    assert extract.generalised >= 1
    ethnic = Counter(row["ethnic_group"] for row in extract.rows)
    assert (
        ethnic["Asian"] + ethnic["White"] + ethnic["Minority ethnic group"] + ethnic["Not given"]
        == 11
    )
    combinations = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in extract.rows)
    assert min(combinations.values()) >= K


def test_the_last_measure_is_never_more_precise_than_the_referral_period():
    for _ in range(3):
        a_consented_referral(days_ago=20)
    for _ in range(2):
        a_consented_referral(days_ago=50)
    extract = extract_for(a_study())
    for row in extract.rows:
        period, last = row["referral_period"], row["last_measure_period"]
        assert len(last) == len(period), (period, last)


# --- What the raw files may never hold --------------------------------------------------------


def forbidden_strings(referrals: list[Referral]) -> set[str]:
    """Everything identifying about these referrals and the people in them, as it would appear
    in a file: names, emails, phones, free-text words, exact dates and references."""
    found: set[str] = set()
    ours = _portal_wording()
    for referral in Referral.objects.using(DB).filter(pk__in=[r.pk for r in referrals]):
        texts = [
            referral.name,
            referral.email,
            referral.phone,
            referral.phone.replace(" ", ""),
            referral.team,
            referral.best_times,
            referral.whats_happening,
            referral.hoped_for_help,
            referral.organisation,
            referral.reference,
            referral.staff_ref,
            referral.assigned_ref,
            referral.assigned_name,
            *referral.assessments.values_list("by_name", flat=True),
            *(message.body for message in referral.messages.all()),
            *(assessment.notes for assessment in referral.assessments.all()),
        ]
        for text in filter(None, texts):
            found.add(text)
            # Every distinctive word of free text (five letters or more, not a common word).
            found.update(
                word
                for word in re.findall(r"[A-Za-z][A-Za-z'-]{4,}", text)
                if word.lower() not in ours
            )
        moments = [
            referral.created_at,
            referral.consented_at,
            referral.research_consent_changed_at,
            referral.assessed_at,
            referral.closed_at,
            *referral.screenings.values_list("taken_at", flat=True),
            *referral.assessments.values_list("at", flat=True),
        ]
        for moment in filter(None, moments):
            local = timezone.localtime(moment)
            found.update(
                {
                    f"{local:%Y-%m-%d}",
                    f"{local:%d/%m/%Y}",
                    f"{local:%-d %B %Y}",
                    f"{local:%Y%m%d}",
                }
            )
    return found


def _portal_wording() -> set[str]:
    """The words the files hold of their own (headings, definitions, labels, questionnaire
    items): a free-text word of the data that is also one of these cannot be told apart, so
    only words outside them are looked for. Whole names, phrases and addresses still are."""
    text = " ".join(
        [
            data_dictionary_markdown(
                study_name="",
                approval_reference="",
                period="",
                rows=0,
                generalised=0,
                dropped=0,
                k=K,
                ladder=LADDER_DESCRIPTIONS,
            ),
            *(item.text for instrument in INSTRUMENTS.values() for item in instrument.items),
            *(label for _value, label in StaffGroup.choices),
            *COMPONENT_LABELS.values(),
            *(service for service in Service.objects.using(DB).values_list("name", flat=True)),
        ]
    )
    return {word.lower() for word in re.findall(r"[A-Za-z][A-Za-z'-]+", text)}


def raw_files(client, study: Study) -> dict[str, str]:
    files = {}
    for file_format in ("csv", "dictionary", "fhir"):
        response = download(client, study, file_format)
        assert response.status_code == 200, file_format
        assert response["Content-Disposition"].startswith("attachment;")
        files[file_format] = response.content.decode()
    return files


PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?")
PSEUDONYM = re.compile(r"[0-9a-f]{64}")
FLAGS = {"", "yes", "no", "better", "worse", "none"}
AGE_BANDS = {
    "16 to 24",
    "25 to 34",
    "35 to 44",
    "45 to 54",
    "55 to 64",
    "65 or over",
    "16 to 34",
    "35 to 54",
    "55 or over",
    "Not given",
}


def assert_each_csv_cell_is_what_its_column_allows(rows: list[dict[str, str]]) -> None:
    """So no column can carry a user id, a staff reference, a date or words: every cell is a
    pseudonym, a category without digits, a period, a score in range or a flag."""
    ranges = {column_slug(code): (i.min_total, i.max_total) for code, i in INSTRUMENTS.items()}
    for row in rows:
        for column, value in row.items():
            if column == "pseudonym":
                assert PSEUDONYM.fullmatch(value)
            elif column == "age_band":
                assert value in AGE_BANDS
            elif column in ("sex", "ethnic_group", "staff_group", "sector", "component"):
                assert not re.search(r"\d", value), (column, value)
            elif column.endswith("_period"):
                assert value == "" or PERIOD.fullmatch(value), (column, value)
            elif column.endswith(("_first", "_last")):
                low, high = ranges[column.rsplit("_", 1)[0]]
                assert value == "" or low <= int(value) <= high, (column, value)
            else:
                assert value in FLAGS, (column, value)


def assert_each_fhir_value_is_what_fhir_allows(
    bundle: dict[str, object], pseudonyms: set[str]
) -> None:
    texts = {item.text for instrument in INSTRUMENTS.values() for item in instrument.items}

    def walk(node, key=""):
        if isinstance(node, dict):
            for child_key, child in node.items():
                walk(child, child_key)
        elif isinstance(node, list):
            for child in node:
                walk(child, key)
        elif isinstance(node, bool):
            raise AssertionError(f"a boolean under {key}")
        elif isinstance(node, int):
            assert key == "valueInteger", (key, node)
            assert 0 <= node <= 4, (key, node)
        else:
            allowed = {
                "resourceType": lambda v: v in ("Bundle", "QuestionnaireResponse"),
                "type": lambda v: v == "collection",
                "status": lambda v: v == "completed",
                "fullUrl": lambda v: re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", v),
                "id": lambda v: re.fullmatch(r"[0-9a-f]{40}-[a-z0-9]+-(first|last)", v),
                "questionnaire": lambda v: re.fullmatch(
                    r"urn:mind-and-body-portal:questionnaire:[a-z0-9]+\|\d+", v
                ),
                "system": lambda v: re.fullmatch(
                    r"urn:mind-and-body-portal:research-study:\d+:pseudonym", v
                ),
                "value": lambda v: v in pseudonyms,
                "authored": lambda v: PERIOD.fullmatch(v) and "Q" not in v,
                "linkId": lambda v: re.fullmatch(r"\d{1,2}", v),
                "text": lambda v: v in texts,
            }
            assert key in allowed, (key, node)
            assert allowed[key](node), (key, node)

    walk(bundle)


def assert_nothing_identifying(files: dict[str, str], forbidden: set[str]) -> None:
    for name, text in files.items():
        for value in forbidden:
            # A value, not part of a longer word ("difficult" is not in "difficulty").
            pattern = rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])"
            assert not re.search(pattern, text, re.IGNORECASE), f"{value!r} is in the {name} file"
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), f"an exact date is in the {name}"
        assert "@" not in text, f"an email address is in the {name} file"
    rows = csv_rows(files["csv"])
    assert rows
    assert list(rows[0]) == list(COLUMN_NAMES)
    assert_each_csv_cell_is_what_its_column_allows(rows)
    assert_each_fhir_value_is_what_fhir_allows(
        json.loads(files["fhir"]), {row["pseudonym"] for row in rows}
    )


def test_the_raw_files_hold_no_name_email_phone_free_text_exact_date_or_id(client, researcher):
    owners = [UserFactory(with_profile=True) for _ in range(6)]
    referrals = []
    for owner in owners:
        referral = a_consented_referral()
        Referral.objects.using(DB).filter(pk=referral.pk).update(
            staff_ref=staff_ref_for(owner.pk), owner_key=str(owner.pk)
        )
        referrals.append(referral)
    study = a_study()
    files = raw_files(client, study)
    forbidden = forbidden_strings(referrals)
    assert set(SECRET_WORDS) <= forbidden
    assert_nothing_identifying(files, forbidden)


def test_the_raw_files_of_the_demo_data_hold_nothing_identifying(client, researcher, settings):
    settings.DEBUG = True  # seed_demo runs only for development
    call_command("seed_demo", stdout=io.StringIO())
    referrals = list(Referral.objects.using(DB).filter(research_consent=True))
    assert len(referrals) >= K, "the demo should have people who agreed to research"
    study = a_study("Demo evaluation", days=3650)
    files = raw_files(client, study)
    assert len(csv_rows(files["csv"])) >= K, "the demo's extract should release some rows"
    assert_nothing_identifying(files, forbidden_strings(referrals))


# --- The audit trail ----------------------------------------------------------------------------


def test_an_extract_writes_one_export_entry_with_study_and_row_count_and_no_reads(
    client, researcher
):
    for _ in range(5):
        a_consented_referral()
    study = a_study()
    before = AuditEntry.objects.using(DB).count()
    response = download(client, study, "csv")
    assert response.status_code == 200
    entries = list(AuditEntry.objects.using(DB).order_by("id")[before:])
    assert len(entries) == 1
    (entry,) = entries
    assert entry.action == AuditAction.EXPORT
    assert (entry.object_type, entry.object_id) == ("study", study.pk)
    assert "5 rows" in entry.reason
    assert study.approval_reference in entry.reason
    assert entry.actor_role == "Hub researcher"
    assert (
        not AuditEntry.objects.using(DB)
        .filter(object_type="referral", action=AuditAction.READ)
        .exists()
    )


def test_making_an_extract_takes_the_same_number_of_queries_for_more_referrals(client, researcher):
    def queries_for(study: Study) -> int:
        with CaptureQueriesContext(connections[DB]) as captured:
            assert download(client, study, "fhir").status_code == 200
        return len(captured)

    for _ in range(5):
        a_consented_referral()
    few = queries_for(a_study("Few"))
    for _ in range(10):
        a_consented_referral(outcome=AssessmentOutcome.SELF_HELP)
    assert queries_for(a_study("Many")) == few


# --- FHIR ---------------------------------------------------------------------------------------


def test_the_fhir_file_is_a_collection_bundle_of_questionnaire_responses(client, researcher):
    for _ in range(5):
        a_consented_referral()
    study = a_study()
    bundle = json.loads(raw_files(client, study)["fhir"])
    pseudonyms = {row["pseudonym"] for row in extract_for(study).rows}
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    # PHQ-9 and GAD-7, first and last, for each of the five.
    assert len(bundle["entry"]) == 5 * 4
    for entry in bundle["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        resource = entry["resource"]
        assert resource["resourceType"] == "QuestionnaireResponse"
        assert resource["status"] == "completed"
        assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", resource["id"])
        assert "reference" not in resource["subject"]
        assert resource["subject"]["identifier"]["value"] in pseudonyms
        # A FHIR dateTime may be a year or a year and month.
        assert re.fullmatch(r"\d{4}(-\d{2})?", resource["authored"])
        assert resource["item"]
        for item in resource["item"]:
            assert re.fullmatch(r"\d+", item["linkId"])
            (answer,) = item["answer"]
            assert set(answer) <= {"valueInteger", "valueCoding"}
            assert isinstance(answer.get("valueInteger", 0), int)
    last_phq = [e["resource"] for e in bundle["entry"] if e["resource"]["id"].endswith("phq9-last")]
    assert [item["answer"][0]["valueInteger"] for item in last_phq[0]["item"]] == [0] * 9


# --- Clear messages -----------------------------------------------------------------------------


def test_a_study_with_no_consented_referrals_gets_a_clear_message(client, researcher):
    a_consented_referral(consent=False)
    study = a_study()
    page = client.get(reverse("wellbeing:research_study", args=[study.pk]))
    assert "No one who agreed to research was referred in this study" in page.content.decode()
    response = download(client, study, "csv")
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert "nothing to download" in followed.content.decode()
    assert not AuditEntry.objects.using(DB).filter(action=AuditAction.EXPORT).exists()


def test_consented_referrals_that_would_all_be_identifiable_give_a_clear_message(
    client, researcher
):
    for _ in range(3):
        a_consented_referral()
    response = download(client, a_study(), "csv")
    followed = client.get(response["Location"])
    assert "3 people who agreed to research" in followed.content.decode()
    assert "nothing can be released" in followed.content.decode()


# --- Who may make one ---------------------------------------------------------------------------


def pages(study: Study) -> list[tuple[str, str]]:
    return [
        ("get", reverse("wellbeing:research_studies")),
        ("get", reverse("wellbeing:research_study_new")),
        ("get", reverse("wellbeing:research_study", args=[study.pk])),
        ("post", reverse("wellbeing:research_download", args=[study.pk, "csv"])),
    ]


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(lambda: a_hub_member(roles.HUB_CLINICIAN), id="hub clinician"),
        pytest.param(lambda: a_hub_member(roles.HUB_LEAD), id="hub lead without the role"),
        pytest.param(
            lambda: UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True),
            id="curator",
        ),
        pytest.param(
            lambda: UserFactory(
                with_profile=True, is_superuser=True, is_staff=True, with_totp=True
            ),
            id="superuser",
        ),
        pytest.param(lambda: UserFactory(with_profile=True), id="member of staff"),
    ],
)
def test_those_without_the_research_extract_permission_are_refused(client, who):
    for _ in range(5):
        a_consented_referral()
    study = a_study()
    client.force_login(who())
    for method, url in pages(study):
        assert getattr(client, method)(url).status_code == 403, url
    assert not AuditEntry.objects.using(DB).filter(action=AuditAction.EXPORT).exists()


def test_a_hub_lead_without_an_authenticator_is_sent_to_set_one_up(client):
    study = a_study()
    lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD, roles.HUB_RESEARCHER])
    client.force_login(lead)
    for method, url in pages(study):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")


def test_a_hub_lead_given_the_researcher_role_may_make_an_extract(client):
    for _ in range(5):
        a_consented_referral()
    study = a_study()
    lead = UserFactory(
        with_profile=True, roles=[roles.HUB_LEAD, roles.HUB_RESEARCHER], with_totp=True
    )
    client.force_login(lead)
    for method, url in pages(study):
        assert getattr(client, method)(url).status_code == 200, url
    entry = AuditEntry.objects.using(DB).get(action=AuditAction.EXPORT)
    assert entry.actor_role == "Hub lead"
