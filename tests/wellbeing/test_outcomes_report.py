"""The Outcomes part of the hub lead's report: rates by component and by group from a built
set of referrals, completeness, suppression of small cells and of the rates resting on them,
the page and its CSV, bad periods, and a constant number of queries."""

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
    OnwardReferral,
    Referral,
    ReferralStatus,
    RiskLevel,
    Service,
)
from wellbeing.queries import reports
from wellbeing.queries.outcomes_report import (
    BREAKDOWNS,
    COMPONENT,
    _all_groups,
    eligible_referrals,
    outcomes_report,
)
from wellbeing.queries.reports import Period, Section

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

LONDON = zoneinfo.ZoneInfo("Europe/London")
SPRING_2026 = Period(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 4, 1))
# Long after the period: every assessed referral in it has had time to be measured again.
SUMMER = datetime.datetime(2026, 8, 3, 12, tzinfo=LONDON)
REPORTS = reverse("wellbeing:hub_reports")
OUTCOMES = reverse("wellbeing:hub_outcomes")
CSV = reverse("wellbeing:hub_reports_csv")


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=LONDON)


def scores(referral: Referral, when: datetime.datetime, source: str, **totals: int) -> None:
    for code, total in totals.items():
        ScreeningResultFactory(
            referral=referral,
            instrument=code.replace("_", "-"),
            total=total,
            answers=[],
            band="",
            taken_at=when,
            source=source,
        )


def a_referral(
    outcome: str = AssessmentOutcome.DIRECT_THERAPY,
    *,
    first: tuple[int, int] = (15, 12),
    last: tuple[int, int] | None = None,
    created: datetime.datetime | None = None,
    service: Service | None = None,
    **fields,
) -> Referral:
    """A referral received in the period, assessed with `outcome`, screened at self-referral
    with PHQ-9 and GAD-7 `first` and, when `last` is given, again at a later check-in."""
    created = created or at(3, 2)
    referral: Referral = ReferralFactory(
        created_at=created, assessed_at=created + datetime.timedelta(days=2), **fields
    )
    Assessment.objects.using("confidential").create(
        referral=referral,
        at=created + datetime.timedelta(days=2),
        by_ref="c" * 64,
        notes="Notes",
        risk_level=RiskLevel.LOW,
        formulation="Formulation",
        outcome=outcome,
    )
    if service is not None:
        OnwardReferral.objects.using("confidential").create(referral=referral, service=service)
    scores(referral, created, "self_referral", PHQ_9=first[0], GAD_7=first[1])
    if last is not None:
        scores(
            referral,
            created + datetime.timedelta(weeks=5),
            "check_in",
            PHQ_9=last[0],
            GAD_7=last[1],
        )
    return referral


def sections(period: Period = SPRING_2026, now: datetime.datetime = SUMMER) -> dict[str, Section]:
    return {section.key: section for section in outcomes_report(period, now).sections}


def table(section: Section) -> dict[str, tuple[str, ...]]:
    return {row.label: row.figures for row in section.rows}


def six_in_therapy_five_recover(**fields) -> None:
    for _ in range(5):
        a_referral(last=(5, 4), **fields)
    a_referral(last=(14, 11), **fields)


# --- The figures ---------------------------------------------------------------------------------


def test_recovery_and_reliable_change_are_counted_per_component_with_wilson_intervals():
    six_in_therapy_five_recover()
    for _ in range(5):
        a_referral(AssessmentOutcome.SELF_HELP, last=(8, 6))

    rates = table(sections()["outcomes-by-component"])

    # 5 of 6 recovered: 83%, Wilson 95% interval 44% to 97%.
    assert rates["Direct therapy"] == (
        "6",
        "6",
        "5 (83%, 44% to 97%)",
        "5 (83%, 44% to 97%)",
        "5 (83%, 44% to 97%)",
        "0 (0%, 0% to 39%)",
    )
    # 5 of 5: 100%, 57% to 100%.
    assert rates["Self-help"] == (
        "5",
        "5",
        "5 (100%, 57% to 100%)",
        "5 (100%, 57% to 100%)",
        "5 (100%, 57% to 100%)",
        "0 (0%, 0% to 43%)",
    )
    assert rates["Team-based support"][:2] == ("0", "0")
    assert rates["All referrals with paired scores"][:3] == ("11", "11", "10 (91%, 62% to 98%)")


def test_recovery_rests_only_on_those_at_caseness_at_the_start():
    six_in_therapy_five_recover()
    # Not at caseness at the start (PHQ-9 9, GAD-7 7): in the paired count, not in recovery's.
    for _ in range(5):
        a_referral(first=(9, 7), last=(2, 2))

    rates = table(sections()["outcomes-by-component"])

    paired, at_caseness, recovery, improvement, *_ = rates["Direct therapy"]
    assert (paired, at_caseness) == ("11", "6")
    assert recovery.startswith("5 (83%")
    # Reliable improvement is of all 11: the five below caseness improved by 7 on PHQ-9.
    assert improvement.startswith("10 (91%")


def test_one_measure_improving_while_the_other_deteriorates_is_neither():
    for _ in range(5):
        a_referral(first=(15, 5), last=(8, 10))  # PHQ-9 down 7, GAD-7 up 5

    rates = table(sections()["outcomes-by-component"])

    *_, improvement, _reliable_recovery, deterioration = rates["Direct therapy"]
    assert improvement.startswith("0 (0%")
    assert deterioration.startswith("0 (0%")


def test_reliable_deterioration_is_counted():
    for _ in range(5):
        a_referral(first=(10, 8), last=(16, 8))

    rates = table(sections()["outcomes-by-component"])

    assert rates["Direct therapy"][-1].startswith("5 (100%")
    assert rates["Direct therapy"][2].startswith("0 (0%")  # none recovered


def test_an_onward_referral_is_shown_by_the_service_it_went_to():
    service = Service.objects.using("confidential").create(
        name="Occupational health test service", criteria="-", how_to_refer="-", contact="-"
    )
    for _ in range(5):
        a_referral(AssessmentOutcome.ONWARD_REFERRAL, last=(5, 4), service=service)

    rates = table(sections()["outcomes-by-component"])

    assert rates["Onward referral: Occupational health test service"][:2] == ("5", "5")


def three_components_one_small(**fields) -> None:
    """Paired: 6 in therapy, 5 in self-help and 2 in team support; and, without a second
    measure, 9, 6 and 7 (different sizes, so hidden figures cannot be pinned by equal ones)."""
    six_in_therapy_five_recover(**fields)
    for _ in range(5):
        a_referral(AssessmentOutcome.SELF_HELP, last=(8, 6), **fields)
    for _ in range(2):
        a_referral(AssessmentOutcome.TEAM_SUPPORT, last=(5, 4), **fields)
    for outcome, n in (
        (AssessmentOutcome.DIRECT_THERAPY, 9),
        (AssessmentOutcome.SELF_HELP, 6),
        (AssessmentOutcome.TEAM_SUPPORT, 7),
    ):
        for _ in range(n):
            a_referral(outcome, **fields)


def test_a_small_component_shows_under_5_and_its_rate_is_hidden_with_the_next_smallest():
    three_components_one_small()

    rates = table(sections()["outcomes-by-component"])

    team = rates["Team-based support"]
    assert team[:2] == ("<5", "<5")
    # A rate whose count is suppressed is suppressed too, interval and all.
    assert team[2:] == ("<5 (*)",) * 3 + ("0 (*)",)
    # The next smallest in each column is hidden so that the "<5" cannot be worked out.
    self_help = rates["Self-help"]
    assert self_help[0] == "*"
    assert all("%" not in cell for cell in self_help)
    assert rates["All referrals with paired scores"][0] == "13"
    page_text = " ".join(cell for row in rates.values() for cell in row)
    assert not re.search(r"(?<![\d<])[1-4] \(", page_text), page_text


def test_breakdowns_count_by_sex_ethnic_group_staff_group_organisation_and_sector():
    six_in_therapy_five_recover(
        equality_monitoring={"sex": "male", "ethnic_group": "black"},
        organisation="Northfield Ambulance Service",
        sector="emergency_services",
        staff_group="allied_health_professionals",
    )
    for _ in range(5):
        a_referral(
            last=(15, 12),  # no change
            equality_monitoring={"sex": "female", "ethnic_group": "white"},
            organisation="Elmside Care Home",
            sector="care_home",
            staff_group="nursing_midwifery_registered",
        )

    found = sections()

    by_sex = table(found["outcomes-by-sex"])
    assert by_sex["Male"][:3] == ("6", "6", "5 (83%, 44% to 97%)")
    assert by_sex["Female"][:3] == ("5", "5", "0 (0%, 0% to 43%)")
    assert by_sex["Not given"][:2] == ("0", "0")
    by_ethnic_group = table(found["outcomes-by-ethnic-group"])
    assert by_ethnic_group["Black, Black British, Black Welsh, Caribbean or African"][0] == "6"
    assert by_ethnic_group["White"][0] == "5"
    by_organisation = table(found["outcomes-by-organisation"])
    assert list(by_organisation)[:2] == ["Northfield Ambulance Service", "Elmside Care Home"]
    by_sector = table(found["outcomes-by-sector"])
    assert by_sector["Ambulance, fire or police service"][2].startswith("5 (83%")
    assert by_sector["A care home or home care provider"][2].startswith("0 (0%")
    by_group = table(found["outcomes-by-staff-group"])
    assert by_group["Allied Health Professionals"][0] == "6"
    # Every breakdown has the same total as the components.
    for key in ("outcomes-by-sex", "outcomes-by-sector", "outcomes-by-organisation"):
        assert table(found[key])["All referrals with paired scores"][0] == "11"


def test_one_pass_with_grouping_sets_counts_what_a_query_per_table_counts():
    # PostgreSQL counts every table in one pass; SQLite (`make run`) a table at a time.
    service = Service.objects.using("confidential").create(
        name="Talking Therapies North", criteria="-", how_to_refer="-", contact="-"
    )
    six_in_therapy_five_recover(
        equality_monitoring={"sex": "male", "ethnic_group": "black"},
        organisation=" Northfield Ambulance Service ",
        sector="emergency_services",
    )
    a_referral(AssessmentOutcome.ONWARD_REFERRAL, last=(4, 3), service=service)
    a_referral(AssessmentOutcome.SELF_HELP, equality_monitoring={"sex": "intersex?"})
    a_referral(AssessmentOutcome.TEAM_SUPPORT, last=(20, 18), organisation="")
    eligible = eligible_referrals(SPRING_2026, SUMMER)
    groupings = (COMPONENT, *BREAKDOWNS)

    one_pass = _all_groups(eligible, groupings, one_pass=True)
    table_by_table = _all_groups(eligible, groupings, one_pass=False)

    assert one_pass == table_by_table
    assert one_pass[COMPONENT.key]["Onward referral: Talking Therapies North"].eligible == 1
    assert (
        one_pass["outcomes-by-organisation"]["Northfield Ambulance Service"].counts["recovered"]
        == 5
    )


def test_mean_change_has_a_t_interval_and_the_d_av_effect_size():
    six_in_therapy_five_recover()

    means = table(sections()["outcomes-mean-change"])

    # PHQ-9 15 to 5 five times and 15 to 14 once: mean -8.5, SD of the changes 3.67, so
    # -8.5 +/- 2.571 * 3.67 / sqrt(6); d_av = -8.5 / ((0 + 3.67) / 2).
    assert means["PHQ-9: Direct therapy"] == ("6", "-8.5 (-12.4 to -4.6)", "-4.63")
    assert means["PHQ-9: All referrals with paired scores"][0] == "6"
    # A questionnaire nobody answered twice has no row.
    assert not any(label.startswith("PCL-5") for label in means)


def test_a_mean_from_fewer_than_5_people_is_hidden():
    for _ in range(3):
        a_referral(last=(5, 4))

    means = table(sections()["outcomes-mean-change"])

    assert means["PHQ-9: Direct therapy"] == ("<5", "*", "*")


# --- Completeness --------------------------------------------------------------------------------


def test_completeness_counts_eligible_referrals_with_and_without_paired_scores():
    six_in_therapy_five_recover()
    for _ in range(5):
        a_referral()  # assessed, no later measure: eligible, without paired scores
    # Not eligible: never assessed; or received 3 weeks before "now" and still open.
    ReferralFactory(created_at=at(3, 2))
    now = at(4, 28)
    for _ in range(5):
        a_referral(created=at(4, 7), last=(5, 4))
    # Received as recently, but closed: eligible.
    for _ in range(5):
        a_referral(created=at(4, 7), status=ReferralStatus.CLOSED)

    report = outcomes_report(SPRING_2026, now)
    completeness = table(report.sections[0])

    assert completeness["Direct therapy"] == ("16", "6", "10", "38%")
    assert completeness["All eligible referrals"] == ("16", "6", "10", "38%")
    assert (report.eligible_text, report.paired_text) == ("16", "6")
    summary = dict(report.sections[0].summary)
    assert summary["The outcomes rest on"] == "6 referrals with paired scores, of 16 eligible"


def test_an_empty_period_says_so_in_words():
    report = outcomes_report(SPRING_2026, SUMMER)

    assert "No referral received in March 2026 to April 2026 is eligible" in report.message
    assert all(section.empty for section in report.sections)


def test_a_period_whose_referrals_have_no_second_measure_says_so():
    for _ in range(5):
        a_referral()

    report = outcomes_report(SPRING_2026, SUMMER)

    assert "None of the eligible referrals" in report.message
    assert not report.sections[0].empty  # completeness still shows the 5 without


# --- The page and the CSV ----------------------------------------------------------------------


@pytest.fixture
def hub_lead(client):
    user = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    client.force_login(user)
    return user


def recent_period() -> Period:
    """A period the form offers (the last 12 months) whose referrals are all eligible."""
    return reports.last_twelve_months()


def referrals_in_the_offered_period() -> None:
    created = datetime.datetime.combine(recent_period().first, datetime.time(10), tzinfo=LONDON)
    three_components_one_small(created=created)


def test_the_lead_reads_the_outcomes_with_what_they_rest_on(client, hub_lead):
    referrals_in_the_offered_period()

    response = client.get(OUTCOMES)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="recovery-and-change"' in page
    rest_on = re.search(r"rest on <strong>(.+?)</strong> referrals with paired scores", page)
    assert rest_on is not None, page[page.index('id="recovery-and-change"') :][:3000]
    assert rest_on.group(1) == "13"
    assert "Figures: outcomes by service component" in page
    assert "5 (83%, 44% to 97%)" in page
    assert '<title id="chart-outcomes-by-component-title">' in page
    # Every section's anchor is its own: the contents list leads to the right one.
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    # The other report pages are a link away, for the same period.
    period = reports.last_twelve_months()
    assert f'href="{REPORTS}?start={period.first:%Y-%m}&amp;end={period.last:%Y-%m}"' in page


def test_the_referrals_page_leaves_the_outcomes_to_their_own_page(client, hub_lead):
    referrals_in_the_offered_period()

    response = client.get(REPORTS)

    page = response.content.decode()
    assert "Figures: referrals by month" in page
    assert "outcomes" not in response.context
    assert "Figures: outcomes by service component" not in page
    assert f'href="{OUTCOMES}?start=' in page


def test_a_month_that_was_not_offered_is_explained_and_no_outcomes_are_shown(client, hub_lead):
    response = client.get(OUTCOMES, {"start": "2026-13", "end": "1999-01"})

    page = response.content.decode()
    assert "Select the first month from the list" in page
    assert "outcomes" not in response.context


def test_an_end_before_the_start_is_explained(client, hub_lead):
    last = reports.last_twelve_months().last
    response = client.get(
        OUTCOMES, {"start": f"{last:%Y-%m}", "end": f"{reports.months_back(last, 1):%Y-%m}"}
    )

    assert "The last month must be the same as or after the first month" in (
        response.content.decode()
    )
    assert "outcomes" not in response.context


def test_a_period_with_nothing_eligible_says_why_on_the_page(client, hub_lead):
    month = reports.last_twelve_months().last
    response = client.get(OUTCOMES, {"start": f"{month:%Y-%m}", "end": f"{month:%Y-%m}"})

    assert f"No referral received in {month:%B %Y} is eligible for outcomes yet" in (
        response.content.decode()
    )


def _counts_in(cell: str) -> list[int]:
    """The counts a cell shows: a whole cell, or the count before a rate ("12 (60%, ...)")."""
    match = re.fullmatch(r"(\d+)(?: \(.*\))?", cell)
    return [int(match.group(1))] if match else []


def test_the_csv_has_the_outcomes_with_only_suppressed_figures(client, hub_lead):
    referrals_in_the_offered_period()

    response = client.get(CSV)

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Outcomes by service component"] in rows
    assert ["Completeness: referrals with paired scores"] in rows
    team = next(row for row in rows if row and row[0] == "Team-based support" and len(row) == 7)
    assert team[1:] == ["<5", "<5", "<5 (*)", "<5 (*)", "<5 (*)", "0 (*)"]
    counts = [n for row in rows for cell in row for n in _counts_in(cell)]
    assert counts
    assert not [n for n in counts if 1 <= n <= 4]
    assert ["The outcomes rest on", "13 referrals with paired scores, of 35 eligible"] in rows


# --- A constant number of queries ----------------------------------------------------------------


def _queries_for_outcomes(n: int) -> int:
    service = Service.objects.using("confidential").get_or_create(
        name="Query count test service",
        defaults={"criteria": "-", "how_to_refer": "-", "contact": "-"},
    )[0]
    for i in range(n):
        outcome = AssessmentOutcome.ONWARD_REFERRAL if i == 0 else AssessmentOutcome.SELF_HELP
        a_referral(
            outcome,
            last=(5, 4),
            service=service if i == 0 else None,
            organisation=f"Trust {i % 7}",
            equality_monitoring={"sex": "male" if i % 2 else "female"},
        )
    with (
        CaptureQueriesContext(connections["confidential"]) as confidential,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        outcomes_report(SPRING_2026, SUMMER)
    assert len(default) == 0
    return len(confidential)


def test_the_outcomes_take_the_same_number_of_queries_for_1_and_60_referrals():
    one = _queries_for_outcomes(1)
    Referral.objects.using("confidential").all().delete()
    many = _queries_for_outcomes(60)
    # Any outcome summary to work out first (none here: every write kept them current), every
    # table's counts in one pass (GROUPING SETS on PostgreSQL), and the mean changes.
    assert one == many == 3


def test_the_outcomes_never_decrypt_anything(monkeypatch):
    six_in_therapy_five_recover()

    def refuse(token):
        raise AssertionError("The outcomes report decrypted a confidential field")

    monkeypatch.setattr("wellbeing.crypto.decrypt", refuse)
    assert outcomes_report(SPRING_2026, SUMMER).paired_text == "6"
