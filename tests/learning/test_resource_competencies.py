"""Resources tied to the competencies they develop: on the curator's resource form (statements
in use, at the resource's level or below) and through the catalogue CSV (codes in a column)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import Competency, Objective, Resource
from learning.services.catalogue_csv import CatalogueRowErrors, do_import_catalogue, export_rows
from tests.factories import UserFactory
from tests.learning.factories import ProviderFactory, ResourceFactory
from tests.learning.framework_factories import CompetencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return UserFactory(with_profile=True, roles=["Curator"], with_totp=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def form_data(level="2", competencies=()):
    provider = ProviderFactory(name="Health Education England")
    return {
        "title": "Physical health checks in serious mental illness",
        "summary": "Why the annual check matters.",
        "description": "Covers the six checks.",
        "provider": str(provider.pk),
        "format": "e_learning",
        "level": level,
        "objectives": [str(Objective.objects.get(number=2).pk)],
        "competencies": [str(c.pk) for c in competencies],
        "duration_minutes": "45",
        "cost": "0",
        "is_online": "True",
        "url": "https://learning.example.nhs.uk/smi-checks",
    }


def test_a_curator_ties_a_new_resource_to_statements_at_its_level_or_below(curator_client):
    level_1, level_2 = CompetencyFactory(level=1), CompetencyFactory(level=2)
    response = curator_client.post(
        reverse("learning:curate_resource_create"), form_data("2", [level_1, level_2])
    )
    resource = Resource.objects.get(title="Physical health checks in serious mental illness")
    assert response.status_code == 302
    assert set(resource.competencies.all()) == {level_1, level_2}
    page = curator_client.get(response.url).content.decode()
    assert level_2.code in page
    assert level_2.text in page


def test_a_resource_cannot_develop_a_statement_above_its_level(curator_client):
    above = CompetencyFactory(level=3)
    response = curator_client.post(
        reverse("learning:curate_resource_create"), form_data("2", [above])
    )
    assert response.status_code == 200
    assert (
        f"A Level 2 resource can develop statements at Level 2 or below. Untick {above.code}, "
        "or change the level"
    ) in response.content.decode()
    assert not Resource.objects.filter(title__startswith="Physical health checks").exists()


def test_a_retired_statement_is_not_offered_and_cannot_be_chosen(curator_client):
    retired = CompetencyFactory(retired_at=timezone.now())
    page = curator_client.get(reverse("learning:curate_resource_create")).content.decode()
    assert retired.text not in page
    response = curator_client.post(
        reverse("learning:curate_resource_create"), form_data("2", [retired])
    )
    assert "A retired statement cannot be chosen" in response.content.decode()


def test_saving_a_resource_keeps_its_ties_to_statements_retired_since(curator_client, curator):
    in_use, retired = CompetencyFactory(), CompetencyFactory()
    resource = ResourceFactory(level=2)
    resource.competencies.set([in_use, retired])
    Competency.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    data = form_data("2", [in_use])
    data["title"] = resource.title
    response = curator_client.post(
        reverse("learning:curate_resource_edit", args=[resource.pk]), data
    )
    assert response.status_code == 302
    assert set(resource.competencies.all()) == {in_use, retired}


def test_changing_the_competencies_is_in_the_history_and_makes_you_its_last_changer(
    curator_client, curator
):
    statement = CompetencyFactory()
    resource = ResourceFactory(
        level=2, objectives=[2], title="Physical health checks in serious mental illness"
    )
    data = form_data("2", [statement])
    data.update(
        summary=resource.summary,
        description=resource.description,
        provider=str(resource.provider_id),
        url=resource.url,
        duration_minutes=str(resource.duration_minutes),
        cpd_hours="1",
    )
    curator_client.post(reverse("learning:curate_resource_edit", args=[resource.pk]), data)
    resource.refresh_from_db()
    assert "competencies" in resource.changes.first().summary
    assert resource.content_changed_by == curator


# The CSV.


def exported() -> list[list[str]]:
    return [list(row) for row in export_rows()]


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_the_export_names_each_resources_statements_by_code_leaving_out_retired_ones():
    first, second = CompetencyFactory(level=1), CompetencyFactory(level=1)
    retired = CompetencyFactory(level=1, retired_at=timezone.now())
    ResourceFactory(title="Tied", level=1).competencies.set([second, first, retired])
    header, *rows = exported()
    column = header.index("competencies")
    assert header[column - 1] == "objectives"
    row = next(row for row in rows if row[header.index("title")] == "Tied")
    assert row[column] == ";".join(sorted([first.code, second.code]))


def test_importing_codes_ties_resources_to_statements(curator):
    statement = CompetencyFactory(level=1)
    ResourceFactory(title="Tied", slug="tied", level=2)
    header, *rows = exported()
    column = header.index("competencies")
    for row in rows:
        row[column] = f" {statement.code.lower()} ; L1-01"
    do_import_catalogue(data=csv_bytes([header, *rows]), acting_user=curator)
    resource = Resource.objects.get(slug="tied")
    assert set(resource.competencies.values_list("code", flat=True)) == {statement.code, "L1-01"}


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "L9-99",
            "'L9-99' is not a competency code. Enter codes like L1-02, separated by semicolons",
        ),
        ("nonsense", "'nonsense' is not a competency code"),
        ("RETIRED", "is retired. Remove it, or bring it back into use"),
        ("L3-01", "A Level 1 resource can develop statements at Level 1 or below. Untick L3-01"),
    ],
)
def test_a_code_that_will_not_do_is_explained_and_nothing_is_imported(curator, cell, message):
    retired = CompetencyFactory(level=1, retired_at=timezone.now())
    cell = retired.code if cell == "RETIRED" else cell
    ResourceFactory(title="Tied", slug="tied", level=1)
    header, *rows = exported()
    rows[0][header.index("competencies")] = cell
    with pytest.raises(CatalogueRowErrors) as raised:
        do_import_catalogue(data=csv_bytes([header, *rows]), acting_user=curator)
    errors = [str(error) for error in raised.value.errors]
    assert any("column 'competencies'" in e and message in e for e in errors), errors
    assert not Resource.objects.get(slug="tied").competencies.exists()


def test_a_file_without_the_column_leaves_each_resources_statements_alone(curator):
    statement = CompetencyFactory(level=1)
    resource = ResourceFactory(title="Tied", slug="tied", level=1)
    resource.competencies.add(statement)
    header, *rows = exported()
    column = header.index("competencies")
    trimmed = [[cell for i, cell in enumerate(row) if i != column] for row in [header, *rows]]
    trimmed[1][trimmed[0].index("summary")] = "A new summary"
    do_import_catalogue(data=csv_bytes(trimmed), acting_user=curator)
    resource.refresh_from_db()
    assert resource.summary == "A new summary"
    assert list(resource.competencies.all()) == [statement]


def test_reimporting_the_export_keeps_ties_to_retired_statements(curator):
    statement, retired = CompetencyFactory(level=1), CompetencyFactory(level=1)
    resource = ResourceFactory(title="Tied", slug="tied", level=1)
    resource.competencies.set([statement, retired])
    Competency.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    result = do_import_catalogue(data=csv_bytes(exported()), acting_user=curator)
    assert result.updated == 0
    assert set(resource.competencies.all()) == {statement, retired}
