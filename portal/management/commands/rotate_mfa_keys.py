"""Re-encrypt every MFA secret under the first key in MFA_ENCRYPTION_KEYS.

Rotate by putting a new key first, keeping the old ones after it, restarting every process,
running this command, and then removing the old keys. A secret that no key decrypts stops the
command (its batch is rolled back) rather than being skipped.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.mfa import data_under_first_key

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every TOTP secret and recovery-code seed under the first MFA key."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Authenticator.objects.order_by("pk").values_list("pk", flat=True))
        rotated = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                # Locked, so a sign-in that marks a recovery code used cannot be overwritten.
                batch = Authenticator.objects.select_for_update().filter(
                    pk__in=ids[start : start + BATCH]
                )
                for authenticator in batch:
                    Authenticator.objects.filter(pk=authenticator.pk).update(
                        data=data_under_first_key(authenticator.data)
                    )
                    rotated += 1
        self.stdout.write(f"authenticators: {rotated} re-encrypted")
        self.stdout.write(self.style.SUCCESS("Every MFA secret is now under the first key."))
