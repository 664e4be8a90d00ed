"""The research question and the kind of organisation, at self-referral and in my hub: optional,
shown on check your answers, kept by the draft, changeable and withdrawable at any time."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.wellbeing.factories import a_referral_for, a_staff_member
from tests.wellbeing.referral_steps import PAGES, answer_every_page, send, step_url
from tests.wellbeing.test_research_extract import a_consented_referral, a_study
from wellbeing.models import AuditAction, AuditEntry, Referral, ReferralDraft
from wellbeing.pseudonyms import staff_ref_for, study_pseudonyms
from wellbeing.queries.research_extract import extract_for

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])
DB = "confidential"
CHECK = reverse("wellbeing:refer_check")
MY_HUB_RESEARCH = reverse("wellbeing:my_hub_research")


@pytest.fixture
def member(client, staff_user):
    client.force_login(staff_user)
    return staff_user


@pytest.fixture
def me(sign_in):
    """Signed in just now: my hub asks for a recent sign-in."""
    user = a_staff_member()
    sign_in(user)
    return user


def the_referral() -> Referral:
    return Referral.objects.using(DB).get()


# --- At self-referral ---------------------------------------------------------------------------


def test_the_research_question_is_optional_and_unanswered_is_never_a_yes(client, member):
    page = client.get(step_url("consent")).content.decode()
    assert "May the hub use your answers, without your name or contact details, for research" in (
        page
    )
    assert "(optional)" in page
    answer_every_page(client)  # the consent page posted without a research answer
    check = client.get(CHECK).content.decode()
    assert "Not answered (your answers will not be used for research)" in check
    send(client)
    referral = the_referral()
    assert referral.research_consent is None
    assert referral.research_consent_changed_at is None


def test_a_yes_and_the_kind_of_organisation_are_kept_shown_and_sent(client, member):
    answer_every_page(
        client,
        consent={"consent": "on", "research_consent": "yes"},
        work={**PAGES["work"], "sector": "care_home"},
    )
    draft = ReferralDraft.objects.using(DB).get().data
    assert draft["consent"]["research_consent"] == "yes"
    assert draft["work"]["sector"] == "care_home"
    check = client.get(CHECK).content.decode()
    assert "Yes, the hub may use my answers for research" in check
    assert "A care home or home care provider" in check
    assert f'href="{step_url("consent")}?change=1"' in check
    assert 'Change<span class="nhsuk-u-visually-hidden"> research</span>' in check
    assert 'Change<span class="nhsuk-u-visually-hidden"> kind of organisation</span>' in check
    before = timezone.now()
    send(client)
    referral = the_referral()
    assert referral.research_consent is True
    assert referral.research_consent_changed_at is not None
    assert referral.research_consent_changed_at >= before
    assert referral.sector == "care_home"


def test_the_answer_can_be_changed_from_check_your_answers(client, member):
    answer_every_page(client, consent={"consent": "on", "research_consent": "yes"})
    page = client.get(f"{step_url('consent')}?change=1").content.decode()
    (yes,) = re.findall(r'<input[^>]*name="research_consent"[^>]*value="yes"[^>]*>', page)
    assert "checked" in yes
    response = client.post(
        f"{step_url('consent')}?change=1", {"consent": "on", "research_consent": "no"}
    )
    assert response["Location"] == CHECK
    assert ReferralDraft.objects.using(DB).get().data["consent"]["research_consent"] == "no"
    send(client)
    assert the_referral().research_consent is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("research_consent", "maybe", "Select yes if the hub may use your answers for research"),
        ("sector", "spaceship", "Select the kind of organisation you work for"),
    ],
)
def test_an_answer_that_was_not_offered_is_refused_plainly(client, member, field, value, message):
    slug = "consent" if field == "research_consent" else "work"
    payload = {**PAGES[slug], field: value}
    response = client.post(step_url(slug), payload)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_saying_no_to_research_still_sends_the_referral(client, member):
    answer_every_page(client, consent={"consent": "on", "research_consent": "no"})
    send(client)
    assert the_referral().research_consent is False


# --- In my hub ----------------------------------------------------------------------------------


def test_my_hub_shows_the_answer_and_links_to_change_it(client, me):
    a_referral_for(me, research_consent=True, research_consent_changed_at=timezone.now())
    page = client.get(reverse("wellbeing:my_hub")).content.decode()
    assert "Yes: the hub may use your answers" in page
    assert f'href="{MY_HUB_RESEARCH}"' in page


def test_withdrawing_in_my_hub_is_recorded_with_its_time_audited_and_said_plainly(client, me):
    first = a_referral_for(me, research_consent=True, research_consent_changed_at=timezone.now())
    second = a_referral_for(me, research_consent=None)
    someone_else = a_consented_referral()
    page = client.get(MY_HUB_RESEARCH).content.decode()
    assert "Saying no takes you out of every research extract made from now on" in page
    before = timezone.now()
    response = client.post(MY_HUB_RESEARCH, {"research_consent": "no"}, follow=True)
    assert "Your answers will be left out of every research extract made from now on" in (
        response.content.decode()
    )
    for referral in (first, second):
        referral.refresh_from_db()
        assert referral.research_consent is False
        assert referral.research_consent_changed_at is not None
        assert referral.research_consent_changed_at >= before
    someone_else.refresh_from_db()
    assert someone_else.research_consent is True
    entries = AuditEntry.objects.using(DB).filter(
        actor_ref=staff_ref_for(me.pk), action=AuditAction.UPDATE
    )
    assert {entry.object_id for entry in entries} == {first.pk, second.pk}
    assert {entry.reason for entry in entries} == {"Withdrew in my hub their agreement to research"}


def test_a_withdrawn_person_is_absent_from_every_later_extract(client, me):
    mine = a_referral_for(
        me,
        research_consent=True,
        created_at=timezone.now() - datetime.timedelta(days=20),
        research_consent_changed_at=timezone.now(),
        equality_monitoring={"sex": "female", "ethnic_group": "white", "age_band": "35_44"},
        sector="nhs_trust",
    )
    for _ in range(5):
        a_consented_referral(outcome="")
    study = a_study()
    my_pseudonym = study_pseudonyms(study.pseudonym_salt, [mine.pk])[mine.pk]
    assert my_pseudonym in {row["pseudonym"] for row in extract_for(study).rows}
    client.post(MY_HUB_RESEARCH, {"research_consent": "no"})
    later = extract_for(study)
    assert my_pseudonym not in {row["pseudonym"] for row in later.rows}
    assert later.consented == 5
    # And saying yes again brings them back into the next one.
    client.post(MY_HUB_RESEARCH, {"research_consent": "yes"})
    assert my_pseudonym in {row["pseudonym"] for row in extract_for(study).rows}


def test_the_my_hub_answer_is_required_on_its_own_page(client, me):
    a_referral_for(me)
    response = client.post(MY_HUB_RESEARCH, {})
    assert response.status_code == 400
    assert "Select yes if the hub may use your answers for research" in response.content.decode()


def test_a_repeated_post_changes_once(client, me):
    a_referral_for(me, research_consent=True)
    key = "8c4f6b2e-3f7a-4d7e-9a51-6a1c2b3d4e5f"
    for _ in range(2):
        client.post(MY_HUB_RESEARCH, {"research_consent": "no", "submission_key": key})
    assert AuditEntry.objects.using(DB).filter(action=AuditAction.UPDATE).count() == 1


def test_someone_without_a_referral_is_told_where_the_question_is_asked(client, me):
    response = client.get(MY_HUB_RESEARCH, follow=True)
    assert "The research question is asked when you refer yourself" in response.content.decode()
