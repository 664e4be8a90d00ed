"""`seed_demo` makes one account per role for development, and never in production."""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import CommandError, call_command

from portal import roles
from portal.demo import DEMO_ACCOUNTS
from portal.models import User
from portal.rules import role_names

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def test_it_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_it_creates_one_account_per_role_and_is_safe_to_run_twice(settings):
    settings.DEBUG = True
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    # The sample colleagues of the learning demo have no password: nobody signs in as them.
    can_sign_in = [user for user in User.objects.all() if user.has_usable_password()]
    assert len(can_sign_in) == len(DEMO_ACCOUNTS)
    held = set().union(*(role_names(user) for user in User.objects.all()))
    assert held == set(roles.ALL_ROLES)
    assert first.getvalue() == second.getvalue()  # same accounts, same TOTP secrets


def test_printed_totp_secrets_give_working_codes_for_the_hub_roles(settings, client):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "clinician@demo.nhs.net" in line)
    secret = line.split("TOTP secret:")[1].strip()
    response = client.post(
        "/accounts/login/",
        {"login": "clinician@demo.nhs.net", "password": "demo-Mind-and-Body-2026"},
    )
    assert response.url == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/hub/").status_code == 200


def test_it_fills_the_hub_queue_with_referrals_in_every_state(settings):
    from wellbeing.models import Referral, ReferralStatus, Service, TeamRequest

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    referrals = Referral.objects.using("confidential").filter(reference__startswith="RH-DEMO-")
    assert referrals.count() == 12
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert referrals.filter(urgent=True, status=ReferralStatus.NEW).exists()
    assert referrals.filter(assessed_at__isnull=False, onward__isnull=False).exists()
    assert Service.objects.using("confidential").count() >= 7
    assert TeamRequest.objects.using("confidential").exists()
    # Sam Staff's own referral shows in their "my hub".
    staff = User.objects.get(email="staff@demo.nhs.net")
    mine = referrals.get(reference="RH-DEMO-07")
    assert mine.owner_key == str(staff.pk)


def test_the_demo_therapy_referral_has_an_appointment_to_record_and_one_to_come(settings):
    from django.utils import timezone

    from wellbeing.models import Appointment

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    appointments = Appointment.objects.using("confidential").filter(
        referral__reference="RH-DEMO-07"
    )
    now = timezone.now()
    assert sorted(a.starts_at > now for a in appointments) == [False, True]
    assert all(a.status == "booked" for a in appointments)
