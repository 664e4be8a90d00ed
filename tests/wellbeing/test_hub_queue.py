"""The triage queue: who may see it, its order and filters, waits and targets in words, a constant
number of queries, and taking or allocating a referral (never two clinicians at once)."""

from __future__ import annotations

import datetime
import threading
import uuid
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory
from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from wellbeing.models import AuditEntry, Referral, ReferralStatus, RiskLevel, ScreeningResult
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import queue
from wellbeing.services import referrals

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

LONDON = zoneinfo.ZoneInfo("Europe/London")
QUEUE = reverse("wellbeing:queue")
# Friday 13 March 2026: every date below is counted from here.
TODAY = datetime.date(2026, 3, 13)
QUARTER_HOUR = datetime.timedelta(minutes=15)
HALF_HOUR = datetime.timedelta(minutes=30)


def at(day: int, hour: int = 10) -> datetime.datetime:
    """A time in March 2026, London."""
    return datetime.datetime(2026, 3, day, hour, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(queue, "today", lambda: TODAY)


def a_hub_member(role: str = roles.HUB_CLINICIAN, name: str = "Casey Clinician"):
    user = UserFactory(with_profile=True, roles=[role], with_totp=True)
    user.staff_profile.display_name = name
    user.staff_profile.save()
    return user


@pytest.fixture
def clinician(client):
    user = a_hub_member()
    client.force_login(user)
    return user


def references(response) -> list[str]:
    return [row.referral.reference for row in response.context["queue"].rows]


# --- Who may open it ---------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role_list", "with_totp"), [([], False), ([roles.TEAM_LEAD], False), ([roles.CURATOR], True)]
)
def test_staff_team_leads_and_curators_are_refused(client, role_list, with_totp):
    client.force_login(UserFactory(with_profile=True, roles=role_list, with_totp=with_totp))
    assert client.get(QUEUE).status_code == 403


def test_a_hub_clinician_without_mfa_is_sent_to_set_it_up(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN]))
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [roles.HUB_CLINICIAN, roles.HUB_LEAD])
def test_hub_clinicians_and_leads_see_it_uncached_and_in_the_menu(client, role):
    client.force_login(a_hub_member(role))
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert f'href="{QUEUE}"' in response.content.decode()
    assert ">Hub queue<" in response.content.decode()


def test_staff_do_not_see_the_queue_in_the_menu(client, staff_user):
    client.force_login(staff_user)
    assert "Hub queue" not in client.get(reverse("home")).content.decode()


# --- What it shows -------------------------------------------------------------------------------


def test_urgent_referrals_come_first_then_the_longest_waiting(client, clinician):
    ReferralFactory(reference="RH-NEWEST", created_at=at(12))
    ReferralFactory(reference="RH-OLDEST", created_at=at(2))
    ReferralFactory(reference="RH-URG-NEW", created_at=at(11), urgent=True)
    ReferralFactory(reference="RH-URG-OLD", created_at=at(5), urgent=True)
    ReferralFactory(reference="RH-SUPPORT", created_at=at(1), status=ReferralStatus.IN_SUPPORT)
    ReferralFactory(reference="RH-CLOSED", created_at=at(1), status=ReferralStatus.CLOSED)
    ReferralFactory(reference="RH-GONE", created_at=at(1), status=ReferralStatus.WITHDRAWN)
    response = client.get(QUEUE)
    assert references(response) == [
        "RH-URG-OLD",
        "RH-URG-NEW",
        "RH-SUPPORT",
        "RH-OLDEST",
        "RH-NEWEST",
    ]


def test_a_row_shows_the_wait_bands_flag_target_and_holder_without_names(client, clinician):
    referral = ReferralFactory(reference="RH-ROW1", created_at=at(9), urgent=True)
    ScreeningResultFactory(
        referral=referral, instrument="PHQ-9", total=16, band="moderately severe", taken_at=at(9)
    )
    ScreeningResultFactory(
        referral=referral, instrument="GAD-7", total=12, band="moderate", taken_at=at(9)
    )
    # A later re-screening does not change the bands at referral.
    ScreeningResultFactory(
        referral=referral, instrument="PHQ-9", total=3, band="minimal", taken_at=at(12)
    )
    page = client.get(QUEUE).content.decode()
    assert f'href="{reverse("wellbeing:referral", args=[referral.pk])}">RH-ROW1</a>' in page
    # Monday 9 to Friday 13 March: 4 working days, 4 calendar days.
    assert "4 working days" in page
    assert "4 calendar days" in page
    assert "PHQ-9: moderately severe" in page
    assert "GAD-7: moderate" in page
    assert "PHQ-9: minimal" not in page
    assert ">Urgent</strong>" in page
    assert "Nobody yet" in page
    assert "Alex Example-Person" not in page  # the queue never shows (or decrypts) names


def test_a_breached_target_is_said_in_words_not_colour_alone(client, clinician, settings):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    ReferralFactory(reference="RH-LATE", created_at=at(9))  # due Wednesday 11
    ReferralFactory(reference="RH-DUE", created_at=at(11))  # due Friday 13
    ReferralFactory(reference="RH-SOON", created_at=at(12))  # due Monday 16
    ReferralFactory(reference="RH-LATER", created_at=at(13))  # due Tuesday 17
    ReferralFactory(reference="RH-DONE", created_at=at(2), assessed_at=at(3))
    rows = {
        row.referral.reference: row.target.words for row in client.get(QUEUE).context["queue"].rows
    }
    assert rows == {
        "RH-LATE": "Past target by 2 working days",
        "RH-DUE": "Due today",
        "RH-SOON": "1 working day left",
        "RH-LATER": "2 working days left",
        "RH-DONE": "Assessed",
    }
    page = client.get(QUEUE).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Past target by 2 working days</strong>' in page


def test_an_urgent_referral_counts_down_in_hours_on_every_day(client, clinician, monkeypatch):
    """Issue 13: an urgent referral ran the same 2 working days as a routine one."""
    monkeypatch.setattr(queue, "now", lambda: at(14, 12))  # Saturday 14 March, noon
    monkeypatch.setattr(queue, "today", lambda: datetime.date(2026, 3, 14))
    # Friday 19:00: 24 hours run to Saturday 19:00, weekend or not.
    ReferralFactory(reference="RH-URG-DUE", created_at=at(13, 19), urgent=True)
    ReferralFactory(reference="RH-URG-SOON", created_at=at(13, 13) + HALF_HOUR, urgent=True)
    ReferralFactory(reference="RH-URG-LATE", created_at=at(13, 9), urgent=True)
    ReferralFactory(reference="RH-ROUTINE", created_at=at(13, 9))
    ReferralFactory(
        reference="RH-URG-DONE", created_at=at(13, 9), urgent=True, assessed_at=at(13, 11)
    )
    rows = {row.referral.reference: row.target for row in client.get(QUEUE).context["queue"].rows}
    assert {reference: target.words for reference, target in rows.items()} == {
        "RH-URG-DUE": "7 hours left",
        "RH-URG-SOON": "1 hour left",
        "RH-URG-LATE": "Past target by 3 hours",
        "RH-URG-DONE": "Assessed",
        "RH-ROUTINE": "2 working days left",
    }
    assert rows["RH-URG-SOON"].due_soon
    assert not rows["RH-URG-DUE"].due_soon
    page = client.get(QUEUE).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Past target by 3 hours</strong>' in page
    assert '<strong class="nhsuk-tag nhsuk-tag--orange">1 hour left</strong>' in page
    assert "Urgent: 24-hour target" in page


def test_an_urgent_target_in_its_last_hour_and_just_past_it_says_so(client, clinician, monkeypatch):
    monkeypatch.setattr(queue, "now", lambda: at(13, 10))
    ReferralFactory(reference="RH-LAST", created_at=at(12, 10) + HALF_HOUR, urgent=True)
    ReferralFactory(reference="RH-JUST", created_at=at(12, 9) + 3 * QUARTER_HOUR, urgent=True)
    rows = {
        row.referral.reference: row.target.words for row in client.get(QUEUE).context["queue"].rows
    }
    assert rows == {
        "RH-JUST": "Past target by less than an hour",
        "RH-LAST": "Less than an hour left",
    }


def test_the_urgent_target_follows_its_setting(client, clinician, monkeypatch, settings):
    settings.HUB_URGENT_CONTACT_TARGET_HOURS = 4
    monkeypatch.setattr(queue, "now", lambda: at(13, 12))
    ReferralFactory(reference="RH-FOUR", created_at=at(13, 10), urgent=True)
    (row,) = client.get(QUEUE).context["queue"].rows
    assert row.target.words == "2 hours left"
    assert "Urgent: 4-hour target" in client.get(QUEUE).content.decode()


def test_high_assessed_risk_is_flagged_in_words(client, clinician):
    ReferralFactory(risk_level=RiskLevel.HIGH, status=ReferralStatus.IN_SUPPORT)
    assert ">High risk</strong>" in client.get(QUEUE).content.decode()


# --- Filters -------------------------------------------------------------------------------------


def test_filters_by_holder_status_and_risk(client, clinician):
    colleague = a_hub_member(name="Robin Colleague")
    ReferralFactory(reference="RH-FREE", created_at=at(2))
    ReferralFactory(
        reference="RH-MINE",
        created_at=at(3),
        assigned_ref=staff_ref_for(clinician.pk),
        assigned_name="Casey Clinician",
        status=ReferralStatus.IN_ASSESSMENT,
    )
    ReferralFactory(
        reference="RH-THEIRS",
        created_at=at(4),
        assigned_ref=staff_ref_for(colleague.pk),
        assigned_name="Robin Colleague",
        status=ReferralStatus.IN_SUPPORT,
        risk_level=RiskLevel.HIGH,
    )
    ReferralFactory(reference="RH-URGENT", created_at=at(5), urgent=True)

    def shown(**params):
        return references(client.get(QUEUE, params))

    assert shown() == ["RH-URGENT", "RH-FREE", "RH-MINE", "RH-THEIRS"]
    assert shown(assigned="unassigned") == ["RH-URGENT", "RH-FREE"]
    assert shown(assigned="mine") == ["RH-MINE"]
    assert shown(status="in_support") == ["RH-THEIRS"]
    assert shown(risk="high") == ["RH-URGENT", "RH-THEIRS"]
    assert shown(assigned="unassigned", risk="high") == ["RH-URGENT"]
    # A value no select offers (an edited address) shows the whole queue, not an error.
    assert shown(status="closed") == ["RH-URGENT", "RH-FREE", "RH-MINE", "RH-THEIRS"]
    page = client.get(QUEUE, {"assigned": "mine"}).content.decode()
    assert '<option value="mine" selected>' in page
    assert "You" in page


def test_it_pages_by_25_and_keeps_the_filters_in_the_page_links(client, clinician):
    for day in range(30):
        ReferralFactory(created_at=at(1) - datetime.timedelta(days=day))
    response = client.get(QUEUE, {"assigned": "unassigned"})
    assert len(response.context["queue"].rows) == 25
    found = response.context["queue"]
    assert f'href="?assigned=unassigned&amp;after={found.next_key}"' in response.content.decode()
    second = client.get(QUEUE, {"assigned": "unassigned", "after": found.next_key})
    assert len(second.context["queue"].rows) == 5
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


# --- Pages by key ----------------------------------------------------------------------------------


def seed_either_side_of_the_urgent_line(urgent: int, routine: int) -> list[str]:
    """Referrals in the queue's order: the urgent ones, then the routine ones, oldest first."""
    made = [
        ReferralFactory(
            reference=f"RH-U{n:03d}", urgent=True, created_at=at(1) + datetime.timedelta(hours=n)
        )
        for n in range(urgent)
    ]
    # Two routine referrals arrive at the same moment: the id breaks the tie.
    made += [
        ReferralFactory(
            reference=f"RH-R{n:03d}", created_at=at(1) - datetime.timedelta(days=20 - n // 2)
        )
        for n in range(routine)
    ]
    return [referral.reference for referral in made]


def walk(client, direction: str, start: dict[str, str]) -> list[list[str]]:
    """The references of every page from `start`, following Next (or Previous) to the end."""
    pages, params = [], start
    while True:
        found = client.get(QUEUE, params).context["queue"]
        pages.append([row.referral.reference for row in found.rows])
        key = found.next_key if direction == "next" else found.previous_key
        if not key:
            return pages
        params = {"after": key} if direction == "next" else {"before": key}
        assert len(pages) < 10


def test_next_walks_the_whole_queue_in_order_across_the_urgent_line(client, clinician):
    expected = seed_either_side_of_the_urgent_line(urgent=30, routine=31)
    pages = walk(client, "next", {})
    assert [len(page) for page in pages] == [25, 25, 11]
    assert [reference for page in pages for reference in page] == expected


def test_the_last_page_and_previous_walk_it_back_from_the_end(client, clinician):
    expected = seed_either_side_of_the_urgent_line(urgent=30, routine=31)
    last = client.get(QUEUE, {"end": "last"})
    found = last.context["queue"]
    assert found.last
    assert not found.first
    assert 'rel="next"' not in last.content.decode()
    # The last page is the last 25; Previous goes back from it to the start, whole.
    pages = walk(client, "previous", {"end": "last"})
    assert pages[0] == expected[-25:]
    assert [reference for page in reversed(pages) for reference in page] == expected
    assert client.get(QUEUE, {"before": found.previous_key}).context["queue"].rows


def test_a_page_holds_its_place_when_the_row_it_started_after_is_closed(client, clinician):
    expected = seed_either_side_of_the_urgent_line(urgent=0, routine=30)
    found = client.get(QUEUE).context["queue"]
    Referral.objects.using("confidential").filter(reference=expected[24]).update(
        status=ReferralStatus.CLOSED
    )
    assert references(client.get(QUEUE, {"after": found.next_key})) == expected[25:]


@pytest.mark.parametrize(
    "params",
    [
        {"after": "nonsense"},
        {"before": "1-99999999999999999999-1"},
        {"after": "2-1-1"},
        {"end": "middle"},
        {"before": "0--5-3"},
    ],
)
def test_an_edited_page_address_shows_the_first_page(client, clinician, params):
    expected = seed_either_side_of_the_urgent_line(urgent=2, routine=30)
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    assert references(response) == expected[:25]


def test_past_the_end_shows_the_last_page(client, clinician):
    expected = seed_either_side_of_the_urgent_line(urgent=0, routine=30)
    last_row = Referral.objects.using("confidential").get(reference=expected[-1])
    after_the_end = queue.QueueKey.of(last_row).encode()
    assert references(client.get(QUEUE, {"after": after_the_end})) == expected[-25:]


# --- Cost ----------------------------------------------------------------------------------------


def seed(count: int) -> None:
    # Every third referral is urgent, so both clocks (working days and hours) are on the page.
    referrals = Referral.objects.using("confidential").bulk_create(
        ReferralFactory.build(
            submission_key=uuid.uuid4(),
            created_at=at(1) - datetime.timedelta(hours=n),
            urgent=n % 3 == 0,
        )
        for n in range(count)
    )
    ScreeningResult.objects.using("confidential").bulk_create(
        ScreeningResultFactory.build(referral=referral, instrument=code, taken_at=at(1))
        for referral in referrals
        for code in ("PHQ-9", "GAD-7")
    )


def queries_for_queue(client) -> tuple[int, int]:
    client.get(QUEUE)  # the first request settles the session's MFA and profile checks
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        response = client.get(QUEUE)
    assert response.status_code == 200
    return len(default), len(confidential)


def test_the_queue_costs_the_same_queries_for_1_or_500_referrals_and_writes_no_audit(
    client, clinician
):
    seed(1)
    few = queries_for_queue(client)
    seed(499)
    many = queries_for_queue(client)
    assert few == many
    # the reader's hub roles, the count, the page (urgent and routine), its screenings, its
    # missed appointments
    assert many[1] <= 6
    assert not AuditEntry.objects.using("confidential").exists()


def queries_for(client, params: dict[str, str]) -> tuple[int, int]:
    client.get(QUEUE, params)
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(default), len(confidential)


def deep_pages(client) -> dict[str, dict[str, str]]:
    """The last page, the page before it, and a page that starts after the urgent ones.

    A page that starts past the urgent ones reads one side of the urgent line (one query
    fewer); the others read both."""
    last = client.get(QUEUE, {"end": "last"}).context["queue"]
    first_routine = (
        Referral.objects.using("confidential").filter(urgent=False).order_by("created_at").first()
    )
    assert first_routine is not None
    return {
        "last": {"end": "last"},
        "before the last": {"before": last.previous_key},
        "past the urgent ones": {"after": queue.QueueKey.of(first_routine).encode()},
    }


def test_the_last_and_later_pages_cost_the_same_queries_for_60_or_600_referrals(client, clinician):
    seed(60)
    few = {name: queries_for(client, params) for name, params in deep_pages(client).items()}
    seed(540)
    many = {name: queries_for(client, params) for name, params in deep_pages(client).items()}
    assert few == many
    assert all(confidential <= 6 for _, confidential in many.values())


def seed_pairs(count: int) -> None:
    """`count` people, each with an open referral and a later one sent while it was open."""
    earlier = Referral.objects.using("confidential").bulk_create(
        ReferralFactory.build(
            submission_key=uuid.uuid4(),
            status=ReferralStatus.IN_SUPPORT,
            created_at=at(1) - datetime.timedelta(days=30, hours=n),
        )
        for n in range(count)
    )
    Referral.objects.using("confidential").bulk_create(
        ReferralFactory.build(
            submission_key=uuid.uuid4(),
            staff_ref=open_one.staff_ref,
            earlier_open_referral=open_one,
            # Urgent, so the flagged ones fill the page whose queries are counted.
            urgent=True,
            created_at=at(1) - datetime.timedelta(hours=n),
        )
        for n, open_one in enumerate(earlier)
    )


def test_the_also_has_open_referral_flag_costs_no_query_per_row(client, clinician):
    seed_pairs(1)
    few = queries_for_queue(client)
    seed_pairs(30)
    many = queries_for_queue(client)
    assert few == many
    assert many[1] <= 6  # as the queue's own cost test: the flag adds none
    rows = client.get(QUEUE).context["queue"].rows
    assert len(rows) == 25
    assert all(row.also_open == row.referral.earlier_open_referral.reference for row in rows)


# --- Taking a referral ---------------------------------------------------------------------------


def claim_url(referral) -> str:
    return reverse("wellbeing:referral_claim", args=[referral.pk])


def test_assign_to_me_takes_the_referral_starts_assessment_and_is_audited(client, clinician):
    referral = ReferralFactory(reference="RH-TAKE")
    response = client.post(claim_url(referral), follow=True)
    assert "You now hold referral RH-TAKE." in response.content.decode()
    referral.refresh_from_db(using="confidential")
    assert referral.assigned_ref == staff_ref_for(clinician.pk)
    assert referral.assigned_name == "Casey Clinician"
    assert referral.assigned_at is not None
    assert referral.status == ReferralStatus.IN_ASSESSMENT
    entry = AuditEntry.objects.using("confidential").filter(action="update").get()
    assert (entry.object_type, entry.object_id) == ("referral", referral.pk)
    assert (entry.actor_name, entry.reason) == ("Casey Clinician", "Took the referral")


def test_assign_to_me_is_a_post_only_button_on_the_queue(client, clinician):
    referral = ReferralFactory()
    page = client.get(QUEUE).content.decode()
    assert f'action="{claim_url(referral)}"' in page
    assert client.get(claim_url(referral)).status_code == 405


def test_taking_a_referral_already_being_supported_keeps_its_status(clinician):
    referral = ReferralFactory(status=ReferralStatus.IN_SUPPORT)
    referrals.do_claim(referral_id=referral.pk, acting_user=clinician)
    referral.refresh_from_db(using="confidential")
    assert referral.status == ReferralStatus.IN_SUPPORT


def test_the_second_of_two_claims_loses_and_is_told_who_won(client, clinician):
    referral = ReferralFactory()
    winner = a_hub_member(name="Dr Sam Quick")
    referrals.do_claim(referral_id=referral.pk, acting_user=winner)
    response = client.post(claim_url(referral), follow=True)
    assert "Dr Sam Quick took this referral a moment ago." in response.content.decode()
    referral.refresh_from_db(using="confidential")
    assert referral.assigned_ref == staff_ref_for(winner.pk)
    assert AuditEntry.objects.using("confidential").filter(action="update").count() == 1


def test_claiming_a_closed_referral_or_ones_own_changes_nothing(client, clinician):
    closed = ReferralFactory(status=ReferralStatus.CLOSED)
    with pytest.raises(referrals.ReferralNotOpen):
        referrals.do_claim(referral_id=closed.pk, acting_user=clinician)
    mine = ReferralFactory()
    referrals.do_claim(referral_id=mine.pk, acting_user=clinician)
    response = client.post(claim_url(mine), follow=True)
    assert "You already hold this referral." in response.content.decode()
    assert AuditEntry.objects.using("confidential").filter(action="update").count() == 1


def test_claiming_a_referral_that_does_not_exist_is_not_found(client, clinician):
    response = client.post(reverse("wellbeing:referral_claim", args=[987654]))
    assert response.status_code == 404


@pytest.mark.django_db(databases=["default", "confidential"], transaction=True)
def test_two_clinicians_claiming_at_the_same_moment_cannot_both_win():
    # The roles come from a data migration, which an earlier transactional test's flush empties.
    Group.objects.get_or_create(name=roles.HUB_CLINICIAN)
    referral = ReferralFactory()
    people = [a_hub_member(name=f"Clinician {n}") for n in range(2)]
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def claim(person):
        try:
            start.wait()
            referrals.do_claim(referral_id=referral.pk, acting_user=person)
            outcomes.append("won")
        except referrals.AlreadyTaken as taken:
            outcomes.append(f"lost to {taken.holder}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    referral.refresh_from_db(using="confidential")
    assert sorted(outcomes) == ["lost to " + referral.assigned_name, "won"]
    assert AuditEntry.objects.using("confidential").filter(action="update").count() == 1


# --- Allocating a referral -----------------------------------------------------------------------


def allocate_url(referral) -> str:
    return reverse("wellbeing:referral_allocate", args=[referral.pk])


def test_only_the_hub_lead_may_allocate(client, clinician):
    referral = ReferralFactory()
    response = client.post(allocate_url(referral), {"clinician": clinician.pk, "seen": ""})
    assert response.status_code == 403
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    assert "Allocate to a clinician" not in page


def test_the_hub_lead_allocates_by_name_and_it_is_audited(client):
    lead = a_hub_member(roles.HUB_LEAD, name="Lee Lead")
    robin = a_hub_member(name="Robin Colleague")
    UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], is_active=False)
    referral = ReferralFactory(reference="RH-ALLOC")
    client.force_login(lead)
    page = client.get(reverse("wellbeing:referral", args=[referral.pk])).content.decode()
    assert f'<option value="{robin.pk}">Robin Colleague</option>' in page
    response = client.post(allocate_url(referral), {"clinician": robin.pk, "seen": ""}, follow=True)
    assert "Referral RH-ALLOC is now held by Robin Colleague." in response.content.decode()
    referral.refresh_from_db(using="confidential")
    assert referral.assigned_ref == staff_ref_for(robin.pk)
    assert referral.status == ReferralStatus.IN_ASSESSMENT
    entry = AuditEntry.objects.using("confidential").filter(action="update").get()
    assert (entry.actor_name, entry.reason) == (
        "Lee Lead",
        "Allocated the referral to Robin Colleague",
    )


def test_allocating_without_choosing_says_so_next_to_the_field(client):
    client.force_login(a_hub_member(roles.HUB_LEAD))
    referral = ReferralFactory()
    response = client.post(allocate_url(referral), {"clinician": "", "seen": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert page.count("Choose who to allocate this referral to") >= 2
    assert AuditEntry.objects.using("confidential").filter(action="update").count() == 0


def test_allocating_from_a_stale_page_does_not_override_a_clinician_who_took_it(client):
    lead = a_hub_member(roles.HUB_LEAD, name="Lee Lead")
    robin = a_hub_member(name="Robin Colleague")
    quick = a_hub_member(name="Dr Sam Quick")
    referral = ReferralFactory()
    client.force_login(lead)
    seen = (
        client.get(reverse("wellbeing:referral", args=[referral.pk]))
        .context["allocate_form"]
        .initial["seen"]
    )
    referrals.do_claim(referral_id=referral.pk, acting_user=quick)  # meanwhile
    response = client.post(
        allocate_url(referral), {"clinician": robin.pk, "seen": seen}, follow=True
    )
    assert "Dr Sam Quick took this referral a moment ago." in response.content.decode()
    referral.refresh_from_db(using="confidential")
    assert referral.assigned_ref == staff_ref_for(quick.pk)
    # From the fresh page the lead can reassign it deliberately.
    seen = referral.assigned_at.isoformat()
    client.post(allocate_url(referral), {"clinician": robin.pk, "seen": seen})
    referral.refresh_from_db(using="confidential")
    assert referral.assigned_ref == staff_ref_for(robin.pk)
