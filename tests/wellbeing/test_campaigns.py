"""Outreach campaigns: who they reach, sending once and slowly, the counts, and who may run them."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal import roles
from portal.models import StaffGroup, User
from portal.outbox import delivery
from portal.outbox.models import SkipReason, Status
from portal.outbox.tasks import deliver_messages
from tests.factories import StaffProfileFactory, UserFactory
from tests.submission_keys import a_key
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import (
    AuditEntry,
    Campaign,
    CampaignStatus,
    OptOut,
    OutboxMessage,
    ReferralDraft,
    ReferralStatus,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import campaigns, outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

TRUST = "North Trust NHS Foundation Trust"
COUNCIL = "Riverside Council adult social care"
NURSES = StaffGroup.NURSING_MIDWIFERY_REGISTERED
ESTATES = StaffGroup.ESTATES_ANCILLARY


def a_member(group: str = NURSES, organisation: str = TRUST, **fields: object) -> User:
    user: User = UserFactory(**fields)
    StaffProfileFactory(user=user, staff_group=group, organisation=organisation)
    return user


def a_hub_lead() -> User:
    """In a staff group and organisation of their own, so only "everyone" reaches them."""
    user: User = UserFactory(roles=[roles.HUB_LEAD], with_totp=True)
    StaffProfileFactory(
        user=user, staff_group=StaffGroup.MEDICAL_DENTAL, organisation="The Resilience Hub"
    )
    return user


def a_campaign(lead: User | None = None, **audience: object) -> Campaign:
    fields = {"everyone": False, "staff_groups": [], "organisations": [], **audience}
    return campaigns.do_create_campaign(
        name="Winter check-in",
        acting_user=lead or a_hub_lead(),
        **fields,  # type: ignore[arg-type]
    )


def rows_for(campaign: Campaign):
    return OutboxMessage.objects.using("confidential").filter(campaign=campaign)


def start(campaign: Campaign, lead: User | None = None) -> int:
    return campaigns.do_start_campaign(campaign=campaign, acting_user=lead or a_hub_lead())


def reread(campaign: Campaign) -> Campaign:
    return Campaign.objects.using("confidential").get(pk=campaign.pk)


# --- Who a campaign reaches --------------------------------------------------------------------


def test_chosen_staff_groups_reach_only_people_in_those_groups():
    nurse, porter = a_member(NURSES), a_member(ESTATES)
    a_member(StaffGroup.MEDICAL_DENTAL)
    reached = campaigns.audience(everyone=False, staff_groups=[NURSES, ESTATES], organisations=[])
    assert set(reached) == {nurse, porter}


def test_chosen_organisations_reach_only_people_who_work_there():
    at_council = a_member(organisation=COUNCIL)
    a_member(organisation=TRUST)
    reached = campaigns.audience(everyone=False, staff_groups=[], organisations=[COUNCIL])
    assert list(reached) == [at_council]


def test_groups_and_organisations_together_reach_people_who_match_both():
    nurse_at_council = a_member(NURSES, COUNCIL)
    a_member(NURSES, TRUST)
    a_member(ESTATES, COUNCIL)
    reached = campaigns.audience(everyone=False, staff_groups=[NURSES], organisations=[COUNCIL])
    assert list(reached) == [nurse_at_council]


def test_everyone_reaches_every_active_account_with_a_profile_and_no_one_else():
    nurse, porter = a_member(NURSES), a_member(ESTATES, COUNCIL)
    a_member(NURSES, is_active=False)  # left: cannot sign in, would get nothing
    UserFactory()  # never finished signing up: no profile
    assert set(campaigns.audience(everyone=True, staff_groups=[], organisations=[])) == {
        nurse,
        porter,
    }


def test_inactive_people_in_a_chosen_group_are_left_out():
    nurse = a_member(NURSES)
    a_member(NURSES, is_active=False)
    assert list(campaigns.audience(everyone=False, staff_groups=[NURSES], organisations=[])) == [
        nurse
    ]


def test_an_audience_with_nothing_chosen_reaches_no_one():
    a_member()
    assert not campaigns.audience(everyone=False, staff_groups=[], organisations=[]).exists()


# --- Starting ----------------------------------------------------------------------------------


def test_starting_queues_one_invitation_per_person_named_by_pseudonym(settings):
    people = [a_member() for _ in range(3)]
    a_member(ESTATES)
    campaign = a_campaign(staff_groups=[NURSES])
    assert start(campaign) == 3
    campaign = reread(campaign)
    assert campaign.status == CampaignStatus.SENDING
    assert campaign.recipients == 3
    assert campaign.started_at is not None
    rows = list(rows_for(campaign))
    assert {r.recipient_ref for r in rows} == {staff_ref_for(p.pk) for p in people}
    assert {r.recipient_user_id() for r in rows} == {p.pk for p in people}
    for row in rows:
        assert row.idempotency_key == f"campaign:{campaign.pk}:{row.recipient_ref}"
        assert row.category == outreach.OUTREACH
        assert row.template == "wellbeing/campaign_invitation"
        assert row.context == {"path": f"/hub/refer/?campaign={campaign.code}"}


def test_invitations_are_due_in_batches_of_the_per_minute_limit(settings, monkeypatch):
    settings.OUTREACH_CAMPAIGN_PER_MINUTE = 2
    monkeypatch.setattr(campaigns, "CHUNK", 3)  # batches that straddle the chunks
    for _ in range(7):
        a_member()
    lead = a_hub_lead()  # also in "everyone": 8 people
    campaign = a_campaign(lead, everyone=True)
    before = timezone.now()
    start(campaign, lead)
    started_at = reread(campaign).started_at
    assert started_at is not None
    assert started_at >= before
    minutes = sorted(
        round((row.due_at - started_at) / timedelta(minutes=1)) for row in rows_for(campaign)
    )
    assert minutes == [0, 0, 1, 1, 2, 2, 3, 3]


def test_no_invitation_falls_due_in_quiet_hours_so_the_morning_is_throttled_too(settings):
    settings.OUTREACH_QUIET_HOURS = (21, 8)
    evening = timezone.make_aware(datetime(2026, 3, 10, 20, 59))
    due = campaigns.due_times(evening, per_minute=2)
    morning = timezone.make_aware(datetime(2026, 3, 11, 8, 0))
    assert [next(due) for _ in range(5)] == [
        evening,
        evening,
        morning,
        morning,
        morning + timedelta(minutes=1),
    ]


def test_only_the_first_batch_is_handed_to_the_workers_the_rest_wait_for_the_sweep(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTREACH_CAMPAIGN_PER_MINUTE = 2
    for _ in range(5):
        a_member()
    campaign = a_campaign(staff_groups=[NURSES])
    with (
        mock.patch.object(deliver_messages, "delay") as delay,
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        start(campaign)
    due_now = rows_for(campaign).filter(due_at__lte=reread(campaign).started_at)
    delay.assert_called_once_with("wellbeing", sorted(due_now.values_list("pk", flat=True)))
    assert due_now.count() == 2


def test_starting_twice_sends_nothing_twice_and_audits_once():
    for _ in range(3):
        a_member()
    lead = a_hub_lead()
    campaign = a_campaign(lead, everyone=True)
    assert start(campaign, lead) == 4
    assert start(campaign, lead) == 0
    assert campaigns.do_start_campaign(campaign=reread(campaign), acting_user=lead) == 0
    assert rows_for(campaign).count() == 4
    assert reread(campaign).recipients == 4
    entries = AuditEntry.objects.using("confidential").filter(object_type="campaign")
    assert [(e.action, e.object_id, e.reason, e.actor_ref) for e in entries] == [
        ("create", campaign.pk, "Started an outreach campaign", staff_ref_for(lead.pk))
    ]


def test_a_campaign_that_reaches_no_one_is_not_started():
    a_member(NURSES)
    campaign = a_campaign(staff_groups=[ESTATES])
    with pytest.raises(campaigns.EmptyAudience):
        start(campaign)
    assert reread(campaign).status == CampaignStatus.DRAFT
    assert not rows_for(campaign).exists()
    assert not AuditEntry.objects.using("confidential").exists()


def test_a_started_campaign_is_marked_sent_once_nothing_is_waiting():
    a_member()
    campaign = a_campaign(everyone=True)
    start(campaign)
    first = rows_for(campaign).first()
    assert first is not None
    rows_for(campaign).update(status=Status.SENT)
    rows_for(campaign).filter(pk=first.pk).update(status=Status.PENDING)
    assert campaigns.mark_finished_campaigns_sent() == 0
    assert reread(campaign).status == CampaignStatus.SENDING
    rows_for(campaign).filter(pk=first.pk).update(status=Status.FAILED)
    assert campaigns.mark_finished_campaigns_sent() == 1
    assert reread(campaign).status == CampaignStatus.SENT


# --- The invitation ----------------------------------------------------------------------------


def test_the_invitation_links_to_the_self_referral_with_the_code_and_says_nothing_personal(
    settings, mailoutbox
):
    settings.PORTAL_URL = "https://portal.example.nhs.uk"
    person = a_member(NURSES, COUNCIL)
    campaign = a_campaign(staff_groups=[NURSES])
    start(campaign)
    (row,) = rows_for(campaign)
    assert delivery.deliver("wellbeing", [row.pk]) == {"sent": 1}
    (email,) = mailoutbox
    assert email.to == [person.email]
    assert email.subject == "How are you doing? A wellbeing check-in from the Resilience Hub"
    body = email.body
    assert "How are you doing? The Resilience Hub is here for health and care staff." in body
    assert f"https://portal.example.nhs.uk/hub/refer/?campaign={campaign.code}\n" in body
    assert "/emails/unsubscribe/" in body
    assert person.staff_profile.display_name not in body
    assert person.email not in body
    assert COUNCIL not in body
    assert campaign.name not in body
    assert "<" not in body  # no markup at all, so no image
    # Plain text only, no HTML part and no attachments: nowhere to hide a tracking pixel.
    assert email.content_subtype == "plain"
    assert not getattr(email, "alternatives", [])
    assert not email.attachments


def test_the_link_in_the_invitation_makes_a_referral_count_for_the_campaign(client):
    person = a_member()
    campaign = a_campaign(everyone=True)
    client.force_login(person)
    client.get(campaigns.invitation_path(campaign))
    draft = ReferralDraft.objects.using("confidential").get(staff_ref=staff_ref_for(person.pk))
    assert draft.data["campaign"] == campaign.code


def test_the_preview_on_the_campaign_page_is_the_email_people_get(mailoutbox):
    a_member()
    campaign = a_campaign(everyone=True)
    preview = campaigns.invitation_preview(campaign)
    start(campaign)
    delivery.deliver("wellbeing", list(rows_for(campaign).values_list("pk", flat=True)))
    email = mailoutbox[0]
    assert preview.subject == email.subject
    unsubscribe = re.compile(r"/emails/unsubscribe/[^/\s]+/")
    assert unsubscribe.sub("", preview.body) == unsubscribe.sub("", email.body.strip())


def test_someone_who_opted_out_of_check_ins_is_not_emailed_and_is_counted(mailoutbox):
    keen, opted_out = a_member(), a_member()
    OptOut.objects.using("confidential").create(
        recipient_ref=staff_ref_for(opted_out.pk), category=outreach.OUTREACH
    )
    campaign = a_campaign(staff_groups=[NURSES])
    start(campaign)
    delivery.deliver("wellbeing", list(rows_for(campaign).values_list("pk", flat=True)))
    assert [m.to for m in mailoutbox] == [[keen.email]]
    summary = campaigns.campaign_summary(campaign)
    assert (summary.sent, summary.opted_out, summary.waiting) == (1, 1, 0)


# --- The campaign page -------------------------------------------------------------------------


def rows_with_outcomes(campaign: Campaign, outcomes: Sequence[tuple[str, str]]) -> None:
    now = timezone.now()
    rows = []
    for n, (status, skip_reason) in enumerate(outcomes):
        row = outreach.to_user(
            500_000 + n,
            category=outreach.OUTREACH,
            template=campaigns.TEMPLATE,
            context={"path": campaigns.invitation_path(campaign)},
            campaign=campaign,
            status=status,
            skip_reason=skip_reason,
            sent_at=now if status == Status.SENT else None,
        )
        row.idempotency_key = f"campaign:{campaign.pk}:{row.recipient_ref}"
        rows.append(row)
    OutboxMessage.objects.using("confidential").bulk_create(rows)
    Campaign.objects.using("confidential").filter(pk=campaign.pk).update(
        status=CampaignStatus.SENDING, started_at=now, recipients=len(rows)
    )


OUTCOMES = [
    *[(Status.SENT, "")] * 4,
    (Status.PENDING, ""),
    (Status.SENDING, ""),
    *[(Status.FAILED, "")] * 2,
    *[(Status.SKIPPED, SkipReason.OPTED_OUT)] * 3,
    (Status.SKIPPED, SkipReason.NO_RECIPIENT),
]


@pytest.fixture
def hub_lead(client):
    lead = a_hub_lead()
    client.force_login(lead)
    return lead


def count_on(page: str, name: str) -> str:
    match = re.search(rf'id="count-{name}">(\d+)<', page)
    assert match, f"no {name} count on the page"
    return match.group(1)


def test_the_campaign_page_counts_outcomes_and_the_self_referrals_it_prompted(client, hub_lead):
    campaign = a_campaign(hub_lead, everyone=True)
    rows_with_outcomes(campaign, OUTCOMES)
    ReferralFactory(campaign_code=campaign.code, status=ReferralStatus.NEW)
    ReferralFactory(campaign_code=campaign.code, status=ReferralStatus.IN_SUPPORT)
    ReferralFactory(campaign_code=campaign.code, status=ReferralStatus.CLOSED)
    ReferralFactory(campaign_code="CHK-SOMEOTHER")
    ReferralFactory(campaign_code="")
    page = client.get(reverse("wellbeing:campaign", args=[campaign.pk])).content.decode()
    assert count_on(page, "sent") == "4"
    assert count_on(page, "waiting") == "2"
    assert count_on(page, "failed") == "2"
    assert count_on(page, "opted-out") == "3"
    assert count_on(page, "not-sent") == "1"
    assert count_on(page, "self-referrals") == "3"
    assert count_on(page, "open") == "2"
    assert "Sending" in page


def test_the_campaign_page_never_names_who_was_invited(client, hub_lead):
    person = a_member()
    campaign = a_campaign(hub_lead, everyone=True)
    start(campaign, hub_lead)
    page = client.get(reverse("wellbeing:campaign", args=[campaign.pk])).content.decode()
    assert person.email not in page
    assert escape(person.staff_profile.display_name) not in page
    assert staff_ref_for(person.pk) not in page


def queries_for(client, url: str) -> int:
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        assert client.get(url).status_code == 200
    return len(default) + len(confidential)


def test_the_campaign_page_makes_as_many_queries_for_200_recipients_as_for_1(client, hub_lead):
    small, large = a_campaign(hub_lead, everyone=True), a_campaign(hub_lead, everyone=True)
    rows_with_outcomes(small, OUTCOMES[:1])
    rows_with_outcomes(large, [OUTCOMES[n % len(OUTCOMES)] for n in range(200)])
    # The idempotency keys differ by campaign, so both sets of rows coexist.
    assert rows_for(large).count() == 200
    client.get(reverse("wellbeing:campaigns"))  # the session and permissions, once
    one = queries_for(client, reverse("wellbeing:campaign", args=[small.pk]))
    two_hundred = queries_for(client, reverse("wellbeing:campaign", args=[large.pk]))
    assert one == two_hundred
    assert one <= 8


def test_a_draft_shows_how_many_it_reaches_and_the_confirmation_says_it_again(client, hub_lead):
    for _ in range(3):
        a_member(NURSES)
    a_member(ESTATES)
    campaign = a_campaign(hub_lead, staff_groups=[NURSES])
    page = client.get(reverse("wellbeing:campaign", args=[campaign.pk])).content.decode()
    assert 'id="reach">3<' in page
    assert reverse("wellbeing:campaign_start", args=[campaign.pk]) in page
    confirm = client.get(reverse("wellbeing:campaign_start", args=[campaign.pk])).content.decode()
    assert "nhsuk-card--warning" in confirm
    assert "This will email 3 people" in confirm
    assert not rows_for(campaign).exists()  # looking is not starting


def test_confirming_starts_sending_and_a_second_post_changes_nothing(client, hub_lead):
    for _ in range(2):
        a_member()
    campaign = a_campaign(hub_lead, staff_groups=[NURSES])
    url = reverse("wellbeing:campaign_start", args=[campaign.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("wellbeing:campaign", args=[campaign.pk])
    assert "Sending has started: 2 invitations." in response.content.decode()
    again = client.post(url, follow=True)
    assert "This campaign has already started." in again.content.decode()
    assert rows_for(campaign).count() == 2
    assert reread(campaign).status == CampaignStatus.SENDING


def test_starting_a_campaign_that_reaches_no_one_says_so_and_stays_a_draft(client, hub_lead):
    campaign = a_campaign(hub_lead, organisations=["Nowhere Trust"])
    confirm = client.get(reverse("wellbeing:campaign_start", args=[campaign.pk])).content.decode()
    assert "there is no one to email" in confirm
    response = client.post(reverse("wellbeing:campaign_start", args=[campaign.pk]), follow=True)
    assert "No one with an account is in this audience" in response.content.decode()
    assert reread(campaign).status == CampaignStatus.DRAFT


def test_the_list_shows_campaigns_newest_first_and_marks_finished_ones_sent(client, hub_lead):
    older = a_campaign(hub_lead, everyone=True)
    rows_with_outcomes(older, [(Status.SENT, "")])
    Campaign.objects.using("confidential").filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    newer = campaigns.do_create_campaign(
        name="Spring check-in",
        everyone=True,
        staff_groups=[],
        organisations=[],
        acting_user=hub_lead,
    )
    page = client.get(reverse("wellbeing:campaigns")).content.decode()
    assert page.index(newer.name) < page.index(older.name)
    assert reread(older).status == CampaignStatus.SENT
    assert 'nhsuk-tag--green">Sent' in page


def test_the_list_is_paginated(client, hub_lead):
    for n in range(26):
        Campaign.objects.using("confidential").create(
            name=f"Campaign {n}", code=f"CHK-PAGE{n:02d}", everyone=True, created_by_ref="x"
        )
    first = client.get(reverse("wellbeing:campaigns"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("wellbeing:campaigns"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


# --- Creating and changing ---------------------------------------------------------------------


def test_a_hub_lead_creates_a_draft_for_chosen_groups_and_organisations(client, hub_lead):
    a_member(organisation=COUNCIL)
    response = client.post(
        reverse("wellbeing:campaign_create"),
        {
            "name": "  Council nurses check-in ",
            "audience": "chosen",
            "staff_groups": [NURSES],
            "organisations": [COUNCIL],
        },
    )
    campaign = Campaign.objects.using("confidential").get()
    assert response["Location"] == reverse("wellbeing:campaign", args=[campaign.pk])
    assert campaign.name == "Council nurses check-in"
    assert (campaign.everyone, campaign.staff_groups, campaign.organisations) == (
        False,
        [NURSES],
        [COUNCIL],
    )
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.created_by_ref == staff_ref_for(hub_lead.pk)
    assert re.fullmatch(r"CHK-[A-Z2-9]{8}", campaign.code)
    assert not OutboxMessage.objects.using("confidential").exists()


def test_a_campaign_created_twice_with_one_key_is_one_draft(client, hub_lead):
    form = {"name": "Winter check-in", "audience": "everyone", "submission_key": a_key()}
    first = client.post(reverse("wellbeing:campaign_create"), form)
    again = client.post(reverse("wellbeing:campaign_create"), form)
    campaign = Campaign.objects.using("confidential").get()
    assert (
        again["Location"] == first["Location"] == reverse("wellbeing:campaign", args=[campaign.pk])
    )


def test_choosing_everyone_ignores_any_ticked_groups(client, hub_lead):
    client.post(
        reverse("wellbeing:campaign_create"),
        {"name": "All staff", "audience": "everyone", "staff_groups": [NURSES]},
    )
    campaign = Campaign.objects.using("confidential").get()
    assert (campaign.everyone, campaign.staff_groups) == (True, [])


def test_the_form_offers_the_organisations_staff_have_given(client, hub_lead):
    a_member(organisation=COUNCIL)
    page = client.get(reverse("wellbeing:campaign_create")).content.decode()
    assert f'value="{COUNCIL}"' in page
    assert 'value="nursing_midwifery_registered"' in page


def test_an_empty_form_says_what_is_missing_next_to_each_question(client, hub_lead):
    response = client.post(reverse("wellbeing:campaign_create"), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["Enter a campaign name"]
    assert errors["audience"] == ["Select who should get the invitation"]
    page = response.content.decode()
    assert "There is a problem" in page
    assert "<title>Error: " in page
    assert not Campaign.objects.using("confidential").exists()


def test_choosing_chosen_but_ticking_nothing_asks_for_a_group_or_organisation(client, hub_lead):
    response = client.post(
        reverse("wellbeing:campaign_create"), {"name": "Check-in", "audience": "chosen"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "staff_groups": ["Select at least one staff group or organisation"]
    }
    page = response.content.decode()
    # In the summary, linked to the field, and next to the field itself.
    summary = page[
        page.index("nhsuk-error-summary") : page.index("</ul>", page.index("nhsuk-error-summary"))
    ]
    assert "Select at least one staff group or organisation" in summary
    assert 'href="#id_staff_groups' in summary
    assert page.count("Select at least one staff group or organisation") == 2
    assert "nhsuk-form-group--error" in page
    assert not Campaign.objects.using("confidential").exists()


def test_an_organisation_nobody_has_given_is_refused(client, hub_lead):
    response = client.post(
        reverse("wellbeing:campaign_create"),
        {"name": "Check-in", "audience": "chosen", "organisations": ["Made-up Trust"]},
    )
    assert response.context["form"].errors == {
        "organisations": ["Select organisations from the list"]
    }


def test_a_draft_can_be_changed_but_a_started_campaign_cannot(client, hub_lead):
    a_member(ESTATES)
    campaign = a_campaign(hub_lead, staff_groups=[NURSES])
    url = reverse("wellbeing:campaign_edit", args=[campaign.pk])
    assert 'value="nursing_midwifery_registered" checked' in client.get(url).content.decode()
    client.post(url, {"name": "Estates check-in", "audience": "chosen", "staff_groups": [ESTATES]})
    changed = reread(campaign)
    assert (changed.name, changed.staff_groups) == ("Estates check-in", [ESTATES])
    start(changed, hub_lead)
    response = client.post(url, {"name": "Too late", "audience": "everyone"})
    assert response["Location"] == reverse("wellbeing:campaign", args=[campaign.pk])
    assert reread(campaign).name == "Estates check-in"


# --- Who may run campaigns ---------------------------------------------------------------------


def every_page(campaign: Campaign) -> list[str]:
    return [
        reverse("wellbeing:campaigns"),
        reverse("wellbeing:campaign_create"),
        reverse("wellbeing:campaign", args=[campaign.pk]),
        reverse("wellbeing:campaign_edit", args=[campaign.pk]),
        reverse("wellbeing:campaign_start", args=[campaign.pk]),
    ]


def test_anonymous_people_are_asked_to_sign_in(client):
    for url in every_page(a_campaign(everyone=True)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role_list", "with_totp"),
    [([], False), ([roles.TEAM_LEAD], False), ([roles.HUB_CLINICIAN], True)],
    ids=["staff", "team lead", "hub clinician"],
)
def test_everyone_but_a_hub_lead_is_refused(client, role_list, with_totp):
    a_member()
    campaign = a_campaign(everyone=True)
    client.force_login(UserFactory(with_profile=True, roles=role_list, with_totp=with_totp))
    for url in every_page(campaign):
        assert client.get(url).status_code == 403
    assert client.post(reverse("wellbeing:campaign_start", args=[campaign.pk])).status_code == 403
    assert reread(campaign).status == CampaignStatus.DRAFT


def test_a_hub_lead_opens_every_page_and_finds_outreach_in_the_menu(client, hub_lead):
    campaign = a_campaign(hub_lead, everyone=True)
    for url in every_page(campaign):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("wellbeing:campaigns")}"' in page


def test_a_hub_lead_without_an_authenticator_is_sent_to_set_one_up(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_LEAD]))
    response = client.get(reverse("wellbeing:campaigns"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_menu_does_not_offer_outreach_to_a_clinician(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True))
    page = client.get(reverse("home")).content.decode()
    assert reverse("wellbeing:campaigns") not in page


# --- Demo data ---------------------------------------------------------------------------------


def test_seed_demo_adds_one_sent_campaign_and_one_draft_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    demo = {c.code: c for c in Campaign.objects.using("confidential").all()}
    assert {code: c.status for code, c in demo.items()} == {
        "DEMO-WINTER": CampaignStatus.SENT,
        "DEMO-SPRING": CampaignStatus.DRAFT,
    }
    sent = demo["DEMO-WINTER"]
    assert sent.recipients == rows_for(sent).count() == User.objects.count()
    assert set(rows_for(sent).values_list("status", flat=True)) == {Status.SENT}
    assert not rows_for(demo["DEMO-SPRING"]).exists()
