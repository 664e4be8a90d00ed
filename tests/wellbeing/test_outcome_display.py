"""How outcomes are shown (issue 14, ADR 0039, hazard log H16): the clinician's words and tags
beside the score chart, the queue's "Worse since the last measure", and the member of staff's
own scores in plain language in my hub."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import DB, a_hub_member, a_referral_from
from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from wellbeing.models import Referral, ReferralStatus, ScoreSource, ScreeningResult
from wellbeing.queries.outcomes import (
    WORSE_SINCE_LAST,
    WORSE_THAN_AT_REFERRAL,
    Reading,
    outcome_lines,
    paired_from,
    plain_scores,
    worse_flag,
)

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

START = timezone.now() - datetime.timedelta(days=60)


def sitting(referral, days: int, source: str, **totals: int) -> None:
    for code, total in totals.items():
        ScreeningResultFactory(
            referral=referral,
            instrument=code.replace("_", "-"),
            total=total,
            answers=[],
            band="",
            taken_at=START + datetime.timedelta(days=days),
            source=source,
        )


def readings(*sittings: tuple[int, str, dict[str, int]]) -> list[Reading]:
    return [
        Reading(code, total, START + datetime.timedelta(days=days), source)
        for days, source, totals in sittings
        for code, total in totals.items()
    ]


def words(*sittings: tuple[int, str, dict[str, int]]) -> list[str]:
    return [line.words for line in outcome_lines(paired_from(1, readings(*sittings)))]


SELF = ScoreSource.SELF_REFERRAL
SESSION = ScoreSource.SESSION
CHECK_IN = ScoreSource.CHECK_IN


# --- The words the clinician reads ----------------------------------------------------------------


def test_reliable_improvement_names_the_measure_and_its_scores_and_says_recovered():
    said = words((0, SELF, {"PHQ-9": 15, "GAD-7": 7}), (30, SESSION, {"PHQ-9": 8, "GAD-7": 6}))
    assert said == ["Reliable improvement on PHQ-9 (15 to 8)", "Recovered (reliable recovery)"]


def test_recovered_without_reliable_improvement_says_so():
    said = words((0, SELF, {"PHQ-9": 11, "GAD-7": 8}), (30, SESSION, {"PHQ-9": 9, "GAD-7": 7}))
    assert said == ["No reliable change", "Recovered"]


def test_reliable_deterioration_says_review_and_not_recovered():
    lines = outcome_lines(
        paired_from(
            1,
            readings(
                (0, SELF, {"PHQ-9": 12, "GAD-7": 8}), (30, CHECK_IN, {"PHQ-9": 18, "GAD-7": 9})
            ),
        )
    )
    assert [line.words for line in lines] == ["Reliable deterioration: review", "Not recovered"]
    assert lines[0].tag == "red"
    assert "PHQ-9 (12 to 18)" in lines[0].detail


def test_one_measure_better_and_the_other_worse_is_mixed_not_improvement():
    said = words((0, SELF, {"PHQ-9": 15, "GAD-7": 5}), (30, SESSION, {"PHQ-9": 9, "GAD-7": 9}))
    assert said[0] == "Mixed change: review"


def test_recovery_does_not_apply_below_caseness_at_the_start():
    said = words((0, SELF, {"PHQ-9": 8, "GAD-7": 7}), (30, SESSION, {"PHQ-9": 3, "GAD-7": 2}))
    assert said == ["Reliable improvement on GAD-7 (7 to 2)", "Recovery does not apply"]


def test_no_paired_score_yet_without_a_later_sitting_with_both():
    assert words((0, SELF, {"PHQ-9": 15, "GAD-7": 12}), (30, SESSION, {"PHQ-9": 8})) == [
        "No paired score yet"
    ]


def test_the_pcl5_reliable_change_is_shown_and_wsas_and_auditc_say_no_published_index():
    lines = outcome_lines(
        paired_from(
            1,
            readings(
                (0, SELF, {"PHQ-9": 15, "GAD-7": 12, "PCL-5": 50, "WSAS": 20, "AUDIT-C": 6}),
                (30, CHECK_IN, {"PHQ-9": 14, "GAD-7": 11, "PCL-5": 35, "WSAS": 10, "AUDIT-C": 2}),
            ),
        )
    )
    by_words = {line.words: line for line in lines}
    assert "Reliable improvement on PCL-5 (50 to 35)" in by_words
    assert (
        "a change of more than 14.6 is reliable"
        in by_words["Reliable improvement on PCL-5 (50 to 35)"].detail
    )
    for code, moved in (("AUDIT-C", "6 to 2"), ("WSAS", "20 to 10")):
        line = by_words[f"{code} ({moved})"]
        assert line.detail == "No published reliable change index for this measure"
        assert line.tag == "grey"


def test_the_referral_page_shows_the_outcome_in_words_and_tags_beside_the_chart(client):
    client.force_login(a_hub_member())
    referral = ReferralFactory()
    sitting(referral, 0, SELF, PHQ_9=15, GAD_7=12)
    sitting(referral, 30, SESSION, PHQ_9=8, GAD_7=6)
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    outcome = page[page.index("Scores over time") :]
    assert "Outcome so far" in outcome
    assert (
        '<strong class="nhsuk-tag nhsuk-tag--green">Reliable improvement on PHQ-9 (15 to 8) and '
        "GAD-7 (12 to 6)</strong>" in outcome
    )
    assert "Recovered (reliable recovery)" in outcome
    assert outcome.index("Outcome so far") < outcome.index("PHQ-9 scores over time")
    # The sitting is named by where it was taken.
    assert "Therapy session, " in page


def test_the_referral_page_says_no_paired_score_yet(client):
    client.force_login(a_hub_member())
    referral = ReferralFactory()
    sitting(referral, 0, SELF, PHQ_9=15, GAD_7=12)
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    assert "No paired score yet" in page


def test_the_referral_page_costs_the_same_queries_with_one_or_forty_session_sittings(client):
    client.force_login(a_hub_member())
    few, many = ReferralFactory(), ReferralFactory()
    for referral, count in ((few, 1), (many, 40)):
        sitting(referral, 0, SELF, PHQ_9=15, GAD_7=12, PCL_5=50)
        for n in range(count):
            sitting(referral, n + 1, SESSION, PHQ_9=15 - n % 10, GAD_7=12 - n % 8)

    def queries(referral) -> tuple[int, int]:
        url = reverse("wellbeing:referral", args=[referral.pk])
        client.get(url)
        with (
            CaptureQueriesContext(connections["default"]) as default,
            CaptureQueriesContext(connections[DB]) as confidential,
        ):
            assert client.get(url).status_code == 200
        return len(default), len(confidential)

    assert queries(few) == queries(many)


# --- The queue's flag -----------------------------------------------------------------------------


def test_the_flag_is_a_reliable_rise_since_the_last_measure():
    assert (
        worse_flag(
            readings(
                (0, SELF, {"PHQ-9": 15, "GAD-7": 12}),
                (10, SESSION, {"PHQ-9": 8, "GAD-7": 6}),
                (20, SESSION, {"PHQ-9": 14, "GAD-7": 7}),
            )
        )
        == WORSE_SINCE_LAST
    )


def test_a_rise_just_under_the_threshold_is_no_flag():
    assert (
        worse_flag(
            readings(
                (0, SELF, {"PHQ-9": 15, "GAD-7": 12}),
                (10, SESSION, {"PHQ-9": 8, "GAD-7": 6}),
                (20, SESSION, {"PHQ-9": 13, "GAD-7": 9}),
            )
        )
        == ""
    )


def test_a_slow_rise_is_flagged_against_the_referral():
    assert (
        worse_flag(
            readings(
                (0, SELF, {"PHQ-9": 8, "GAD-7": 6}),
                (10, SESSION, {"PHQ-9": 11, "GAD-7": 8}),
                (20, SESSION, {"PHQ-9": 14, "GAD-7": 9}),
            )
        )
        == WORSE_THAN_AT_REFERRAL
    )


def test_a_pcl5_rise_over_its_index_is_flagged_and_a_wsas_rise_is_not():
    assert worse_flag(readings((0, SELF, {"PCL-5": 30}), (20, CHECK_IN, {"PCL-5": 45}))) == (
        WORSE_SINCE_LAST
    )
    assert worse_flag(readings((0, SELF, {"PCL-5": 30}), (20, CHECK_IN, {"PCL-5": 44}))) == ""
    assert worse_flag(readings((0, SELF, {"WSAS": 5}), (20, CHECK_IN, {"WSAS": 40}))) == ""


def test_the_queue_shows_worse_since_the_last_measure_in_words(client):
    client.force_login(a_hub_member())
    worse = ReferralFactory(status=ReferralStatus.IN_SUPPORT)
    sitting(worse, 0, SELF, PHQ_9=10, GAD_7=8)
    sitting(worse, 10, SESSION, PHQ_9=16, GAD_7=9)
    steady = ReferralFactory(status=ReferralStatus.IN_SUPPORT)
    sitting(steady, 0, SELF, PHQ_9=10, GAD_7=8)
    sitting(steady, 10, SESSION, PHQ_9=11, GAD_7=8)
    response = client.get(reverse("wellbeing:queue"))
    rows = {row.referral.pk: row for row in response.context["queue"].rows}
    assert rows[worse.pk].worse == "Worse since the last measure"
    assert rows[steady.pk].worse == ""
    assert (
        '<strong class="nhsuk-tag nhsuk-tag--orange">Worse since the last measure</strong>'
        in response.content.decode()
    )


def test_the_queue_costs_the_same_queries_with_many_session_scores(client):
    client.force_login(a_hub_member())

    def seed(count: int, sittings: int) -> None:
        referrals = Referral.objects.using(DB).bulk_create(
            ReferralFactory.build(submission_key=uuid.uuid4(), created_at=START)
            for _ in range(count)
        )
        ScreeningResult.objects.using(DB).bulk_create(
            ScreeningResultFactory.build(
                referral=referral,
                instrument=code,
                total=n % 10,
                source=SELF if n == 0 else SESSION,
                taken_at=START + datetime.timedelta(days=n),
            )
            for referral in referrals
            for n in range(sittings)
            for code in ("PHQ-9", "GAD-7")
        )

    def queries() -> tuple[int, int]:
        client.get(reverse("wellbeing:queue"))
        with (
            CaptureQueriesContext(connections["default"]) as default,
            CaptureQueriesContext(connections[DB]) as confidential,
        ):
            assert client.get(reverse("wellbeing:queue")).status_code == 200
        return len(default), len(confidential)

    seed(1, 1)
    few = queries()
    seed(60, 12)
    assert queries() == few


# --- My scores, in my hub -------------------------------------------------------------------------

CLINICAL_LABELS = (
    "moderate",
    "severe",
    "mild",
    "caseness",
    "recover",
    "deteriorat",
    "reliable",
    "clinical threshold",
    "probable PTSD",
    "dependence",
)


def test_my_hub_shows_my_scores_in_plain_words_without_clinical_labels(client, sign_in):
    me = UserFactory(with_profile=True)
    sign_in(me)
    referral = a_referral_from(me, status=ReferralStatus.IN_SUPPORT)
    sitting(referral, 0, SELF, PHQ_9=18, GAD_7=15)
    sitting(referral, 10, SESSION, PHQ_9=10, GAD_7=13)
    ScreeningResult.objects.using(DB).update(band="moderately severe")
    page = client.get(reverse("wellbeing:my_hub")).content.decode()
    scores = page[page.index("Your questionnaire scores") :]
    scores = scores[: scores.index("</table>")]
    assert (
        "Your low mood score has gone down from 18 when you referred yourself to 10. A lower "
        "score means these things have bothered you less." in scores
    )
    assert (
        "Your anxiety score is much the same as when you referred yourself (15 then, 13 now)"
        in (scores)
    )
    assert "18 out of 27" in scores
    assert "13 out of 21" in scores
    assert "Therapy session" in scores
    for label in CLINICAL_LABELS:
        assert label not in scores.lower(), label


def test_a_rise_is_said_plainly_with_where_to_turn():
    said = plain_scores(
        readings((0, SELF, {"PHQ-9": 5, "GAD-7": 4}), (10, SESSION, {"PHQ-9": 12, "GAD-7": 5}))
    ).changes
    assert said[0] == (
        "Your low mood score has gone up from 5 when you referred yourself to 12. A higher score "
        "means these things have bothered you more. If things feel harder, you can tell your "
        "therapist or send the hub a message."
    )


# --- The demo ---------------------------------------------------------------------------------------


def test_the_demo_referrals_show_every_outcome_and_the_flag(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    from wellbeing.queries.outcomes import paired_scores, readings_of

    references = dict(Referral.objects.using(DB).values_list("pk", "reference"))
    paired = paired_scores(references)
    said = {
        references[pk]: [line.words for line in outcome_lines(scores)]
        for pk, scores in paired.items()
    }
    assert said["RH-DEMO-07"][1] == "Recovered (reliable recovery)"
    assert said["RH-DEMO-08"][:2] == ["No reliable change", "Recovery does not apply"]
    assert said["RH-DEMO-09"][0] == "Reliable deterioration: review"
    assert said["RH-DEMO-10"][0].startswith("Reliable improvement")
    assert said["RH-DEMO-11"] == ["No paired score yet"]
    deteriorating = Referral.objects.using(DB).get(reference="RH-DEMO-09")
    assert worse_flag(readings_of(deteriorating.screenings.all())) == WORSE_SINCE_LAST
