"""The curator's competency pages: the framework by level with its content gaps, adding a
statement, rewording it with its history shown, retiring and bringing it back; the dashboard's
content gaps; and who may open them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from learning.models import Competency, Objective, ResourceStatus
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.learning.framework_factories import CompetencyFactory
from tests.submission_keys import a_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client):
    user = UserFactory(with_profile=True, roles=["Curator"], with_totp=True)
    client.force_login(user)
    return user


def objective_ids(*numbers):
    return [
        str(pk) for pk in Objective.objects.filter(number__in=numbers).values_list("pk", flat=True)
    ]


def test_the_framework_lists_statements_by_level_with_their_published_resources(client, curator):
    developed = CompetencyFactory(level=2, text="I can ask about mood at a diabetes review")
    gap = CompetencyFactory(level=2, text="I can ask about sleep at a diabetes review")
    ResourceFactory(level=2).competencies.add(developed)
    ResourceFactory(level=2).competencies.add(developed)
    ResourceFactory(level=2, status=ResourceStatus.DRAFT).competencies.add(gap)
    page = client.get(reverse("learning:curate_competencies")).content.decode()
    for heading in ("Level 1", "Level 2", "Level 3"):
        assert f'id="level-{heading[-1]}">{heading}</h2>' in page
    row = page[page.index(developed.text) :]
    assert "Content gap" not in row[: row.index("</tr>")]
    assert ">2</td>" in row[: row.index("</tr>")].replace("Published resources </span>", ">")
    # A draft does not close the gap: staff cannot see it.
    gap_row = page[page.index(gap.text) :]
    assert "Content gap" in gap_row[: gap_row.index("</tr>")]


def test_the_starter_framework_is_marked_as_a_starting_point(client, curator):
    page = client.get(reverse("learning:curate_competencies")).content.decode()
    assert "A starting point" in page
    assert "starting point for the learning and development team to replace" in page
    Competency.objects.filter(is_starter=True).update(is_starter=False)
    page = client.get(reverse("learning:curate_competencies")).content.decode()
    assert "A starting point" not in page


def test_retired_statements_are_listed_only_when_asked_for(client, curator):
    retired = CompetencyFactory(text="I can do an old thing")
    Competency.objects.filter(pk=retired.pk).update(retired_at="2026-01-01T09:00:00Z")
    url = reverse("learning:curate_competencies")
    assert retired.text not in client.get(url).content.decode()
    assert retired.text in client.get(f"{url}?retired=1").content.decode()


def test_the_curators_home_counts_the_content_gaps(client, curator):
    gaps = Competency.objects.filter(retired_at__isnull=True).count()
    page = client.get(reverse("learning:curate_index")).content.decode()
    assert f"{gaps} competencies that no published resource develops" in page
    for statement in Competency.objects.filter(retired_at__isnull=True):
        ResourceFactory(level=3).competencies.add(statement)
    page = client.get(reverse("learning:curate_index")).content.decode()
    assert "0 competencies that no published resource develops" in page


def test_a_curator_adds_a_statement(client, curator):
    response = client.post(
        reverse("learning:curate_competency_create"),
        {
            "level": "2",
            "text": "I can ask about mood at every diabetes review",
            "objectives": objective_ids(2),
        },
    )
    added = Competency.objects.get(text="I can ask about mood at every diabetes review")
    assert response.status_code == 302
    assert response.url == reverse("learning:curate_competency", args=[added.pk])
    assert added.level == 2
    page = client.get(response.url).content.decode()
    assert added.code in page
    assert "Content gap" in page


def test_adding_a_statement_twice_by_double_click_adds_one(client, curator):
    data = {
        "level": "1",
        "text": "I can name the hub",
        "objectives": objective_ids(3),
        "submission_key": a_key(),
    }
    url = reverse("learning:curate_competency_create")
    client.post(url, data)
    client.post(url, data)
    assert Competency.objects.filter(text="I can name the hub").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"level": "", "text": "I can name the hub"}, "level", "Select a level"),
        ({"level": "4", "text": "I can name the hub"}, "level", "Select a level"),
        (
            {"level": "1", "text": "Name the hub"},
            "text",
            "Start the statement with &#x27;I can&#x27;",
        ),
        (
            {"level": "1", "text": ""},
            "text",
            "Enter the statement, starting with &#x27;I can&#x27;",
        ),
        (
            {"level": "1", "text": "I can name the hub", "objectives": []},
            "objectives",
            "Select at least one objective",
        ),
        (
            {"level": "1", "text": "I can name the hub", "objectives": ["x"]},
            "objectives",
            "Select objectives from the list",
        ),
    ],
)
def test_a_statement_that_will_not_do_is_explained_beside_its_box(
    client, curator, data, field, message
):
    data = {"objectives": objective_ids(1), **data}
    response = client.post(reverse("learning:curate_competency_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert field in response.context["form"].errors


def test_a_duplicate_at_the_same_level_is_explained(client, curator):
    existing = Competency.objects.filter(level=1, is_starter=True)[0]
    response = client.post(
        reverse("learning:curate_competency_create"),
        {
            "level": "1",
            "text": existing.text.lower().replace("i can", "I can"),
            "objectives": objective_ids(1),
        },
    )
    assert "Level 1 already has this statement" in response.content.decode()


def test_rewording_shows_every_version_on_the_statements_page(client, curator):
    statement = Competency.objects.filter(level=1, is_starter=True)[0]
    original = statement.text
    response = client.post(
        reverse("learning:curate_competency_edit", args=[statement.pk]),
        {
            "text": "I can explain in my own words how mind and body affect each other",
            "objectives": objective_ids(1, 2),
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Wording history" in page
    assert original.replace("'", "&#x27;") in page
    assert "I can explain in my own words how mind and body affect each other" in page
    assert escape(curator.staff_profile.display_name) in page
    assert "Seeded" in page
    statement.refresh_from_db()
    assert statement.version == 2


def test_a_retired_statement_cannot_be_opened_for_rewording(client, curator):
    statement = CompetencyFactory()
    client.post(reverse("learning:curate_competency_retire", args=[statement.pk]))
    response = client.get(reverse("learning:curate_competency_edit", args=[statement.pk]))
    assert response.status_code == 302
    follow = client.get(response.url).content.decode()
    assert "is retired. Bring it back into use first." in follow


def test_a_curator_retires_a_statement_and_brings_it_back(client, curator):
    statement = CompetencyFactory()
    url = reverse("learning:curate_competency_retire", args=[statement.pk])
    client.post(url)
    statement.refresh_from_db()
    assert statement.is_retired
    page = client.get(reverse("learning:curate_competency", args=[statement.pk])).content.decode()
    assert "Bring back into use" in page
    assert "Its ratings and history are kept." in page
    client.post(url, {"restore": "1"})
    statement.refresh_from_db()
    assert not statement.is_retired


def test_retiring_twice_says_so_rather_than_failing(client, curator):
    statement = CompetencyFactory()
    url = reverse("learning:curate_competency_retire", args=[statement.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "is already retired" in response.content.decode()


def test_a_statement_that_does_not_exist_is_not_found(client, curator):
    assert client.get(reverse("learning:curate_competency", args=[999999])).status_code == 404
    assert (
        client.post(reverse("learning:curate_competency_retire", args=[999999])).status_code == 404
    )


COMPETENCY_URLS = [
    ("get", "learning:curate_competencies", False),
    ("get", "learning:curate_competency_create", False),
    ("post", "learning:curate_competency_create", False),
    ("get", "learning:curate_competency", True),
    ("get", "learning:curate_competency_edit", True),
    ("post", "learning:curate_competency_edit", True),
    ("post", "learning:curate_competency_retire", True),
    ("get", "learning:curate_impact", False),
]


@pytest.mark.parametrize(("method", "name", "takes_pk"), COMPETENCY_URLS)
def test_only_curators_open_the_framework_pages(client, method, name, takes_pk):
    statement = CompetencyFactory()
    url = reverse(name, args=[statement.pk] if takes_pk else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    client.force_login(UserFactory(with_profile=True, roles=["Team lead"]))
    assert getattr(client, method)(url).status_code == 403
    statement.refresh_from_db()
    assert not statement.is_retired
