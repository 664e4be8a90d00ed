"""Self-referral: question pages, check your answers, sending once, and the safety net."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from tests.wellbeing.referral_steps import (
    CONTACT,
    PAGES,
    answer_every_page,
    questionnaire,
    send,
    step_url,
)
from wellbeing import tasks
from wellbeing.forms.self_referral import normalised_uk_phone
from wellbeing.models import (
    AuditEntry,
    OutboxMessage,
    Referral,
    ReferralDraft,
    ReferralEventKind,
    ScreeningResult,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import referrals, self_referral
from wellbeing.working_days import contact_target_date

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

ALL_PAGES = [
    reverse("wellbeing:refer_start"),
    *(step_url(step.slug) for step in self_referral.STEPS),
    reverse("wellbeing:refer_check"),
    reverse("wellbeing:refer_help_now"),
    reverse("wellbeing:refer_sent"),
]


@pytest.fixture
def member(client, staff_user):
    client.force_login(staff_user)
    return staff_user


def drafts():
    return ReferralDraft.objects.using("confidential")


def referrals_made():
    return Referral.objects.using("confidential")


def the_draft():
    return drafts().get().data


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_page_asks_people_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_page_is_ever_cached(client, member, url):
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_page_is_not_found(client, member):
    assert client.get(step_url("not-a-step")).status_code == 404


def test_starting_goes_to_the_first_page_and_resuming_to_the_first_unanswered(client, member):
    assert client.get(reverse("wellbeing:refer_start"))["Location"] == step_url("contact")
    client.post(step_url("contact"), CONTACT)
    assert client.get(reverse("wellbeing:refer_start"))["Location"] == step_url("work")


def test_the_contact_page_offers_the_email_they_sign_in_with(client, member):
    response = client.get(step_url("contact"))
    assert f'value="{member.email}"' in response.content.decode()


def test_each_page_links_back_to_the_one_before(client, member):
    page = client.get(step_url("gad-7")).content.decode()
    assert f'class="nhsuk-back-link" href="{step_url("phq-9")}"' in page
    first = client.get(step_url("contact")).content.decode()
    assert f'class="nhsuk-back-link" href="{reverse("wellbeing:index")}"' in first


def test_every_question_page_says_which_step_of_how_many_above_its_heading(client, member):
    count = len(self_referral.STEPS)
    for number, step in enumerate(self_referral.STEPS, start=1):
        page = client.get(step_url(step.slug)).content.decode()
        caption = re.search(r'<span class="nhsuk-caption-l">([^<]*)<', page)
        assert caption, step.slug
        assert caption.group(1).startswith(f"Step {number} of {count}"), step.slug
        # Above the heading: the caption comes before the page's question ends.
        assert page.index(caption.group(0)) < heading_end(page), step.slug


def heading_end(page: str) -> int:
    """Where the page's heading ends: its h1, or the legend that is the heading of a page with
    one question."""
    found = re.search(r"</h1>|</legend>", page)
    assert found
    return found.start()


def test_a_questionnaire_page_also_says_which_questionnaire_it_is(client, member):
    page = client.get(step_url("gad-7")).content.decode()
    gad = next(s for s in self_referral.STEPS if s.slug == "gad-7")
    number = self_referral.STEPS.index(gad) + 1
    assert f"Step {number} of {len(self_referral.STEPS)} \N{EN DASH} Questionnaire 2 of 5" in page


def test_check_your_answers_has_no_step_caption(client, member):
    answer_every_page(client)
    page = client.get(reverse("wellbeing:refer_check")).content.decode()
    assert "Step " not in page
    assert f"of {len(self_referral.STEPS)}" not in page


# --- Validation --------------------------------------------------------------------------------


def test_the_contact_page_says_what_is_missing_in_plain_english(client, member):
    response = client.post(step_url("contact"), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["Enter your full name"]
    assert errors["phone"] == ["Enter a phone number"]
    assert errors["email"] == ["Enter an email address"]
    assert errors["voicemail_ok"] == ["Select yes if the hub can leave you a voicemail"]
    assert "There is a problem" in response.content.decode()
    assert not drafts().exists()


@pytest.mark.parametrize(
    "typed", ["07700 900123", "07700900123", "+44 7700 900123", "+447700900123", "020 7946 0000"]
)
def test_uk_phone_numbers_are_accepted(typed):
    assert normalised_uk_phone(typed).startswith("0")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("07700 9OO123", "using only numbers, spaces and +44"),
        ("call me", "using only numbers, spaces and +44"),
        ("+1 212 555 0100", "starting with 0 or +44"),
        ("7700 900123", "starting with 0 or +44"),
        ("07700 900", "must be 10 or 11 digits"),
        ("07700 900 123 456", "must be 10 or 11 digits"),
        (
            "\uff10\uff17\uff17\uff10\uff10\uff19\uff10\uff10\uff11\uff12\uff13",
            "using only numbers",
        ),  # fullwidth digits
    ],
)
def test_other_phone_numbers_are_refused_with_a_clear_message(client, member, typed, message):
    response = client.post(step_url("contact"), {**CONTACT, "phone": typed})
    assert message in response.context["form"].errors["phone"][0]


def test_what_is_happening_is_required_and_at_most_5000_characters(client, member):
    missing = client.post(step_url("about"), {"whats_happening": "   "})
    assert missing.context["form"].errors["whats_happening"] == [
        "Tell us what is happening for you"
    ]
    too_long = client.post(step_url("about"), {"whats_happening": "x" * 5001})
    assert too_long.context["form"].errors["whats_happening"] == [
        "What is happening for you must be 5,000 characters or fewer"
    ]
    just_right = client.post(step_url("about"), {"whats_happening": "x" * 5000})
    assert just_right.status_code == 302


def test_the_work_page_is_optional_but_refuses_an_unknown_staff_group(client, member):
    assert client.post(step_url("work"), {}).status_code == 302
    response = client.post(step_url("work"), {"staff_group": "astronaut"})
    assert response.context["form"].errors["staff_group"] == ["Select a staff group from the list"]


@pytest.mark.parametrize(
    "post",
    [
        {"name": "x" * 10_000, "phone": "0" * 5000, "email": "@" * 300, "voicemail_ok": "maybe"},
        {"name": ["a", "b"], "phone": ["07700900123", "nonsense"], "voicemail_ok": ""},
        {"name": "\x00\x01\x1b[31m", "phone": "\x00", "email": "a@b\x00.com"},
        {"name": "<script>alert(1)</script>", "phone": "<b>", "email": "<i>@x"},
        {"unexpected": "field", "voicemail_ok": "True"},
    ],
)
def test_nothing_typed_on_the_contact_page_gives_a_server_error(client, member, post):
    response = client.post(step_url("contact"), post)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.parametrize("slug", [step.slug for step in self_referral.STEPS])
@pytest.mark.parametrize(
    "post",
    [
        {"item_1": "banana", "item_2": "-1", "item_3": "99", "how_heard": "x", "consent": "x"},
        {"item_1": "1.5", "sex": "unknown", "ethnic_group": "☃", "staff_group": "\x00"},
    ],
)
def test_nothing_typed_on_any_page_gives_a_server_error(client, member, slug, post):
    response = client.post(step_url(slug), post)
    assert response.status_code in (200, 302)


def test_control_characters_are_removed_and_html_is_kept_as_text(client, member):
    client.post(
        step_url("contact"),
        {**CONTACT, "name": "Sam\x00 <b>Bold</b>\x07", "best_times": "Mornings\r\nnot\x0bFridays"},
    )
    contact = the_draft()["contact"]
    assert contact["name"] == "Sam <b>Bold</b>"
    assert contact["best_times"] == "Mornings\nnotFridays"


def test_a_questionnaire_left_half_done_keeps_its_answers_and_names_each_gap(client, member):
    answers = questionnaire("PHQ-9")
    del answers["item_3"], answers["item_7"]
    response = client.post(step_url("phq-9"), answers)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["item_3"] == ["Select an answer for question 3"]
    assert errors["item_7"] == ["Select an answer for question 7"]
    assert the_draft()["questionnaires"]["PHQ-9"] == [0, 0, None, 0, 0, 0, None, 0, 0]
    page = client.get(step_url("phq-9")).content.decode()
    assert page.count("checked") == 7


def test_a_questionnaire_offers_each_item_as_radios_from_the_instrument(client, member):
    page = client.get(step_url("wsas")).content.decode()
    assert page.count('type="radio"') == 5 * 9
    assert "0 (not at all)" in page
    assert ">3<" in page  # an unlabelled point of the scale is named by its number


# --- Check your answers and change ---------------------------------------------------------------


def test_check_your_answers_sends_people_to_the_first_unanswered_page(client, member):
    client.post(step_url("contact"), CONTACT)
    response = client.get(reverse("wellbeing:refer_check"))
    assert response["Location"] == step_url("work")


def test_check_your_answers_lists_the_answers_with_change_links(client, member):
    answer_every_page(client)
    page = client.get(reverse("wellbeing:refer_check")).content.decode()
    assert "Alex Example-Person" in page
    assert "Medical and Dental" in page
    assert "All 20 questions answered" in page
    assert f'href="{step_url("contact")}?change=1"' in page
    assert 'Change<span class="nhsuk-u-visually-hidden"> phone number</span>' in page


def test_a_change_returns_to_check_your_answers(client, member):
    answer_every_page(client)
    response = client.post(f"{step_url('work')}?change=1", {"team": "Ward 9"})
    assert response["Location"] == reverse("wellbeing:refer_check")
    assert the_draft()["work"]["team"] == "Ward 9"
    page = client.get(f"{step_url('work')}?change=1").content.decode()
    assert f'class="nhsuk-back-link" href="{reverse("wellbeing:refer_check")}"' in page


# --- Sending -------------------------------------------------------------------------------------


def test_sending_makes_one_referral_with_scored_questionnaires_and_an_audit_entry(client, member):
    client.get(reverse("wellbeing:refer_start") + "?campaign=WINTER-26")
    answer_every_page(client)
    response = send(client)
    assert response["Location"] == reverse("wellbeing:refer_sent")

    referral = referrals_made().get()
    assert re.fullmatch(r"RH-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", referral.reference)
    assert referral.staff_ref == staff_ref_for(member.pk)
    assert (referral.name, referral.phone, referral.email) == (
        "Alex Example-Person",
        "07700 900 123",
        "alex.example@test.nhs.net",
    )
    assert referral.voicemail_ok is False
    assert (referral.organisation, referral.staff_group, referral.team) == (
        "Test Trust",
        "medical_dental",
        "Ward 7",
    )
    assert referral.how_heard == "colleague"
    assert referral.campaign_code == "WINTER-26"
    assert referral.equality_monitoring == {"sex": "prefer_not_to_say"}
    assert referral.urgent is False
    screenings = ScreeningResult.objects.using("confidential").filter(referral=referral)
    assert [s.instrument for s in screenings] == ["PHQ-9", "GAD-7", "PCL-5", "AUDIT-C", "WSAS"]
    assert {(s.total, s.risk) for s in screenings} == {(0, False)}
    assert [e.kind for e in referral.events.all()] == [ReferralEventKind.RECEIVED]
    entry = AuditEntry.objects.using("confidential").get(object_id=referral.pk)
    assert (entry.actor_role, entry.action, entry.object_type, entry.reason) == (
        "Staff member",
        "create",
        "referral",
        "Self-referral",
    )
    assert not drafts().exists()


def test_a_campaign_code_that_is_not_a_code_is_ignored(client, member):
    client.get(reverse("wellbeing:refer_start") + "?campaign=<script>")
    client.get(reverse("wellbeing:refer_start") + "?campaign=" + "x" * 41)
    assert "campaign" not in (drafts().first().data if drafts().exists() else {})


def test_the_confirmation_shows_the_reference_and_the_working_day_target(client, member, settings):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    answer_every_page(client)
    send(client)
    referral = referrals_made().get()
    page = client.get(reverse("wellbeing:refer_sent")).content.decode()
    assert referral.reference in page
    target = contact_target_date(timezone.localdate(referral.created_at))
    assert f"by <strong>{target:%A} {target.day} {target:%B}</strong>" in page
    assert "116 123" in page


def test_a_refresh_or_a_second_click_never_makes_a_second_referral(client, member):
    answer_every_page(client)
    key = drafts().get().submission_key
    url = reverse("wellbeing:refer_check")
    first = client.post(url, {"submission_key": key})
    again = client.post(url, {"submission_key": key})
    assert first["Location"] == again["Location"] == reverse("wellbeing:refer_sent")
    assert referrals_made().count() == 1


def test_sending_the_same_draft_twice_through_the_service_finds_the_first_referral(member):
    draft = self_referral.do_save_draft(user=member)
    _fill(draft)
    first = referrals.do_submit_referral(user=member, draft=draft)
    second = referrals.do_submit_referral(user=member, draft=draft)
    assert first.created
    assert not second.created
    assert first.referral.pk == second.referral.pk


def test_a_reference_collision_is_retried_with_a_new_reference(member, monkeypatch):
    from tests.wellbeing.factories import ReferralFactory

    ReferralFactory(reference="RH-AAAA-AAAA")
    made = iter(["RH-AAAA-AAAA", "RH-BBBB-BBBB"])
    monkeypatch.setattr(referrals, "new_reference", lambda: next(made))
    draft = self_referral.do_save_draft(user=member)
    _fill(draft)
    assert referrals.do_submit_referral(user=member, draft=draft).referral.reference == (
        "RH-BBBB-BBBB"
    )


def test_a_stale_or_tampered_key_sends_nothing(client, member):
    answer_every_page(client)
    url = reverse("wellbeing:refer_check")
    for key in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", ""):
        assert client.post(url, {"submission_key": key})["Location"] == url
    assert not referrals_made().exists()


def test_an_incomplete_draft_cannot_be_sent(member):
    draft = self_referral.do_save_draft(user=member, step=self_referral.STEPS_BY_SLUG["contact"])
    with pytest.raises(referrals.IncompleteReferral) as raised:
        referrals.do_submit_referral(user=member, draft=draft)
    assert raised.value.step.slug == "contact"


def test_someone_else_cannot_send_or_see_my_draft(client, member):
    answer_every_page(client)
    key = drafts().get().submission_key
    client.force_login(UserFactory(with_profile=True))
    client.post(reverse("wellbeing:refer_check"), {"submission_key": key})
    assert not referrals_made().exists()
    assert client.get(reverse("wellbeing:refer_check"))["Location"] == reverse(
        "wellbeing:refer_start"
    )


def _fill(draft):
    data: dict[str, Any] = {slug: {**answers} for slug, answers in PAGES.items()}
    data["contact"]["voicemail_ok"] = "yes"
    data["questionnaires"] = {
        code: [int(v) for v in questionnaire(code).values()]
        for code in ("PHQ-9", "GAD-7", "PCL-5", "AUDIT-C", "WSAS")
    }
    draft.data = data
    draft.save(using="confidential")


# --- The safety net ------------------------------------------------------------------------------


def test_a_risk_answer_shows_crisis_contacts_before_anything_else(client, member):
    for slug in ("contact", "work", "about"):
        client.post(step_url(slug), PAGES[slug])
    response = client.post(step_url("phq-9"), questionnaire("PHQ-9", risk=True))
    assert response["Location"] == reverse("wellbeing:refer_help_now") + "?next=gad-7"
    page = client.get(response["Location"]).content.decode()
    assert "If you are thinking about ending your life" in page
    for contact in ("116 123", "option 2", "999"):
        assert contact in page
    assert f'href="{step_url("gad-7")}"' in page


def test_a_risk_answer_on_a_half_done_questionnaire_still_shows_crisis_contacts(client, member):
    answers = questionnaire("PHQ-9", risk=True)
    del answers["item_1"]
    page = client.post(step_url("phq-9"), answers).content.decode()
    assert "If you are thinking about ending your life" in page


def outbox_rows():
    return OutboxMessage.objects.using("confidential").order_by("pk")


def test_a_risk_answer_makes_the_referral_urgent_and_alerts_the_hub_on_commit(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    answer_every_page(client, risk=True)
    assert "If you are thinking about ending your life" in (
        client.get(reverse("wellbeing:refer_check")).content.decode()
    )
    with (
        mock.patch.object(deliver_messages, "delay") as delay,
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        send(client)
    referral = referrals_made().get()
    assert referral.urgent is True
    assert [e.kind for e in referral.events.all()] == [
        ReferralEventKind.RECEIVED,
        ReferralEventKind.URGENT,
    ]
    phq = referral.screenings.get(instrument="PHQ-9")
    assert phq.risk is True
    received, alert = outbox_rows()
    assert (received.template, received.recipient_user_id()) == (
        "wellbeing/referral_received",
        member.pk,
    )
    assert (alert.template, alert.recipient_address, alert.urgent) == (
        "wellbeing/urgent_referral",
        "duty@hub.test.nhs.net",
        True,
    )
    delay.assert_called_once_with("wellbeing", [received.pk, alert.pk])
    page = client.get(reverse("wellbeing:refer_sent")).content.decode()
    assert "If you are thinking about ending your life" in page
    assert "treat your referral as urgent" in page
    # Issue 13: the promise is the urgent target in hours, not "as soon as they can" with a
    # working-day date that could be days away.
    assert "aim to contact you within <strong>24 hours</strong>" in page
    assert "as soon as they can" not in page


def test_a_referral_without_risk_queues_only_the_confirmation(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    answer_every_page(client)
    with (
        mock.patch.object(deliver_messages, "delay") as delay,
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        send(client)
    (received,) = outbox_rows()
    assert received.template == "wellbeing/referral_received"
    delay.assert_called_once_with("wellbeing", [received.pk])


def test_a_broker_that_is_down_loses_neither_the_referral_nor_its_emails(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    answer_every_page(client, risk=True)
    with (
        mock.patch.object(deliver_messages, "delay", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        response = send(client)
    assert response["Location"] == reverse("wellbeing:refer_sent")
    assert referrals_made().get().urgent
    # Waiting, and marked for the sweep to hand over as soon as the broker is back.
    assert [(m.status, m.enqueued_at) for m in outbox_rows()] == [("pending", None)] * 2


def test_expired_drafts_are_purged_and_others_kept(member):
    kept = self_referral.do_save_draft(user=member)
    other = UserFactory(with_profile=True)
    expired = self_referral.do_save_draft(user=other)
    drafts().filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.purge_expired_drafts() == 1
    assert list(drafts().values_list("pk", flat=True)) == [kept.pk]


def test_an_expired_draft_is_not_brought_back(client, member):
    client.post(step_url("contact"), CONTACT)
    drafts().update(expires_at=timezone.now() - timedelta(minutes=1))
    assert self_referral.current_draft(member) is None
    assert client.get(reverse("wellbeing:refer_start"))["Location"] == step_url("contact")
    client.post(step_url("work"), {})
    assert "contact" not in the_draft()


def test_each_save_moves_the_expiry_on(member, settings):
    settings.HUB_DRAFT_HOURS = 48
    draft = self_referral.do_save_draft(user=member)
    assert draft.expires_at - timezone.now() > timedelta(hours=47)


# --- Equality monitoring -----------------------------------------------------------------------

EVERY_EQUALITY_ANSWER = {
    "sex": "female",
    "ethnic_group": "mixed",
    "age_band": "35_44",
    "disability": "limited_a_lot",
    "sexual_orientation": "gay_lesbian",
    "religion": "none",
}


def test_equality_monitoring_asks_age_disability_orientation_and_religion_all_optional(
    client, member
):
    answer_every_page(client, equality={})
    page = client.get(step_url("equality")).content.decode()
    for asked in (
        "What is your age? (optional)",
        "Are your day-to-day activities limited because of a health problem or disability",
        "Which of the following best describes your sexual orientation? (optional)",
        "What is your religion or belief? (optional)",
    ):
        assert asked in page
    assert page.count(">Prefer not to say</label>") == 6
    send(client)
    assert referrals_made().get().equality_monitoring == {}


def test_every_equality_answer_is_kept_and_shown_on_check_your_answers(client, member):
    answer_every_page(client, equality=EVERY_EQUALITY_ANSWER)
    page = client.get(reverse("wellbeing:refer_check")).content.decode()
    for shown in ("35 to 44", "Yes, limited a lot", "Gay or lesbian", "No religion"):
        assert shown in page
    send(client)
    assert referrals_made().get().equality_monitoring == EVERY_EQUALITY_ANSWER


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("age_band", "Select your age, or prefer not to say"),
        ("disability", "Select whether your day-to-day activities are limited, or prefer not"),
        ("sexual_orientation", "Select your sexual orientation, or prefer not to say"),
        ("religion", "Select your religion or belief, or prefer not to say"),
    ],
)
def test_an_equality_answer_that_was_not_offered_is_explained(client, member, field, message):
    response = client.post(step_url("equality"), {field: "42"})
    assert response.status_code == 200
    assert response.content.decode().count(message) == 2  # the summary and the field
