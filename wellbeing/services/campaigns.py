"""Outreach campaigns: a wellbeing check-in invitation from the Hub lead to chosen staff.

A campaign names its audience by staff group and organisation (categories, never people). When
it starts, one outbox row per member of the audience is written in one transaction, due in
batches of `OUTREACH_CAMPAIGN_PER_MINUTE` a minute: the outbox's sweep hands each batch over
when its minute comes, so a campaign to 10,000 staff trickles out instead of flooding the mail
server. The outbox honours opt-outs, quiet hours and the daily cap at every send.

Nothing here records who was invited: the rows name people by pseudonym and encrypted account
id, the campaign page shows only counts, and the invitation's only link is the same for all.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from portal.iterables import batched
from portal.models import StaffGroup, StaffProfile, User
from portal.outbox import delivery, registry, rendering
from portal.outbox.models import SkipReason, Status
from portal.outbox.queueing import queue
from wellbeing import audit
from wellbeing.models import (
    DATABASE,
    AuditAction,
    Campaign,
    CampaignStatus,
    OutboxMessage,
    Referral,
    ReferralStatus,
)
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.services import outreach

TEMPLATE = "wellbeing/campaign_invitation"
# Rows are built and written this many at a time, so memory stays flat however big the audience.
CHUNK = 2000
# Codes avoid 0/O, 1/I/L and U, like referral references: someone may read one out.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
OPEN_STATUSES = (ReferralStatus.NEW, ReferralStatus.IN_ASSESSMENT, ReferralStatus.IN_SUPPORT)
WAITING_STATUSES = (Status.PENDING, Status.SENDING)


class EmptyAudience(Exception):
    """Nobody with an active account is in the campaign's audience: there is no one to email."""


# --- The audience ------------------------------------------------------------------------------


def organisations() -> list[str]:
    """The organisations staff have named in their profiles, for the audience checkboxes."""
    return list(
        StaffProfile.objects.using("default")
        .exclude(organisation="")
        .order_by("organisation")
        .values_list("organisation", flat=True)
        .distinct()
    )


def audience(
    *, everyone: bool, staff_groups: Sequence[str], organisations: Sequence[str]
) -> QuerySet[User]:
    """The active accounts a campaign reaches.

    Only people with a staff profile: an account without one has not finished signing up, and
    groups and organisations come from the profile. Within staff groups, or within
    organisations, anyone chosen matches; when both are chosen a person must match both
    ("nurses at these two trusts"), as the catalogue's filters do.
    """
    users = User.objects.using("default").filter(is_active=True, staff_profile__isnull=False)
    if everyone:
        return users
    if not staff_groups and not organisations:
        return users.none()
    if staff_groups:
        users = users.filter(staff_profile__staff_group__in=list(staff_groups))
    if organisations:
        users = users.filter(staff_profile__organisation__in=list(organisations))
    return users


def audience_for(campaign: Campaign) -> QuerySet[User]:
    return audience(
        everyone=campaign.everyone,
        staff_groups=campaign.staff_groups,
        organisations=campaign.organisations,
    )


def audience_size(campaign: Campaign) -> int:
    """How many people the campaign would email if it started now (one query)."""
    return audience_for(campaign).count()


def audience_labels(campaign: Campaign) -> list[str]:
    """The audience in words, for the pages: "Everyone", or the groups and organisations."""
    if campaign.everyone:
        return ["Everyone with an account and a staff profile"]
    groups = dict(StaffGroup.choices)
    return [str(groups.get(g, g)) for g in campaign.staff_groups] + list(campaign.organisations)


# --- Creating and starting ---------------------------------------------------------------------


def new_code() -> str:
    """An opaque code for the invitation's link: it says nothing about the audience."""
    return "CHK-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def do_create_campaign(
    *,
    name: str,
    everyone: bool,
    staff_groups: Sequence[str],
    organisations: Sequence[str],
    acting_user: User,
) -> Campaign:
    """Save a draft campaign; nothing is sent until it is started."""
    profile = getattr(acting_user, "staff_profile", None)
    campaign = Campaign(
        name=name,
        code=new_code(),
        everyone=everyone,
        staff_groups=[] if everyone else list(staff_groups),
        organisations=[] if everyone else list(organisations),
        created_by_ref=staff_ref_for(acting_user.pk),
        created_by_name=profile.display_name if profile else "",
    )
    campaign.save(using=DATABASE)
    return campaign


def do_change_campaign(
    *,
    campaign: Campaign,
    name: str,
    everyone: bool,
    staff_groups: Sequence[str],
    organisations: Sequence[str],
) -> bool:
    """Change a draft's name or audience; False if it has started meanwhile (nothing changed)."""
    changed = (
        Campaign.objects.using(DATABASE)
        .filter(pk=campaign.pk, status=CampaignStatus.DRAFT)
        .update(
            name=name,
            everyone=everyone,
            staff_groups=[] if everyone else list(staff_groups),
            organisations=[] if everyone else list(organisations),
        )
    )
    return bool(changed)


def invitation_path(campaign: Campaign) -> str:
    """Straight to the self-referral, carrying the code that counts referrals it prompted."""
    return f"{reverse('wellbeing:refer_start')}?{urlencode({'campaign': campaign.code})}"


def due_times(start: datetime.datetime, per_minute: int) -> Iterator[datetime.datetime]:
    """`per_minute` rows due at `start`, the next `per_minute` a minute later, and so on.

    Minutes in quiet hours are skipped: the outbox would hold those rows back to the end of
    quiet hours, and they would all fall due in the same minute, unthrottled.
    """
    per_minute = max(per_minute, 1)
    minute = start
    while True:
        minute = delivery.quiet_until(minute) or minute
        for _ in range(per_minute):
            yield minute
        minute += datetime.timedelta(minutes=1)


def _invitations(
    campaign: Campaign, user_ids: Sequence[int], due: Iterator[datetime.datetime]
) -> list[OutboxMessage]:
    path = invitation_path(campaign)
    rows = []
    for user_id in user_ids:
        row = outreach.to_user(
            user_id,
            category=outreach.OUTREACH,
            template=TEMPLATE,
            context={"path": path},
            campaign=campaign,
            due_at=next(due),
        )
        # The pseudonym, not the user id: the key is stored in clear.
        row.idempotency_key = f"campaign:{campaign.pk}:{row.recipient_ref}"
        rows.append(row)
    return rows


def do_start_campaign(*, campaign: Campaign, acting_user: User) -> int:
    """Queue the invitation for everyone in the audience, throttled; returns how many.

    Once only: the campaign is claimed with a conditional update from draft to sending, so a
    second click or a second tab finds nothing to start and returns 0 without writing; the
    idempotency keys would refuse a second row for anyone anyway. Raises EmptyAudience (and
    leaves the draft as it was) when there is no one to email.
    """
    now = timezone.now()
    with transaction.atomic(using=DATABASE):
        claimed = (
            Campaign.objects.using(DATABASE)
            .filter(pk=campaign.pk, status=CampaignStatus.DRAFT)
            .update(status=CampaignStatus.SENDING, started_at=now)
        )
        if not claimed:
            return 0
        # Read again under the claim: the caller's copy may predate a change to the draft.
        campaign = Campaign.objects.using(DATABASE).get(pk=campaign.pk)
        due = due_times(now, settings.OUTREACH_CAMPAIGN_PER_MINUTE)
        user_ids = audience_for(campaign).order_by("pk").values_list("pk", flat=True)
        recipients = 0
        for chunk in batched(user_ids.iterator(chunk_size=CHUNK), CHUNK):
            queue(_invitations(campaign, chunk, due))
            recipients += len(chunk)
        if not recipients:
            raise EmptyAudience
        Campaign.objects.using(DATABASE).filter(pk=campaign.pk).update(recipients=recipients)
        audit.record(
            actor=audit.actor_for(acting_user),
            action=AuditAction.CREATE,
            obj=campaign,
            reason="Started an outreach campaign",
        )
    return recipients


def mark_finished_campaigns_sent() -> int:
    """Mark sent every sending campaign with nothing left waiting; returns how many.

    One conditional update, run when the campaign pages open: cheaper and simpler than a task,
    and a campaign's status is only ever read there. Failed and skipped rows count as finished:
    the outbox has given up on them.
    """
    waiting = OutboxMessage.objects.using(DATABASE).filter(
        campaign=OuterRef("pk"), status__in=WAITING_STATUSES
    )
    return (
        Campaign.objects.using(DATABASE)
        .filter(status=CampaignStatus.SENDING)
        .exclude(Exists(waiting))
        .update(status=CampaignStatus.SENT)
    )


# --- Pausing, resuming and stopping -------------------------------------------------------------

# Where a paused campaign's waiting invitations are parked: the sweep and the workers only take
# rows that are due, so nothing parked here goes. Resuming re-times them from that moment.
PARKED_UNTIL = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


class CampaignNotRunning(Exception):
    """The campaign is not in a state this change applies to (a second click, another tab)."""


def _locked_campaign(campaign_id: int, *states: str) -> Campaign:
    campaign = Campaign.objects.using(DATABASE).select_for_update().get(pk=campaign_id)
    if campaign.status not in states:
        raise CampaignNotRunning
    return campaign


def _lock_waiting_invitations(campaign: Campaign) -> list[int]:
    """Lock the campaign's invitations that no worker has claimed, lowest id first.

    Workers claim their batch in the same order (portal.outbox.delivery.claim), so a batch
    already claimed is left to go whole, and a batch being claimed while this runs waits and
    then finds its rows no longer waiting: never half a batch.
    """
    return list(
        OutboxMessage.objects.using(DATABASE)
        .filter(campaign=campaign, status=Status.PENDING)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )


def do_pause_campaign(*, campaign_id: int, acting_user: User) -> int:
    """Hold a sending campaign's invitations not yet sent; returns how many wait.

    Raises CampaignNotRunning unless it is sending. A batch a worker has already claimed still
    goes (whole); nothing else is released until the hub lead resumes or stops the campaign.
    """
    with transaction.atomic(using=DATABASE):
        campaign = _locked_campaign(campaign_id, CampaignStatus.SENDING)
        waiting = _lock_waiting_invitations(campaign)
        for chunk in batched(waiting, CHUNK):
            OutboxMessage.objects.using(DATABASE).filter(pk__in=chunk).update(
                due_at=PARKED_UNTIL, enqueued_at=None
            )
        campaign.status = CampaignStatus.PAUSED
        campaign.paused_at = timezone.now()
        campaign.save(using=DATABASE, update_fields=["status", "paused_at"])
        audit.record(
            actor=audit.actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=campaign,
            reason="Paused an outreach campaign",
        )
    return len(waiting)


def do_resume_campaign(*, campaign_id: int, acting_user: User) -> int:
    """Release a paused campaign's waiting invitations again, throttled from now; returns how
    many. Raises CampaignNotRunning unless it is paused."""
    now = timezone.now()
    with transaction.atomic(using=DATABASE):
        campaign = _locked_campaign(campaign_id, CampaignStatus.PAUSED)
        waiting = _lock_waiting_invitations(campaign)
        due = due_times(now, settings.OUTREACH_CAMPAIGN_PER_MINUTE)
        per_minute = max(settings.OUTREACH_CAMPAIGN_PER_MINUTE, 1)
        # One update a minute's batch, in the order they were queued.
        for group in batched(waiting, per_minute):
            due_at = next(due)
            for _ in range(len(group) - 1):
                next(due)
            OutboxMessage.objects.using(DATABASE).filter(pk__in=group).update(
                due_at=due_at, enqueued_at=None
            )
        campaign.status = CampaignStatus.SENDING
        campaign.paused_at = None
        campaign.save(using=DATABASE, update_fields=["status", "paused_at"])
        audit.record(
            actor=audit.actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=campaign,
            reason="Resumed an outreach campaign",
        )
    # Nothing is handed to a worker here: the minute's sweep releases each batch as it falls
    # due, the first within a minute, so no row is ever handed over twice.
    return len(waiting)


def do_stop_campaign(*, campaign_id: int, acting_user: User) -> int:
    """Cancel a sending or paused campaign's invitations not yet sent; returns how many.

    Final: a stopped campaign cannot be started again (a new campaign can). Invitations already
    sent, and a batch a worker has already claimed, are not called back. Raises
    CampaignNotRunning unless it is sending or paused.
    """
    with transaction.atomic(using=DATABASE):
        campaign = _locked_campaign(campaign_id, CampaignStatus.SENDING, CampaignStatus.PAUSED)
        waiting = _lock_waiting_invitations(campaign)
        for chunk in batched(waiting, CHUNK):
            OutboxMessage.objects.using(DATABASE).filter(pk__in=chunk).update(
                status=Status.SKIPPED, skip_reason=SkipReason.WITHDRAWN, enqueued_at=None
            )
        campaign.status = CampaignStatus.CANCELLED
        campaign.stopped_at = timezone.now()
        campaign.save(using=DATABASE, update_fields=["status", "stopped_at"])
        audit.record(
            actor=audit.actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=campaign,
            reason="Stopped an outreach campaign",
        )
    return len(waiting)


def waiting_count(campaign: Campaign) -> int:
    """How many of the campaign's invitations no worker has taken yet (one query)."""
    return (
        OutboxMessage.objects.using(DATABASE)
        .filter(campaign=campaign, status=Status.PENDING)
        .count()
    )


# --- Reading -----------------------------------------------------------------------------------


def campaigns_for_hub_lead() -> QuerySet[Campaign]:
    return Campaign.objects.using(DATABASE).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class CampaignSummary:
    """What happened to a campaign's invitations, in counts only: never who."""

    sent: int
    waiting: int
    failed: int
    opted_out: int
    not_sent: int  # no active account or address
    stopped: int  # cancelled when the hub lead stopped the campaign
    self_referrals: int
    open_self_referrals: int


def campaign_summary(campaign: Campaign) -> CampaignSummary:
    """Counts for the campaign page: one aggregate over its outbox rows, one over referrals."""
    skipped = Q(status=Status.SKIPPED)
    opted_out = skipped & Q(skip_reason=SkipReason.OPTED_OUT)
    messages = OutboxMessage.objects.using(DATABASE).filter(campaign=campaign)
    counts = messages.aggregate(
        sent=Count("pk", filter=Q(status=Status.SENT)),
        waiting=Count("pk", filter=Q(status__in=WAITING_STATUSES)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        opted_out=Count("pk", filter=opted_out),
        not_sent=Count(
            "pk",
            filter=skipped & ~Q(skip_reason__in=[SkipReason.OPTED_OUT, SkipReason.WITHDRAWN]),
        ),
        stopped=Count("pk", filter=skipped & Q(skip_reason=SkipReason.WITHDRAWN)),
    )
    referrals = (
        Referral.objects.using(DATABASE)
        .filter(campaign_code=campaign.code)
        .aggregate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        )
    )
    return CampaignSummary(
        **counts, self_referrals=referrals["total"], open_self_referrals=referrals["open"]
    )


@dataclass(frozen=True)
class InvitationPreview:
    subject: str
    body: str


def invitation_preview(campaign: Campaign) -> InvitationPreview:
    """The invitation as everyone in the audience will read it: it is the same for all, but for
    the personal unsubscribe link, shown here as a placeholder."""
    category = registry.get("wellbeing").category(outreach.OUTREACH)
    context = {
        "link": rendering.absolute(invitation_path(campaign)),
        "unsubscribe_link": rendering.absolute("/emails/unsubscribe/…/"),
        "category": category,
        "service_name": settings.SERVICE_NAME,
    }
    subject = render_to_string(f"emails/{TEMPLATE}.subject.txt", context)
    body = render_to_string(f"emails/{TEMPLATE}.txt", context)
    return InvitationPreview(" ".join(subject.split()), body.strip())
