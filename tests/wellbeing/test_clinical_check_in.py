"""The staff side of the clinician's work: what my hub shows, and the follow-up check-in."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.wellbeing.clinical_helpers import (
    DB,
    a_referral_from,
    a_service,
    entries_by,
    fresh,
)
from tests.wellbeing.factories import ScreeningResultFactory
from tests.wellbeing.referral_steps import questionnaire
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import (
    FollowUp,
    MeasureSummary,
    OnwardReferral,
    ReferralEventKind,
    ReferralStatus,
    ScreeningResult,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


@pytest.fixture
def me(sign_in):
    user = UserFactory(with_profile=True)
    sign_in(user)
    return user


@pytest.fixture
def my_referral(me):
    referral = a_referral_from(me, status=ReferralStatus.IN_SUPPORT)
    ScreeningResultFactory(referral=referral, taken_at=timezone.now() - datetime.timedelta(days=40))
    return referral


def a_follow_up(
    referral, *, due_in_days: int = 0, label: str = "4 weeks", **fields: object
) -> FollowUp:
    return FollowUp.objects.using(DB).create(
        referral=referral,
        label=label,
        due_on=timezone.localdate() + datetime.timedelta(days=due_in_days),
        **fields,
    )


def check_in_url(follow_up: FollowUp) -> str:
    return reverse("wellbeing:my_hub_check_in", args=[follow_up.pk])


def every_answer(*, risk: bool = False) -> dict[str, str]:
    answers = {}
    for code in INSTRUMENTS:
        for name, value in questionnaire(code, risk=risk).items():
            answers[f"{code.lower()}-{name}"] = value
    return answers


def my_hub_page(client) -> str:
    page: str = client.get(reverse("wellbeing:my_hub")).content.decode()
    return page


# --- What my hub shows --------------------------------------------------------------------------


def test_my_hub_shows_the_signposted_resources_with_links(client, me, my_referral):
    resource = ResourceFactory(title="Sleep after night shifts")
    withdrawn = ResourceFactory(title="An old module", status="archived")
    for signposted in (resource, withdrawn):
        SignpostedResource.objects.using(DB).create(referral=my_referral, resource_id=signposted.pk)
    page = my_hub_page(client)
    assert "Resources the hub suggested" in page
    assert f'<a href="{resource.get_absolute_url()}">Sleep after night shifts</a>' in page
    # No longer published: no longer offered.
    assert "An old module" not in page


def test_my_hub_shows_therapy_sessions_attended_of_planned(client, me, my_referral):
    plan = TherapyPlan.objects.using(DB).create(
        referral=my_referral, modality="cbt", planned_sessions=6, therapist_ref="c" * 64
    )
    for attendance in ("attended", "attended", "did_not_attend"):
        TherapySession.objects.using(DB).create(
            plan=plan, on=timezone.localdate(), attendance=attendance, note="Private note"
        )
    page = my_hub_page(client)
    assert "Cognitive behavioural therapy (CBT)" in page
    assert "2 of 6 sessions attended" in page
    assert "Private note" not in page


def test_my_hub_shows_an_onward_referrals_service_status_and_dates(client, me, my_referral):
    OnwardReferral.objects.using(DB).create(
        referral=my_referral,
        service=a_service("Test community mental health team"),
        status="accepted",
        sent_on=datetime.date(2026, 3, 2),
        status_on=datetime.date(2026, 3, 9),
        note="Clinical summary sent",
    )
    page = my_hub_page(client)
    assert "Test community mental health team" in page
    assert "Accepted on 9 March 2026" in page
    assert "Referral sent on 2 March 2026" in page
    assert "Clinical summary sent" not in page


def test_my_hub_offers_a_check_in_only_when_it_is_due(client, me, my_referral):
    due = a_follow_up(my_referral)
    later = a_follow_up(my_referral, due_in_days=30, label="3 months")
    done = a_follow_up(my_referral, due_in_days=-7, label="Done one", completed_at=timezone.now())
    page = my_hub_page(client)
    assert "Your 4 weeks check-in is ready" in page
    assert check_in_url(due) in page
    for not_offered in (later, done):
        assert check_in_url(not_offered) not in page


def test_my_hub_shows_messages_from_the_hub(client, me, my_referral):
    from tests.wellbeing.factories import HubMessageFactory

    HubMessageFactory(referral=my_referral)
    assert "1 new message" in my_hub_page(client)


# --- The check-in -------------------------------------------------------------------------------


def test_the_check_in_asks_the_self_referrals_questionnaires_and_is_audited(
    client, me, my_referral
):
    follow_up = a_follow_up(my_referral)
    response = client.get(check_in_url(follow_up))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Your 4 weeks check-in" in page
    for instrument in INSTRUMENTS.values():
        assert instrument.purpose in page
    assert entries_by(me) == [
        ("read", "referral", my_referral.pk, "Opened the 4 weeks check-in in my hub")
    ]


def test_a_completed_check_in_adds_scores_to_the_history_and_is_done(client, me, my_referral):
    follow_up = a_follow_up(my_referral)
    response = client.post(check_in_url(follow_up), every_answer())
    assert response.status_code == 200
    assert "Check-in sent" in response.content.decode()
    new = ScreeningResult.objects.using(DB).filter(referral=my_referral).order_by("id")
    assert new.count() == 1 + len(INSTRUMENTS)
    latest = {s.instrument: s for s in new[1:]}
    assert set(latest) == set(INSTRUMENTS)
    assert (latest["PHQ-9"].total, latest["PHQ-9"].answers) == (0, [0] * 9)
    # The reports count the new scores at once: the outcome summary was worked out again.
    summaries = MeasureSummary.objects.using(DB).filter(referral=my_referral)
    assert sum(summaries.values_list("times", flat=True)) == 1 + len(INSTRUMENTS)
    assert summaries.get(instrument="PHQ-9").latest == 0
    assert FollowUp.objects.using(DB).get(pk=follow_up.pk).completed_at is not None
    assert entries_by(me)[-1] == (
        "create",
        "referral",
        my_referral.pk,
        "Completed the 4 weeks check-in in my hub",
    )
    assert fresh(my_referral).urgent is False
    # No longer offered, and a second send is not saved twice.
    assert check_in_url(follow_up) not in my_hub_page(client)
    assert client.post(check_in_url(follow_up), every_answer()).status_code == 404
    assert ScreeningResult.objects.using(DB).filter(referral=my_referral).count() == 6


def test_a_half_answered_check_in_says_what_is_missing_and_saves_nothing(client, me, my_referral):
    follow_up = a_follow_up(my_referral)
    answers = every_answer()
    del answers["gad-7-item_3"]
    response = client.post(check_in_url(follow_up), answers)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"{INSTRUMENTS['GAD-7'].purpose}: Select an answer for question 3" in page
    assert 'href="#id_gad-7-item_3' in page
    assert ScreeningResult.objects.using(DB).filter(referral=my_referral).count() == 1
    assert FollowUp.objects.using(DB).get(pk=follow_up.pk).completed_at is None


def test_a_risk_answer_marks_the_referral_urgent_and_shows_crisis_contacts(
    client, me, my_referral, settings, mailoutbox
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    follow_up = a_follow_up(my_referral)
    response = client.post(check_in_url(follow_up), every_answer(risk=True))
    page = response.content.decode()
    assert "If you are thinking about ending your life" in page
    referral = fresh(my_referral)
    assert referral.urgent is True
    assert list(referral.events.using(DB).values_list("kind", flat=True)) == [
        ReferralEventKind.URGENT
    ]
    # The duty inbox is told at once, without a word of what was answered.
    from portal.outbox.delivery import deliver
    from wellbeing.models import OutboxMessage

    (row,) = OutboxMessage.objects.using(DB).all()
    assert row.urgent
    deliver("wellbeing", [row.pk])
    (alert,) = mailoutbox
    assert alert.to == ["duty@hub.test.nhs.net"]
    assert "check-in" in alert.body
    assert referral.reference not in alert.body


@pytest.mark.parametrize("kind", ["someone else's", "not yet due", "cancelled", "done"])
def test_a_check_in_that_is_not_mine_and_due_is_not_found(client, me, my_referral, kind):
    if kind == "someone else's":
        other = a_referral_from(UserFactory(with_profile=True), status=ReferralStatus.IN_SUPPORT)
        follow_up = a_follow_up(other)
    elif kind == "not yet due":
        follow_up = a_follow_up(my_referral, due_in_days=1)
    elif kind == "cancelled":
        follow_up = a_follow_up(my_referral, cancelled_at=timezone.now())
    else:
        follow_up = a_follow_up(my_referral, completed_at=timezone.now())
    assert client.get(check_in_url(follow_up)).status_code == 404
    assert client.post(check_in_url(follow_up), every_answer()).status_code == 404
    assert ScreeningResult.objects.using(DB).count() == 1


def test_the_check_in_asks_a_signed_out_visitor_to_sign_in(client, my_referral):
    client.logout()
    response = client.get(check_in_url(a_follow_up(my_referral)))
    assert response["Location"].startswith(reverse("account_login"))


def test_a_double_send_is_told_it_is_done(client, me, my_referral, monkeypatch):
    from wellbeing.services import follow_up as follow_up_module

    follow_up = a_follow_up(my_referral)
    real = follow_up_module._due_for

    def completed_meanwhile(user, follow_up_id):
        found = real(user, follow_up_id)
        FollowUp.objects.using(DB).filter(pk=follow_up_id).update(completed_at=timezone.now())
        return found

    monkeypatch.setattr(follow_up_module, "_due_for", completed_meanwhile)
    response = client.post(check_in_url(follow_up), every_answer())
    assert response["Location"] == reverse("wellbeing:my_hub")
    assert "You have already answered this check-in. Thank you." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    assert ScreeningResult.objects.using(DB).count() == 1
