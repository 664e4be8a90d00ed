"""Check that the audit log's hash chain is intact; exit non-zero naming the first bad entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wellbeing.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the Resilience Hub audit log's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        check = verify_chain()
        if not check.intact:
            raise CommandError(
                f"Audit log broken: entry {check.first_bad_entry} {check.problem} "
                f"({check.entries_checked} entries checked)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {check.entries_checked} entries checked.")
        )
