"""The catalogue as CSV: export everything safely, import all rows or none, with every problem
explained in plain English."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import Provider, Resource, ResourceChange, Topic
from learning.services import catalogue_csv
from learning.services.catalogue_csv import (
    EXPORT_COLUMNS,
    CatalogueFileError,
    CatalogueRowErrors,
    do_import_catalogue,
)
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "slug", "title", "summary", "description", "provider", "format", "level", "objectives",
    "topics", "staff_groups", "duration_minutes", "cost_pence", "is_online", "location", "url",
    "cpd_hours", "accredited", "co_produced", "review_due",
]  # fmt: skip


def good_row(**overrides):
    row = {
        "slug": "",
        "title": "Talking about weight",
        "summary": "Conversations about weight without stigma.",
        "description": "A short course.",
        "provider": "Obesity UK",
        "format": "video",
        "level": "1",
        "objectives": "1;3",
        "topics": "Weight; Stigma",
        "staff_groups": "nursing_midwifery_registered;medical_dental",
        "duration_minutes": "20",
        "cost_pence": "0",
        "is_online": "yes",
        "location": "",
        "url": "https://example.org/weight",
        "cpd_hours": "0.5",
        "accredited": "no",
        "co_produced": "yes",
        "review_due": "2027-01-31",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode()


@pytest.fixture
def curator():
    return UserFactory(with_profile=True, roles=["Curator"], with_totp=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def exported(client):
    response = client.get(reverse("learning:curate_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="learning-catalogue-')
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_has_every_field_with_lists_by_number_name_and_code(curator_client):
    ResourceFactory(
        title="Exported",
        objectives=[3, 1],
        topics=["Diabetes", "Depression"],
        staff_groups=["students", "medical_dental"],
        review_due=datetime.date(2027, 5, 1),
        cpd_hours=2,
    )
    (row,) = exported(curator_client)
    assert list(row) == list(EXPORT_COLUMNS)
    assert row["objectives"] == "1;3"
    assert set(row["topics"].split(";")) == {"Diabetes", "Depression"}
    assert row["staff_groups"] == "students;medical_dental"
    assert row["provider"].startswith("Provider ")
    assert row["review_due"] == "2027-05-01"
    assert row["level"] == "1"
    assert row["is_online"] == "yes"
    assert row["status"] == "published"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_the_export_guards_against_spreadsheet_formulas(curator_client, start):
    ResourceFactory(title=f"{start}cmd|' /C calc'!A0", summary="@SUM(1+1)")
    (row,) = exported(curator_client)
    assert row["title"] == f"'{start}cmd|' /C calc'!A0"
    assert row["summary"] == "'@SUM(1+1)"


def test_an_exported_catalogue_imports_back_unchanged(curator_client, curator):
    ResourceFactory(title="=Formula-looking title", objectives=[1, 2], topics=["Pain"])
    ResourceFactory(title="Second", staff_groups=["students"], cpd_hours=None)
    data = curator_client.get(reverse("learning:curate_export")).content
    result = do_import_catalogue(data=data, acting_user=curator)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Resource.objects.filter(title="=Formula-looking title").exists()


def test_an_import_creates_drafts_with_new_providers_and_topics(curator):
    result = do_import_catalogue(data=csv_bytes([good_row()]), acting_user=curator)
    assert (result.created, result.updated) == (1, 0)
    resource = Resource.objects.get()
    assert resource.status == "draft"
    assert resource.slug == "talking-about-weight"
    assert resource.provider.name == "Obesity UK"
    assert sorted(resource.topics.values_list("name", flat=True)) == ["Stigma", "Weight"]
    assert sorted(resource.objectives.values_list("number", flat=True)) == [1, 3]
    assert resource.staff_groups == ["nursing_midwifery_registered", "medical_dental"]
    assert resource.co_produced is True
    assert str(resource.cpd_hours) == "0.5"
    assert resource.changes.get().summary == "Created from a CSV import"


def test_an_import_updates_by_slug_or_by_title_and_leaves_the_status_alone(curator):
    by_slug = ResourceFactory(slug="keep-this-slug", title="Old title", status="published")
    by_title = ResourceFactory(title="Matched by title", level=1)
    rows = [
        good_row(slug="keep-this-slug", title="New title"),
        good_row(title="Matched by title", level="3"),
    ]
    result = do_import_catalogue(data=csv_bytes(rows), acting_user=curator)
    assert (result.created, result.updated) == (0, 2)
    by_slug.refresh_from_db()
    by_title.refresh_from_db()
    assert by_slug.title == "New title"
    assert by_slug.status == "published"
    assert by_title.level == 3
    assert by_slug.changes.get().summary.startswith("Imported changes to the title")


def test_a_missing_or_wrong_column_gets_one_message_naming_them(curator):
    header = [c for c in HEADER if c not in ("level", "url")] + ["lvl"]
    with pytest.raises(CatalogueFileError) as error:
        do_import_catalogue(data=csv_bytes([good_row()], header), acting_user=curator)
    message = str(error.value)
    assert "missing 'level', 'url'" in message
    assert "not recognised 'lvl'" in message


def test_every_broken_row_is_reported_and_nothing_is_imported(curator):
    rows = [
        good_row(title="Fine row"),
        good_row(title="Bad level", level="4"),
        good_row(title="Bad objective", objectives="1;9"),
        good_row(
            title="",
            format="hologram",
            duration_minutes="an hour",
            url="not a url",
            cpd_hours="1.25",
            review_due="31/02/2027",
            is_online="maybe",
            staff_groups="astronauts",
        ),
    ]
    with pytest.raises(CatalogueRowErrors) as raised:
        do_import_catalogue(data=csv_bytes(rows), acting_user=curator)
    messages = [str(error) for error in raised.value.errors]
    assert "Row 3, column 'level': Select a level" in messages
    assert any(
        m.startswith("Row 4, column 'objectives': '9' is not an objective") for m in messages
    )
    row_5 = [m for m in messages if m.startswith("Row 5,")]
    for column in (
        "title",
        "format",
        "duration_minutes",
        "url",
        "cpd_hours",
        "review_due",
        "is_online",
        "staff_groups",
    ):
        assert any(f"column '{column}'" in m for m in row_5), column
    assert not Resource.objects.exists()
    assert not Provider.objects.exists()
    assert not Topic.objects.exists()


def test_the_same_resource_twice_in_one_file_is_an_error(curator):
    rows = [good_row(slug="same"), good_row(slug="same", title="Other")]
    with pytest.raises(CatalogueRowErrors) as raised:
        do_import_catalogue(data=csv_bytes(rows), acting_user=curator)
    assert str(raised.value.errors[0]).startswith("Row 3, column 'slug': Row 2 has the same slug")


def test_a_row_with_extra_cells_is_reported(curator):
    data = csv_bytes([good_row()]) + b"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u\n"
    with pytest.raises(CatalogueRowErrors) as raised:
        do_import_catalogue(data=data, acting_user=curator)
    assert str(raised.value.errors[0]).startswith("Row 3: Has 21 cells")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        ("title,summary\n".encode("utf-16"), "not a CSV file"),
        (b"PK\x03\x04 workbook", "not a CSV file"),
        ("title\nCaf\u00e9\n".encode("latin-1"), "must be saved as UTF-8"),
        (",".join(HEADER).encode() + b"\n", "has no resources"),
    ],
)
def test_a_file_that_is_not_a_catalogue_gets_a_clear_message(curator, data, message):
    with pytest.raises(CatalogueFileError, match=message):
        do_import_catalogue(data=data, acting_user=curator)


def test_too_many_rows_are_refused(curator, monkeypatch):
    monkeypatch.setattr(catalogue_csv, "MAX_ROWS", 3)
    with pytest.raises(CatalogueFileError, match=r"has 4 rows\. Import up to 3 rows at a time"):
        do_import_catalogue(
            data=csv_bytes([good_row(title=f"R{n}") for n in range(4)]), acting_user=curator
        )


def test_the_import_page_shows_every_problem_in_an_error_summary_and_table(curator_client):
    upload = SimpleUploadedFile(
        "catalogue.csv", csv_bytes([good_row(), good_row(title="B", level="x")]), "text/csv"
    )
    response = curator_client.post(reverse("learning:curate_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "The file has 1 problem. Nothing was imported" in html
    assert "Row 3, column &#x27;level&#x27;: Select a level" in html
    assert "Problems in the file" in html
    assert not Resource.objects.exists()


def test_the_import_page_imports_a_good_file(curator_client):
    upload = SimpleUploadedFile("catalogue.csv", csv_bytes([good_row()]), "text/csv")
    response = curator_client.post(reverse("learning:curate_import"), {"file": upload}, follow=True)
    assert "1 added as drafts" in response.content.decode()
    assert ResourceChange.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Select a CSV file"),
        (SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1)), "smaller than 2 MB"),
        (SimpleUploadedFile("picture.png", b"\x89PNG"), "must be a CSV"),
        (SimpleUploadedFile("empty.csv", b""), "The selected file is empty"),
    ],
)
def test_the_import_page_refuses_files_it_cannot_use(curator_client, upload, message):
    data = {"file": upload} if upload else {}
    response = curator_client.post(reverse("learning:curate_import"), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_export_takes_the_same_number_of_queries_for_1_or_50_resources(curator_client):
    url = reverse("learning:curate_export")
    ResourceFactory(topics=["A"])
    curator_client.get(url)
    with CaptureQueriesContext(connection) as one:
        curator_client.get(url)
    ResourceFactory.create_batch(49, topics=["A", "B"])
    with CaptureQueriesContext(connection) as fifty:
        curator_client.get(url)
    assert len(fifty) == len(one)


def test_a_row_is_held_to_the_resource_forms_rules_and_messages(curator):
    rows = [good_row(title="In person", is_online="no", location="", cpd_hours="1000")]
    with pytest.raises(CatalogueRowErrors) as raised:
        do_import_catalogue(data=csv_bytes(rows), acting_user=curator)
    messages = {str(error) for error in raised.value.errors}
    assert messages == {
        "Row 2, column 'location': Enter where it takes place",
        "Row 2, column 'cpd_hours': CPD hours must be 999.9 or fewer",
    }


def test_checking_a_file_reads_the_database_the_same_number_of_times_for_1_or_50_rows(curator):
    one = csv_bytes([good_row()])
    fifty = csv_bytes([good_row(title=f"Resource {n}") for n in range(50)])
    with CaptureQueriesContext(connection) as for_one:
        catalogue_csv.check_catalogue(one)
    with CaptureQueriesContext(connection) as for_fifty:
        catalogue_csv.check_catalogue(fifty)
    assert len(for_fifty) == len(for_one)
