"""Create demo accounts, then run each app's demo step (settings.DEMO_STEPS), for development."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from portal.demo import DEMO_PASSWORD, DemoStep, seed_demo_accounts


class Command(BaseCommand):
    help = "Create one demo account per role, with demo content. Development only."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs when "
                "DJANGO_DEBUG=1."
            )
        accounts = seed_demo_accounts()
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
        # After the accounts, so sample learning records and referrals have their people. The
        # steps are named by string: the core imports neither app.
        for path in settings.DEMO_STEPS:
            step: DemoStep = import_string(path)
            for section in step():
                self.stdout.write(self.style.SUCCESS(section.heading))
                for line in section.lines:
                    self.stdout.write(line)
