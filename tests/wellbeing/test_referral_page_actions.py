"""The referral page offers a clinician only what the referral's state allows: every link it
offers opens, and every action page it leaves out would have refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.wellbeing.clinical_helpers import DB, a_hub_member, a_referral_in, a_service
from wellbeing.models import OnwardReferral, ReferralStatus, TherapyPlan

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

ACTION_PAGES = (
    "referral_contact",
    "referral_assess",
    "referral_urgent",
    "referral_appointment_new",
    "referral_signpost",
    "referral_therapy",
    "referral_onward",
    "referral_team_support",
    "referral_message",
    "referral_close",
)


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def a_referral_with_support_in(status: str):
    """A referral in `status` with an open therapy plan and an onward referral, so that the
    session and onward-status pages have something to be offered for."""
    referral = a_referral_in(status)
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="c" * 64
    )
    onward = OnwardReferral.objects.using(DB).create(referral=referral, service=a_service())
    return referral, plan, onward


def every_action_page(referral, plan, onward) -> set[str]:
    return {reverse(f"wellbeing:{name}", args=[referral.pk]) for name in ACTION_PAGES} | {
        reverse("wellbeing:referral_therapy_session", args=[referral.pk, plan.pk]),
        reverse("wellbeing:referral_onward_status", args=[referral.pk, onward.pk]),
    }


def links_offered(client, referral) -> set[str]:
    page = client.get(reverse("wellbeing:referral", args=[referral.pk]))
    assert page.status_code == 200
    prefix = reverse("wellbeing:referral", args=[referral.pk])
    return set(re.findall(rf'href="({re.escape(prefix)}[^"]+)"', page.content.decode()))


@pytest.mark.parametrize("status", list(ReferralStatus.values))
def test_every_action_the_referral_page_offers_opens_and_none_is_refused(client, clinician, status):
    referral, plan, onward = a_referral_with_support_in(status)
    offered = links_offered(client, referral)
    assert offered <= every_action_page(referral, plan, onward)
    for link in sorted(offered):
        response = client.get(link)
        assert response.status_code == 200, f"{status}: {link} was refused"
    # And nothing is missing: every page it leaves out refuses this state, sending the
    # clinician back to the referral with the reason.
    for link in sorted(every_action_page(referral, plan, onward) - offered):
        response = client.get(link)
        assert response.status_code == 302, f"{status}: {link} opens but is not offered"
        assert response["Location"] == reverse("wellbeing:referral", args=[referral.pk])


def test_a_referral_being_assessed_offers_the_assessment_but_no_support_yet(client, clinician):
    referral, _plan, _onward = a_referral_with_support_in(ReferralStatus.IN_ASSESSMENT)
    assert links_offered(client, referral) == {
        reverse(f"wellbeing:{name}", args=[referral.pk])
        for name in (
            "referral_contact",
            "referral_assess",
            "referral_urgent",
            "referral_message",
            "referral_close",
        )
    }


def test_a_withdrawn_referral_offers_nothing_to_record(client, clinician):
    referral, _plan, _onward = a_referral_with_support_in(ReferralStatus.WITHDRAWN)
    assert links_offered(client, referral) == set()
