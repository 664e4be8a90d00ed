"""Remove a member of staff's authenticators, when they have lost their phone and their recovery
codes. They set up a new one at their next sign-in.

For hub staff this is the only way: the admin refuses, because a superuser who can also choose
where the password-reset link goes would otherwise get in as them (ADR 0018). Run it on the
server after checking the person's identity yourself (in person or by a video call); it writes a
warning to the log with the account's id, so the removal can be found again.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal.models import User

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Remove every authenticator (TOTP and recovery codes) of the account with this email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the account's work email address")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError("No account has that email address.")
        with transaction.atomic():
            removed, _ = Authenticator.objects.filter(user=user).delete()
        # An id, not the address: logs hold no one's details.
        logger.warning(
            "Server administrator removed %s authenticator(s) of user %s", removed, user.pk
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} authenticator(s). They set up a new one at their next sign-in."
            )
        )
