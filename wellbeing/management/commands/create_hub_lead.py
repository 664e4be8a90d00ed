"""Make the Resilience Hub's first hub lead, from the server. Refused while the hub has a lead:
from then on, hub leads give hub roles on the hub's team page (ADR 0023)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import User
from wellbeing.services import hub_team


class Command(BaseCommand):
    help = "Make an existing portal account the Resilience Hub's first hub lead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The work email address the person signs in with.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(
                "There is no portal account with this email address. Ask them to sign up first."
            )
        try:
            _membership, code = hub_team.create_first_hub_lead(user)
        except hub_team.HubTeamError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.email} is now the hub lead. This is written in the hub's audit log."
            )
        )
        self.stdout.write(
            f"Their enrolment code, shown only now: {code}\n"
            "Give it to them in person or by phone. With it and their password they set up "
            "their authenticator app; it works once and expires in "
            f"{settings.HUB_ENROLMENT_CODE_HOURS} hours."
        )
