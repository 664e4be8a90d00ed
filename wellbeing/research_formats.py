"""What the research extract holds and how it is written: its columns, each defined once, the
CSV, the data dictionary and the FHIR R4 bundle of questionnaire answers (ADR 0041).

Pure Python, like `wellbeing.outcomes`: the rows are built and de-identified in
`wellbeing.queries.research_extract`; this module only says what each column means and writes
the files, so the dictionary can never drift from the CSV it describes.

Nothing here holds a name, contact detail, free text, exact date, user id or staff reference:
the columns are categories, month-or-coarser periods, scores and flags, and the one identifier
is the study's own pseudonym.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from wellbeing.instruments import INSTRUMENTS

__all__ = [
    "COLUMNS",
    "NOT_GIVEN",
    "QuestionnaireAnswers",
    "column_slug",
    "data_dictionary_markdown",
    "extract_csv",
    "fhir_bundle",
    "fhir_date",
]

NOT_GIVEN = "Not given"
# Where the bundle's questionnaires and pseudonyms are named: URNs, so nothing resolves outside.
QUESTIONNAIRE_URN = "urn:mind-and-body-portal:questionnaire:"
PSEUDONYM_SYSTEM_URN = "urn:mind-and-body-portal:research-study:{study_id}:pseudonym"


def column_slug(code: str) -> str:
    """ "PHQ-9" -> "phq9": a column name without punctuation."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


@dataclass(frozen=True)
class Column:
    name: str
    definition: str
    values: str


_YES_NO_BLANK = "yes, no, or empty when it does not apply (see the definition)"
_OUTCOME_BASIS = (
    "From the first (self-referral) and last paired PHQ-9 and GAD-7, as NHS Talking Therapies "
    "defines it (wellbeing.outcomes). Empty when the referral has no later paired measure."
)

COLUMNS: tuple[Column, ...] = (
    Column(
        "pseudonym",
        "This referral's code in this study only: HMAC-SHA256 of the referral under a key "
        "derived for this study. Another study's extract names the same referral differently.",
        "64 hexadecimal characters",
    ),
    Column(
        "age_band",
        "Age band the person gave at self-referral, possibly widened to protect anonymity.",
        "16 to 24, 25 to 34, 35 to 44, 45 to 54, 55 to 64, 65 or over; widened: 16 to 34, "
        f"35 to 54, 55 or over; {NOT_GIVEN} (not answered, prefer not to say, or withheld)",
    ),
    Column(
        "sex",
        "Sex the person gave at self-referral (ONS 2021 question).",
        f"Female, Male, {NOT_GIVEN} (not answered, prefer not to say, or withheld)",
    ),
    Column(
        "ethnic_group",
        "Ethnic group the person gave at self-referral (ONS 2021 top-level groups), possibly "
        "broadened to White or Minority ethnic group, or withheld, to protect anonymity.",
        "Asian, Black, Mixed, White, Other ethnic group; broadened: Minority ethnic group; "
        f"{NOT_GIVEN}",
    ),
    Column(
        "staff_group",
        "NHS Electronic Staff Record staff group, possibly broadened to protect anonymity.",
        "an ESR staff group; broadened: Registered professions, Clinical support, "
        f"Non-clinical, Other; {NOT_GIVEN}",
    ),
    Column(
        "sector",
        "The kind of organisation the person works for, as they gave it at self-referral.",
        "NHS trust, Primary care, Care home or home care, Emergency services, Local authority, "
        f"Voluntary sector, Other; {NOT_GIVEN}",
    ),
    Column(
        "component",
        "The service component the referral received: the outcome of its latest rapid "
        "assessment, with the service for an onward referral (the service may be withheld to "
        "protect anonymity).",
        "Self-help, Team-based support, Direct therapy, Onward referral[: service], Closed "
        "after assessment, Not yet assessed",
    ),
    Column(
        "referral_period",
        "When the referral was made, as a month, or a quarter or year to protect anonymity.",
        "YYYY-MM, YYYY-Qn or YYYY",
    ),
    Column(
        "last_measure_period",
        "When the last later measure was taken, no more precise than referral_period.",
        "YYYY-MM, YYYY-Qn or YYYY; empty without a later measure",
    ),
    *(
        column
        for code, instrument in INSTRUMENTS.items()
        for column in (
            Column(
                f"{column_slug(code)}_first",
                f"{instrument.title} total at self-referral.",
                f"{instrument.min_total} to {instrument.max_total}; empty when not asked",
            ),
            Column(
                f"{column_slug(code)}_last",
                f"{instrument.title} total at the latest later measure (a follow-up check-in "
                "or a therapy session).",
                f"{instrument.min_total} to {instrument.max_total}; empty without a later measure",
            ),
        )
    ),
    Column(
        "has_paired_outcome",
        "Whether the referral has a first and a later PHQ-9 and GAD-7 taken together, so the "
        "outcome flags below apply.",
        "yes, no",
    ),
    Column(
        "caseness_at_start",
        f"PHQ-9 10 or more, or GAD-7 8 or more, at self-referral. {_OUTCOME_BASIS}",
        _YES_NO_BLANK,
    ),
    Column("caseness_at_end", f"The same at the last measure. {_OUTCOME_BASIS}", _YES_NO_BLANK),
    Column(
        "reliable_improvement",
        "PHQ-9 fell by 6 or more or GAD-7 by 4 or more, and neither rose reliably. "
        + _OUTCOME_BASIS,
        _YES_NO_BLANK,
    ),
    Column(
        "reliable_deterioration",
        f"Either rose reliably and neither fell reliably. {_OUTCOME_BASIS}",
        _YES_NO_BLANK,
    ),
    Column(
        "recovery",
        "At caseness at the start and not at the end. Empty when not at caseness at the start "
        "(not in the denominator). " + _OUTCOME_BASIS,
        _YES_NO_BLANK,
    ),
    Column(
        "reliable_recovery",
        f"Recovery and reliable improvement; empty as recovery is. {_OUTCOME_BASIS}",
        _YES_NO_BLANK,
    ),
    *(
        Column(
            f"{column_slug(code)}_reliable_change",
            f"Reliable change on {instrument.title} by the Jacobson and Truax index "
            "(wellbeing.instruments), between its first and last totals.",
            "better, worse, none; empty without both totals",
        )
        for code, instrument in INSTRUMENTS.items()
        if instrument.reliable_change is not None
    ),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


def extract_csv(rows: Iterable[Mapping[str, str]]) -> str:
    """The extract as CSV, one row per referral, columns in COLUMNS' order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in COLUMN_NAMES})
    return out.getvalue()


def data_dictionary_markdown(
    *,
    study_name: str,
    approval_reference: str,
    period: str,
    rows: int,
    generalised: int,
    dropped: int,
    k: int,
    ladder: Sequence[str],
) -> str:
    """The data dictionary: what the extract is, how it was de-identified, every column."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        f"# Research extract: {cell(study_name)}",
        "",
        f"- Approval reference: {cell(approval_reference)}",
        f"- Referrals made in: {period} (the study's period, to the month)",
        "- Who is in it: every referral in that period whose person said yes to research and "
        "had not withdrawn it when the extract was made.",
        f"- Rows: {rows}",
        f"- Rows generalised (a value made less precise) to protect anonymity: {generalised}",
        f"- Rows left out because they stayed identifiable: {dropped}",
        "",
        "## How it was de-identified",
        "",
        "No names, contact details, free text, exact dates, user ids or staff references. Each "
        "referral is named by a pseudonym made for this study only.",
        "",
        f"k-anonymity with k = {k}: every combination of age_band, sex, ethnic_group, "
        f"staff_group, sector, component and referral_period is shared by at least {k} rows. "
        "Where a combination was rarer, these steps were tried in this order, again and again, "
        "and each was kept only if it left fewer rows in rare combinations, or as many rows in "
        "fewer combinations. A step that widens "
        "a value (a month into its quarter) was applied to every row sharing the wider value; "
        "a step that withholds a value, to the rare rows only. Rows still in a rarer "
        "combination were left out:",
        "",
        *(f"{number}. {step}" for number, step in enumerate(ladder, start=1)),
        "",
        "## Columns",
        "",
        "| column | definition | values |",
        "| --- | --- | --- |",
        *(
            f"| {column.name} | {cell(column.definition)} | {cell(column.values)} |"
            for column in COLUMNS
        ),
        "",
        "## Questionnaire answers (FHIR)",
        "",
        "The FHIR R4 file is a Bundle of type collection holding one QuestionnaireResponse per "
        "questionnaire at the first and last measure of each row. Its subject is an identifier "
        "whose value is the row's pseudonym; `authored` is the row's period, as a month or a "
        "year (FHIR has no quarters); each item's linkId is the question's number and its "
        "answer a valueInteger, the score of the option chosen.",
        "",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class QuestionnaireAnswers:
    """One questionnaire completed by one extract row: at the first or the last measure."""

    pseudonym: str
    instrument: str
    which: str  # "first" or "last"
    authored: str  # a FHIR date: YYYY or YYYY-MM
    answers: Sequence[int | None]


def fhir_date(period: str) -> str:
    """A period as a FHIR date: a month stays a month; a quarter, which FHIR cannot say, and a
    year become the year."""
    year, _, rest = period.partition("-")
    return period if rest and not rest.startswith("Q") else year


def fhir_bundle(study_id: int, responses: Iterable[QuestionnaireAnswers]) -> dict[str, object]:
    """A FHIR R4 Bundle (type "collection") of QuestionnaireResponse resources."""
    system = PSEUDONYM_SYSTEM_URN.format(study_id=study_id)
    entries = []
    for response in responses:
        instrument = INSTRUMENTS[response.instrument]
        resource = {
            "resourceType": "QuestionnaireResponse",
            "id": f"{response.pseudonym[:40]}-{column_slug(response.instrument)}-{response.which}",
            "questionnaire": f"{QUESTIONNAIRE_URN}{column_slug(response.instrument)}|"
            f"{instrument.version}",
            "status": "completed",
            "subject": {"identifier": {"system": system, "value": response.pseudonym}},
            "authored": response.authored,
            "item": [
                {
                    "linkId": str(item.number),
                    "text": item.text,
                    "answer": [{"valueInteger": answer}],
                }
                for item, answer in zip(instrument.items, response.answers, strict=False)
                if isinstance(answer, int) and not isinstance(answer, bool)
            ],
        }
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
