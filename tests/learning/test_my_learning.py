"""My learning (learning:my_learning), its CSV export and its printable record."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from learning.models import LearningStatus, ResourceStatus
from learning.queries.my_learning import financial_year_start, my_learning_for
from tests.factories import UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory(with_profile=True)


@pytest.fixture
def staff_client(client, user):
    client.force_login(user)
    return client


def completed(user, title="Done", on=datetime.date(2026, 1, 10), hours="1.0", **resource):
    return LearningRecordFactory(
        user=user,
        resource=ResourceFactory(title=title, **resource),
        status=LearningStatus.COMPLETED,
        completed_on=on,
        hours=Decimal(hours) if hours is not None else None,
    )


def test_it_shows_saved_in_progress_and_completed_learning_in_tabs(staff_client, user):
    LearningRecordFactory(user=user, resource=ResourceFactory(title="Saved one"))
    LearningRecordFactory(
        user=user, resource=ResourceFactory(title="Started one"), status=LearningStatus.IN_PROGRESS
    )
    completed(user, title="Finished one")

    html = staff_client.get(reverse("learning:my_learning")).content.decode()

    assert 'data-module="nhsuk-tabs"' in html
    assert "Saved (1)" in html
    assert "In progress (1)" in html
    assert "Completed (1)" in html
    assert html.index('id="saved"') < html.index("Saved one") < html.index('id="in-progress"')
    assert html.index('id="in-progress"') < html.index("Started one") < html.index('id="completed"')
    assert html.index('id="completed"') < html.index("Finished one")


def test_it_never_shows_other_peoples_learning(staff_client):
    LearningRecordFactory(user=UserFactory(), resource=ResourceFactory(title="Not mine"))

    html = staff_client.get(reverse("learning:my_learning")).content.decode()

    assert "Not mine" not in html
    assert "You have not saved any learning yet." in html


def test_saved_learning_can_be_moved_to_in_progress_from_here(staff_client, user):
    record = LearningRecordFactory(user=user, resource=ResourceFactory(title="Saved one"))

    html = staff_client.get(reverse("learning:my_learning")).content.decode()
    assert f'action="{reverse("learning:start", kwargs={"slug": record.resource.slug})}"' in html
    response = staff_client.post(
        reverse("learning:start", kwargs={"slug": record.resource.slug}), {"next": "my_learning"}
    )

    assert response.url == reverse("learning:my_learning")
    record.refresh_from_db()
    assert record.status == LearningStatus.IN_PROGRESS


def test_learning_whose_resource_was_archived_stays_without_a_link(staff_client, user):
    completed(user, title="Old course", status=ResourceStatus.ARCHIVED)

    html = staff_client.get(reverse("learning:my_learning")).content.decode()

    assert 'Old course <span class="nhsuk-body-s">(no longer in the catalogue)</span>' in html


def test_cpd_hours_are_added_up_by_nhs_financial_year(staff_client, user):
    completed(user, title="A", on=datetime.date(2025, 3, 31), hours="2.0")
    completed(user, title="B", on=datetime.date(2025, 4, 1), hours="1.5")
    completed(user, title="C", on=datetime.date(2026, 3, 31), hours="3.0")
    completed(user, title="D", on=datetime.date(2026, 1, 1), hours=None)

    years = my_learning_for(user).cpd_years

    assert [(y.label, y.hours, y.completed) for y in years] == [
        ("April 2025 to March 2026", Decimal("4.5"), 3),
        ("April 2024 to March 2025", Decimal("2.0"), 1),
    ]
    html = staff_client.get(reverse("learning:my_learning")).content.decode()
    assert "CPD hours by NHS financial year (1 April to 31 March)" in html
    assert "April 2025 to March 2026" in html


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2026, 4, 1), 2026),
        (datetime.date(2026, 3, 31), 2025),
        (datetime.date(2026, 12, 31), 2026),
        (datetime.date(2027, 1, 1), 2026),
    ],
)
def test_the_financial_year_starts_on_1_april(day, year):
    assert financial_year_start(day) == year


def test_the_csv_export_lists_my_learning_for_a_spreadsheet(staff_client, user):
    completed(
        user, title="Psychosis and physical health", on=datetime.date(2026, 2, 3), hours="1.5"
    )
    LearningRecordFactory(user=user, resource=ResourceFactory(title="Saved one"))
    LearningRecordFactory(user=UserFactory(), resource=ResourceFactory(title="Not mine"))

    response = staff_client.get(reverse("learning:my_learning_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-learning-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Title", "Provider", "Level", "Format", "Status"]
    by_title = {row[0]: row for row in rows[1:]}
    assert set(by_title) == {"Psychosis and physical health", "Saved one"}
    assert by_title["Psychosis and physical health"][4:8] == [
        "Completed",
        by_title["Psychosis and physical health"][5],
        "2026-02-03",
        "1.5",
    ]


@pytest.mark.parametrize("first", ["=", "+", "-", "@"])
def test_the_csv_export_defuses_spreadsheet_formulas(staff_client, user, first):
    completed(user, title=f'{first}HYPERLINK("http://evil")', hours="1.0")
    record = completed(user, title="Fine", hours="1.0")
    record.reflection = f"{first}1+1"
    record.save()

    response = staff_client.get(reverse("learning:my_learning_csv"))

    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert f'\'{first}HYPERLINK("http://evil")' in cells
    assert f"'{first}1+1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_the_printable_record_shows_completed_learning_and_reflections(staff_client, user):
    user.staff_profile.display_name = "Sam Jones"
    user.staff_profile.save()
    record = completed(
        user, title="Dementia and delirium", on=datetime.date(2026, 2, 3), hours="2.0"
    )
    record.reflection = "I check for delirium first."
    record.save()
    LearningRecordFactory(user=UserFactory(), resource=ResourceFactory(title="Not mine"))

    response = staff_client.get(reverse("learning:my_learning_print"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sam Jones" in html
    assert "Dementia and delirium" in html
    assert "3 Feb 2026" in html
    assert "I check for delirium first." in html
    assert "Not mine" not in html
    main = html[html.index("<main") : html.index("</main>")]
    assert user.email not in main
    assert html.count("<h1") == 1


def test_the_pages_need_a_signed_in_user(client):
    for name in ("learning:my_learning", "learning:my_learning_csv", "learning:my_learning_print"):
        assert client.get(reverse(name)).status_code == 302
