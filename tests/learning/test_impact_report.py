"""The impact report: confidence before and after learning, by statement, objective, level and
staff group, with 95% intervals; the statements most staff rate themselves low on; the content
gaps; small numbers suppressed on the page and in the CSV; the same queries for 1 statement and
resource as for 200."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning.models import Competency, LearningStatus
from learning.queries import impact
from learning.queries.impact import estimate, t_95
from portal.models import StaffGroup, User
from tests.factories import StaffProfileFactory, UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.learning.framework_factories import CompetencyFactory, rate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def person(group=StaffGroup.NURSING_MIDWIFERY_REGISTERED):
    user = UserFactory()
    StaffProfileFactory(user=user, staff_group=group)
    return user


def learned(user, competency, *, before: int | None, after: int | None, completed: int = 10):
    """A rating `before` 30 days ago, a completion of a tied resource, a rating `after`."""
    resource = competency.resources.first() or ResourceFactory(level=competency.level)
    resource.competencies.add(competency)
    if before is not None:
        rate(user, competency, before, days_ago=30)
    LearningRecordFactory(
        user=user,
        resource=resource,
        status=LearningStatus.COMPLETED,
        completed_on=days_ago(completed),
    )
    if after is not None:
        rate(user, competency, after, days_ago=5)


def row_for(report, key: str, label_start: str):
    table = report.table(key)
    rows = [*table.rows, *([table.total] if table.total else [])]
    return next(row for row in rows if row.label.startswith(label_start))


# The method.


def test_t_values_and_intervals_match_the_textbook():
    assert t_95(4) == 2.776
    assert t_95(35) == 2.042  # between rows: the larger, so never too narrow
    assert t_95(500) == 1.96
    value = estimate([1, 2, 3, 4, 5])
    assert value.mean == 3
    # 2.776 * sd 1.5811 / sqrt(5) = 1.963
    assert value.low is not None
    assert value.high is not None
    assert round(value.low, 2) == 1.04
    assert round(value.high, 2) == 4.96
    assert estimate([5, 5, 5, 4, 5, 5]).high == 5.0  # clipped to the scale


def test_before_is_the_first_rating_and_after_the_latest_after_completing(client):
    statement = CompetencyFactory()
    people = [person() for _ in range(5)]
    for user in people:
        rate(user, statement, 1, days_ago=60)
        rate(user, statement, 2, days_ago=30)  # before learning: not "after"
        learned(user, statement, before=None, after=3, completed=20)
        rate(user, statement, 4, days_ago=1)  # the latest after learning
    row = row_for(impact.impact_report(), "competency", statement.code)
    assert (row.assessed.text, row.rerated.text) == ("5", "5")
    assert row.before.text == "1.0"
    assert (row.before_rerated.text, row.after.text, row.change.text) == ("1.0", "4.0", "+3.0")


def test_someone_who_first_rated_after_learning_has_no_before(client):
    statement = CompetencyFactory()
    for _ in range(5):
        user = person()
        learned(user, statement, before=None, after=None, completed=40)
        rate(user, statement, 2, days_ago=30)
        rate(user, statement, 3, days_ago=5)
    row = row_for(impact.impact_report(), "competency", statement.code)
    assert row.assessed.text == "5"
    assert row.rerated.text == "0"
    assert row.after.text == "*"


def test_not_relevant_is_not_a_confidence():
    statement = CompetencyFactory()
    for _ in range(5):
        rate(person(), statement, None)
    assert row_for(impact.impact_report(), "competency", statement.code).assessed.text == "0"


def test_a_row_of_several_statements_counts_each_person_once():
    first, second = (
        CompetencyFactory(level=3, objectives=[8]),
        CompetencyFactory(level=3, objectives=[8]),
    )
    for n in range(5):
        user = person()
        rate(user, first, 1)
        rate(user, second, 3 if n else 5)
    report = impact.impact_report()
    level = row_for(report, "level", "Level 3")
    # Five people, each the average of their two ratings: 2, 2, 2, 2 and 3.
    assert level.assessed.text == "5"
    assert level.before.text == "2.2"


# Small numbers.


def test_fewer_than_five_people_show_as_less_than_5_with_no_average():
    statement = CompetencyFactory()
    for _ in range(4):
        learned(person(), statement, before=2, after=4)
    row = row_for(impact.impact_report(), "competency", statement.code)
    assert (row.assessed.text, row.rerated.text) == ("<5", "<5")
    assert {row.before.text, row.after.text, row.change.text} == {"*"}
    assert row.before.interval == ""


def test_a_figure_that_would_give_a_small_one_away_is_hidden_too():
    statement = CompetencyFactory()
    for _ in range(6):
        learned(person(), statement, before=2, after=4)
    learned(person(), statement, before=2, after=None)  # one not yet re-rated
    row = row_for(impact.impact_report(), "competency", statement.code)
    # 7 self-assessed and 6 re-rated would say 1 has not been: the 6 is hidden.
    assert row.assessed.text == "7"
    assert row.rerated.text == "*"
    assert row.after.text == "*"


def test_the_staff_groups_are_suppressed_as_one_table_with_their_total():
    statement = CompetencyFactory()
    for _ in range(6):
        learned(person(StaffGroup.NURSING_MIDWIFERY_REGISTERED), statement, before=2, after=4)
    for _ in range(2):
        learned(person(StaffGroup.MEDICAL_DENTAL), statement, before=2, after=4)
    report = impact.impact_report()
    medical = row_for(report, "staff-group", "Medical and Dental")
    nursing = row_for(report, "staff-group", "Nursing and Midwifery")
    everyone = row_for(report, "staff-group", "All staff")
    assert medical.assessed.hidden
    # Everyone (8) less nursing would be the doctors: one of the two is hidden.
    assert "*" in (nursing.assessed.text, everyone.assessed.text)
    shown = [r.assessed.number for r in (medical, nursing, everyone)]
    assert None in shown


def test_the_csv_holds_only_the_suppressed_figures(client):
    statement = CompetencyFactory(text="I can do a rare thing")
    for _ in range(3):
        learned(person(), statement, before=1, after=2)
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    response = client.get(reverse("learning:curate_impact_csv", args=["competency"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("<5 means fewer than 5 people")
    row = next(r for r in rows if r[0].startswith(statement.code))
    assert row[1:] == ["<5", "*", "", "<5", "*", "", "*", "", "*", ""]


@pytest.mark.parametrize("table", impact.CSV_TABLES)
def test_every_table_downloads(client, table):
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    response = client.get(reverse("learning:curate_impact_csv", args=[table]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_an_unknown_table_is_not_found(client):
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    assert client.get(reverse("learning:curate_impact_csv", args=["people"])).status_code == 404


# The lowest rated and the content gaps.


def test_the_statements_most_staff_rate_low_come_first():
    mostly_low, some_low = CompetencyFactory(), CompetencyFactory()
    for n in range(14):
        user = person()
        rate(user, mostly_low, 1 if n < 9 else 4, days_ago=3)
        rate(user, some_low, 2 if n < 5 else 5, days_ago=3)
    lowest = impact.impact_report().lowest
    codes = [row.code for row in lowest]
    assert codes.index(mostly_low.code) < codes.index(some_low.code)
    shares = {row.code: (row.assessed.text, row.low.text, row.share) for row in lowest}
    assert shares[mostly_low.code] == ("14", "9", "64%")
    assert shares[some_low.code] == ("14", "5", "36%")


def test_a_share_that_would_give_a_small_number_away_is_not_ranked():
    statement = CompetencyFactory()
    for n in range(6):
        rate(person(), statement, 1 if n < 5 else 4)  # 1 person not low
    assert statement.code not in [row.code for row in impact.impact_report().lowest]


def test_the_latest_rating_decides_who_rates_themselves_low_now():
    statement = CompetencyFactory()
    for _ in range(5):
        user = person()
        rate(user, statement, 1, days_ago=9)
        rate(user, statement, 4, days_ago=1)
    assert statement.code not in [row.code for row in impact.impact_report().lowest]


def test_the_content_gaps_are_statements_in_use_with_no_published_resource():
    covered, gap, retired = CompetencyFactory(), CompetencyFactory(), CompetencyFactory()
    ResourceFactory().competencies.add(covered)
    ResourceFactory(status="draft").competencies.add(gap)
    Competency.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    gaps = [c.code for c in impact.impact_report().gaps]
    assert gap.code in gaps
    assert covered.code not in gaps
    assert retired.code not in gaps


# The page.


def test_the_page_shows_charts_tables_and_the_method(client):
    statement = CompetencyFactory(objectives=[6])
    for _ in range(5):
        learned(person(), statement, before=2, after=4)
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    page = client.get(reverse("learning:curate_impact")).content.decode()
    assert "How the figures are worked out" in page
    assert "Bar chart: Confidence by strategic objective" in page
    assert "Figures: confidence by statement" in page
    assert "Content gaps" in page
    assert statement.code in page
    assert "+2.0" in page


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def add_statements(how_many: int, people: list[User]) -> None:
    for n in range(how_many):
        statement = CompetencyFactory(level=1 + n % 3, objectives=[1 + n % 8])
        resource = ResourceFactory(level=3, objectives=[1 + n % 8])
        resource.competencies.add(statement)
        for user in people[: 1 + n % len(people)]:
            rate(user, statement, 1 + n % 5, days_ago=20)
            LearningRecordFactory(
                user=user,
                resource=resource,
                status=LearningStatus.COMPLETED,
                completed_on=days_ago(10),
            )
            rate(user, statement, 1 + (n + 1) % 5, days_ago=2)


def test_the_report_takes_the_same_queries_for_1_or_200_statements_and_resources(client):
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    people = [person(group) for group in (StaffGroup.MEDICAL_DENTAL, StaffGroup.STUDENTS) * 3]
    add_statements(1, people)
    urls = [
        reverse("learning:curate_impact"),
        reverse("learning:curate_impact_csv", args=["level"]),
    ]
    client.get(urls[0])  # the session and the user's roles are read once, on the first page
    small = [count_queries(client, url) for url in urls]
    add_statements(199, people)
    assert [count_queries(client, url) for url in urls] == small
