"""Re-encrypt every MFA secret under the first key in MFA_ENCRYPTION_KEYS.

Rotate by putting a new key first, keeping the old ones after it, restarting every process,
running this command, and then removing the old keys. A secret that no key decrypts stops the
command (its batch is rolled back) rather than being skipped.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.mfa import MFASecretDecryptionError, data_under_first_key

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
                    try:
                        data = data_under_first_key(authenticator.data)
                    except MFASecretDecryptionError as error:
                        raise CommandError(
                            f"Authenticator {authenticator.pk} is under none of the keys in "
                            "MFA_ENCRYPTION_KEYS; nothing in its batch was changed. Add the old "
                            "key after the new one and run this again."
                        ) from error
                    Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                    rotated += 1
        self.stdout.write(f"authenticators: {rotated} re-encrypted")
        self.stdout.write(self.style.SUCCESS("Every MFA secret is now under the first key."))
