"""The catalogue (learning:catalogue): search, facets, sort, pagination, and bad input."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from learning.forms.catalogue import CatalogueFilterForm
from learning.models import ResourceFormat, ResourceStatus
from learning.queries import catalogue_search
from learning.queries.catalogue_search import (
    DURATION_BANDS,
    OBJECTIVE_CHOICES,
    CatalogueParams,
    search_catalogue,
)
from tests.factories import UserFactory
from tests.learning.factories import ProviderFactory, ResourceFactory

pytestmark = pytest.mark.django_db

OBJECTIVE_LABELS = dict(OBJECTIVE_CHOICES)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(with_profile=True))
    return client


def page(client, query: str = ""):
    response = client.get(f"{reverse('learning:catalogue')}{query}")
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="nhsuk-heading-s[^"]*"><a href="[^"]+">([^<]+)</a></h3>', html)


def facet_count(html: str, facet: str, label: str) -> int:
    """The count shown beside a facet option, read from the page."""
    match = re.search(
        rf'name="{facet}"[^>]*>\s*<label[^>]*>{re.escape(label)} <span class="nhsuk-u-nowrap">\((\d+)',
        html,
    )
    assert match, f"No {facet} option {label!r}"
    return int(match.group(1))


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def test_it_asks_people_to_sign_in(client):
    assert client.get(reverse("learning:catalogue")).status_code == 302


def test_it_lists_published_resources_only_newest_first(staff_client):
    ResourceFactory(title="Older module", published_at=days_ago(5))
    ResourceFactory(title="Newer module", published_at=days_ago(1))
    for status in (ResourceStatus.DRAFT, ResourceStatus.IN_REVIEW, ResourceStatus.ARCHIVED):
        ResourceFactory(title=f"Hidden {status}", status=status)

    html = page(staff_client)

    assert titles(html) == ["Newer module", "Older module"]
    assert "2 resources" in html


def test_it_searches_titles_summaries_and_descriptions_in_full_text(staff_client):
    ResourceFactory(title="Diabetes and depression", description="Plain text.")
    ResourceFactory(title="Other", summary="Caring for people with diabetes.")
    ResourceFactory(title="Unrelated", description="Nothing about it.")

    html = page(staff_client, "?q=diabetic")

    # "diabetic" and "diabetes" share an English stem.
    assert set(titles(html)) == {"Diabetes and depression", "Other"}
    assert "2 resources matching “diabetic”" in html


def test_search_ranks_a_title_match_above_a_description_match(staff_client):
    ResourceFactory(
        title="Module A", description="Mentions psychosis once.", published_at=days_ago(0)
    )
    ResourceFactory(title="Psychosis and physical health", published_at=days_ago(9))

    html = page(staff_client, "?q=psychosis")

    assert titles(html) == ["Psychosis and physical health", "Module A"]


def test_search_understands_web_search_syntax(staff_client):
    ResourceFactory(title="Eating disorders and diabetes")
    ResourceFactory(title="Diabetes in pregnancy")

    html = page(staff_client, "?q=diabetes+-pregnancy")

    assert titles(html) == ["Eating disorders and diabetes"]


def test_a_level_filter_narrows_the_results_and_other_levels_keep_their_counts(staff_client):
    ResourceFactory(title="One", level=1, format=ResourceFormat.VIDEO)
    ResourceFactory(title="Two", level=2, format=ResourceFormat.VIDEO)
    ResourceFactory(title="Two again", level=2, format=ResourceFormat.PODCAST)

    html = page(staff_client, "?level=2")

    assert set(titles(html)) == {"Two", "Two again"}
    # The level facet ignores its own selection; the format facet reflects it.
    assert facet_count(html, "level", "Level 1") == 1
    assert facet_count(html, "level", "Level 2") == 2
    assert facet_count(html, "format", "Video") == 1
    assert facet_count(html, "format", "Podcast") == 1


def test_facet_counts_reflect_the_search(staff_client):
    ResourceFactory(title="Diabetes basics", level=1)
    ResourceFactory(title="Diabetes advanced", level=3)
    ResourceFactory(title="Dementia", level=1)

    html = page(staff_client, "?q=diabetes")

    assert facet_count(html, "level", "Level 1") == 1
    assert facet_count(html, "level", "Level 3") == 1


def test_values_within_a_facet_widen_and_facets_together_narrow(staff_client):
    ResourceFactory(title="Free one", level=1, cost_pence=0)
    ResourceFactory(title="Paid two", level=2, cost_pence=5000)
    ResourceFactory(title="Free three", level=3, cost_pence=0)

    assert set(titles(page(staff_client, "?level=1&level=2"))) == {"Free one", "Paid two"}
    assert titles(page(staff_client, "?level=1&level=2&cost=free")) == ["Free one"]


def test_it_filters_by_objective_topic_and_provider(staff_client):
    provider = ProviderFactory(name="Health Education England", slug="hee")
    ResourceFactory(title="Co-production", objectives=[7], topics=["Lived experience"])
    ResourceFactory(title="Stigma", objectives=[1], provider=provider)

    objective = page(staff_client, "?objective=7")
    assert titles(objective) == ["Co-production"]
    assert (
        facet_count(
            objective,
            "objective",
            "1. Foster positive attitudes towards integrated mental and physical health, combatting stigma",
        )
        == 1
    )
    assert titles(page(staff_client, "?topic=lived-experience")) == ["Co-production"]
    assert titles(page(staff_client, "?provider=hee")) == ["Stigma"]


def test_it_filters_by_cost_and_co_production(staff_client):
    ResourceFactory(title="Free", cost_pence=0, co_produced=True)
    ResourceFactory(title="Paid", cost_pence=1)

    assert titles(page(staff_client, "?cost=paid")) == ["Paid"]
    html = page(staff_client, "?co_produced=yes")
    assert titles(html) == ["Free"]
    assert facet_count(html, "cost", "Free") == 1
    assert facet_count(html, "cost", "Paid") == 0


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (1, "under-1-hour"),
        (59, "under-1-hour"),
        (60, "1-to-3-hours"),
        (180, "1-to-3-hours"),
        (181, "half-a-day-to-a-day"),
        (450, "half-a-day-to-a-day"),
        (451, "more-than-a-day"),
        (60 * 24 * 5, "more-than-a-day"),
    ],
)
def test_each_duration_falls_in_exactly_one_band(staff_client, minutes, band):
    ResourceFactory(title="Timed", duration_minutes=minutes)

    for each in DURATION_BANDS:
        expected = ["Timed"] if each.key == band else []
        assert titles(page(staff_client, f"?duration={each.key}")) == expected


def test_duration_bands_are_contiguous_from_zero():
    assert DURATION_BANDS[0].min_minutes == 0
    for lower, upper in itertools.pairwise(DURATION_BANDS):
        assert lower.below == upper.min_minutes
    assert DURATION_BANDS[-1].below is None


def test_it_sorts_by_shortest(staff_client):
    ResourceFactory(title="Long", duration_minutes=300)
    ResourceFactory(title="Short", duration_minutes=20)

    assert titles(page(staff_client, "?sort=shortest")) == ["Short", "Long"]


def test_best_match_lists_the_newest_first_when_nothing_is_searched_for(staff_client):
    ResourceFactory(title="Older", published_at=days_ago(3))
    ResourceFactory(title="Newer", published_at=days_ago(1))

    html = page(staff_client, "?sort=relevance")

    assert titles(html) == ["Newer", "Older"]
    assert '<option value="relevance" selected>Best match</option>' in html


def test_it_shows_20_resources_a_page_with_numbered_pagination(staff_client):
    for n in range(45):
        ResourceFactory(title=f"Module {n:02d}", published_at=days_ago(n))

    first = page(staff_client)
    third = page(staff_client, "?page=3")

    assert len(titles(first)) == 20
    assert titles(third) == [f"Module {n}" for n in range(40, 45)]
    assert '<nav class="nhsuk-pagination nhsuk-pagination--numbered"' in first
    assert 'href="?page=2" class="nhsuk-pagination__next" rel="next"' in first
    assert 'aria-label="Page 3"' in first
    assert 'aria-current="page"' in third
    assert 'class="nhsuk-pagination__previous" rel="prev"' in third
    assert "nhsuk-pagination__next" not in third
    assert "Showing 41 to 45 of 45." in third


def test_pagination_links_keep_the_search_and_filters(staff_client):
    for n in range(25):
        ResourceFactory(title=f"Diabetes module {n}", level=2)

    html = page(staff_client, "?q=diabetes&level=2&sort=shortest")

    assert 'href="?q=diabetes&amp;level=2&amp;sort=shortest&amp;page=2"' in html


def test_a_page_past_the_end_shows_the_last_page_with_a_message(staff_client):
    for n in range(25):
        ResourceFactory(title=f"Module {n}")

    html = page(staff_client, "?page=999")

    assert len(titles(html)) == 5
    assert "There is no page 999, so we are showing page 2, the last." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?level=9", "Level: we ignored &quot;9&quot;, which is not one of the options."),
        ("?level=abc", "Level: we ignored &quot;abc&quot;"),
        ("?objective=x", "Strategic objective: we ignored &quot;x&quot;"),
        ("?objective=9", "Strategic objective: we ignored &quot;9&quot;"),
        ("?topic=no-such-topic", "Topic: we ignored &quot;no-such-topic&quot;"),
        ("?format=hologram", "Format: we ignored &quot;hologram&quot;"),
        ("?duration=forever&cost=cheap", "Cost: we ignored &quot;cheap&quot;"),
        ("?sort=evil", "We do not know how to sort by &quot;evil&quot;, so we ignored it."),
        ("?page=-1", "There is no page &quot;-1&quot;, so we are showing page 1."),
        ("?page=abc", "There is no page &quot;abc&quot;, so we are showing page 1."),
        ("?page=0", "There is no page &quot;0&quot;, so we are showing page 1."),
        ("?page=99999999999999999999999", "so we are showing the first page."),
        ("?page=" + "9" * 5000, "so we are showing the first page."),
        ("?page=%C2%B2", "There is no page &quot;²&quot;, so we are showing page 1."),
        ("?page=0002", ""),
        ("?level=%00", "Level: we ignored &quot;&quot;"),
    ],
)
def test_bad_filter_values_are_ignored_with_a_message_never_an_error(staff_client, query, message):
    ResourceFactory(title="Still shown")

    html = page(staff_client, query)

    assert message in html
    assert titles(html) == ["Still shown"]


def test_a_good_value_beside_a_bad_one_still_filters(staff_client):
    ResourceFactory(title="One", level=1)
    ResourceFactory(title="Two", level=2)

    html = page(staff_client, "?level=2&level=9")

    assert titles(html) == ["Two"]
    assert "Level: we ignored &quot;9&quot;" in html


def test_ignored_values_are_escaped_and_cut_short(staff_client):
    html = page(staff_client, "?level=<script>" + "x" * 100)

    assert "<script>" not in html
    assert "&lt;script&gt;" + "x" * 32 + "…" in html


def test_a_search_over_200_characters_is_refused_beside_the_search_box(staff_client):
    ResourceFactory(title="Still listed")

    html = page(staff_client, "?q=" + "a" * 2000)

    assert html.count("Search must be 200 characters or fewer") == 2  # summary and field
    assert '<span class="nhsuk-error-message" id="id_q-error">' in html
    assert 'aria-describedby="id_q-hint id_q-error"' in html
    assert 'href="#id_q"' in html
    assert "<title>Error: " in html
    assert titles(html) == ["Still listed"]


def test_a_search_of_exactly_200_characters_is_accepted(staff_client):
    html = page(staff_client, "?q=" + "a" * 200)

    assert "Search must be" not in html
    assert "No resources match" in html


def test_selected_filters_are_shown_as_links_that_remove_them(staff_client):
    ResourceFactory(level=2, cost_pence=0)

    html = page(staff_client, "?q=module&level=2&cost=free")

    assert 'href="/learning/catalogue/?q=module&amp;cost=free"' in html
    assert 'href="/learning/catalogue/?q=module&amp;level=2"' in html
    assert "Remove filter </span>Level: Level 2" in html
    assert 'href="/learning/catalogue/">Clear filters' in html


def test_checkboxes_keep_their_state_and_the_form_works_without_javascript(staff_client):
    ResourceFactory(level=2)

    html = page(staff_client, "?level=2")

    assert re.search(r'name="level" type="checkbox" value="2" checked', html)
    assert '<form method="get" action="/learning/catalogue/" novalidate>' in html
    assert ">Apply filters</button>" in html


def test_no_results_says_so_and_suggests_what_to_do(staff_client):
    ResourceFactory(title="Diabetes")

    html = page(staff_client, "?q=zzzzz&level=3")

    assert "No resources match “zzzzz” with the filters you chose." in html
    assert "check the spelling" in html
    assert "remove one of the selected filters" in html
    assert "clear the search and all filters" in html


def test_it_labels_sample_and_co_produced_resources(staff_client):
    ResourceFactory(is_sample=True, co_produced=True)

    html = page(staff_client)

    assert ">Sample</strong>" in html
    assert ">Co-produced</strong>" in html


def test_the_page_has_unique_ids(staff_client):
    ResourceFactory(topics=["Diabetes", "Dementia"])

    html = page(staff_client, "?q=module")

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "style=" not in html


def test_the_filter_form_turns_the_query_string_into_params():
    choices = catalogue_search.CatalogueChoices(topics=(("diabetes", "Diabetes"),), providers=())
    form = CatalogueFilterForm(
        QueryDict("q=  low   mood &level=1&level=1&topic=diabetes&topic=nope&sort=shortest&page=2"),
        choices=choices,
    )

    assert form.is_valid()
    assert form.params() == CatalogueParams(
        q="low mood", level=("1",), topic=("diabetes",), sort="shortest", page=2
    )
    assert form.notices == ['Topic: we ignored "nope", which is not one of the options.']


@pytest.mark.parametrize(
    "q", ["!&(|):*'\"", "-", '"unclosed', "or or or", "the", "%", "_", "日本語"]
)
def test_search_syntax_and_odd_characters_never_cause_an_error(staff_client, q):
    ResourceFactory(title="Module")

    response = staff_client.get(reverse("learning:catalogue"), {"q": q})

    assert response.status_code == 200


def test_a_search_with_a_null_character_is_refused_with_a_message(staff_client):
    html = page(staff_client, "?q=abc%00def")

    assert "Search must only include letters, numbers and punctuation" in html


def test_each_facet_counts_the_search_and_the_other_facets_but_not_its_own(staff_client):
    hee = ProviderFactory(name="Health Education England", slug="hee")
    ResourceFactory(
        title="Diabetes one", level=1, objectives=[1], topics=["Dementia"], provider=hee
    )
    ResourceFactory(title="Diabetes two", level=2, objectives=[1, 2], topics=["Dementia"])
    ResourceFactory(title="Diabetes three", level=2, objectives=[2], topics=["Delirium"])
    ResourceFactory(title="Psychosis", level=2, objectives=[1], topics=["Dementia"], provider=hee)

    html = page(staff_client, "?q=diabetes&level=2&topic=dementia")

    assert titles(html) == ["Diabetes two"]
    assert "1 resource matching" in html
    # Level: the search and the topic, whatever the level.
    assert facet_count(html, "level", "Level 1") == 1
    assert facet_count(html, "level", "Level 2") == 1
    # Topic: the search and the level, whatever the topic.
    assert facet_count(html, "topic", "Dementia") == 1
    assert facet_count(html, "topic", "Delirium") == 1
    # Objective: the search, the level and the topic; a resource counts once per objective.
    objective_1 = OBJECTIVE_LABELS["1"]
    objective_2 = OBJECTIVE_LABELS["2"]
    assert facet_count(html, "objective", objective_1) == 1
    assert facet_count(html, "objective", objective_2) == 1
    # Provider: the search, the level and the topic; a provider with nothing left is not offered.
    assert 'name="provider" type="checkbox" value="hee"' not in html


def test_facet_counts_without_a_search_cover_the_whole_catalogue():
    hee = ProviderFactory(name="Health Education England", slug="hee")
    ResourceFactory(level=1, cost_pence=0, duration_minutes=30, provider=hee, co_produced=True)
    ResourceFactory(level=1, cost_pence=500, duration_minutes=200, objectives=[3])
    ResourceFactory(level=3, cost_pence=0, duration_minutes=600, objectives=[3, 4])
    ResourceFactory(level=3, status=ResourceStatus.DRAFT)

    results = search_catalogue(CatalogueParams(cost=("free",)))
    counts = {facet.name: {o.value: o.count for o in facet.options} for facet in results.facets}

    assert results.total == 2
    assert counts["cost"] == {"free": 2, "paid": 1}
    assert counts["level"] == {"1": 1, "2": 0, "3": 1}
    assert counts["duration"] == {
        "under-1-hour": 1,
        "1-to-3-hours": 0,
        "half-a-day-to-a-day": 0,
        "more-than-a-day": 1,
    }
    assert counts["co_produced"] == {"yes": 1}
    assert counts["objective"]["3"] == 1
    assert counts["objective"]["4"] == 1
    assert counts["provider"]["hee"] == 1


def test_a_search_from_the_catalogue_page_is_ranked_by_best_match(staff_client):
    """The sort menu sends back only a sort someone chose, never a default "newest"."""
    ResourceFactory(title="Diabetes and depression in primary care", published_at=days_ago(5))
    ResourceFactory(
        title="Caring well", summary="Mentions diabetes once.", published_at=days_ago(1)
    )

    browsing = page(staff_client)
    assert '<option value="relevance" selected>Best match</option>' in browsing
    assert '<option value="newest" selected>' not in browsing

    searched = page(staff_client, "?q=diabetes&sort=relevance")
    assert titles(searched) == ["Diabetes and depression in primary care", "Caring well"]


def test_a_search_past_the_count_limit_says_more_than_and_why_the_filters_have_no_counts(
    staff_client, monkeypatch
):
    monkeypatch.setattr(catalogue_search, "COUNT_LIMIT", 2)
    for n in range(3):
        ResourceFactory(title=f"Delirium module {n}", published_at=days_ago(n))

    html = page(staff_client, "?q=delirium")

    assert "More than 2 resources matching “delirium”" in html
    assert "Each filter shows how many resources it finds when your search matches 2" in html
    assert "of the first 2, the best matches among the 2 most recently published" in html
    assert titles(html) == ["Delirium module 0", "Delirium module 1"]
    assert 'name="level" type="checkbox" value="1">' in html
    assert '<span class="nhsuk-u-nowrap">(' not in html
