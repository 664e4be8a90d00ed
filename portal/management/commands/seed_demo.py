"""Create demo accounts (and, as capabilities arrive, demo content) for development."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learning.demo import seed_demo_catalogue
from portal.demo import DEMO_PASSWORD, seed_demo_accounts
from wellbeing.campaign_demo import seed_demo_campaigns
from wellbeing.demo import seed_demo_team_support
from wellbeing.demo_referrals import DEMO_REFERRALS, seed_demo_referrals


class Command(BaseCommand):
    help = "Create one demo account per role, with demo content. Development only."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs when "
                "DJANGO_DEBUG=1."
            )
        accounts = seed_demo_accounts()
        # After the accounts, so sample learning records and comments have their authors.
        catalogue = seed_demo_catalogue()
        self.stdout.write(self.style.SUCCESS("Demo accounts (development only):"))
        self.stdout.write(f"  Password for every account: {DEMO_PASSWORD}")
        for account in accounts:
            line = f"  {account.role:<14} {account.email}"
            if account.totp_secret:
                line += f"   TOTP secret: {account.totp_secret}"
            self.stdout.write(line)
        self.stdout.write(
            "  Add a TOTP secret to an authenticator app (or run `oathtool --totp -b SECRET`) "
            "to get the sign-in code."
        )
        self.stdout.write(
            self.style.SUCCESS("Sample learning catalogue (labelled as sample content):")
        )
        for line in catalogue.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Sample outreach campaigns:"))
        for line in seed_demo_campaigns():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Sample team support requests and the directory:"))
        for line in seed_demo_team_support():
            self.stdout.write(line)
        seed_demo_referrals()
        self.stdout.write(self.style.SUCCESS("Sample referrals in the hub queue:"))
        self.stdout.write(
            f"  RH-DEMO-01 to RH-DEMO-{len(DEMO_REFERRALS):02d}: every state, some urgent, some "
            "near or past the rapid-assessment target; RH-DEMO-07 is staff@demo.nhs.net's own"
        )
