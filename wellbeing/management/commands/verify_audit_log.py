"""Check the audit log's keyed chain, and that it still reaches its last anchor; exit non-zero
with a plain message naming what was found. A clean check records a new anchor."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wellbeing.audit import verify_chain
from wellbeing.audit_anchors import ChainDoesNotMatchAnchor, all_anchors, record_anchor


class Command(BaseCommand):
    help = "Verify the Resilience Hub audit log's chain against its key and its last anchor."

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = all_anchors()
        check = verify_chain(anchors)
        if not check.intact:
            what = (
                f"entry {check.first_bad_entry} {check.problem}"
                if check.first_bad_entry is not None
                else check.problem
            )
            raise CommandError(
                f"Audit log broken: {what} ({check.entries_checked} entries checked)."
            )
        try:
            record_anchor()
        except ChainDoesNotMatchAnchor as mismatch:
            # Changed between the walk and now: as serious as a failed walk.
            raise CommandError(f"Audit log broken: {mismatch}") from mismatch
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {check.entries_checked} entries checked.")
        )
        self.stdout.write(
            f"It matches every anchor recorded ({len(anchors)}), the last at "
            f"{anchors[-1].when}; anchored again now."
            if anchors
            else "There was no anchor to check against; anchored now."
        )
