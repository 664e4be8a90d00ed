"""The catalogue as a CSV file: export every resource, and import a whole file or none of it.

Import checks every row before it writes anything, and reports every problem in words a
curator can fix in a spreadsheet ("Row 4, column 'level': Enter a level of 1, 2 or 3"). Rows
update the resource with the same slug (or, with no slug, the same title) and create the rest as
drafts: the workflow, not a spreadsheet, decides what staff see, so the status column is
exported for reference and ignored on import.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction

from learning.models import Level, Objective, Provider, Resource, ResourceFormat, Topic
from learning.services import curation
from portal.models import StaffGroup
from portal.spreadsheets import spreadsheet_safe, undo_spreadsheet_guard

if TYPE_CHECKING:
    from portal.models import User

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
LIST_SEPARATOR = ";"

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
_url_is_valid = URLValidator(schemes=["http", "https"])


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
        .prefetch_related("objectives", "topics")
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
    existing: Resource | None = None


@dataclass
class _RowReader:
    """Reads one row's cells, collecting an error for each that is wrong."""

    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def text(self, column: str, label: str, max_length: int, *, required: bool) -> str:
        value = (
            " ".join(self.cells.get(column, "").split())
            if column != "description"
            else (self.cells.get(column, "").strip())
        )
        if required and not value:
            self.error(column, f"Enter a {label}")
        elif len(value) > max_length:
            self.error(column, f"{label.capitalize()} must be {max_length} characters or fewer")
        return value

    def whole_number(self, column: str, label: str, low: int, high: int, default: int) -> int:
        value = self.cells.get(column, "").strip().replace(",", "")
        if not value:
            if column in REQUIRED_COLUMNS:
                self.error(column, f"Enter the {label}")
            return default
        if not value.isdigit() or not low <= int(value) <= high:
            self.error(column, f"Enter the {label} as a whole number from {low:,} to {high:,}")
            return default
        return int(value)

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

    def items(self, column: str) -> list[str]:
        raw = self.cells.get(column, "")
        return [" ".join(item.split()) for item in raw.split(LIST_SEPARATOR) if item.strip()]

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


FORMATS = {value: value for value in ResourceFormat.values} | {
    label.lower(): value for value, label in ResourceFormat.choices
}
STAFF_GROUPS = {value: value for value in StaffGroup.values} | {
    label.lower(): value for value, label in StaffGroup.choices
}


def parse_row(
    number: int, cells: dict[str, str], objective_numbers: set[int]
) -> tuple[ParsedRow, list[RowError]]:
    """Check one row and turn it into model values; the errors say what to fix."""
    r = _RowReader(number, cells)
    values: dict[str, Any] = {
        "title": r.text("title", "title", 200, required=True),
        "summary": r.text("summary", "summary", 300, required=True),
        "description": r.text("description", "description", 20000, required=True),
        "location": r.text("location", "location", 200, required=False),
        "duration_minutes": r.whole_number("duration_minutes", "duration in minutes", 1, 525600, 1),
        "cost_pence": r.whole_number("cost_pence", "cost in pence", 0, 100_000_000, 0),
        "is_online": r.yes_no("is_online", True),
        "accredited": r.yes_no("accredited", False),
        "co_produced": r.yes_no("co_produced", False),
        "is_sample": r.yes_no("is_sample", False),
    }
    provider_name = r.text("provider", "provider", 150, required=True)

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

    format_text = cells.get("format", "").strip().lower()
    values["format"] = FORMATS.get(format_text, "")
    if not values["format"]:
        r.error("format", f"Enter a format: one of {', '.join(ResourceFormat.values)}")

    level_text = cells.get("level", "").strip().lower().removeprefix("level").strip()
    if level_text in {"1", "2", "3"}:
        values["level"] = Level(int(level_text))
    else:
        r.error("level", "Enter a level of 1, 2 or 3")

    numbers: list[int] = []
    objective_items = r.items("objectives")
    if not objective_items:
        r.error("objectives", "Enter at least one objective number, like 1;3")
    for item in objective_items:
        if not item.isdigit() or int(item) not in objective_numbers:
            r.error(
                "objectives",
                f"'{item[:20]}' is not an objective. Enter objective numbers from "
                f"{min(objective_numbers, default=1)} to {max(objective_numbers, default=8)}, "
                "separated by semicolons",
            )
        else:
            numbers.append(int(item))

    topic_names = r.items("topics")
    if any(len(name) > 100 for name in topic_names):
        r.error("topics", "Each topic must be 100 characters or fewer")

    groups = []
    for item in r.items("staff_groups"):
        code = STAFF_GROUPS.get(item.lower())
        if code is None:
            r.error(
                "staff_groups",
                f"'{item[:40]}' is not a staff group. Use codes such as "
                "nursing_midwifery_registered, separated by semicolons, or leave it empty",
            )
        elif code not in groups:
            groups.append(code)
    values["staff_groups"] = groups

    url = cells.get("url", "").strip()
    if not url:
        r.error("url", "Enter a web address")
    elif len(url) > 500:
        r.error("url", "Web address must be 500 characters or fewer")
    else:
        try:
            _url_is_valid(url)
        except ValidationError:
            r.error("url", "Enter a web address in the correct format, like https://www.nhs.uk")
    values["url"] = url

    values["cpd_hours"] = _cpd_hours(r, cells.get("cpd_hours", "").strip())
    values["review_due"] = _date(r, cells.get("review_due", "").strip())
    row = ParsedRow(number, slug, values, provider_name, numbers, topic_names)
    return row, r.errors


def _cpd_hours(r: _RowReader, text: str) -> Decimal | None:
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        hours = Decimal("-1")
    if (
        not hours.is_finite()
        or not Decimal("0") <= hours <= Decimal("999.9")
        or (hours != hours.quantize(Decimal("0.1")))
    ):
        r.error("cpd_hours", "Enter CPD hours as a number from 0 to 999.9, like 1.5")
        return None
    return hours.quantize(Decimal("0.1"))


def _date(r: _RowReader, text: str) -> datetime.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    r.error("review_due", "Enter a real date like 2027-03-31, or leave it empty")
    return None


def check_catalogue(data: bytes) -> list[ParsedRow]:
    """Read and check a whole file; raise with every problem found, or return the rows.

    Reads the database a fixed number of times, however long the file.
    """
    header, records = read_rows(data)
    objective_numbers = set(Objective.objects.values_list("number", flat=True))
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
        row, row_errors = parse_row(number, named, objective_numbers)
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
                acting_user=acting_user,
                how="Created from a CSV import",
            )
            created += 1
        elif curation.do_update_resource(
            resource=resource,
            objectives=row_objectives,
            topics=row_topics,
            acting_user=acting_user,
            how="Imported changes to",
        ):
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
