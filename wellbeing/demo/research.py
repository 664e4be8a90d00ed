"""A demo research study for development, defined by the demo researcher: its page shows how
many demo referrals agreed to research and downloads their extract. Run by seed_demo."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portal.models import User
from wellbeing.models import DATABASE, Study
from wellbeing.pseudonyms import staff_ref_for

RESEARCHER_EMAIL = "researcher@demo.nhs.net"
DEMO_STUDY = "Resilience Hub service evaluation (sample)"


def seed_demo_study() -> list[str]:
    """Define the demo study once; running again changes nothing. Returns lines to print."""
    researcher = User.objects.select_related("staff_profile").filter(email=RESEARCHER_EMAIL).first()
    today = timezone.localdate()
    Study.objects.using(DATABASE).get_or_create(
        name=DEMO_STUDY,
        defaults={
            "approval_reference": "IRAS 000000 (sample)",
            "period_start": today - datetime.timedelta(days=365),
            "period_end": today,
            "defined_by_ref": staff_ref_for(researcher.pk) if researcher else "demo-data",
            "defined_by_name": researcher.staff_profile.display_name if researcher else "",
        },
    )
    return [
        f"  {DEMO_STUDY}: sign in as {RESEARCHER_EMAIL} and open Research to download its "
        "extract (most demo referrals agreed to research)"
    ]
