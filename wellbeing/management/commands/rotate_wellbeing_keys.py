"""Re-encrypt every confidential value under the first key in WELLBEING_ENCRYPTION_KEYS.

Rotate by putting a new key first, keeping the old ones after it, running this command, and
then removing the old keys.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from wellbeing.crypto import ENCRYPTED_FIELD_TYPES
from wellbeing.models import DATABASE

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field of the Resilience Hub under the first key."

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_app_config("wellbeing").get_models():
            names = [f.name for f in model._meta.fields if isinstance(f, ENCRYPTED_FIELD_TYPES)]
            if not names:
                continue
            rotated = 0
            manager = model._default_manager.using(DATABASE)
            ids = list(manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                with transaction.atomic(using=DATABASE):
                    # Reading decrypts with any key; writing encrypts with the first.
                    rows = manager.filter(pk__in=ids[start : start + BATCH]).values("pk", *names)
                    for row in rows:
                        pk = row.pop("pk")
                        manager.filter(pk=pk).update(**row)
                        rotated += 1
            self.stdout.write(f"{model._meta.verbose_name_plural}: {rotated} re-encrypted")
        self.stdout.write(
            self.style.SUCCESS("Every confidential value is now under the first key.")
        )
