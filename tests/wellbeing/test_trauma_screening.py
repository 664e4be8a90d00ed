"""One question before the PCL-5: only people who say something traumatic or very distressing
happened (or prefer not to say) are given its 20 questions, and a PCL-5 not asked is said as
such everywhere, never shown as a score of 0 (hazard log H14)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import DB, a_hub_member, a_referral_from
from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from tests.wellbeing.referral_steps import answer_every_page, questionnaire, send, step_url
from wellbeing.instruments import INSTRUMENTS, TRAUMATIC_EVENT, is_asked, not_asked
from wellbeing.models import FollowUp, Referral, ReferralStatus, ScreeningResult
from wellbeing.queries import my_hub

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

NOT_ASKED = "Not asked: said no traumatic event"
NO_EVENT = {"traumatic_event": "no"}


@pytest.fixture
def member(client, staff_user):
    client.force_login(staff_user)
    return staff_user


# --- The rule itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "asked"),
    [("yes", True), ("prefer_not_to_say", True), ("no", False), (None, True), ("", True)],
)
def test_the_pcl5_is_skipped_only_after_a_plain_no(answer, asked):
    answers = {} if answer is None else {"traumatic_event": answer}
    assert is_asked("PCL-5", answers) is asked
    assert [q.instrument for q in not_asked(answers)] == ([] if asked else ["PCL-5"])


def test_every_other_questionnaire_is_always_asked():
    for code in INSTRUMENTS:
        if code != "PCL-5":
            assert is_asked(code, NO_EVENT)


# --- Self-referral --------------------------------------------------------------------------------


def test_the_question_comes_just_before_the_pcl5_and_needs_an_answer(client, member):
    answer_every_page(client)
    assert client.post(step_url("gad-7"), questionnaire("GAD-7"))["Location"] == step_url("trauma")
    response = client.post(step_url("trauma"), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert TRAUMATIC_EVENT.question in page
    assert page.count("Select yes, no or prefer not to say") == 2  # the summary and the field
    assert client.post(step_url("trauma"), {"traumatic_event": "maybe"}).status_code == 200


def test_saying_no_skips_the_pcl5_and_sends_the_referral_without_one(client, member):
    answer_every_page(client, trauma=NO_EVENT)
    # The pages go from the question straight on to AUDIT-C, and back again.
    assert client.post(step_url("trauma"), NO_EVENT)["Location"] == step_url("audit-c")
    back = client.get(step_url("audit-c")).content.decode()
    assert f'href="{step_url("trauma")}"' in back
    assert "Questionnaire 3 of 4" in back
    # The PCL-5's own address leads on rather than asking it.
    assert client.get(step_url("pcl-5"))["Location"] == step_url("audit-c")
    send(client)
    referral = Referral.objects.using(DB).get()
    assert referral.traumatic_event == "no"
    assert sorted(s.instrument for s in referral.screenings.all()) == [
        "AUDIT-C",
        "GAD-7",
        "PHQ-9",
        "WSAS",
    ]


@pytest.mark.parametrize("answer", ["yes", "prefer_not_to_say"])
def test_yes_or_prefer_not_to_say_asks_the_pcl5(client, member, answer):
    answer_every_page(client, trauma={"traumatic_event": answer})
    assert client.post(step_url("trauma"), {"traumatic_event": answer})["Location"] == step_url(
        "pcl-5"
    )
    send(client)
    referral = Referral.objects.using(DB).get()
    assert referral.traumatic_event == answer
    assert referral.screenings.filter(instrument="PCL-5").count() == 1


def test_answers_given_before_changing_to_no_are_never_sent(client, member):
    answer_every_page(client)  # yes, and the PCL-5 answered
    response = client.post(step_url("trauma") + "?change=1", NO_EVENT)
    assert response["Location"] == reverse("wellbeing:refer_check")
    send(client)
    assert not ScreeningResult.objects.using(DB).filter(instrument="PCL-5").exists()


def test_check_your_answers_says_the_pcl5_was_not_asked_and_never_gives_it_a_score(client, member):
    answer_every_page(client, trauma=NO_EVENT)
    page = client.get(reverse("wellbeing:refer_check")).content.decode()
    assert TRAUMATIC_EVENT.question in page
    assert INSTRUMENTS["PCL-5"].purpose in page
    assert NOT_ASKED in page
    assert "All 20 questions answered" not in page


def test_changing_no_to_yes_asks_the_pcl5_then_returns_to_check_your_answers(client, member):
    answer_every_page(client, trauma=NO_EVENT)
    response = client.post(step_url("trauma") + "?change=1", {"traumatic_event": "yes"})
    assert response["Location"] == step_url("pcl-5") + "?change=1"
    assert client.get(reverse("wellbeing:refer_check"))["Location"] == step_url("pcl-5")
    response = client.post(step_url("pcl-5") + "?change=1", questionnaire("PCL-5"))
    assert response["Location"] == reverse("wellbeing:refer_check")
    assert client.get(reverse("wellbeing:refer_check")).status_code == 200


# --- What the hub sees ----------------------------------------------------------------------------


@pytest.fixture
def referral_without_pcl5():
    referral = ReferralFactory(reference="RH-NOPC-0001", traumatic_event="no")
    for code in ("PHQ-9", "GAD-7", "AUDIT-C", "WSAS"):
        ScreeningResultFactory(referral=referral, instrument=code, total=0, band="minimal")
    return referral


def test_the_referral_page_says_the_pcl5_was_not_asked_rather_than_a_score(
    client, referral_without_pcl5
):
    client.force_login(a_hub_member())
    page = client.get(reverse("wellbeing:referral", args=[referral_without_pcl5.pk]))
    text = page.content.decode()
    assert ">PCL-5</th>" in text
    assert NOT_ASKED in text
    assert "below threshold" not in text
    assert "Something traumatic or very distressing happened" in text


def test_the_queue_says_the_pcl5_was_not_asked(client, referral_without_pcl5):
    client.force_login(a_hub_member())
    page = client.get(reverse("wellbeing:queue")).content.decode()
    assert "PCL-5: not asked: said no traumatic event" in page


def test_a_referral_from_before_the_question_shows_no_not_asked_line(client):
    older = ReferralFactory(reference="RH-OLDR-0001")
    ScreeningResultFactory(referral=older, instrument="PCL-5", total=12, band="below threshold")
    client.force_login(a_hub_member())
    text = client.get(reverse("wellbeing:referral", args=[older.pk])).content.decode()
    assert NOT_ASKED not in text
    assert "below threshold" in text


# --- What the member of staff sees ----------------------------------------------------------------


def test_a_check_in_asks_no_pcl5_of_someone_who_said_no(client, sign_in):
    me = UserFactory(with_profile=True)
    sign_in(me)
    referral = a_referral_from(me, status=ReferralStatus.IN_SUPPORT, traumatic_event="no")
    ScreeningResultFactory(referral=referral, taken_at=timezone.now() - datetime.timedelta(days=40))
    due = FollowUp.objects.using(DB).create(
        referral=referral, label="4 weeks", due_on=timezone.localdate()
    )
    url = reverse("wellbeing:my_hub_check_in", args=[due.pk])
    page = client.get(url).content.decode()
    assert INSTRUMENTS["PCL-5"].purpose not in page
    assert INSTRUMENTS["AUDIT-C"].purpose in page
    answers = {
        f"{code.lower()}-{name}": value
        for code in INSTRUMENTS
        if code != "PCL-5"
        for name, value in questionnaire(code).items()
    }
    assert client.post(url, answers).status_code == 200
    taken = ScreeningResult.objects.using(DB).filter(referral=referral, taken_at__date=due.due_on)
    assert "PCL-5" not in {s.instrument for s in taken}
    assert taken.count() == len(INSTRUMENTS) - 1


def test_my_data_download_says_the_pcl5_was_not_asked(staff_user):
    a_referral_from(staff_user, traumatic_event="no")
    [exported] = my_hub.export_for(staff_user)["referrals"]
    assert exported["questionnaires_not_asked"] == [{"instrument": "PCL-5", "why": NOT_ASKED}]
