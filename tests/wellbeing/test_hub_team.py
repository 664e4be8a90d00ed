"""Who works in the hub: hub roles are given only inside the hub, by a hub lead, never to a
superuser and never through the back office; a new hub member needs an enrolment code, not just
their password, to set up their authenticator (issue 12, findings 1 and 3; ADR 0023)."""

from __future__ import annotations

import io
import time

import pyotp
import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal import roles
from portal.models import User
from portal.outbox import delivery
from tests.factories import UserFactory
from tests.wellbeing.factories import ReferralFactory
from wellbeing.models import AuditAction, AuditEntry, EnrolmentCode, HubMembership, OutboxMessage
from wellbeing.services import hub_team

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

DB = "confidential"
TEAM = reverse("wellbeing:hub_team")
QUEUE = reverse("wellbeing:queue")
MFA_SETUP = reverse("mfa_activate_totp")


def signed_in_recently(client, user: User) -> User:
    """Signed in, with the sign-in recorded as allauth records it (the team page asks for a
    recent one)."""
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session.save()
    return user


@pytest.fixture
def hub_lead(client) -> User:
    return signed_in_recently(
        client, UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    )


def memberships(user: User) -> list[str]:
    return list(
        HubMembership.objects.using(DB)
        .current()
        .filter(user_id=user.pk)
        .values_list("role", flat=True)
    )


# --- The back office cannot put anyone in the hub ---------------------------------------------


def test_a_superuser_who_gives_themselves_a_hub_group_still_cannot_open_the_hub(client):
    superuser = UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    # What the admin's group picker did: a group named like the hub role, on their own account.
    group, _ = Group.objects.get_or_create(name=roles.HUB_CLINICIAN)
    superuser.groups.add(group)
    referral = ReferralFactory()
    client.force_login(superuser)

    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("wellbeing:referral", args=[referral.pk])).status_code == 403


def test_an_ordinary_account_given_a_hub_group_in_the_back_office_gets_no_hub_role(client):
    member = UserFactory(with_profile=True, with_totp=True)
    group, _ = Group.objects.get_or_create(name=roles.HUB_LEAD)
    member.groups.add(group)
    client.force_login(member)
    assert client.get(QUEUE).status_code == 403


def test_the_back_office_offers_no_hub_role_to_give(client):
    admin = UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    client.force_login(admin)
    page = client.get(reverse("admin:portal_user_change", args=[admin.pk])).content.decode()
    assert roles.CURATOR in page
    for role in roles.HUB_ROLES:
        assert role not in page


def test_the_back_office_refuses_to_make_a_hub_member_a_superuser(client):
    admin = UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:portal_user_change", args=[clinician.pk]),
        {
            "email": clinician.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "last_login_0": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "staff_profile-TOTAL_FORMS": "0",
            "staff_profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "a superuser cannot" in response.content.decode()
    clinician.refresh_from_db()
    assert not clinician.is_superuser


# --- A hub lead gives and removes roles in the hub ---------------------------------------------


def test_a_hub_lead_gives_a_role_with_an_audit_entry_and_an_email_to_the_other_leads(
    client, hub_lead
):
    other_lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    newcomer = UserFactory(with_profile=True)

    response = client.post(TEAM, {"email": newcomer.email.upper(), "role": roles.HUB_CLINICIAN})

    assert response.status_code == 200  # the page that shows the enrolment code, once
    assert memberships(newcomer) == [roles.HUB_CLINICIAN]
    [grant] = AuditEntry.objects.using(DB).filter(action=AuditAction.GRANT)
    assert grant.actor_role == "Hub lead"
    assert grant.reason == "Gave Hub clinician"
    [email] = OutboxMessage.objects.using(DB).filter(template="wellbeing/hub_team_changed")
    assert email.recipient_user == str(other_lead.pk)  # not to the lead who did it
    delivery.deliver("wellbeing", [email.pk])
    [sent] = [m for m in mail.outbox if m.to == [other_lead.email]]
    assert newcomer.email not in sent.body  # it names nobody: sign in to see


def test_a_superuser_cannot_be_given_a_hub_role(client, hub_lead):
    superuser = UserFactory(with_profile=True, is_staff=True, is_superuser=True)
    response = client.post(TEAM, {"email": superuser.email, "role": roles.HUB_LEAD})
    assert response.status_code == 400
    assert "A back-office superuser cannot work in the hub" in response.content.decode()
    assert memberships(superuser) == []


def test_giving_a_role_to_an_unknown_address_is_explained_next_to_the_field(client, hub_lead):
    response = client.post(TEAM, {"email": "nobody@test.nhs.net", "role": roles.HUB_CLINICIAN})
    assert response.status_code == 400
    assert "There is no portal account with this email address" in response.content.decode()


def test_giving_the_same_role_twice_gives_it_once(client, hub_lead):
    newcomer = UserFactory(with_profile=True, with_totp=True)
    client.post(TEAM, {"email": newcomer.email, "role": roles.HUB_CLINICIAN})
    again = client.post(TEAM, {"email": newcomer.email, "role": roles.HUB_CLINICIAN})
    assert again.status_code == 400
    assert "is already a hub clinician" in again.content.decode()
    assert memberships(newcomer) == [roles.HUB_CLINICIAN]


def test_removing_a_role_closes_the_hub_to_them_at_once(client, hub_lead):
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    [membership] = HubMembership.objects.using(DB).filter(user_id=clinician.pk)
    response = client.post(reverse("wellbeing:hub_team_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert memberships(clinician) == []
    assert AuditEntry.objects.using(DB).filter(action=AuditAction.REVOKE).count() == 1
    client.force_login(clinician)
    assert client.get(QUEUE).status_code == 403


def test_the_last_hub_lead_cannot_remove_their_own_lead_role(client, hub_lead):
    [membership] = HubMembership.objects.using(DB).filter(user_id=hub_lead.pk)
    response = client.post(reverse("wellbeing:hub_team_remove", args=[membership.pk]), follow=True)
    assert "The hub needs a lead" in response.content.decode()
    assert memberships(hub_lead) == [roles.HUB_LEAD]


def test_a_clinician_cannot_open_the_team_page_or_give_roles(client):
    clinician = signed_in_recently(
        client, UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    )
    newcomer = UserFactory(with_profile=True)
    assert client.get(TEAM).status_code == 403
    assert client.post(TEAM, {"email": newcomer.email, "role": roles.HUB_LEAD}).status_code == 403
    with pytest.raises(hub_team.HubTeamError):
        hub_team.grant_role(by=clinician, user=newcomer, role=roles.HUB_LEAD)
    assert memberships(newcomer) == []


def test_the_team_page_lists_everyone_in_the_hub(client, hub_lead):
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN], with_totp=True)
    page = client.get(TEAM).content.decode()
    assert clinician.email in page
    assert hub_lead.email in page


# --- The first hub lead is made from the server ------------------------------------------------


def test_create_hub_lead_makes_the_first_lead_with_an_audit_entry_and_refuses_a_second():
    first = UserFactory(with_profile=True)
    out = io.StringIO()
    call_command("create_hub_lead", first.email, stdout=out)

    assert memberships(first) == [roles.HUB_LEAD]
    [grant] = AuditEntry.objects.using(DB).filter(action=AuditAction.GRANT)
    assert grant.actor_role == "Server administrator"
    assert "enrolment code, shown only now" in out.getvalue()

    second = UserFactory(with_profile=True)
    with pytest.raises(CommandError, match="already has a lead"):
        call_command("create_hub_lead", second.email, stdout=io.StringIO())
    assert memberships(second) == []


def test_create_hub_lead_refuses_a_superuser():
    superuser = UserFactory(with_profile=True, is_staff=True, is_superuser=True)
    with pytest.raises(CommandError, match="superuser cannot work in the hub"):
        call_command("create_hub_lead", superuser.email, stdout=io.StringIO())


# --- Enrolling an authenticator takes a code from a hub lead -----------------------------------


def _set_up_authenticator(client, **extra: str):
    page = client.get(MFA_SETUP)
    assert page.status_code == 200
    secret = page.context["form"].secret
    return client.post(MFA_SETUP, {"code": pyotp.TOTP(secret).now(), **extra})


def _issued_code(lead: User, member: User) -> str:
    return hub_team.issue_enrolment_code(by=lead, user=member)


def test_a_new_hub_member_cannot_set_up_an_authenticator_with_the_password_alone(client, sign_in):
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    sign_in(clinician)  # whoever knows the password

    response = _set_up_authenticator(client)

    assert response.status_code == 200
    assert "Enter the enrolment code from your hub lead" in response.content.decode()
    assert not Authenticator.objects.filter(user=clinician).exists()


def test_the_enrolment_code_from_a_hub_lead_lets_them_set_up_an_authenticator_once(client, sign_in):
    lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    code = _issued_code(lead, clinician)
    sign_in(clinician)

    response = _set_up_authenticator(client, enrolment_code=code.lower())

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=clinician, type=Authenticator.Type.TOTP).exists()
    [issued] = EnrolmentCode.objects.using(DB).filter(user_id=clinician.pk)
    assert issued.used_at is not None
    assert code not in str(issued.code_hash)  # only a hash is kept
    # allauth emails the owner that an authenticator was added.
    assert any(clinician.email in m.to for m in mail.outbox)


def test_a_used_expired_or_someone_elses_code_is_refused(client, sign_in, settings):
    lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    other = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    others_code = _issued_code(lead, other)
    expired = _issued_code(lead, clinician)
    EnrolmentCode.objects.using(DB).filter(user_id=clinician.pk).update(
        issued_at=EnrolmentCode.objects.using(DB).get(user_id=clinician.pk).issued_at
        - settings.HUB_SESSION_ABSOLUTE_LIFETIME * 10,
        expires_at=EnrolmentCode.objects.using(DB).get(user_id=clinician.pk).issued_at
        - settings.HUB_SESSION_ABSOLUTE_LIFETIME,
    )
    sign_in(clinician)
    for code in (others_code, expired, "ABCD-EFGH-JKLM-NPQR"):
        response = _set_up_authenticator(client, enrolment_code=code)
        assert "This enrolment code is not right" in response.content.decode()
    assert not Authenticator.objects.filter(user=clinician).exists()


def test_a_new_code_stops_the_old_one_working(client, sign_in):
    lead = UserFactory(with_profile=True, roles=[roles.HUB_LEAD], with_totp=True)
    clinician = UserFactory(with_profile=True, roles=[roles.HUB_CLINICIAN])
    old = _issued_code(lead, clinician)
    new = _issued_code(lead, clinician)
    sign_in(clinician)
    assert (
        "This enrolment code is not right"
        in _set_up_authenticator(client, enrolment_code=old).content.decode()
    )
    assert _set_up_authenticator(client, enrolment_code=new).status_code == 302


def test_staff_outside_the_hub_set_up_an_authenticator_without_a_code(client, sign_in):
    curator = UserFactory(with_profile=True, roles=[roles.CURATOR])
    sign_in(curator)
    assert _set_up_authenticator(client).status_code == 302
    assert Authenticator.objects.filter(user=curator).exists()
