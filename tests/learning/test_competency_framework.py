"""The competency framework as a curator keeps it, through its one service module: the starter
framework the migration seeds, adding, rewording (versioned), retiring and bringing back."""

from __future__ import annotations

import re

import pytest

from learning.models import Competency, CompetencyWording, Objective
from learning.services import competencies
from learning.services.competencies import CompetencyError
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.learning.framework_factories import CompetencyFactory, rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return UserFactory(with_profile=True, roles=["Curator"])


def objectives(*numbers):
    return list(Objective.objects.filter(number__in=numbers))


def test_the_starter_framework_has_six_to_ten_i_can_statements_at_each_level():
    starters = Competency.objects.filter(is_starter=True)
    for level in (1, 2, 3):
        assert 6 <= starters.filter(level=level).count() <= 10
    for statement in starters:
        assert statement.text.startswith("I can ")
        assert re.fullmatch(rf"L{statement.level}-\d\d", statement.code)
        assert statement.objectives.exists()
        assert statement.version == 1
        assert statement.wordings.get().text == statement.text


def test_the_starter_framework_serves_every_strategic_objective():
    served = set(
        Objective.objects.filter(competencies__is_starter=True).values_list("number", flat=True)
    )
    assert served == set(range(1, 9))


def test_adding_a_statement_gives_it_the_next_code_at_its_level_and_its_first_wording(curator):
    last = Competency.objects.filter(level=2).order_by("-code").first()
    number = int(last.code.split("-")[1]) if last else 0
    added = competencies.do_add_competency(
        level=2,
        text="  i can   ask about mood at every diabetes review. ",
        objectives=objectives(2, 6),
        acting_user=curator,
    )
    assert added.code == f"L2-{number + 1:02d}"
    assert added.text == "I can ask about mood at every diabetes review"
    assert not added.is_starter
    assert set(added.objectives.values_list("number", flat=True)) == {2, 6}
    wording = added.wordings.get()
    assert (wording.version, wording.text, wording.changed_by) == (1, added.text, curator)
    assert added.position > max(
        Competency.objects.filter(level=2).exclude(pk=added.pk).values_list("position", flat=True)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the statement, starting with 'I can'"),
        ("Recognise low mood", "Start the statement with 'I can'"),
        ("I can", "Start the statement with 'I can'"),
        ("I can " + "x" * 300, "Statement must be 300 characters or fewer"),
    ],
)
def test_a_statement_must_say_what_someone_can_do(curator, text, message):
    with pytest.raises(CompetencyError, match=re.escape(message)):
        competencies.do_add_competency(
            level=1, text=text, objectives=objectives(1), acting_user=curator
        )


def test_a_level_cannot_have_the_same_statement_twice_whatever_its_capitals(curator):
    existing = CompetencyFactory(level=3, text="I can lead a mind and body audit")
    with pytest.raises(CompetencyError, match="Level 3 already has this statement"):
        competencies.do_add_competency(
            level=3,
            text=existing.text.upper().replace("I CAN", "I can"),
            objectives=objectives(1),
            acting_user=curator,
        )
    # Another level may say the same.
    assert (
        competencies.do_add_competency(
            level=2, text=existing.text, objectives=objectives(1), acting_user=curator
        ).level
        == 2
    )


def test_a_statement_needs_an_objective(curator):
    with pytest.raises(CompetencyError, match="Select at least one objective"):
        competencies.do_add_competency(
            level=1, text="I can name two local services", objectives=[], acting_user=curator
        )


def test_a_retired_statements_code_is_never_given_again(curator):
    first = competencies.do_add_competency(
        level=1, text="I can name two local services", objectives=objectives(3), acting_user=curator
    )
    competencies.do_retire_competency(competency=first, acting_user=curator)
    second = competencies.do_add_competency(
        level=1,
        text="I can name three local services",
        objectives=objectives(3),
        acting_user=curator,
    )
    assert second.code != first.code
    assert int(second.code.split("-")[1]) == int(first.code.split("-")[1]) + 1


def test_rewording_makes_a_new_version_and_keeps_every_wording(curator):
    statement = Competency.objects.filter(is_starter=True, level=2)[0]
    original, code = statement.text, statement.code
    changed = competencies.do_change_competency(
        competency=statement,
        text="I can recognise when someone's physical symptoms may come from their mood",
        objectives=list(statement.objectives.all()),
        acting_user=curator,
    )
    statement.refresh_from_db()
    assert changed == ["wording"]
    assert statement.version == 2
    assert statement.code == code
    # Reworded, it is the team's own and no longer a starter.
    assert not statement.is_starter
    wordings = list(statement.wordings.order_by("version").values_list("version", "text"))
    assert wordings == [(1, original), (2, statement.text)]
    assert CompetencyWording.objects.get(competency=statement, version=2).changed_by == curator


def test_a_rating_keeps_the_wording_it_answered(curator):
    statement = CompetencyFactory()
    rating = rate(UserFactory(), statement, 2)
    competencies.do_change_competency(
        competency=statement,
        text="I can say it differently now",
        objectives=list(statement.objectives.all()),
        acting_user=curator,
    )
    rating.refresh_from_db()
    assert rating.wording_version == 1
    assert statement.wordings.get(version=rating.wording_version).text.startswith("I can do")


def test_changing_only_the_objectives_is_not_a_new_version(curator):
    statement = CompetencyFactory(objectives=[1])
    changed = competencies.do_change_competency(
        competency=statement,
        text=statement.text,
        objectives=objectives(1, 7),
        acting_user=curator,
    )
    statement.refresh_from_db()
    assert changed == ["objectives"]
    assert statement.version == 1
    assert statement.wordings.count() == 1


def test_saving_a_statement_unchanged_changes_nothing(curator):
    statement = CompetencyFactory(objectives=[2])
    assert (
        competencies.do_change_competency(
            competency=statement,
            text=statement.text + ".",
            objectives=objectives(2),
            acting_user=curator,
        )
        == []
    )
    assert statement.wordings.count() == 1


def test_retiring_keeps_its_ratings_and_its_resources(curator):
    statement = CompetencyFactory()
    resource = ResourceFactory()
    resource.competencies.add(statement)
    rate(UserFactory(), statement, 3)
    competencies.do_retire_competency(competency=statement, acting_user=curator)
    statement.refresh_from_db()
    assert statement.is_retired
    assert statement.ratings.count() == 1
    assert list(resource.competencies.all()) == [statement]


def test_a_retired_statement_cannot_be_reworded_or_retired_again(curator):
    statement = CompetencyFactory()
    competencies.do_retire_competency(competency=statement, acting_user=curator)
    with pytest.raises(CompetencyError, match=r"is retired\. Bring it back into use"):
        competencies.do_change_competency(
            competency=statement,
            text="I can do more",
            objectives=objectives(1),
            acting_user=curator,
        )
    with pytest.raises(CompetencyError, match="already retired"):
        competencies.do_retire_competency(competency=statement, acting_user=curator)


def test_a_retired_statement_comes_back_unless_another_in_use_says_the_same(curator):
    statement = CompetencyFactory(level=2, text="I can check blood pressure and ask about mood")
    competencies.do_retire_competency(competency=statement, acting_user=curator)
    twin = competencies.do_add_competency(
        level=2, text=statement.text, objectives=objectives(1), acting_user=curator
    )
    with pytest.raises(CompetencyError, match="already has a statement in use"):
        competencies.do_restore_competency(competency=statement, acting_user=curator)
    competencies.do_retire_competency(competency=twin, acting_user=curator)
    competencies.do_restore_competency(competency=statement, acting_user=curator)
    statement.refresh_from_db()
    assert not statement.is_retired
    with pytest.raises(CompetencyError, match="already in use"):
        competencies.do_restore_competency(competency=statement, acting_user=curator)
