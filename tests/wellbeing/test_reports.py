"""Hub reports: each figure against hand-built referrals, small counts suppressed, the period
filter, the CSV of suppressed figures only, who may see them, and a constant number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory
from tests.wellbeing.factories import ReferralFactory, ScreeningResultFactory
from wellbeing.models import (
    Assessment,
    AssessmentOutcome,
    CloseReason,
    Referral,
    ReferralStatus,
    RiskLevel,
    TeamRequest,
    TeamSession,
    TeamSupportType,
)
from wellbeing.queries import reports
from wellbeing.queries.reports import Period, Section

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

LONDON = zoneinfo.ZoneInfo("Europe/London")
REPORTS = reverse("wellbeing:hub_reports")
CSV = reverse("wellbeing:hub_reports_csv")
SPRING_2026 = Period(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 4, 1))


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=LONDON)


def referrals(n: int, **fields) -> list[Referral]:
    return [ReferralFactory(**fields) for _ in range(n)]


def assess(referral, outcome=AssessmentOutcome.SELF_HELP, when=None) -> Assessment:
    return Assessment.objects.using("confidential").create(
        referral=referral,
        at=when or referral.created_at + datetime.timedelta(days=1),
        by_ref="c" * 64,
        notes="Notes",
        risk_level=RiskLevel.LOW,
        formulation="Formulation",
        outcome=outcome,
    )


def table(section: Section) -> dict[str, tuple[str, ...]]:
    return {row.label: row.figures for row in section.rows}


# --- Each figure ---------------------------------------------------------------------------------


def test_referrals_are_counted_by_london_month_within_the_period():
    referrals(7, created_at=at(2025, 1, 15))
    referrals(5, created_at=at(2025, 2, 28, 23))
    # 23:30 on 31 March in UTC is 00:30 on 1 April in London (summer time): April, not March.
    ReferralFactory(created_at=datetime.datetime(2025, 3, 31, 23, 30, tzinfo=datetime.UTC))
    ReferralFactory(created_at=at(2024, 12, 31))

    section = reports.referrals_by_month(
        Period(first=datetime.date(2025, 1, 1), last=datetime.date(2025, 3, 1))
    )

    assert table(section) == {
        "January 2025": ("7",),
        "February 2025": ("5",),
        "March 2025": ("0",),
        "Total": ("12",),
    }


def test_a_small_month_shows_under_5_and_the_next_smallest_is_hidden_with_it():
    referrals(6, created_at=at(2025, 1, 15))
    referrals(2, created_at=at(2025, 2, 15))

    section = reports.referrals_by_month(
        Period(first=datetime.date(2025, 1, 1), last=datetime.date(2025, 3, 1))
    )

    assert table(section) == {
        "January 2025": ("*",),
        "February 2025": ("<5",),
        "March 2025": ("0",),
        "Total": ("8",),
    }
    assert section.chart is not None
    bars = [bar for row in section.chart.rows for bar in row.bars]
    assert [bar.text for bar in bars] == ["*", "<5", "0"]
    assert [bar.width for bar in bars] == [0, 0, 0]


def test_referrals_are_counted_by_staff_group_with_those_not_given():
    referrals(5, created_at=at(2026, 3, 2), staff_group="nursing_midwifery_registered")
    referrals(2, created_at=at(2026, 3, 2), staff_group="medical_dental")
    referrals(6, created_at=at(2026, 3, 2), staff_group="")

    figures = table(reports.referrals_by_staff_group(SPRING_2026))

    assert figures["Nursing and Midwifery Registered"] == ("*",)
    assert figures["Medical and Dental"] == ("<5",)
    assert figures["Administrative and Clerical"] == ("0",)
    assert figures["Not given"] == ("6",)
    assert figures["Total"] == ("13",)


def test_referrals_are_counted_by_organisation_largest_first():
    referrals(5, created_at=at(2026, 3, 2), organisation="Beta Care Home")
    referrals(6, created_at=at(2026, 3, 2), organisation="Alpha NHS Trust")
    referrals(5, created_at=at(2026, 3, 2), organisation="")

    section = reports.referrals_by_organisation(SPRING_2026)

    assert [(row.label, row.figures) for row in section.rows] == [
        ("Alpha NHS Trust", ("6",)),
        ("Beta Care Home", ("5",)),
        ("Not given", ("5",)),
        ("Total", ("16",)),
    ]


def test_time_to_assessment_is_counted_in_working_days_with_the_median_and_share(settings):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    monday = at(2026, 3, 2)
    # Calendar days after Monday 2 March, and the working days they make: 1 (Tuesday), 1, 2, 2,
    # 2, then after the target 3, 4, 5 (the next Monday), 5 and 6.
    for days_later in (1, 1, 2, 2, 2, 3, 4, 7, 7, 8):
        ReferralFactory(created_at=monday, assessed_at=monday + datetime.timedelta(days=days_later))
    # Thursday 2 April to Tuesday 7 April 2026 skips Good Friday and Easter Monday: 1 working day.
    ReferralFactory(created_at=at(2026, 4, 2), assessed_at=at(2026, 4, 7))
    # Not assessed, and not counted: closed without an assessment, or still within its target.
    ReferralFactory(created_at=monday, status=ReferralStatus.CLOSED)
    ReferralFactory(created_at=at(2026, 4, 30, 9))

    section = reports.time_to_assessment(SPRING_2026, now=at(2026, 4, 30, 12))

    assert table(section) == {
        "Assessed within the target": ("6",),
        "Assessed after the target": ("5",),
        "Still waiting, past the target": ("0",),
        "Total": ("11",),
    }
    assert dict(section.summary) == {
        "Median time to assessment": "2 working days",
        "Met the target": "55%",
    }


def test_referrals_still_waiting_past_their_target_count_as_missing_it(settings):
    """Issue 13: "assessed within 2 working days: 100%" while people waited unassessed."""
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    monday = at(2026, 3, 2)
    for _ in range(5):
        ReferralFactory(created_at=monday, assessed_at=monday + datetime.timedelta(days=1))
    for status in (ReferralStatus.NEW,) * 3 + (ReferralStatus.IN_ASSESSMENT,) * 2:
        ReferralFactory(created_at=monday, status=status)

    section = reports.time_to_assessment(SPRING_2026, now=at(2026, 3, 9))

    assert table(section) == {
        "Assessed within the target": ("5",),
        "Assessed after the target": ("0",),
        "Still waiting, past the target": ("5",),
        "Total": ("10",),
    }
    assert dict(section.summary)["Met the target"] == "50%"
    # The day before their target passed, the same five were not yet missing it.
    before = reports.time_to_assessment(SPRING_2026, now=at(2026, 3, 4, 17))
    assert table(before)["Still waiting, past the target"] == ("0",)
    assert dict(before.summary)["Met the target"] == "100%"


def test_two_referrals_waiting_past_their_target_are_shown_as_under_5_not_hidden_by_100_percent(
    settings,
):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    monday = at(2026, 3, 2)
    for _ in range(8):
        ReferralFactory(created_at=monday, assessed_at=monday + datetime.timedelta(days=1))
    ReferralFactory(created_at=monday)
    ReferralFactory(created_at=monday, status=ReferralStatus.IN_ASSESSMENT)

    section = reports.time_to_assessment(SPRING_2026, now=at(2026, 3, 20))

    assert table(section)["Still waiting, past the target"] == ("<5",)
    assert dict(section.summary)["Met the target"] != "100%"


def test_an_urgent_referral_assessed_after_its_hours_missed_the_target(settings):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    settings.HUB_URGENT_CONTACT_TARGET_HOURS = 24
    monday = at(2026, 3, 2)
    # 30 hours is within 2 working days, but past an urgent referral's 24 hours.
    for _ in range(5):
        ReferralFactory(
            created_at=monday, urgent=True, assessed_at=monday + datetime.timedelta(hours=30)
        )
    for _ in range(5):
        ReferralFactory(
            created_at=monday, urgent=True, assessed_at=monday + datetime.timedelta(hours=20)
        )

    section = reports.time_to_assessment(SPRING_2026, now=at(2026, 4, 30))

    assert table(section)["Assessed within the target"] == ("5",)
    assert table(section)["Assessed after the target"] == ("5",)
    assert "24 hours" in section.about


def test_a_small_count_after_the_target_hides_the_share_too():
    monday = at(2026, 3, 2)
    for days_later in (1, 1, 1, 1, 1, 1, 9):
        ReferralFactory(created_at=monday, assessed_at=monday + datetime.timedelta(days=days_later))

    section = reports.time_to_assessment(SPRING_2026)

    assert [row.figures for row in section.rows] == [("*",), ("<5",), ("0",), ("7",)]
    assert dict(section.summary) == {
        "Median time to assessment": "1 working day",
        "Met the target": "*",
    }


def test_a_median_and_share_from_fewer_than_5_assessments_are_hidden():
    for _ in range(3):
        ReferralFactory(created_at=at(2026, 3, 2), assessed_at=at(2026, 3, 3))

    section = reports.time_to_assessment(SPRING_2026)

    assert dict(section.summary) == {
        "Median time to assessment": "*",
        "Met the target": "*",
    }
    assert table(section)["Total"] == ("<5",)


def test_outcomes_count_the_latest_assessment_of_each_referral():
    when = at(2026, 3, 2)
    changed_mind = ReferralFactory(created_at=when)
    assess(changed_mind, AssessmentOutcome.ONWARD_REFERRAL, when=at(2026, 3, 3))
    assess(changed_mind, AssessmentOutcome.SELF_HELP, when=at(2026, 3, 10))
    for referral in referrals(4, created_at=when):
        assess(referral, AssessmentOutcome.SELF_HELP)
    assess(ReferralFactory(created_at=when), AssessmentOutcome.TEAM_SUPPORT)
    for referral in referrals(6, created_at=when):
        assess(referral, AssessmentOutcome.DIRECT_THERAPY)
    ReferralFactory(created_at=when)  # not assessed

    figures = table(reports.outcomes(SPRING_2026))

    # 1 team support; hiding the 5 self-help alone would leave "<5" + "*" = 12 - 6 = 6, which
    # pins the "<5" to 1 (as "*" is 5 or more), so direct therapy is hidden as well.
    assert figures == {
        "Self-help with signposted resources": ("*",),
        "Team-based support": ("<5",),
        "Direct therapy at the hub": ("*",),
        "Onward referral to another service": ("0",),
        "Close the referral": ("0",),
        "Total": ("12",),
    }


def test_closed_referrals_are_counted_by_reason():
    referrals(
        5,
        created_at=at(2026, 3, 2),
        status=ReferralStatus.CLOSED,
        close_reason=CloseReason.SUPPORT_COMPLETED,
    )
    ReferralFactory(created_at=at(2026, 3, 2))  # still open

    figures = table(reports.closed_referrals(SPRING_2026))

    assert figures["Support completed"] == ("5",)
    assert figures["Another reason"] == ("0",)
    assert figures["Total"] == ("5",)


def test_score_change_compares_the_first_and_latest_screening_of_each_questionnaire():
    for _ in range(5):
        referral = ReferralFactory(created_at=at(2026, 3, 2))
        # Saved latest first: the order is by when they were taken, not by id.
        ScreeningResultFactory(
            referral=referral, instrument="GAD-7", total=6, taken_at=at(2026, 4, 20)
        )
        ScreeningResultFactory(
            referral=referral, instrument="GAD-7", total=12, taken_at=at(2026, 3, 30)
        )
        ScreeningResultFactory(
            referral=referral, instrument="GAD-7", total=10, taken_at=at(2026, 3, 2)
        )
    for first, latest in ((12, 8), (9, 9), (5, 11)):
        referral = ReferralFactory(created_at=at(2026, 3, 2))
        ScreeningResultFactory(
            referral=referral, instrument="PHQ-9", total=first, taken_at=at(2026, 3, 2)
        )
        ScreeningResultFactory(
            referral=referral, instrument="PHQ-9", total=latest, taken_at=at(2026, 4, 2)
        )
    once = ReferralFactory(created_at=at(2026, 3, 2))
    ScreeningResultFactory(referral=once, instrument="PCL-5", total=40)

    figures = table(reports.score_change(SPRING_2026))

    assert figures["GAD-7"] == ("5", "0", "0", "5", "-4")
    assert figures["PHQ-9"] == ("<5", "<5", "<5", "<5", "*")
    assert figures["PCL-5"] == ("0", "0", "0", "0", "*")


def test_team_sessions_delivered_are_counted_with_attendance(settings):
    workshop = TeamRequest.objects.using("confidential").create(
        requester_ref="t" * 64,
        requester_key="1",
        team="Ward 7",
        organisation="Test Trust",
        team_size=20,
        support_type=TeamSupportType.WORKSHOP,
        topic="Sleep after night shifts",
    )
    consultation = TeamRequest.objects.using("confidential").create(
        requester_ref="t" * 64,
        requester_key="1",
        team="Ward 8",
        organisation="Test Trust",
        team_size=8,
        support_type=TeamSupportType.CONSULTATION,
        topic="A difficult week",
    )

    def session(request, when, **fields):
        return TeamSession.objects.using("confidential").create(
            request=request, starts_at=when, facilitator="Casey", place="Room 1", **fields
        )

    for day in (2, 3, 4, 5, 6):
        session(workshop, at(2026, 3, day), attended=6)
    session(workshop, at(2026, 3, 9), attended=None, cancelled_at=at(2026, 3, 8))
    session(workshop, at(2026, 4, 28), attended=None)  # after "now": not delivered yet
    session(consultation, at(2026, 3, 10), attended=2)

    section = reports.team_sessions(SPRING_2026, now=at(2026, 4, 20))

    # Sessions: 1 consultation is "<5"; the 5 workshops alone would leave it pinned at 6 - 5,
    # so the total goes too.
    assert table(section) == {
        "Workshop": ("*", "*"),
        "Consultation for the team lead": ("<5", "<5"),
        "Facilitated peer support session": ("0", "0"),
        "Total": ("*", "32"),
    }


def test_uptake_by_under_represented_groups_counts_only_those_who_answered():
    when = at(2026, 3, 2)
    for sex, n in (("male", 6), ("female", 6), ("prefer_not_to_say", 2)):
        referrals(n, created_at=when, equality_monitoring={"sex": sex})
    for group, n in (
        ("asian", 2),
        ("black", 2),
        ("other", 1),
        ("white", 7),
        ("prefer_not_to_say", 3),
    ):
        referrals(n, created_at=when, equality_monitoring={"ethnic_group": group})
    referrals(2, created_at=when, organisation="Sunnyside Care Home")
    referrals(1, created_at=when, organisation="Northshire Ambulance Service NHS Trust")
    ReferralFactory(created_at=when, organisation="", equality_monitoring={})

    figures = table(reports.under_represented_groups(SPRING_2026))

    # 29 referrals name the factory's hospital, 2 a care home and 1 an ambulance service. The 32
    # who named one are hidden: the organisation table shows 33 referrals and "Not given: <5",
    # so 32 would pin that "<5" at 1 (ADR 0021).
    assert figures["Men"] == ("6", "6", "12", "50%")
    assert figures["Minority ethnic staff"] == ("5", "7", "12", "42%")
    assert figures["Care home staff"] == ("<5", "30", "*", "*")
    assert figures["Emergency services staff"] == ("<5", "31", "*", "*")


def test_men_under_5_are_never_shown_beside_no_other_referrals():
    # Three men answered the question and nobody else did: "Men: <5" beside "Other referrals:
    # 0" would say that everyone who answered is a man.
    when = at(2026, 3, 2)
    referrals(3, created_at=when, equality_monitoring={"sex": "male"})
    referrals(6, created_at=when, equality_monitoring={})

    section = reports.under_represented_groups(SPRING_2026)

    assert table(section)["Men"] == ("<5", "<5", "<5", "*")
    assert section.chart is not None
    assert [bar.text for bar in section.chart.rows[0].bars] == ["<5"]


def test_a_hidden_count_is_never_all_of_its_table():
    # Two assessed referrals, both to team-based support, so "Team-based support: <5" beside
    # a 0 for every other outcome would tell anyone who knows a colleague was assessed what
    # their outcome was.
    for referral in referrals(2, created_at=at(2026, 3, 2), assessed_at=at(2026, 3, 3)):
        assess(referral, AssessmentOutcome.TEAM_SUPPORT)

    figures = table(reports.outcomes(SPRING_2026))

    assert figures["Team-based support"] == ("<5",)
    assert figures["Self-help with signposted resources"] == ("<5",)
    assert [figures[label] for label in figures][2:] == [("0",), ("0",), ("0",), ("<5",)]


def test_a_total_hidden_in_one_table_is_not_shown_by_another():
    # 1 referral in March and 5 in April hides the total of the months ("<5" + "*" = 6 would pin
    # the "<5" at 1); all 6 from one staff group would show that 6 unless hidden there too.
    referrals(1, created_at=at(2026, 3, 2), staff_group="medical_dental")
    referrals(5, created_at=at(2026, 4, 2), staff_group="medical_dental")

    by_month = table(reports.referrals_by_month(SPRING_2026))
    by_staff_group = table(reports.referrals_by_staff_group(SPRING_2026))
    by_organisation = table(reports.referrals_by_organisation(SPRING_2026))

    assert by_month == {"March 2026": ("<5",), "April 2026": ("*",), "Total": ("*",)}
    assert by_staff_group["Medical and Dental"] == ("*",)
    assert by_staff_group["Total"] == ("*",)
    assert by_organisation["Total"] == ("*",)
    published = [n for t in (by_month, by_staff_group, by_organisation) for (n,) in t.values()]
    assert "6" not in published


def test_not_given_cannot_be_worked_out_from_those_who_named_an_organisation():
    referrals(20, created_at=at(2026, 3, 2), organisation="Alpha NHS Trust")
    referrals(2, created_at=at(2026, 3, 2), organisation="")

    sections = {section.key: table(section) for section in reports.hub_report(SPRING_2026)}

    assert sections["organisation"]["Not given"] == ("<5",)
    shown_total = sections["organisation"]["Total"][0]
    named = sections["uptake"]["Care home staff"][2]
    assert not (shown_total.isdigit() and named.isdigit()), (shown_total, named)


def test_referrals_are_counted_by_each_equality_answer_with_those_not_given():
    when = at(2026, 3, 2)
    answers = {
        "age_band": "25_34",
        "disability": "limited_a_little",
        "sexual_orientation": "bisexual",
        "religion": "muslim",
    }
    referrals(6, created_at=when, equality_monitoring=answers)
    referrals(7, created_at=when, equality_monitoring={"age_band": "prefer_not_to_say"})
    referrals(8, created_at=when, equality_monitoring={})

    sections = {s.key: table(s) for s in reports.referrals_by_equality_answers(SPRING_2026)}

    assert list(sections) == [
        "equality-age-band",
        "equality-disability",
        "equality-sexual-orientation",
        "equality-religion",
    ]
    age = sections["equality-age-band"]
    assert (age["25 to 34"], age["Prefer not to say"], age["Not given"]) == (("6",), ("7",), ("8",))
    assert age["16 to 24"] == ("0",)
    assert age["Total"] == ("21",)
    assert sections["equality-disability"]["Yes, limited a little"] == ("6",)
    assert sections["equality-disability"]["Not given"] == ("15",)
    assert sections["equality-sexual-orientation"]["Bisexual"] == ("6",)
    assert sections["equality-religion"]["Muslim"] == ("6",)
    assert sections["equality-religion"]["Total"] == ("21",)


def test_a_small_equality_answer_is_hidden_with_the_next_smallest():
    when = at(2026, 3, 2)
    referrals(3, created_at=when, equality_monitoring={"religion": "sikh"})
    referrals(9, created_at=when, equality_monitoring={"religion": "none"})

    religion = table(reports.referrals_by_equality_answers(SPRING_2026)[3])

    assert religion["Sikh"] == ("<5",)
    # "No religion: 9" beside the total of 12 would pin the "<5" at 3: hidden too.
    assert religion["No religion"] == ("*",)
    assert religion["Total"] == ("12",)
    assert not {"3", "9"} & {n for (n,) in religion.values()}


def test_an_equality_table_does_not_show_the_total_the_months_hide():
    # 1 referral in March and 5 in April hide the period's total; every one of them gave the
    # same age, which would show it unless the age table is suppressed with the months.
    referrals(1, created_at=at(2026, 3, 2), equality_monitoring={"age_band": "45_54"})
    referrals(5, created_at=at(2026, 4, 2), equality_monitoring={"age_band": "45_54"})

    sections = {section.key: table(section) for section in reports.hub_report(SPRING_2026)}

    assert sections["month"]["Total"] == ("*",)
    assert sections["equality-age-band"]["45 to 54"] == ("*",)
    assert sections["equality-age-band"]["Total"] == ("*",)
    assert ("6",) not in sections["equality-age-band"].values()


def test_the_reports_never_decrypt_anything(monkeypatch):
    referral = ReferralFactory(created_at=at(2026, 3, 2), assessed_at=at(2026, 3, 3))
    assess(referral)
    ScreeningResultFactory(referral=referral, taken_at=at(2026, 3, 2))
    ScreeningResultFactory(referral=referral, taken_at=at(2026, 3, 20))

    def refuse(token):
        raise AssertionError("A report decrypted a confidential field")

    monkeypatch.setattr("wellbeing.crypto.decrypt", refuse)
    sections = reports.hub_report(SPRING_2026)
    assert len(sections) == 9 + len(reports.EQUALITY_TABLES)


# --- The page ------------------------------------------------------------------------------------


def a_hub_member(role: str):
    return UserFactory(with_profile=True, roles=[role], with_totp=True)


@pytest.fixture
def hub_lead(client):
    user = a_hub_member(roles.HUB_LEAD)
    client.force_login(user)
    return user


def test_anonymous_visitors_are_asked_to_sign_in(client):
    for url in (REPORTS, CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [roles.HUB_CLINICIAN, roles.CURATOR])
def test_only_the_hub_lead_may_see_the_reports(client, role):
    client.force_login(a_hub_member(role))
    assert client.get(REPORTS).status_code == 403
    assert client.get(CSV).status_code == 403


def test_staff_and_team_leads_are_refused(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.TEAM_LEAD]))
    assert client.get(REPORTS).status_code == 403


def test_the_hub_lead_sees_the_last_12_months_by_default_and_it_is_never_cached(client, hub_lead):
    response = client.get(REPORTS)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    period = response.context["period"]
    assert period == reports.last_twelve_months()
    assert len(period.months) == 12
    page = response.content.decode()
    for section in response.context["sections"]:
        assert f'id="{section.key}"' in page
        assert section.heading in page
    # No referrals yet: each section says so rather than drawing empty charts.
    assert page.count("There is nothing to report for this period.") == len(
        response.context["sections"]
    )
    # The outcomes' page too, for the same period.
    outcomes = client.get(reverse("wellbeing:hub_outcomes"))
    assert "no-store" in outcomes["Cache-Control"]
    assert outcomes.content.decode().count("There is nothing to report for this period.") == len(
        outcomes.context["outcomes"].sections
    )


def test_each_section_has_a_chart_and_a_table_of_the_same_suppressed_figures(client, hub_lead):
    this_month = reports.last_twelve_months().last
    created = datetime.datetime.combine(this_month, datetime.time(9), tzinfo=LONDON)
    referrals(3, created_at=created)

    page = client.get(REPORTS).content.decode()

    month_row = re.search(rf"<th[^>]*>{this_month:%B %Y}</th>\s*<td[^>]*>([^<]+)</td>", page)
    assert month_row is not None
    assert month_row.group(1) == "&lt;5"
    assert '<title id="chart-month-title">Bar chart: Referrals by month</title>' in page
    assert "&lt;5</text>" in page  # the chart's label for the same figure, with no bar


def test_a_chosen_period_is_reported(client, hub_lead):
    last = reports.last_twelve_months().last
    first = reports.months_back(last, 2)
    response = client.get(REPORTS, {"start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}"})

    assert response.context["period"] == Period(first=first, last=last)
    assert f"{first:%B %Y} to {last:%B %Y}" in response.content.decode()


def test_an_end_before_the_start_is_explained_next_to_the_field(client, hub_lead):
    last = reports.last_twelve_months().last
    response = client.get(
        REPORTS, {"start": f"{last:%Y-%m}", "end": f"{reports.months_back(last, 1):%Y-%m}"}
    )

    page = response.content.decode()
    assert "There is a problem" in page
    # Once in the error summary, once next to the "To" field.
    assert page.count("The last month must be the same as or after the first month") == 2
    assert 'id="id_end-error"' in page
    assert "sections" not in response.context


def test_a_month_that_was_not_offered_is_explained(client, hub_lead):
    response = client.get(REPORTS, {"start": "1999-01", "end": "2000-13"})

    page = response.content.decode()
    assert "Select the first month from the list" in page
    assert "Select the last month from the list" in page


def test_a_csv_with_a_wrong_period_sends_the_lead_back_to_the_explained_form(client, hub_lead):
    response = client.get(CSV, {"start": "1999-01", "end": "1999-02"})

    assert response.status_code == 302
    assert response["Location"].startswith(REPORTS + "?")


# --- The CSV -------------------------------------------------------------------------------------


def test_the_csv_holds_only_suppressed_figures(client, hub_lead):
    this_month = reports.last_twelve_months().last
    created = datetime.datetime.combine(this_month, datetime.time(9), tzinfo=LONDON)
    referrals(3, created_at=created, organisation='=HYPERLINK("http://example.com")')
    referrals(7, created_at=created, staff_group="medical_dental")

    response = client.get(CSV)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "<5" in cells
    whole_numbers = [int(cell) for cell in cells if cell.isdigit()]
    assert whole_numbers, "the file should hold some counts"
    assert not [n for n in whole_numbers if 1 <= n <= 4]
    assert ["Referrals by month"] in rows
    assert [f"{this_month:%B %Y}", "10"] in rows
    # A typed organisation that looks like a formula is shown as text.
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


# --- A constant number of queries ----------------------------------------------------------------


def _queries_for_report(n: int) -> int:
    when = at(2026, 3, 2)
    for i in range(n):
        referral = ReferralFactory(
            created_at=when + datetime.timedelta(hours=i),
            assessed_at=when + datetime.timedelta(days=2, hours=i),
            organisation=f"Trust {i % 7}",
            equality_monitoring={"sex": "male" if i % 2 else "female"},
        )
        assess(referral)
        ScreeningResultFactory(referral=referral, total=10, taken_at=when)
        ScreeningResultFactory(referral=referral, total=8, taken_at=at(2026, 4, 2))
    with (
        CaptureQueriesContext(connections["confidential"]) as confidential,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        reports.hub_report(SPRING_2026)
    assert len(default) == 0  # nothing about the hub is read from, or written to, the default DB
    return len(confidential)


def test_the_report_takes_the_same_number_of_queries_for_10_and_200_referrals():
    few = _queries_for_report(10)
    # Same database, more referrals: the count is per section, not per referral.
    Referral.objects.using("confidential").all().delete()
    many = _queries_for_report(200)
    # One query a section (the uptake table is worked out from the organisation table's and the
    # equality answers' counts), and one for every equality question's answers together; the
    # two sections counted from outcome summaries (outcomes of assessments, change in scores)
    # each ask first whether any summary needs working out (none: every write kept them current).
    assert few == many == 11


def test_the_outcomes_do_not_show_the_total_that_time_to_assessment_hides(settings):
    settings.HUB_CONTACT_TARGET_WORKING_DAYS = 2
    monday = at(2026, 3, 2)
    for days_later in (1, 1, 1, 1, 1, 9):
        referral = ReferralFactory(
            created_at=monday, assessed_at=monday + datetime.timedelta(days=days_later)
        )
        assess(referral, AssessmentOutcome.SELF_HELP)

    sections = {section.key: table(section) for section in reports.hub_report(SPRING_2026)}

    # 5 within the target and 1 after: "<5" + "*" = 6 would pin the "<5" at 1, so the 6
    # assessed are hidden, and the outcomes, which count the same referrals, hide them too.
    timing = sections["time-to-assessment"]
    assert timing["Assessed after the target"] == ("<5",)
    assert timing["Total"] == ("*",)
    assert sections["outcomes"]["Total"] == ("*",)
    assert ("6",) not in sections["outcomes"].values()
