"""recommended_levels_for(profile): the levels a member of staff is offered, and why."""

from __future__ import annotations

import pytest

from learning.competencies import recommended_levels_for
from portal.models import CaringFrequency, StaffGroup, StaffProfile


def profile(*, is_clinical: bool, cares_for_both: str) -> StaffProfile:
    return StaffProfile(
        display_name="Sam Jones",
        staff_group=StaffGroup.NURSING_MIDWIFERY_REGISTERED
        if is_clinical
        else StaffGroup.ADMINISTRATIVE_CLERICAL,
        job_title="Staff nurse" if is_clinical else "Ward clerk",
        organisation="Test Trust",
        is_clinical=is_clinical,
        cares_for_both=cares_for_both,
    )


@pytest.mark.parametrize("cares_for_both", CaringFrequency.values)
def test_non_clinical_staff_are_recommended_level_1_however_often_they_care(cares_for_both):
    recommendation = recommended_levels_for(
        profile(is_clinical=False, cares_for_both=cares_for_both)
    )

    assert recommendation.levels == {1}
    assert recommendation.reason.startswith("Because you told us your role is not clinical")


@pytest.mark.parametrize(
    ("cares_for_both", "levels"),
    [
        (CaringFrequency.NEVER, {1, 2}),
        (CaringFrequency.SOMETIMES, {1, 2}),
        (CaringFrequency.REGULARLY, {1, 2, 3}),
    ],
)
def test_clinical_staff_are_recommended_levels_by_how_often_they_care_for_both(
    cares_for_both, levels
):
    recommendation = recommended_levels_for(
        profile(is_clinical=True, cares_for_both=cares_for_both)
    )

    assert recommendation.levels == levels


@pytest.mark.parametrize(
    ("cares_for_both", "words"),
    [
        (CaringFrequency.NEVER, "you never care for people"),
        (CaringFrequency.SOMETIMES, "you sometimes care for people"),
        (CaringFrequency.REGULARLY, "you regularly care for people"),
    ],
)
def test_the_reason_repeats_what_clinical_staff_told_us(cares_for_both, words):
    reason = recommended_levels_for(profile(is_clinical=True, cares_for_both=cares_for_both)).reason

    assert reason.startswith("Because you told us your role is clinical")
    assert words in reason


def test_the_reason_names_the_levels_it_recommends():
    regularly = recommended_levels_for(
        profile(is_clinical=True, cares_for_both=CaringFrequency.REGULARLY)
    )
    sometimes = recommended_levels_for(
        profile(is_clinical=True, cares_for_both=CaringFrequency.SOMETIMES)
    )

    assert regularly.reason.endswith("we recommend Levels 1 to 3.")
    assert sometimes.reason.endswith("we recommend Levels 1 and 2.")


def test_someone_without_a_profile_is_recommended_level_1_only():
    recommendation = recommended_levels_for(None)

    assert recommendation.levels == {1}
    assert "Level 1 is for everyone" in recommendation.reason


@pytest.mark.parametrize("is_clinical", [True, False])
@pytest.mark.parametrize("cares_for_both", CaringFrequency.values)
def test_every_profile_is_recommended_level_1_and_a_run_of_levels_from_it(
    is_clinical, cares_for_both
):
    levels = recommended_levels_for(
        profile(is_clinical=is_clinical, cares_for_both=cares_for_both)
    ).levels

    assert 1 in levels
    assert levels == set(range(1, max(levels) + 1))
