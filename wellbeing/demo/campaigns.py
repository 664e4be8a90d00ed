"""Demo outreach campaigns for development: one already sent, one draft. Run by seed_demo."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from portal.models import StaffGroup, User
from portal.outbox.models import Status
from wellbeing.models import DATABASE, Campaign, CampaignStatus, OutboxMessage
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import campaigns, outreach

HUB_LEAD_EMAIL = "hublead@demo.nhs.net"


def _creator() -> dict[str, str]:
    lead = User.objects.select_related("staff_profile").get(email=HUB_LEAD_EMAIL)
    return {
        "created_by_ref": staff_ref_for(lead.pk),
        "created_by_name": lead.staff_profile.display_name,
    }


def seed_demo_campaigns() -> list[str]:
    """Create the demo campaigns once; running again changes nothing. Returns lines to print.

    The sent campaign's invitations are written as already sent, so nothing is emailed.
    """
    now = timezone.now()
    started = now - datetime.timedelta(days=21)
    with transaction.atomic(using=DATABASE):
        sent, _ = Campaign.objects.using(DATABASE).get_or_create(
            code="DEMO-WINTER",
            defaults={
                "name": "Winter wellbeing check-in (sample)",
                "everyone": True,
                "status": CampaignStatus.SENT,
                "started_at": started,
                "created_at": started,
                **_creator(),
            },
        )
        user_ids = list(campaigns.audience_for(sent).order_by("pk").values_list("pk", flat=True))
        rows = []
        for user_id in user_ids:
            row = outreach.to_user(
                user_id,
                category=outreach.OUTREACH,
                template=campaigns.TEMPLATE,
                context={"path": campaigns.invitation_path(sent)},
                campaign=sent,
                due_at=started,
                status=Status.SENT,
                sent_at=started,
            )
            row.idempotency_key = f"campaign:{sent.pk}:{row.recipient_ref}"
            rows.append(row)
        OutboxMessage.objects.using(DATABASE).bulk_create(rows, ignore_conflicts=True)
        Campaign.objects.using(DATABASE).filter(pk=sent.pk).update(
            recipients=OutboxMessage.objects.using(DATABASE).filter(campaign=sent).count()
        )
        Campaign.objects.using(DATABASE).get_or_create(
            code="DEMO-SPRING",
            defaults={
                "name": "Spring check-in for nurses and allied health professionals (sample)",
                "staff_groups": [
                    StaffGroup.NURSING_MIDWIFERY_REGISTERED,
                    StaffGroup.ALLIED_HEALTH_PROFESSIONALS,
                ],
                **_creator(),
            },
        )
    return [
        "  Winter wellbeing check-in (sample): sent",
        "  Spring check-in for nurses and allied health professionals (sample): draft",
    ]
