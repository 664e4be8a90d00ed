"""A team lead's totals for their team: only when the team has at least 5 members, only totals
(never a named person's record or ratings), suppressed like every report, the same queries for
a small team as for a large one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from learning.models import LearningStatus
from learning.queries.team import TeamLearning, team_learning_for
from tests.factories import StaffProfileFactory, UserFactory
from tests.learning.factories import LearningRecordFactory, ResourceFactory
from tests.learning.framework_factories import CompetencyFactory, rate

pytestmark = pytest.mark.django_db

TRUST = "Test Hospital NHS Foundation Trust"


@pytest.fixture
def lead(client):
    user = UserFactory(roles=["Team lead"])
    StaffProfileFactory(user=user, organisation=TRUST, team="Ward 5", display_name="Lee Lead")
    client.force_login(user)
    return user


def member(team="ward 5", organisation=TRUST, name="Sam Member"):
    user = UserFactory()
    StaffProfileFactory(user=user, organisation=organisation, team=team, display_name=name)
    return user


def page(client) -> str:
    response = client.get(reverse("learning:team"))
    assert response.status_code == 200
    text: str = response.content.decode()
    return text


def team_of(lead) -> TeamLearning:
    team = team_learning_for(lead.staff_profile)
    assert team is not None
    return team


def test_a_team_lead_without_a_team_is_asked_to_name_one(client, lead):
    lead.staff_profile.team = ""
    lead.staff_profile.save()
    assert "Your profile does not name a team yet" in page(client)


def test_nothing_is_shown_until_the_team_has_five_members(client, lead):
    for _ in range(3):
        LearningRecordFactory(user=member(), status=LearningStatus.COMPLETED)
    text = page(client)
    assert "Fewer than 5 people have named" in text
    assert "Resources completed" not in text


def test_five_members_whatever_their_capitals_make_a_team(client, lead):
    for name in ("WARD 5", "Ward 5", "ward 5", "wARD 5"):
        member(team=name)
    member(team="Ward 5", organisation="Another Trust")  # not the same team
    member(team="Ward 6")
    team = team_of(lead)
    assert team.members == 5
    assert "Resources completed, by level" in page(client)


def test_the_team_sees_completions_by_level_and_the_share_who_self_assessed(client, lead):
    statement = CompetencyFactory()
    people = [member(name=f"Person {n}") for n in range(9)]
    for user in people[:5]:
        for level in (1, 1, 2, 2, 2):
            LearningRecordFactory(
                user=user, resource=ResourceFactory(level=level), status=LearningStatus.COMPLETED
            )
        rate(user, statement, 2)
    LearningRecordFactory(user=people[5], status=LearningStatus.SAVED)
    team = team_of(lead)
    assert [(label, str(count)) for label, count in team.completions_by_level] == [
        ("Level 1", "10"),
        ("Level 2", "15"),
        ("Level 3", "0"),
    ]
    assert str(team.completions) == "25"
    assert (str(team.self_assessed), team.self_assessed_share) == ("5", "50%")
    text = page(client)
    assert "<strong>50%</strong> of your team (5 of 10)" in text
    # Totals only: nobody in the team is named.
    for user in people:
        assert escape(user.staff_profile.display_name) not in text
        assert user.email not in text


def test_small_counts_in_a_team_are_suppressed(client, lead):
    statement = CompetencyFactory()
    people = [member() for _ in range(6)]
    LearningRecordFactory(
        user=people[0], resource=ResourceFactory(level=3), status=LearningStatus.COMPLETED
    )
    for user in people[:6]:
        rate(user, statement, 3)
    team = team_of(lead)
    # 7 members and 6 self-assessed would say who has not: hidden.
    assert team.self_assessed_share == "*"
    level_3 = dict(team.completions_by_level)["Level 3"]
    assert str(level_3) == "<5"
    assert "hidden, to protect a small number" in page(client)


def test_only_team_leads_see_the_team_page(client):
    client.force_login(UserFactory(with_profile=True))
    assert client.get(reverse("learning:team")).status_code == 403
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    assert client.get(reverse("learning:team")).status_code == 403


def test_a_team_lead_finds_the_page_from_home(client, lead):
    assert reverse("learning:team") in client.get(reverse("home")).content.decode()


def test_the_profile_asks_for_a_team_and_tidies_its_spaces(client):
    user = UserFactory(with_profile=True)
    client.force_login(user)
    profile = user.staff_profile
    response = client.post(
        reverse("profile"),
        {
            "display_name": profile.display_name,
            "job_title": profile.job_title,
            "staff_group": profile.staff_group,
            "organisation": profile.organisation,
            "team": "  Community   Diabetes Team ",
            "site": "",
            "is_clinical": "True",
            "cares_for_both": "sometimes",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.team == "Community Diabetes Team"


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client)
    return len(queries.captured_queries)


def test_the_page_takes_the_same_queries_for_5_or_200_members_and_resources(client, lead):
    statement = CompetencyFactory()

    def add(how_many):
        for n in range(how_many):
            user = member()
            LearningRecordFactory(
                user=user,
                resource=ResourceFactory(level=1 + n % 3),
                status=LearningStatus.COMPLETED,
            )
            rate(user, statement, 1 + n % 5)

    add(5)
    page(client)  # the session and the user's roles are read once, on the first page
    small = count_queries(client)
    add(195)
    assert count_queries(client) == small
