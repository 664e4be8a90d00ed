"""The catalogue as a CSV file: export every resource, and import a whole file or none of it.

Import checks every row before it writes anything, with the curator's own resource form
(``learning.forms.curation.ResourceForm``), so a row obeys the same rules as the resource page
and is told the same messages, by column ("Row 4, column 'level': Select a level"). Reading the
cells into the form's fields (lists, yes and no, pence, dates) is all this module adds. Rows
update the resource with the same slug (or, with no slug, the same title) and create the rest as
drafts: the workflow, not a spreadsheet, decides what staff see, so the status column is
exported for reference and ignored on import.

The competencies a resource develops are a list of codes ("L1-02; L2-05", ADR 0034). A file
without the column leaves each resource's competencies as they are; statements retired since a
resource was tied to them are neither exported nor lost on import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from learning.forms.curation import (
    MAX_BYTES,
    TOPIC_SEPARATOR,
    ResourceForm,
    check_topic_names,
    topic_names,
)
from learning.models import Competency, Objective, Provider, Resource, ResourceFormat, Topic
from learning.services import curation
from portal.models import StaffGroup
from portal.spreadsheets import spreadsheet_safe, undo_spreadsheet_guard

if TYPE_CHECKING:
    from portal.models import User

MAX_ROWS = 5000
# Every list in a cell (objectives, topics, staff groups) is separated as the resource form's new
# topics box separates them.
LIST_SEPARATOR = TOPIC_SEPARATOR

# Columns a file must have, columns it may have, and columns export adds for reference only.
REQUIRED_COLUMNS = (
    "title",
    "summary",
    "description",
    "provider",
    "format",
    "level",
    "objectives",
    "duration_minutes",
    "url",
)
OPTIONAL_COLUMNS = (
    "slug",
    "competencies",
    "topics",
    "staff_groups",
    "cost_pence",
    "is_online",
    "location",
    "cpd_hours",
    "accredited",
    "co_produced",
    "is_sample",
    "review_due",
)
READ_ONLY_COLUMNS = ("status", "published_at", "updated_at", "link_status", "link_checked_at")
EXPORT_COLUMNS = (
    "slug",
    *REQUIRED_COLUMNS[:7],
    "competencies",
    "topics",
    "staff_groups",
    "duration_minutes",
    "cost_pence",
    "is_online",
    "location",
    "url",
    "cpd_hours",
    "accredited",
    "co_produced",
    "is_sample",
    "review_due",
    *READ_ONLY_COLUMNS,
)

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class CatalogueFileError(Exception):
    """The file as a whole cannot be read as a catalogue; the message says what to do."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Row {self.row}, column '{self.column}': {self.message}"
        return f"Row {self.row}: {self.message}"


class CatalogueRowErrors(Exception):
    """Some rows are wrong; nothing was imported."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"{len(errors)} problems in the file")
        self.errors = list(errors)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_rows() -> Iterator[list[str]]:
    """The header, then one row per resource, every cell safe to open in a spreadsheet."""
    yield list(EXPORT_COLUMNS)
    resources = (
        Resource.objects.select_related("provider")
        .prefetch_related("objectives", "topics", "competencies")
        .order_by("title", "pk")
    )
    for resource in resources:
        values: dict[str, Any] = {
            "slug": resource.slug,
            "title": resource.title,
            "summary": resource.summary,
            "description": resource.description,
            "provider": resource.provider.name,
            "format": resource.format,
            "level": resource.level,
            "objectives": LIST_SEPARATOR.join(
                str(o.number) for o in sorted(resource.objectives.all(), key=lambda o: o.number)
            ),
            "competencies": LIST_SEPARATOR.join(
                c.code
                for c in sorted(resource.competencies.all(), key=lambda c: c.code)
                if c.retired_at is None
            ),
            "topics": LIST_SEPARATOR.join(t.name for t in resource.topics.all()),
            "staff_groups": LIST_SEPARATOR.join(resource.staff_groups or []),
            "duration_minutes": resource.duration_minutes,
            "cost_pence": resource.cost_pence,
            "is_online": _yes_no(resource.is_online),
            "location": resource.location,
            "url": resource.url,
            "cpd_hours": "" if resource.cpd_hours is None else resource.cpd_hours,
            "accredited": _yes_no(resource.accredited),
            "co_produced": _yes_no(resource.co_produced),
            "is_sample": _yes_no(resource.is_sample),
            "review_due": resource.review_due.isoformat() if resource.review_due else "",
            "status": resource.status,
            "published_at": resource.published_at.isoformat() if resource.published_at else "",
            "updated_at": resource.updated_at.isoformat(),
            "link_status": resource.link_status or "",
            "link_checked_at": (
                resource.link_checked_at.isoformat() if resource.link_checked_at else ""
            ),
        }
        yield [spreadsheet_safe(values[column]) for column in EXPORT_COLUMNS]


def write_catalogue(out: io.TextIOBase | Any) -> None:
    """Write the whole catalogue as CSV to a text stream (an HttpResponse will do)."""
    writer = csv.writer(out)
    writer.writerows(export_rows())


# Import.


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with their spreadsheet row numbers (header is row 1)."""
    if not data.strip():
        raise CatalogueFileError("The selected file is empty")
    if len(data) > MAX_BYTES:
        raise CatalogueFileError("The selected file must be smaller than 2 MB")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        raise CatalogueFileError(
            "The selected file is not a CSV file. If it is a spreadsheet, save it as "
            "'CSV UTF-8 (Comma delimited)' and upload that"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueFileError(
            "The selected file must be saved as UTF-8. In Excel, choose 'Save as' and "
            "'CSV UTF-8 (Comma delimited)'"
        ) from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise CatalogueFileError(f"The selected file could not be read as CSV ({error})") from None
    header = [name.strip().lower() for name in records[0]] if records else []
    rows = [
        (number, cells)
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if not rows:
        raise CatalogueFileError("The selected file has no resources under its column names")
    if len(rows) > MAX_ROWS:
        raise CatalogueFileError(
            f"The selected file has {len(rows):,} rows. Import up to {MAX_ROWS:,} rows at a time"
        )
    _check_header(header)
    return header, rows


def _check_header(header: list[str]) -> None:
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(READ_ONLY_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name or "(blank)" for name in header if name not in known]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing {', '.join(repr(n) for n in missing)}")
    if unknown:
        problems.append(f"not recognised {', '.join(repr(n) for n in unknown)}")
    if repeated:
        problems.append(f"repeated {', '.join(repr(n) for n in repeated)}")
    if problems:
        raise CatalogueFileError(
            f"The first row must name the columns. Columns {'; '.join(problems)}. "
            f"Required columns are: {', '.join(REQUIRED_COLUMNS)}"
        )


@dataclass
class ParsedRow:
    number: int
    slug: str
    values: dict[str, Any]
    provider_name: str
    objective_numbers: list[int]
    topic_names: list[str]
    # None when the file has no competencies column: the resource's stay as they are.
    competencies: list[Competency] | None = None
    existing: Resource | None = None


# The resource's fields the import writes, as the resource form cleans them.
FORM_VALUES = (
    "title",
    "summary",
    "description",
    "format",
    "level",
    "staff_groups",
    "duration_minutes",
    "is_online",
    "location",
    "url",
    "cpd_hours",
    "accredited",
    "co_produced",
    "is_sample",
    "review_due",
)
# The resource form's fields whose errors belong to a column of another name.
COLUMN_OF_FIELD = {
    "provider": "provider",
    "new_provider": "provider",
    "cost": "cost_pence",
    "new_topics": "topics",
    NON_FIELD_ERRORS: "",
}

# Words a spreadsheet may use where the form has a code: a format's or staff group's name.
FORMATS = {value: value for value in ResourceFormat.values} | {
    label.lower(): value for value, label in ResourceFormat.choices
}
STAFF_GROUPS = {value: value for value in StaffGroup.values} | {
    label.lower(): value for value, label in StaffGroup.choices
}


@dataclass
class _RowReader:
    """Reads one row's cells into what the resource form would be sent, collecting an error for
    each cell that cannot be read at all (a yes/no that is neither, a date in no known shape)."""

    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def words(self, column: str) -> str:
        """A cell's text with its spaces tidied: spreadsheets keep stray line breaks."""
        return " ".join(self.cells.get(column, "").split())

    def items(self, column: str) -> list[str]:
        raw = self.cells.get(column, "")
        return [" ".join(item.split()) for item in raw.split(LIST_SEPARATOR) if item.strip()]

    def yes_no(self, column: str, default: bool) -> bool:
        value = self.cells.get(column, "").strip().lower()
        if not value:
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        self.error(column, "Enter yes or no")
        return default

    def pounds(self, column: str) -> str:
        """A cost in pence as the form's pounds ("1250" is "12.50"); the form checks its range."""
        value = self.cells.get(column, "").strip().replace(",", "")
        if not value:
            return "0"
        if not (value.isascii() and value.isdigit()):
            self.error(column, "Enter the cost in pence as a whole number, like 1250 for £12.50")
            return "0"
        pence = int(value)
        return f"{pence // 100}.{pence % 100:02d}"

    def date_parts(self, column: str) -> dict[str, str]:
        """A date written 2027-03-31 or 31/03/2027 as the form's day, month and year boxes."""
        value = self.cells.get(column, "").strip()
        if not value:
            return {}
        if value.count("-") == 2:
            year, month, day = value.split("-")
        elif value.count("/") == 2:
            day, month, year = value.split("/")
        else:
            self.error(column, "Enter a date like 2027-03-31 or 31/03/2027, or leave it empty")
            return {}
        return {f"{column}_day": day, f"{column}_month": month, f"{column}_year": year}

    def competency_codes(self, framework: Framework) -> list[str]:
        """The statement codes of the row, each in use (a curator may write them in lower
        case)."""
        codes: list[str] = []
        for item in self.items("competencies"):
            code = item.upper()
            if code in framework.in_use:
                codes.append(code)
            elif code in framework.retired:
                self.error(
                    "competencies", f"{code} is retired. Remove it, or bring it back into use"
                )
            else:
                self.error(
                    "competencies",
                    f"'{item[:20]}' is not a competency code. Enter codes like L1-02, "
                    "separated by semicolons",
                )
        return list(dict.fromkeys(codes))

    def objectives(self, known: set[int]) -> list[int]:
        """The objective numbers of the row (the form picks objectives by database id)."""
        numbers: list[int] = []
        for item in self.items("objectives"):
            if not (item.isascii() and item.isdigit()) or int(item) not in known:
                self.error(
                    "objectives",
                    f"'{item[:20]}' is not an objective. Enter objective numbers from "
                    f"{min(known, default=1)} to {max(known, default=8)}, "
                    "separated by semicolons",
                )
            else:
                numbers.append(int(item))
        return numbers

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


@dataclass(frozen=True)
class Framework:
    """The competency statements a file may name, by code, read once for the whole file."""

    in_use: dict[str, Competency]
    retired: frozenset[str]

    @classmethod
    def read(cls) -> Framework:
        in_use, retired = {}, set()
        for competency in Competency.objects.all():
            if competency.retired_at is None:
                in_use[competency.code] = competency
            else:
                retired.add(competency.code)
        return cls(in_use, frozenset(retired))


def _resource_form(
    data: dict[str, Any], objective_numbers: set[int], framework: Framework
) -> ResourceForm:
    """The curator's resource form, bound to one row: its rules and messages are the import's.

    The form's objectives and competencies fields check database ids with a query; a file names
    objectives by number and competencies by code, read once for the whole file, so the fields
    are swapped for ones over those numbers and codes with the form's own rules and messages.
    """
    form = ResourceForm(data)
    objectives = form.fields["objectives"]
    form.fields["objectives"] = forms.TypedMultipleChoiceField(
        choices=[(number, str(number)) for number in sorted(objective_numbers)],
        coerce=int,
        required=objectives.required,
        error_messages=objectives.error_messages,
    )
    form.fields["competencies"] = forms.TypedMultipleChoiceField(
        choices=[(code, code) for code in sorted(framework.in_use)],
        coerce=framework.in_use.__getitem__,
        required=False,
    )
    return form


def parse_row(
    number: int,
    cells: dict[str, str],
    objective_numbers: set[int],
    framework: Framework | None = None,
) -> tuple[ParsedRow, list[RowError]]:
    """Check one row with the resource form and turn it into model values; the errors say what
    to fix, a column at a time."""
    r = _RowReader(number, cells)
    framework = framework or Framework({}, frozenset())
    has_competencies = "competencies" in cells
    format_text = r.words("format")
    data: dict[str, Any] = {
        "title": r.words("title"),
        "summary": r.words("summary"),
        "description": cells.get("description", "").strip(),
        "new_provider": r.words("provider"),
        "format": FORMATS.get(format_text.lower(), format_text),
        "level": r.words("level").lower().removeprefix("level").strip(),
        "objectives": r.objectives(objective_numbers),
        "competencies": r.competency_codes(framework) if has_competencies else [],
        "staff_groups": list(
            dict.fromkeys(STAFF_GROUPS.get(item.lower(), item) for item in r.items("staff_groups"))
        ),
        "duration_minutes": cells.get("duration_minutes", "").strip().replace(",", ""),
        "cost": r.pounds("cost_pence"),
        "is_online": str(r.yes_no("is_online", True)),
        "location": r.words("location"),
        "url": cells.get("url", "").strip(),
        "cpd_hours": cells.get("cpd_hours", "").strip(),
        **r.date_parts("review_due"),
    }
    for column in ("accredited", "co_produced", "is_sample"):
        if r.yes_no(column, False):
            data[column] = "on"

    names = topic_names(cells.get("topics", ""))
    try:
        check_topic_names(names)
    except ValidationError as error:
        r.error("topics", error.messages[0])

    slug = cells.get("slug", "").strip().lower()
    if slug:
        try:
            validate_slug(slug)
            if len(slug) > 220:
                raise ValidationError("too long")
        except ValidationError:
            r.error(
                "slug",
                "Slug must be 220 characters or fewer and use only letters, numbers, hyphens "
                "and underscores, or leave it empty",
            )

    form = _resource_form(data, objective_numbers, framework)
    form.is_valid()
    # A cell that could not be read at all has said so; the form's word on it would repeat it.
    unread = {error.column for error in r.errors}
    for name, messages in form.errors.items():
        column = COLUMN_OF_FIELD.get(name, name)
        if column not in unread:
            for message in messages:
                r.error(column, str(message))

    cleaned = form.cleaned_data
    values = {name: cleaned.get(name) for name in FORM_VALUES}
    values["title"] = cleaned.get("title", data["title"])
    values["cost_pence"] = cleaned.get("cost", 0)
    provider_name = cleaned.get("new_provider", data["new_provider"])
    row = ParsedRow(number, slug, values, provider_name, data["objectives"], names)
    if has_competencies:
        row.competencies = list(cleaned.get("competencies") or [])
    return row, r.errors


def check_catalogue(data: bytes) -> list[ParsedRow]:
    """Read and check a whole file; raise with every problem found, or return the rows.

    Reads the database a fixed number of times, however long the file.
    """
    header, records = read_rows(data)
    objective_numbers = set(Objective.objects.values_list("number", flat=True))
    framework = Framework.read()
    parsed: list[ParsedRow] = []
    errors: list[RowError] = []
    for number, cells in records:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            errors.append(
                RowError(
                    number,
                    "",
                    f"Has {len(cells)} cells but the first row names {len(header)} columns. "
                    "Check for a stray comma",
                )
            )
            continue
        named = {
            column: undo_spreadsheet_guard(cells[i]) if i < len(cells) else ""
            for i, column in enumerate(header)
        }
        row, row_errors = parse_row(number, named, objective_numbers, framework)
        parsed.append(row)
        errors.extend(row_errors)
    errors.extend(_match_existing(parsed))
    if errors:
        raise CatalogueRowErrors(sorted(errors, key=lambda e: e.row))
    return parsed


def _match_existing(rows: list[ParsedRow]) -> list[RowError]:
    """Find the resource each row updates: by slug, or by title when the slug is empty."""
    errors: list[RowError] = []
    by_slug = Resource.objects.in_bulk([r.slug for r in rows if r.slug], field_name="slug")
    titles = [r.values["title"] for r in rows if not r.slug and r.values["title"]]
    by_title: dict[str, list[Resource]] = {}
    for resource in Resource.objects.filter(title__in=titles):
        by_title.setdefault(resource.title, []).append(resource)
    first_row_of: dict[str, int] = {}
    for row in rows:
        key = f"slug:{row.slug}" if row.slug else f"title:{row.values['title']}"
        column = "slug" if row.slug else "title"
        if key in first_row_of:
            errors.append(
                RowError(
                    row.number,
                    column,
                    f"Row {first_row_of[key]} has the same {column}. Each resource can appear "
                    "only once",
                )
            )
            continue
        first_row_of[key] = row.number
        if row.slug:
            row.existing = by_slug.get(row.slug)
        else:
            matches = by_title.get(row.values["title"], [])
            if len(matches) > 1:
                errors.append(
                    RowError(
                        row.number,
                        "slug",
                        "More than one resource has this title. Enter the slug of the one to "
                        "update",
                    )
                )
            row.existing = matches[0] if len(matches) == 1 else None
    return errors


@transaction.atomic
def do_import_catalogue(*, data: bytes, acting_user: User | None) -> ImportResult:
    """Import a checked file in one transaction: every row is written, or none is.

    Unknown providers and topics are created; new resources are drafts. Raises
    ``CatalogueFileError`` or ``CatalogueRowErrors`` (nothing written) when the file is wrong.
    """
    rows = check_catalogue(data)
    objectives = {o.number: o for o in Objective.objects.all()}
    providers = {p.name.lower(): p for p in Provider.objects.all()}
    topics = {t.name.lower(): t for t in Topic.objects.all()}
    # Ties to retired statements are not in the file (export leaves them out): keep them.
    retired_ties: dict[int, list[Competency]] = {}
    for through in Resource.competencies.through.objects.filter(
        resource_id__in=[row.existing.pk for row in rows if row.existing is not None],
        competency__retired_at__isnull=False,
    ).select_related("competency"):
        retired_ties.setdefault(through.resource_id, []).append(through.competency)
    created = updated = unchanged = 0
    # Rows naming their slug go first, so a slug made from another row's title cannot take it.
    for row in sorted(rows, key=lambda r: not r.slug):
        provider = providers.get(row.provider_name.lower())
        if provider is None:
            provider = curation.provider_named(row.provider_name)
            providers[provider.name.lower()] = provider
        row_topics = []
        for name in row.topic_names:
            topic = topics.get(name.lower())
            if topic is None:
                topic = Topic.objects.create(name=name, slug=curation.unique_topic_slug(name))
                topics[name.lower()] = topic
            row_topics.append(topic)
        row_objectives = [objectives[n] for n in dict.fromkeys(row.objective_numbers)]
        resource = row.existing or Resource(slug=row.slug)
        for name, value in row.values.items():
            setattr(resource, name, value)
        resource.provider = provider
        if row.existing is None:
            curation.do_create_resource(
                resource=resource,
                objectives=row_objectives,
                topics=row_topics,
                competencies=row.competencies or [],
                acting_user=acting_user,
                how="Created from a CSV import",
            )
            created += 1
        elif curation.do_update_resource(
            resource=resource,
            objectives=row_objectives,
            topics=row_topics,
            competencies=(
                None
                if row.competencies is None
                else [*row.competencies, *retired_ties.get(resource.pk, [])]
            ),
            acting_user=acting_user,
            how="Imported changes to",
        ):
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
