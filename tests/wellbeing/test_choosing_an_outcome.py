"""The rapid assessment page as a clinician uses it: only the chosen outcome's questions count,
and self-help resources are found by searching the catalogue, never picked from all of it."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.learning.factories import ResourceFactory
from tests.wellbeing.clinical_helpers import DB, a_hub_member, a_referral_in, a_service, fresh
from wellbeing.forms.clinical import MAX_RESOURCES_FOUND
from wellbeing.models import (
    Assessment,
    OnwardReferral,
    ReferralStatus,
    SignpostedResource,
    TherapyPlan,
)

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

S = ReferralStatus
SEARCH = {"search_resources": "Search the catalogue"}


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


@pytest.fixture
def referral():
    return a_referral_in(S.IN_ASSESSMENT)


def assess_url(referral) -> str:
    return reverse("wellbeing:referral_assess", args=[referral.pk])


def signpost_url(referral) -> str:
    return reverse("wellbeing:referral_signpost", args=[referral.pk])


def assessment(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "notes": "Poor sleep since a difficult resuscitation.",
        "risk_level": "low",
        "safety_plan": "",
        "formulation": "Acute stress reaction.",
        "outcome": "self_help",
    }
    form.update(overrides)
    return form


def offered(page: str) -> list[str]:
    """The titles of the resources offered as checkboxes."""
    return re.findall(
        r'<input class="nhsuk-checkboxes__input" id="id_resources_\d+" name="resources" '
        r'type="checkbox" value="\d+"[^>]*>\s*<label[^>]*>([^<]*)</label>',
        page,
    )


def ticked(page: str) -> list[str]:
    return re.findall(r'name="resources" type="checkbox" value="(\d+)" checked', page)


# --- Choosing resources by searching the catalogue ----------------------------------------------


def test_the_assessment_page_does_not_list_the_whole_catalogue(client, clinician, referral):
    for n in range(44):
        ResourceFactory(title=f"Published resource {n}")
    page = client.get(assess_url(referral)).content.decode()
    assert offered(page) == []
    assert "Search the learning catalogue by topic or title" in page
    assert "Search the catalogue to find published resources to tick" in page


def test_searching_by_title_offers_only_matching_resources_and_keeps_what_was_typed(
    client, clinician, referral
):
    ResourceFactory(title="Sleep after night shifts")
    ResourceFactory(title="Managing money worries")
    response = client.post(assess_url(referral), assessment(resource_search="  SLEEP  ", **SEARCH))
    page = response.content.decode()
    assert response.status_code == 200
    assert offered(page) == ["Sleep after night shifts"]
    # What the clinician typed comes back as it was, with no error messages: nothing is saved.
    assert "Poor sleep since a difficult resuscitation." in page
    assert 'value="self_help" checked' in page
    assert "nhsuk-error-summary" not in page
    assert not Assessment.objects.using(DB).exists()
    assert fresh(referral).status == S.IN_ASSESSMENT


def test_searching_by_topic_finds_resources_filed_under_it(client, clinician, referral):
    ResourceFactory(title="Looking after yourself", topics=["Bereavement and loss"])
    ResourceFactory(title="Another module", topics=["Diabetes and depression"])
    page = client.post(assess_url(referral), assessment(resource_search="bereavement", **SEARCH))
    assert offered(page.content.decode()) == ["Looking after yourself"]


def test_a_ticked_resource_stays_ticked_when_the_clinician_searches_again(
    client, clinician, referral
):
    sleep = ResourceFactory(title="Sleep after night shifts")
    ResourceFactory(title="Managing money worries")
    page = client.post(
        assess_url(referral),
        assessment(resource_search="money", resources=[str(sleep.pk)], **SEARCH),
    ).content.decode()
    assert offered(page) == ["Sleep after night shifts", "Managing money worries"]
    assert ticked(page) == [str(sleep.pk)]


def test_a_search_that_finds_nothing_says_so(client, clinician, referral):
    ResourceFactory(title="Sleep after night shifts")
    page = client.post(assess_url(referral), assessment(resource_search="zebra", **SEARCH))
    assert (
        "No published resources match \u2018zebra\u2019. Try another word." in page.content.decode()
    )


def test_a_broad_search_offers_the_first_twenty_and_asks_for_another_word(
    client, clinician, referral
):
    for n in range(MAX_RESOURCES_FOUND + 5):
        ResourceFactory(title=f"Stress module {n:02d}")
    page = client.post(
        assess_url(referral), assessment(resource_search="stress", **SEARCH)
    ).content.decode()
    assert len(offered(page)) == MAX_RESOURCES_FOUND
    assert "Add a word to narrow the search." in page


def test_a_draft_resource_is_never_offered_or_accepted(client, clinician, referral):
    draft = ResourceFactory(title="Sleep draft", status="draft")
    page = client.post(assess_url(referral), assessment(resource_search="sleep", **SEARCH))
    assert offered(page.content.decode()) == []
    response = client.post(assess_url(referral), assessment(resources=[str(draft.pk)]))
    assert response.status_code == 400
    assert "Select resources from the published list" in response.content.decode()
    assert not Assessment.objects.using(DB).exists()


def test_self_help_with_nothing_ticked_asks_for_a_resource_beside_the_search(
    client, clinician, referral
):
    response = client.post(assess_url(referral), assessment())
    page = response.content.decode()
    assert response.status_code == 400
    # Nothing is offered yet, so the summary's link lands on the search box.
    assert 'href="#id_resource_search">Select at least one resource to signpost' in page
    assert page.count("Select at least one resource to signpost") == 2  # summary and field


def test_self_help_signposts_the_resources_found_and_ticked(client, clinician, referral):
    sleep = ResourceFactory(title="Sleep after night shifts")
    response = client.post(
        assess_url(referral), assessment(resource_search="sleep", resources=[str(sleep.pk)])
    )
    assert response.status_code == 302
    assert fresh(referral).status == S.IN_SUPPORT
    assert list(SignpostedResource.objects.using(DB).values_list("resource_id", flat=True)) == [
        sleep.pk
    ]


# --- Only the chosen outcome's questions ------------------------------------------------------


def test_each_outcome_reveals_only_its_own_questions_each_labelled(client, clinician, referral):
    page = client.get(assess_url(referral)).content.decode()
    for value, legend in [
        ("self_help", "If the outcome is self-help"),
        ("team_support", "If the outcome is team-based support"),
        ("direct_therapy", "If the outcome is direct therapy"),
        ("onward_referral", "If the outcome is onward referral"),
        ("close", "If the outcome is to close the referral"),
    ]:
        radio = re.search(rf'<input[^>]*name="outcome" type="radio" value="{value}"[^>]*>', page)
        assert radio, value
        controls = re.search(r'data-aria-controls="([^"]+)"', radio[0])
        assert controls, value
        # Hidden by nhsuk-frontend's script until chosen; without it, every section shows.
        section = page.split(f'id="{controls[1]}"', 1)[1][:400]
        assert (
            f'class="nhsuk-radios__conditional nhsuk-radios__conditional--hidden" id="{controls[1]}"'
            in page
        )
        assert legend in section


def test_the_chosen_outcomes_section_is_open_when_the_page_comes_back(client, clinician, referral):
    page = client.post(
        assess_url(referral), assessment(outcome="direct_therapy", modality="cbt")
    ).content.decode()
    assert re.search(r'class="nhsuk-radios__conditional" id="conditional-id_outcome_\d"', page)
    assert page.count("nhsuk-radios__conditional--hidden") == 4


def test_mistakes_in_an_outcome_not_chosen_are_ignored_and_nothing_of_it_is_saved(
    client, clinician, referral
):
    service = a_service()
    response = client.post(
        assess_url(referral),
        assessment(
            outcome="onward_referral",
            service=str(service.pk),
            # Left over from outcomes the clinician looked at first.
            resources=["not-a-resource"],
            modality="astrology",
            planned_sessions="six hundred",
            team_request="999999",
            close_reason="bored",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(referral).status == S.IN_SUPPORT
    assert OnwardReferral.objects.using(DB).get().service == service
    assert not TherapyPlan.objects.using(DB).exists()
    assert not SignpostedResource.objects.using(DB).exists()
    assert fresh(referral).team_request is None


def test_answers_left_in_another_outcome_are_not_acted_on(client, clinician, referral):
    sleep = ResourceFactory(title="Sleep after night shifts")
    response = client.post(
        assess_url(referral),
        assessment(
            outcome="direct_therapy",
            modality="cbt",
            planned_sessions="6",
            resources=[str(sleep.pk)],
        ),
    )
    assert response.status_code == 302
    assert TherapyPlan.objects.using(DB).get().planned_sessions == 6
    assert not SignpostedResource.objects.using(DB).exists()


def test_the_chosen_outcomes_mistakes_are_still_explained(client, clinician, referral):
    response = client.post(
        assess_url(referral),
        assessment(outcome="direct_therapy", modality="cbt", planned_sessions="six hundred"),
    )
    assert response.status_code == 400
    assert "Enter the number of planned sessions as a number, like 6" in response.content.decode()


# --- The separate signposting page ----------------------------------------------------------------


@pytest.fixture
def supported():
    return a_referral_in(S.IN_SUPPORT)


def test_the_signposting_page_offers_nothing_until_the_clinician_searches(
    client, clinician, supported
):
    for n in range(44):
        ResourceFactory(title=f"Published resource {n}")
    page = client.get(signpost_url(supported)).content.decode()
    assert offered(page) == []
    page = client.post(
        signpost_url(supported), {"resource_search": "published 43", **SEARCH}
    ).content.decode()
    assert offered(page) == ["Published resource 43"]  # every word must match


def test_signposting_without_a_tick_is_explained_beside_the_search(client, clinician, supported):
    response = client.post(signpost_url(supported), {"resource_search": ""})
    assert response.status_code == 400
    assert 'href="#id_resource_search">Select at least one resource' in response.content.decode()
    assert not SignpostedResource.objects.using(DB).exists()


# --- Queries --------------------------------------------------------------------------------------


def queries_for_search(client, referral) -> tuple[int, int]:
    client.get(assess_url(referral))  # settles the session's MFA and profile checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        response = client.post(assess_url(referral), assessment(resource_search="sleep", **SEARCH))
    assert response.status_code == 200
    return len(default), len(confidential)


def test_a_search_costs_the_same_queries_for_one_match_or_twenty(client, clinician, referral):
    ResourceFactory(title="Sleep module 0", topics=["Sleep"])
    one = queries_for_search(client, referral)
    for n in range(1, 30):
        ResourceFactory(title=f"Sleep module {n}", topics=["Sleep", f"Topic {n}"])
    many = queries_for_search(client, referral)
    assert one == many
