"""The follow-up console: check-ins that fell due, completed, overdue and missed, by round, by
month and by component; suppressed; its page, who may open it, and a constant number of
queries."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import Assessment, AssessmentOutcome, FollowUp, Referral, RiskLevel
from wellbeing.queries import reports
from wellbeing.queries.follow_up_console import follow_up_console, state_of
from wellbeing.queries.reports import Period, Section

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

LONDON = zoneinfo.ZoneInfo("Europe/London")
CONSOLE = reverse("wellbeing:follow_up_responses")
SPRING_2026 = Period(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 4, 1))
TODAY = datetime.date(2026, 4, 20)


def moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON)


# --- Overdue and missed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_since_due", "completed", "cancelled_days_after_due", "expected"),
    [
        (-1, False, None, None),  # not due yet
        (0, False, None, "overdue"),
        (20, False, None, "overdue"),  # the last day of the 21-day window
        (21, False, None, "missed"),
        (30, True, None, "completed"),
        (10, False, -3, None),  # cancelled before it fell due: never asked
        (10, False, 2, "missed"),  # cancelled after it fell due
    ],
)
def test_a_check_in_is_overdue_within_21_days_of_falling_due_and_missed_after(
    days_since_due, completed, cancelled_days_after_due, expected
):
    due = TODAY - datetime.timedelta(days=days_since_due)
    cancelled = (
        None
        if cancelled_days_after_due is None
        else moment(due + datetime.timedelta(days=cancelled_days_after_due))
    )
    state = state_of(
        due_on=due,
        completed_at=moment(due) if completed else None,
        cancelled_at=cancelled,
        today=TODAY,
    )
    assert state == expected


# --- The console -------------------------------------------------------------------------------


def a_check_in(
    label: str,
    due_on: datetime.date,
    *,
    outcome: str = AssessmentOutcome.DIRECT_THERAPY,
    **fields,
) -> FollowUp:
    referral = ReferralFactory(created_at=moment(due_on) - datetime.timedelta(weeks=5))
    Assessment.objects.using("confidential").create(
        referral=referral,
        by_ref="c" * 64,
        notes="n",
        formulation="f",
        risk_level=RiskLevel.LOW,
        outcome=outcome,
    )
    return FollowUp.objects.using("confidential").create(
        referral=referral, label=label, due_on=due_on, **fields
    )


def table(section: Section) -> dict[str, tuple[str, ...]]:
    return {row.label: row.figures for row in section.rows}


def a_month_of_check_ins() -> None:
    march = datetime.date(2026, 3, 2)
    for _ in range(6):
        a_check_in("4 weeks", march, invited_at=moment(march), completed_at=moment(march))
    for _ in range(5):  # never answered: 7 weeks on, missed; reminded twice
        a_check_in(
            "4 weeks",
            march,
            invited_at=moment(march),
            reminded_at=moment(march),
            second_reminded_at=moment(march),
        )
    april = datetime.date(2026, 4, 13)
    for _ in range(7):  # a week ago: overdue
        a_check_in("3 months", april, invited_at=moment(april), outcome=AssessmentOutcome.SELF_HELP)
    # Not counted: due after today, and cancelled before it fell due.
    a_check_in("6 months", datetime.date(2026, 4, 28))
    a_check_in("3 months", april, cancelled_at=moment(april - datetime.timedelta(days=3)))


def test_check_ins_are_counted_by_round_month_and_component():
    a_month_of_check_ins()

    console = follow_up_console(SPRING_2026, today=TODAY)
    by_round, by_month, by_component = (table(s) for s in console.sections)

    columns = console.sections[0].columns
    assert columns[1:] == (
        "Fell due",
        "Invited",
        "Completed",
        "Overdue",
        "Missed",
        "Completed, of those due",
        "Reminded a second time",
    )
    assert by_round == {
        "4 weeks": ("11", "11", "6", "0", "5", "55%", "5"),
        "3 months": ("7", "7", "0", "7", "0", "0%", "0"),
        "Total": ("18", "18", "6", "7", "5", "33%", "5"),
    }
    assert by_month["March 2026"] == ("11", "11", "6", "0", "5", "55%", "5")
    assert by_month["April 2026"] == ("7", "7", "0", "7", "0", "0%", "0")
    assert by_component["Direct therapy"][:5] == ("11", "11", "6", "0", "5")
    assert by_component["Self-help"][:5] == ("7", "7", "0", "7", "0")
    assert console.fell_due == "18"


def test_a_small_count_is_under_5_and_hidden_with_another_in_every_table():
    a_month_of_check_ins()
    march = datetime.date(2026, 3, 2)
    for _ in range(2):
        a_check_in("12 months", march, outcome=AssessmentOutcome.TEAM_SUPPORT)

    console = follow_up_console(SPRING_2026, today=TODAY)
    by_round, _by_month, by_component = (table(s) for s in console.sections)

    assert by_round["12 months"][0] == "<5"
    assert by_component["Team-based support"][0] == "<5"
    assert by_round["12 months"][5] == "*"  # no share of a hidden count
    for rows in (by_round, by_component):
        texts = [cell for row in rows.values() for cell in row]
        assert not [t for t in texts if t.isdigit() and 1 <= int(t) <= 4]


def test_an_empty_period_says_so():
    console = follow_up_console(SPRING_2026, today=TODAY)

    assert console.empty
    assert all(section.empty for section in console.sections)


def _queries_for_console(n: int) -> int:
    march = datetime.date(2026, 3, 2)
    for i in range(n):
        outcome = AssessmentOutcome.SELF_HELP if i % 2 else AssessmentOutcome.DIRECT_THERAPY
        a_check_in("4 weeks", march, outcome=outcome, invited_at=moment(march))
    with (
        CaptureQueriesContext(connections["confidential"]) as confidential,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        follow_up_console(SPRING_2026, today=TODAY)
    assert len(default) == 0
    return len(confidential)


def test_the_console_takes_the_same_number_of_queries_for_1_and_50_check_ins():
    one = _queries_for_console(1)
    Referral.objects.using("confidential").all().delete()
    many = _queries_for_console(50)
    # The check-ins and their referrals' assessments (no onward referral here).
    assert one == many == 2


# --- The page ----------------------------------------------------------------------------------


@pytest.fixture
def hub_lead(client):
    user = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [roles.HUB_CLINICIAN, roles.TEAM_LEAD, roles.CURATOR])
def test_only_the_hub_lead_may_open_the_console(client, role):
    client.force_login(UserFactory(with_profile=True, roles=[role], with_totp=True))
    assert client.get(CONSOLE).status_code == 403


def test_the_lead_finds_the_console_from_their_home_page_and_reads_it(client, hub_lead):
    assert CONSOLE in client.get(reverse("wellbeing:lead_home")).content.decode()
    this_month = reports.last_twelve_months().last
    for _ in range(6):
        a_check_in("4 weeks", this_month, completed_at=moment(this_month))

    response = client.get(CONSOLE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Figures: check-ins by round" in page
    assert "Check-ins that fell due in" in page


def test_a_bad_period_is_explained_next_to_the_field(client, hub_lead):
    last = reports.last_twelve_months().last
    response = client.get(
        CONSOLE, {"start": f"{last:%Y-%m}", "end": f"{reports.months_back(last, 1):%Y-%m}"}
    )

    page = response.content.decode()
    assert "There is a problem" in page
    assert "The last month must be the same as or after the first month" in page
    assert "console" not in response.context


def test_a_period_with_no_check_ins_says_so(client, hub_lead):
    month = reports.last_twelve_months().first
    response = client.get(CONSOLE, {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"})

    assert f"No check-in fell due in {month:%B %Y}." in response.content.decode()
