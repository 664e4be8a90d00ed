"""Measures at every direct-therapy session (issue 14, ADR 0039): the clinician's totals when
recording a session, the member of staff's answers in my hub before a booked one, and the risk
path a PHQ-9 question 9 answer takes from either (hazard log H15)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.outbox.delivery import deliver
from tests.factories import UserFactory
from tests.wellbeing.clinical_helpers import DB, a_hub_member, a_referral_from, entries_by, fresh
from tests.wellbeing.factories import ScreeningResultFactory
from tests.wellbeing.referral_steps import questionnaire
from wellbeing.models import (
    Appointment,
    AppointmentStatus,
    OutboxMessage,
    OutcomeSummary,
    ReferralEventKind,
    ReferralStatus,
    ScoreSource,
    ScreeningResult,
    TherapyPlan,
    TherapySession,
)
from wellbeing.queries.outcomes import paired_scores
from wellbeing.referral_states import NotAllowed
from wellbeing.services import appointments, clinical, session_measures
from wellbeing.services.session_measures import SessionTotals

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


@pytest.fixture
def staff_member():
    return UserFactory(with_profile=True)


@pytest.fixture
def referral(staff_member):
    referral = a_referral_from(
        staff_member,
        status=ReferralStatus.IN_SUPPORT,
        created_at=timezone.now() - datetime.timedelta(days=30),
    )
    for code, total in (("PHQ-9", 15), ("GAD-7", 12)):
        ScreeningResultFactory(
            referral=referral,
            instrument=code,
            total=total,
            band="",
            answers=[],
            taken_at=referral.created_at,
            source=ScoreSource.SELF_REFERRAL,
        )
    return referral


@pytest.fixture
def plan(referral):
    return TherapyPlan.objects.using(DB).create(
        referral=referral,
        modality="cbt",
        planned_sessions=6,
        therapist_ref="t" * 64,
        started_on=timezone.localdate() - datetime.timedelta(days=20),
    )


def an_appointment(referral, plan, *, hours: float) -> Appointment:
    return Appointment.objects.using(DB).create(
        referral=referral,
        plan=plan,
        clinician_ref="c" * 64,
        starts_at=timezone.now() + datetime.timedelta(hours=hours),
        minutes=50,
        mode="video",
    )


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def attendance_url(referral, appointment) -> str:
    return reverse("wellbeing:referral_appointment_attendance", args=[referral.pk, appointment.pk])


def session_scores(referral) -> dict[str, int]:
    return dict(
        ScreeningResult.objects.using(DB)
        .filter(referral=referral, source=ScoreSource.SESSION)
        .values_list("instrument", "total")
    )


# --- The clinician records a session ---------------------------------------------------------


def test_recording_attendance_with_totals_saves_a_session_sitting_that_pairs(
    client, clinician, referral, plan
):
    appointment = an_appointment(referral, plan, hours=-2)
    response = client.post(
        attendance_url(referral, appointment),
        {"attendance": "attended", "phq9_total": "8", "phq9_item_9": "0", "gad7_total": "6"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert session_scores(referral) == {"PHQ-9": 8, "GAD-7": 6}
    session = TherapySession.objects.using(DB).get()
    assert set(session.scores.values_list("instrument", flat=True)) == {"PHQ-9", "GAD-7"}
    # The totals were typed, not the items, and question 9 is kept with the PHQ-9.
    phq9 = ScreeningResult.objects.using(DB).get(source=ScoreSource.SESSION, instrument="PHQ-9")
    assert phq9.answers == {"entered_as": "total", "item_9": 0}
    assert phq9.band == "mild"
    assert phq9.taken_at == appointment.starts_at
    paired = paired_scores([referral.pk])[referral.pk]
    assert paired.last == {"PHQ-9": 8, "GAD-7": 6}
    assert paired.outcome is not None
    assert paired.outcome.reliable_recovery is True
    # The reports count it at once: the referral's outcome summary was worked out again.
    summary = OutcomeSummary.objects.using(DB).get(referral=referral)
    assert (summary.paired, summary.reliably_recovered) == (True, True)
    assert fresh(referral).urgent is False


def test_a_session_may_be_recorded_without_scores(client, clinician, referral, plan):
    appointment = an_appointment(referral, plan, hours=-2)
    response = client.post(attendance_url(referral, appointment), {"attendance": "attended"})
    assert response.status_code == 302
    assert session_scores(referral) == {}


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"phq9_total": "28", "phq9_item_9": "0"}, "phq9_total", "from 0 to 27"),
        ({"phq9_total": "-1", "phq9_item_9": "0"}, "phq9_total", "from 0 to 27"),
        ({"phq9_total": "eight", "phq9_item_9": "0"}, "phq9_total", "from 0 to 27"),
        ({"gad7_total": "22"}, "gad7_total", "The GAD-7 total must be a whole number from 0 to 21"),
        ({"gad7_total": "7.5"}, "gad7_total", "from 0 to 21"),
        ({"phq9_total": "2", "phq9_item_9": "3"}, "phq9_total", "cannot be less than the answer"),
        ({"phq9_total": "12"}, "phq9_item_9", "a total alone cannot show risk"),
        ({"phq9_item_9": "1"}, "phq9_total", "Enter the PHQ-9 total"),
        ({"phq9_total": "12", "phq9_item_9": "4"}, "phq9_item_9", "Select the answer"),
    ],
)
def test_impossible_totals_get_a_message_beside_the_field(
    client, clinician, referral, plan, posted, field, message
):
    appointment = an_appointment(referral, plan, hours=-2)
    response = client.post(
        attendance_url(referral, appointment), {"attendance": "attended", **posted}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert message in response.content.decode()
    assert session_scores(referral) == {}
    assert Appointment.objects.using(DB).get().status == AppointmentStatus.BOOKED


def test_scores_for_a_session_not_attended_are_refused(client, clinician, referral, plan):
    appointment = an_appointment(referral, plan, hours=-2)
    response = client.post(
        attendance_url(referral, appointment),
        {"attendance": "did_not_attend", "gad7_total": "9"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "gad7_total": ["Scores can be recorded only for a session that was attended"]
    }
    with pytest.raises(NotAllowed, match="attended"):
        appointments.do_record_attendance(
            referral=referral,
            acting_user=a_hub_member(),
            appointment=appointment,
            attendance="did_not_attend",
            measures=SessionTotals(gad7=9),
        )


def test_a_risk_answer_at_a_session_marks_the_referral_urgent_and_alerts_the_duty_inbox(
    client, clinician, referral, plan, settings, mailoutbox
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    appointment = an_appointment(referral, plan, hours=-2)
    response = client.post(
        attendance_url(referral, appointment),
        {"attendance": "attended", "phq9_total": "3", "phq9_item_9": "1", "gad7_total": "2"},
    )
    assert response.status_code == 302
    updated = fresh(referral)
    assert updated.urgent is True
    assert ReferralEventKind.URGENT in updated.events.using(DB).values_list("kind", flat=True)
    assert ScreeningResult.objects.using(DB).get(source="session", instrument="PHQ-9").risk
    (row,) = OutboxMessage.objects.using(DB).all()
    assert row.urgent
    assert row.idempotency_key.startswith("session:")
    deliver("wellbeing", [row.pk])
    (alert,) = mailoutbox
    assert alert.to == ["duty@hub.test.nhs.net"]
    assert referral.reference not in alert.body
    assert "PHQ" not in alert.body


def test_logging_a_session_by_hand_takes_its_measures(client, clinician, referral, plan):
    day = timezone.localdate() - datetime.timedelta(days=2)
    url = reverse("wellbeing:referral_therapy_session", args=[referral.pk, plan.pk])
    response = client.post(
        url,
        {
            "on_day": str(day.day),
            "on_month": str(day.month),
            "on_year": str(day.year),
            "attendance": "attended",
            "phq9_total": "14",
            "phq9_item_9": "0",
            "gad7_total": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert session_scores(referral) == {"PHQ-9": 14, "GAD-7": 10}
    (taken,) = set(
        ScreeningResult.objects.using(DB)
        .filter(source="session")
        .values_list("taken_at", flat=True)
    )
    assert timezone.localdate(taken) == day
    assert ("update", "referral", referral.pk, "Logged a therapy session") in entries_by(clinician)


def test_the_service_refuses_totals_the_form_would_refuse(referral, plan):
    clinician = a_hub_member()
    for totals, problem in (
        (SessionTotals(phq9=30, phq9_item_9=0), "from 0 to 27"),
        (SessionTotals(phq9=12), "question 9"),
        (SessionTotals(phq9=1, phq9_item_9=2), "cannot be less"),
    ):
        with pytest.raises(NotAllowed, match=problem):
            clinical.do_log_therapy_session(
                referral=referral,
                acting_user=clinician,
                plan=plan,
                on=timezone.localdate(),
                attendance="attended",
                measures=totals,
            )
    assert TherapySession.objects.using(DB).count() == 0


# --- Before your session, in my hub ---------------------------------------------------------------


@pytest.fixture
def me(sign_in, staff_member):
    sign_in(staff_member)
    return staff_member


def before_url(appointment) -> str:
    return reverse("wellbeing:my_hub_before_session", args=[appointment.pk])


def session_answers(*, risk: bool = False) -> dict[str, str]:
    return {
        f"{code.lower()}-{name}": value
        for code in session_measures.SESSION_CODES
        for name, value in questionnaire(code, risk=risk).items()
    }


def test_the_staff_member_answers_before_a_booked_session_in_my_hub_once(
    client, me, referral, plan
):
    appointment = an_appointment(referral, plan, hours=20)
    page = client.get(reverse("wellbeing:my_hub")).content.decode()
    assert "Before your session on" in page
    assert before_url(appointment) in page
    form = client.get(before_url(appointment))
    assert form.status_code == 200
    assert "Low mood (PHQ-9)" in form.content.decode()
    assert "Anxiety (GAD-7)" in form.content.decode()
    done = client.post(before_url(appointment), session_answers())
    assert done.status_code == 200
    assert "Answers sent" in done.content.decode()
    assert "If you are thinking about ending your life" not in done.content.decode()
    assert session_scores(referral) == {"PHQ-9": 0, "GAD-7": 0}
    assert set(
        ScreeningResult.objects.using(DB)
        .filter(source="session")
        .values_list("appointment_id", flat=True)
    ) == {appointment.pk}
    # Once: a second post, and the my hub task, are gone.
    again = client.post(before_url(appointment), session_answers())
    assert again.status_code == 302
    assert session_scores(referral) == {"PHQ-9": 0, "GAD-7": 0}
    assert before_url(appointment) not in client.get(reverse("wellbeing:my_hub")).content.decode()
    assert (
        "create",
        "referral",
        referral.pk,
        "Answered the questionnaires before a therapy session in my hub",
    ) in entries_by(me)


def test_a_risk_answer_before_a_session_shows_crisis_contacts_and_marks_urgent(
    client, me, referral, plan, settings
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    appointment = an_appointment(referral, plan, hours=20)
    response = client.post(before_url(appointment), session_answers(risk=True))
    page = response.content.decode()
    assert "If you are thinking about ending your life" in page
    assert "Call Samaritans" in page
    assert fresh(referral).urgent is True
    (row,) = OutboxMessage.objects.using(DB).all()
    assert row.urgent
    assert row.idempotency_key == f"appointment:{appointment.pk}:pre-session:risk-alert"


def test_an_unanswered_question_before_a_session_is_said_beside_it(client, me, referral, plan):
    appointment = an_appointment(referral, plan, hours=20)
    answers = session_answers()
    del answers["phq-9-item_9"]
    response = client.post(before_url(appointment), answers)
    assert response.status_code == 400
    assert "Low mood (PHQ-9): Select an answer for question 9" in response.content.decode()
    assert session_scores(referral) == {}


@pytest.mark.parametrize(
    "kind", ["more than two days ahead", "started", "cancelled", "someone else's", "answered"]
)
def test_my_hub_offers_the_questions_only_within_two_days_of_my_booked_session(
    client, me, referral, plan, kind
):
    hours = {"more than two days ahead": 49, "started": -1}.get(kind, 20)
    owner = referral
    if kind == "someone else's":
        owner = a_referral_from(UserFactory(with_profile=True), status=ReferralStatus.IN_SUPPORT)
        plan = TherapyPlan.objects.using(DB).create(
            referral=owner, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
        )
    appointment = an_appointment(owner, plan, hours=hours)
    if kind == "cancelled":
        Appointment.objects.using(DB).filter(pk=appointment.pk).update(
            status=AppointmentStatus.CANCELLED
        )
    if kind == "answered":
        ScreeningResultFactory(
            referral=owner, instrument="PHQ-9", appointment=appointment, source="session"
        )
    before = ScreeningResult.objects.using(DB).count()
    assert client.get(before_url(appointment)).status_code == 404
    assert client.post(before_url(appointment), session_answers()).status_code == 302
    assert ScreeningResult.objects.using(DB).count() == before
    assert before_url(appointment) not in client.get(reverse("wellbeing:my_hub")).content.decode()


def test_answers_from_my_hub_become_the_sessions_scores_when_attendance_is_recorded(
    client, referral, plan, sign_in, staff_member
):
    appointment = an_appointment(referral, plan, hours=20)
    session_measures.do_complete_pre_session(
        user=staff_member,
        appointment_id=appointment.pk,
        answers={"PHQ-9": [1, 1, 1, 1, 1, 1, 1, 0, 0], "GAD-7": [1, 1, 1, 1, 1, 0, 0]},
    )
    Appointment.objects.using(DB).filter(pk=appointment.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    clinician = a_hub_member()
    client.force_login(clinician)
    page = client.get(attendance_url(referral, appointment)).content.decode()
    assert (
        "Before this session they answered the questionnaires in my hub: PHQ-9 7, GAD-7 5" in page
    )
    assert 'name="phq9_total"' not in page
    response = client.post(attendance_url(referral, appointment), {"attendance": "attended"})
    assert response.status_code == 302
    session = TherapySession.objects.using(DB).get()
    assert dict(session.scores.values_list("instrument", "total")) == {"PHQ-9": 7, "GAD-7": 5}
    # Totals posted anyway (an old page) are refused rather than making a second sitting.
    other = an_appointment(referral, plan, hours=20)
    session_measures.do_complete_pre_session(
        user=staff_member,
        appointment_id=other.pk,
        answers={"PHQ-9": [0] * 9, "GAD-7": [0] * 7},
    )
    Appointment.objects.using(DB).filter(pk=other.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with pytest.raises(NotAllowed, match="already answered in my hub"):
        appointments.do_record_attendance(
            referral=referral,
            acting_user=clinician,
            appointment=Appointment.objects.using(DB).get(pk=other.pk),
            attendance="attended",
            measures=SessionTotals(gad7=3),
        )
    assert ScreeningResult.objects.using(DB).filter(source="session").count() == 4
    assert Appointment.objects.using(DB).get(pk=other.pk).status == AppointmentStatus.BOOKED
