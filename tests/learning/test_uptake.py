"""The uptake report: saves and completions by level, objective, staff group and month, the
most-used resources, charts without inline styles, and a CSV of each table."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning.models import LearningRecord
from learning.queries import uptake
from tests.factories import StaffProfileFactory, UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    return client


def member(group="nursing_midwifery_registered"):
    user = UserFactory()
    StaffProfileFactory(user=user, staff_group=group)
    return user


def rows_of(table):
    return {row.label: (row.saves, row.completions) for row in table.rows}


def test_counts_by_level_objective_and_staff_group():
    level_2 = ResourceFactory(level=2, objectives=[1, 3])
    level_1 = ResourceFactory(level=1, objectives=[3])
    nurse, admin = member(), member("administrative_clerical")
    LearningRecordFactory(user=nurse, resource=level_2, status="completed")
    LearningRecordFactory(user=admin, resource=level_2, status="saved")
    LearningRecordFactory(user=admin, resource=level_1, status="in_progress")

    assert rows_of(uptake.by_level()) == {"Level 1": (1, 0), "Level 2": (2, 1), "Level 3": (0, 0)}
    objectives = {
        row.short_label: (row.saves, row.completions) for row in uptake.by_objective().rows
    }
    assert objectives["Objective 1"] == (2, 1)
    assert objectives["Objective 3"] == (3, 1)
    assert objectives["Objective 8"] == (0, 0)
    groups = rows_of(uptake.by_staff_group())
    assert groups["Nursing and Midwifery Registered"] == (1, 1)
    assert groups["Administrative and Clerical"] == (2, 0)
    assert groups["Students"] == (0, 0)


def test_counts_by_month_cover_the_last_12_months():
    today = datetime.date(2026, 3, 15)
    resource = ResourceFactory()
    this_month = LearningRecordFactory(
        user=member(), resource=resource, status="completed", completed_on=datetime.date(2026, 3, 2)
    )
    last_year = LearningRecordFactory(user=member(), resource=resource)
    too_old = LearningRecordFactory(user=member(), resource=resource)
    moments = {
        this_month.pk: datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC),
        last_year.pk: datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC),
        too_old.pk: datetime.datetime(2025, 3, 10, 12, tzinfo=datetime.UTC),
    }
    for pk, moment in moments.items():
        LearningRecord.objects.filter(pk=pk).update(saved_at=moment)
    table = uptake.by_month(today)
    assert table.rows[0].label == "April 2025"
    assert table.rows[-1].label == "March 2026"
    months = rows_of(table)
    assert len(months) == 12
    assert months["March 2026"] == (1, 1)
    assert months["April 2025"] == (1, 0)
    assert sum(saves for saves, _ in months.values()) == 2


def test_the_most_used_resources_are_the_top_10_by_saves():
    resources = ResourceFactory.create_batch(12)
    for n, resource in enumerate(resources):
        for _ in range(n):
            LearningRecordFactory(user=member(), resource=resource)
    table = uptake.top_resources()
    assert len(table.rows) == 10
    assert table.rows[0].label == resources[-1].title
    assert table.rows[0].saves == 11


def test_the_page_draws_charts_with_attributes_and_follows_each_with_a_captioned_table(
    curator_client,
):
    LearningRecordFactory(user=member(), resource=ResourceFactory(level=2), status="completed")
    response = curator_client.get(reverse("learning:curate_uptake"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "style=" not in html.split('id="maincontent"')[1]
    assert html.count('<svg class="app-chart nhsuk-u-margin-bottom-4" role="img"') == 5
    # Level 2's one save and one completion are the largest figures: full-length bars.
    assert '<rect x="220" y="0" width="356" height="16" fill="#005eb8"/>' in html
    assert '<rect x="220" y="20" width="356" height="16" fill="#007f3b"/>' in html
    assert html.count('<caption class="nhsuk-table__caption">Figures:') == 5
    for key in uptake.TABLES:
        assert reverse("learning:curate_uptake_csv", kwargs={"table": key}) in html


def test_each_table_downloads_as_csv(curator_client):
    resource = ResourceFactory(title='=HYPERLINK("http://evil")', level=3)
    LearningRecordFactory(user=member(), resource=resource, status="completed")
    response = curator_client.get(reverse("learning:curate_uptake_csv", kwargs={"table": "level"}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Level", "Saves", "Completions"],
        ["Level 1", "0", "0"],
        ["Level 2", "0", "0"],
        ["Level 3", "1", "1"],
    ]
    top = curator_client.get(reverse("learning:curate_uptake_csv", kwargs={"table": "resources"}))
    rows = list(csv.reader(io.StringIO(top.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'


def test_an_unknown_table_is_not_found(curator_client):
    response = curator_client.get(reverse("learning:curate_uptake_csv", kwargs={"table": "nope"}))
    assert response.status_code == 404


def test_the_report_takes_the_same_number_of_queries_for_1_or_50_records(curator_client):
    url = reverse("learning:curate_uptake")
    LearningRecordFactory(user=member(), resource=ResourceFactory(objectives=[1, 2]))
    curator_client.get(url)
    with CaptureQueriesContext(connection) as one:
        curator_client.get(url)
    for n in range(49):
        LearningRecordFactory(
            user=member("students" if n % 2 else "medical_dental"),
            resource=ResourceFactory(level=1 + n % 3, objectives=[1 + n % 8]),
            status="completed" if n % 3 else "saved",
            completed_on=timezone.localdate(),
        )
    with CaptureQueriesContext(connection) as fifty:
        curator_client.get(url)
    assert len(fifty) == len(one)


def test_the_last_12_months_run_across_a_new_year():
    months = uptake.last_months(datetime.date(2026, 1, 31))
    assert months[0] == datetime.date(2025, 2, 1)
    assert months[-1] == datetime.date(2026, 1, 1)
