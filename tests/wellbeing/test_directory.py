"""The service directory: clinicians read it, the hub lead keeps it; seeded by a migration."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory
from tests.submission_keys import a_key
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import AuditEntry, OnwardReferral, Service
from wellbeing.services import directory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

DB = "confidential"
SEEDED = (
    "NHS Talking Therapies",
    "Community mental health team",
    "Occupational health",
    "GP",
    "NHS Practitioner Health",
    "Drug and alcohol service",
    "Specialist trauma service",
)


def signed_in(client, *role_names: str, with_totp: bool = True):
    user = UserFactory(with_profile=True, roles=list(role_names), with_totp=with_totp)
    client.force_login(user)
    return user


@pytest.fixture
def hub_lead(client):
    return signed_in(client, roles.HUB_LEAD)


@pytest.fixture
def service():
    return Service.objects.using(DB).create(
        name="Staff counselling service",
        criteria="Staff of the partnership's organisations.",
        how_to_refer="Self-referral by email.",
        contact="See your local service's website",
        typical_wait="About 3 weeks",
    )


def valid_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "Staff counselling service",
        "criteria": "Staff of the partnership's organisations.",
        "how_to_refer": "Self-referral by email.",
        "contact": "See your local service's website",
        "typical_wait": "About 3 weeks",
    }
    data.update(changes)
    return data


def audit_entries(service: Service) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.using(DB)
        .filter(object_type="service", object_id=service.pk)
        .order_by("id")
    )


# --- Who may open what ---------------------------------------------------------------------


def urls(service_id: int) -> dict[str, str]:
    return {
        "list": reverse("wellbeing:directory"),
        "new": reverse("wellbeing:directory_new"),
        "edit": reverse("wellbeing:directory_edit", kwargs={"service_id": service_id}),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, {"list": 403, "new": 403, "edit": 403}),
        (roles.TEAM_LEAD, {"list": 403, "new": 403, "edit": 403}),
        (roles.CURATOR, {"list": 403, "new": 403, "edit": 403}),
        (roles.HUB_CLINICIAN, {"list": 200, "new": 403, "edit": 403}),
        (roles.HUB_LEAD, {"list": 200, "new": 200, "edit": 200}),
    ],
)
def test_each_role_gets_exactly_the_directory_pages_it_should(client, service, role, expected):
    signed_in(client, *([role] if role else []))
    for name, url in urls(service.pk).items():
        response = client.get(url)
        assert response.status_code == expected[name], (role, name)
        if response.status_code == 200:
            assert "no-store" in response["Cache-Control"], name


def test_anonymous_visitors_are_sent_to_sign_in(client, service):
    for url in urls(service.pk).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_a_hub_clinician_without_an_authenticator_is_sent_to_set_one_up(client, service):
    signed_in(client, roles.HUB_CLINICIAN, with_totp=False)
    response = client.get(reverse("wellbeing:directory"))
    assert response.url == reverse("mfa_activate_totp")


def test_a_service_that_does_not_exist_is_not_found(client, hub_lead):
    for service_id in (999_999, 2**63):
        url = reverse("wellbeing:directory_edit", kwargs={"service_id": service_id})
        assert client.get(url).status_code == 404


def test_hub_pages_link_to_the_directory_for_hub_staff_only(client):
    signed_in(client)
    assert (
        reverse("wellbeing:directory")
        not in client.get(reverse("wellbeing:index")).content.decode()
    )
    signed_in(client, roles.HUB_CLINICIAN)
    assert reverse("wellbeing:directory") in client.get(reverse("wellbeing:index")).content.decode()


# --- Seeded and listed ---------------------------------------------------------------------


def test_the_directory_is_seeded_with_the_services_hubs_refer_to(client):
    signed_in(client, roles.HUB_CLINICIAN)
    page = client.get(reverse("wellbeing:directory")).content.decode()
    for name in SEEDED:
        assert name in page
    practitioner_health = Service.objects.using(DB).get(name="NHS Practitioner Health")
    assert "0300 0303 300" in practitioner_health.contact
    assert all(s.criteria and s.how_to_refer and s.contact for s in Service.objects.using(DB).all())


def test_clinicians_see_active_services_and_the_lead_sees_inactive_ones_too(client, service):
    Service.objects.using(DB).filter(pk=service.pk).update(active=False)
    signed_in(client, roles.HUB_CLINICIAN)
    page = client.get(reverse("wellbeing:directory")).content.decode()
    assert "Staff counselling service" not in page
    assert "Add a service" not in page
    signed_in(client, roles.HUB_LEAD)
    page = client.get(reverse("wellbeing:directory")).content.decode()
    assert "Staff counselling service" in page
    assert "Inactive" in page
    assert reverse("wellbeing:directory_edit", kwargs={"service_id": service.pk}) in page


def count_queries(client) -> int:
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections[DB]) as confidential,
    ):
        response = client.get(reverse("wellbeing:directory"))
    assert response.status_code == 200
    return len(default) + len(confidential)


def test_the_list_runs_as_many_queries_for_100_services_as_for_1(client, hub_lead):
    Service.objects.using(DB).all().delete()
    Service.objects.using(DB).create(name="Service 0", criteria="c", how_to_refer="h", contact="x")
    client.get(reverse("wellbeing:directory"))  # settle the session
    one = count_queries(client)
    Service.objects.using(DB).bulk_create(
        Service(name=f"Service {n}", criteria="c", how_to_refer="h", contact="x")
        for n in range(1, 100)
    )
    assert count_queries(client) == one


# --- Adding and changing ---------------------------------------------------------------------


def test_the_hub_lead_adds_a_service_and_the_audit_log_says_who(client, hub_lead):
    response = client.post(reverse("wellbeing:directory_new"), valid_data())
    assert response.status_code == 302
    service = Service.objects.using(DB).get(name="Staff counselling service")
    assert service.active
    (entry,) = audit_entries(service)
    assert (entry.action, entry.actor_role) == ("create", "Hub lead")
    assert entry.reason == "Added to the service directory"
    assert "Staff counselling service has been added" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the name of the service"),
        ({"criteria": ""}, "Enter who the service is for"),
        ({"how_to_refer": ""}, "Enter how to refer"),
        ({"contact": ""}, "Enter the contact details"),
        ({"contact": "x" * 301}, "Contact details must be 300 characters or fewer"),
        ({"name": "nhs talking therapies"}, "There is already a service with this name"),
    ],
)
def test_mistakes_are_explained_beside_the_field(client, hub_lead, changes, message):
    response = client.post(reverse("wellbeing:directory_new"), valid_data(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    assert f'<span class="nhsuk-u-visually-hidden">Error: </span>{message}' in html
    assert not Service.objects.using(DB).filter(name="Staff counselling service").exists()


def test_a_service_added_twice_with_one_key_is_listed_once(client, hub_lead):
    form = {**valid_data(), "submission_key": a_key()}
    client.post(reverse("wellbeing:directory_new"), form)
    again = client.post(reverse("wellbeing:directory_new"), form)
    assert Service.objects.using(DB).filter(name="Staff counselling service").count() == 1
    # Not "there is already a service with this name": that service is the first post's own.
    page = client.get(again["Location"]).content.decode()
    assert page.count("Staff counselling service has been added") == 1


def test_editing_records_what_changed(client, hub_lead, service):
    url = reverse("wellbeing:directory_edit", kwargs={"service_id": service.pk})
    assert 'value="Staff counselling service"' in client.get(url).content.decode()
    response = client.post(url, valid_data(typical_wait="About 6 weeks", active="yes"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.typical_wait == "About 6 weeks"
    (entry,) = audit_entries(service)
    assert entry.action == "update"
    assert entry.reason == "Changed the typical wait in the service directory"


def test_saving_without_changes_writes_nothing(client, hub_lead, service):
    url = reverse("wellbeing:directory_edit", kwargs={"service_id": service.pk})
    response = client.post(url, valid_data(active="yes"))
    assert "Nothing was changed" in client.get(response.url).content.decode()
    assert audit_entries(service) == []


def test_a_service_with_onward_referrals_is_marked_inactive_never_deleted(
    client, hub_lead, service
):
    onward = OnwardReferral.objects.using(DB).create(referral=ReferralFactory(), service=service)
    url = reverse("wellbeing:directory_edit", kwargs={"service_id": service.pk})
    response = client.post(url, valid_data(active="no"))
    assert response.status_code == 302
    assert "is now inactive" in client.get(response.url).content.decode()
    onward.refresh_from_db()
    assert onward.service_id == service.pk
    assert service not in directory.services_for_onward_referral()
    (entry,) = audit_entries(service)
    assert entry.reason == "Marked inactive in the service directory"
    # And back again.
    client.post(url, valid_data(active="yes"))
    assert service in directory.services_for_onward_referral()
    assert audit_entries(service)[-1].reason == "Made active again in the service directory"


def test_renaming_to_another_services_name_is_refused(client, hub_lead, service):
    url = reverse("wellbeing:directory_edit", kwargs={"service_id": service.pk})
    response = client.post(url, valid_data(name="GP", active="yes"))
    assert response.status_code == 400
    assert "There is already a service with this name" in response.content.decode()
    service.refresh_from_db()
    assert service.name == "Staff counselling service"


def test_the_edit_form_requires_a_choice_about_referrals(client, hub_lead, service):
    url = reverse("wellbeing:directory_edit", kwargs={"service_id": service.pk})
    response = client.post(url, valid_data())
    assert response.status_code == 400
    assert "Select yes if the hub is referring people to this service" in response.content.decode()
