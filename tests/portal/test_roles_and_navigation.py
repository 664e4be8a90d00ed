"""Roles are groups made by a migration; navigation shows what a role may do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def test_the_back_office_role_groups_exist_after_migrating_and_no_hub_role_is_a_group():
    names = set(Group.objects.values_list("name", flat=True))
    assert names >= set(roles.GROUP_ROLES)
    assert not names & roles.HUB_ROLES


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            None,
            {"portal.use_learning", "portal.self_refer"},
            {"portal.curate_learning", "portal.work_in_hub"},
        ),
        (
            roles.CURATOR,
            {"portal.curate_learning", "portal.moderate_comments"},
            {"portal.work_in_hub"},
        ),
        (
            roles.TEAM_LEAD,
            {"portal.request_team_support"},
            {"portal.work_in_hub", "portal.curate_learning"},
        ),
        (
            roles.HUB_CLINICIAN,
            {"portal.work_in_hub"},
            {"portal.view_hub_reports", "portal.curate_learning"},
        ),
        (
            roles.HUB_LEAD,
            {"portal.work_in_hub", "portal.view_hub_reports", "portal.allocate_referrals"},
            {"portal.curate_learning"},
        ),
    ],
)
def test_each_role_has_exactly_its_permissions(role, allowed, refused):
    user = UserFactory(roles=[role] if role else [])
    for permission in allowed:
        assert user.has_perm(permission), permission
    for permission in refused:
        assert not user.has_perm(permission), permission


def test_signed_out_visitors_see_no_menu_and_a_sign_in_link(client):
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Menu"' not in html
    assert "Sign in" in html


def test_staff_see_learning_and_the_hub_but_not_the_back_office(client):
    client.force_login(UserFactory(with_profile=True))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("learning:index")}"' in html
    assert f'href="{reverse("wellbeing:index")}"' in html
    assert "Back office" not in html


def test_a_hub_lead_is_told_what_their_role_lets_them_do(client):
    client.force_login(UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True))
    html = client.get(reverse("home")).content.decode()
    assert "Hub lead" in html
    assert "allocation, services, outreach and reports" in html


def test_staff_users_see_the_back_office_link(client):
    client.force_login(UserFactory(with_profile=True, is_staff=True))
    assert "Back office" in client.get(reverse("home")).content.decode()


def count_home_page_queries(client, user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(reverse("home"))  # the first request settles the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    client.logout()
    return len(queries)


def test_the_home_page_query_count_does_not_grow_with_roles_or_users(client):
    one_role = count_home_page_queries(
        client, UserFactory(with_profile=True, roles=[roles.TEAM_LEAD])
    )
    UserFactory.create_batch(20, with_profile=True)
    every_role = count_home_page_queries(
        client, UserFactory(with_profile=True, roles=list(roles.ALL_ROLES), with_totp=True)
    )
    assert one_role == every_role
