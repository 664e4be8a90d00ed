"""The Resilience Hub's confidential records. Every model here lives in the "confidential" database.

A record names its member of staff by `staff_ref` (see wellbeing/pseudonyms.py), never by a
foreign key. Identifying details, free text and item-level answers are encrypted fields; totals,
bands, risk flags, states, categories and dates stay plain so queues sort and reports count.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from portal.db_routers import CONFIDENTIAL_DATABASE
from portal.models import StaffGroup
from portal.outbox.models import OptOutBase, OutboxMessageBase
from portal.submission_keys import SubmissionKeyBase
from wellbeing.crypto import EncryptedJSONField, EncryptedTextField
from wellbeing.pseudonyms import staff_ref_for

if TYPE_CHECKING:
    from portal.models import User

# The one name of the hub's database alias, as the router knows it: every query here says
# `.using(DATABASE)`.
DATABASE = CONFIDENTIAL_DATABASE

# The largest id a PostgreSQL bigint holds: a larger one in a URL is simply not found, rather
# than an "integer out of range" error from the database.
MAX_ID = 2**63 - 1


class ReferralStatus(models.TextChoices):
    NEW = "new", "Waiting for a rapid assessment"
    IN_ASSESSMENT = "in_assessment", "Being assessed"
    IN_SUPPORT = "in_support", "Receiving support"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The states the hub is still working in: a referral in one of them can be replied to,
# withdrawn and closed. Closed and withdrawn are final (wellbeing/referral_states.py).
OPEN_STATUSES: tuple[str, ...] = (
    ReferralStatus.NEW,
    ReferralStatus.IN_ASSESSMENT,
    ReferralStatus.IN_SUPPORT,
)


# Choices the self-referral asks and the referral page and reports read back (plain categories).
PREFER_NOT_TO_SAY = ("prefer_not_to_say", "Prefer not to say")
# Sex and ethnic group as the ONS asks them (2021 Census, England and Wales: the five
# top-level ethnic groups), each with "Prefer not to say". Kept as plain categories.
SEX_CHOICES = [("female", "Female"), ("male", "Male"), PREFER_NOT_TO_SAY]
ETHNIC_GROUP_CHOICES = [
    ("asian", "Asian, Asian British or Asian Welsh"),
    ("black", "Black, Black British, Black Welsh, Caribbean or African"),
    ("mixed", "Mixed or Multiple ethnic groups"),
    ("white", "White"),
    ("other", "Other ethnic group"),
    PREFER_NOT_TO_SAY,
]
# Age band, disability, sexual orientation and religion or belief as NHS equality monitoring
# asks them, in the ONS's harmonised categories (2021 Census, England and Wales), each optional
# with "Prefer not to say". Plain categories like sex and ethnic group, so reports can count.
AGE_BAND_CHOICES = [
    ("16_24", "16 to 24"),
    ("25_34", "25 to 34"),
    ("35_44", "35 to 44"),
    ("45_54", "45 to 54"),
    ("55_64", "55 to 64"),
    ("65_over", "65 or over"),
    PREFER_NOT_TO_SAY,
]
# The Equality Act 2010 definition in the GSS harmonised question (long-lasting health
# condition or illness that limits day-to-day activities).
DISABILITY_CHOICES = [
    ("limited_a_lot", "Yes, limited a lot"),
    ("limited_a_little", "Yes, limited a little"),
    ("no", "No"),
    PREFER_NOT_TO_SAY,
]
SEXUAL_ORIENTATION_CHOICES = [
    ("straight", "Straight or heterosexual"),
    ("gay_lesbian", "Gay or lesbian"),
    ("bisexual", "Bisexual"),
    ("other", "Other sexual orientation"),
    PREFER_NOT_TO_SAY,
]
RELIGION_CHOICES = [
    ("none", "No religion"),
    ("christian", "Christian (all denominations)"),
    ("buddhist", "Buddhist"),
    ("hindu", "Hindu"),
    ("jewish", "Jewish"),
    ("muslim", "Muslim"),
    ("sikh", "Sikh"),
    ("other", "Any other religion or belief"),
    PREFER_NOT_TO_SAY,
]


@dataclass(frozen=True)
class EqualityQuestion:
    """One optional equality monitoring question: its key in `Referral.equality_monitoring`,
    its short name (check your answers, the referral page, reports) and its choices."""

    key: str
    name: str
    choices: list[tuple[str, str]]


# In the order the form asks them; the pages and the reports read this one list.
EQUALITY_QUESTIONS: tuple[EqualityQuestion, ...] = (
    EqualityQuestion("sex", "Sex", SEX_CHOICES),
    EqualityQuestion("ethnic_group", "Ethnic group", ETHNIC_GROUP_CHOICES),
    EqualityQuestion("age_band", "Age", AGE_BAND_CHOICES),
    EqualityQuestion("disability", "Disability", DISABILITY_CHOICES),
    EqualityQuestion("sexual_orientation", "Sexual orientation", SEXUAL_ORIENTATION_CHOICES),
    EqualityQuestion("religion", "Religion or belief", RELIGION_CHOICES),
)

STAFF_GROUP_CHOICES = [*StaffGroup.choices, PREFER_NOT_TO_SAY]


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class UrgentReason(models.TextChoices):
    """Why a clinician marked a referral urgent: a fixed list, so the audit log (plain text)
    never holds clinical free text."""

    RISK_FOUND = "risk_found", "Risk came to light on contact or review"
    CIRCUMSTANCES = "circumstances", "Their circumstances have changed"
    ASKED_BY_SERVICE = "asked_by_service", "Another service asked for a rapid response"
    CLINICAL_JUDGEMENT = "clinical_judgement", "Clinical judgement"


class CloseReason(models.TextChoices):
    SUPPORT_COMPLETED = "support_completed", "Support completed"
    SELF_HELP = "self_help", "Self-help was enough"
    REFERRED_ON = "referred_on", "Referred to another service"
    NO_CONTACT = "no_contact", "We could not make contact"
    DECLINED = "declined", "They decided not to go ahead"
    OTHER = "other", "Another reason"
    # Not offered on the close form: only joining a later referral to the person's open one
    # closes with it (wellbeing.services.referrals.do_join_to_open_referral).
    JOINED = "joined", "Joined with their open referral"


# The reasons a clinician picks from when closing (the close form, an assessment's close).
CLOSE_REASONS_TO_CHOOSE: list[tuple[str, str]] = [
    (value, label) for value, label in CloseReason.choices if value != CloseReason.JOINED
]


class HowHeard(models.TextChoices):
    COLLEAGUE = "colleague", "A colleague"
    MANAGER = "manager", "My manager or team lead"
    OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health"
    OUTREACH = "outreach", "A message from the hub"
    INTRANET = "intranet", "The intranet or a poster"
    TEAM_SESSION = "team_session", "A team session run by the hub"
    OTHER = "other", "Somewhere else"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class Sector(models.TextChoices):
    """The kind of organisation a person works for, asked at self-referral.

    Hubs found care home and emergency services staff under-represented (seed 004), so the
    reports and the research extract count by sector; the organisation's name stays free text.
    """

    NHS_TRUST = "nhs_trust", "An NHS trust (hospital, mental health or community services)"
    PRIMARY_CARE = "primary_care", "Primary care (a GP practice, pharmacy, dentist or optician)"
    CARE_HOME = "care_home", "A care home or home care provider"
    EMERGENCY_SERVICES = "emergency_services", "Ambulance, fire or police service"
    LOCAL_AUTHORITY = "local_authority", "A local authority, including social care"
    VOLUNTARY = "voluntary", "A charity, voluntary or community organisation"
    OTHER = "other", "Another kind of organisation"


class ReferralQuerySet(models.QuerySet["Referral"]):
    """The scopes that views and queries start from, so no filter is spelled out twice."""

    def owned_by(self, user: User) -> ReferralQuerySet:
        """The user's own referrals (by their pseudonym): a member of staff reaches no other."""
        return self.filter(staff_ref=staff_ref_for(user.pk))

    def open(self) -> ReferralQuerySet:
        """Referrals the hub is still working on."""
        return self.filter(status__in=OPEN_STATUSES)

    def held_by(self, clinician: User) -> ReferralQuerySet:
        """Referrals this clinician holds."""
        return self.filter(assigned_ref=staff_ref_for(clinician.pk))


class Referral(models.Model):
    """A member of staff asking the hub for help."""

    reference = models.CharField(max_length=12, unique=True)
    staff_ref = models.CharField(max_length=64, db_index=True)
    # The form's one-time key: a refresh or a double click can never create two referrals.
    submission_key = models.UUIDField(unique=True)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.NEW, db_index=True
    )
    urgent = models.BooleanField(default=False, db_index=True)
    # When a clinician marked it urgent, from which its urgent target counts; empty when it was
    # urgent from the start (a risk answer) or is not urgent (ADR 0026).
    urgent_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The account's id, encrypted: how the outbox finds whom to email, weeks later, without the
    # confidential store holding user ids in clear.
    owner_key = EncryptedTextField(blank=True)
    # The clinician who holds the referral, by pseudonym, and when they took it.
    assigned_ref = models.CharField(max_length=64, blank=True, db_index=True)
    assigned_name = models.CharField(max_length=80, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    # When the rapid assessment was completed; the target nudges stop once it is.
    assessed_at = models.DateTimeField(null=True, blank=True)
    # The latest assessed risk, plain so the queue can filter on it (detail is in Assessment).
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=24, choices=CloseReason.choices, blank=True)
    # Team-based support: the team request this person's support is part of, if any.
    team_request = models.ForeignKey(
        "TeamRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    # The same person's referral that was still open when this one was sent: the queue and the
    # referral page flag the pair, and a clinician may join this one into it (ADR 0024).
    earlier_open_referral = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_referrals",
    )

    # How to contact them (encrypted).
    name = EncryptedTextField()
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    voicemail_ok = models.BooleanField(default=False)
    best_times = EncryptedTextField(blank=True)

    # Their work: categories stay plain for reports; the team could identify someone.
    organisation = models.CharField(max_length=120, blank=True)
    sector = models.CharField(max_length=24, choices=Sector.choices, blank=True)
    staff_group = models.CharField(max_length=40, blank=True)
    team = EncryptedTextField(blank=True)

    # What is happening, in their words (encrypted).
    whats_happening = EncryptedTextField()
    hoped_for_help = EncryptedTextField(blank=True)

    how_heard = models.CharField(max_length=24, choices=HowHeard.choices, blank=True)
    campaign_code = models.CharField(max_length=40, blank=True)
    # Optional equality monitoring, always with "prefer not to say"; plain categories only.
    equality_monitoring = models.JSONField(default=dict, blank=True)
    # The answer to "has something traumatic or very distressing happened to you?", which
    # decides whether the PCL-5 was asked (wellbeing.instruments.TRAUMATIC_EVENT): "yes", "no",
    # "prefer_not_to_say", or blank for a referral from before the question, which asked it.
    traumatic_event = models.CharField(max_length=20, blank=True)
    consented_at = models.DateTimeField()
    # The separate, optional research question (issue 14): None until answered, then the
    # latest answer and when it was given. Withdrawing takes the person out of every later
    # research extract.
    research_consent = models.BooleanField(null=True, blank=True)
    research_consent_changed_at = models.DateTimeField(null=True, blank=True)
    # The version of the rules its outcome summary was worked out by (0: none yet), so a report
    # finds the referrals to work out first through an index, not by joining every referral to
    # its summary (wellbeing.outcome_summaries, ADR 0042).
    outcome_summary_rules = models.PositiveSmallIntegerField(default=0)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ("-urgent", "created_at")
        indexes = [
            models.Index(fields=["status", "urgent", "created_at"], name="referral_queue"),
            # The triage queue's order over open referrals only: urgent first, longest waiting.
            models.Index(
                models.F("urgent").desc(),
                "created_at",
                "id",
                condition=models.Q(status__in=["new", "in_assessment", "in_support"]),
                name="referral_open_queue",
            ),
            # The hub lead's figures over open referrals, read from the index alone: a
            # referral's row is wide (encrypted answers), its index entry is not (ADR 0031).
            models.Index(
                fields=["urgent", "created_at"],
                include=["id", "assessed_at", "urgent_since", "assigned_ref", "risk_level"],
                condition=models.Q(status__in=["new", "in_assessment", "in_support"]),
                name="referral_open_figures",
            ),
            # A clinician's caseload and the queue's "Mine": their open referrals, and the
            # caseload's order, without reading any referral's wide row (ADR 0031).
            models.Index(
                fields=["assigned_ref", "created_at"],
                include=["id", "urgent", "urgent_since", "assessed_at"],
                condition=models.Q(status__in=["new", "in_assessment", "in_support"]),
                name="referral_open_by_holder",
            ),
            # The hub lead's reports count the referrals received in a period by these columns:
            # read from the index alone, 2 MB rather than 31 MB of wide rows at 15,000
            # referrals (ADR 0042).
            models.Index(
                fields=["created_at"],
                include=[
                    "id",
                    "status",
                    "assessed_at",
                    "urgent",
                    "urgent_since",
                    "staff_group",
                    "organisation",
                    "sector",
                    "close_reason",
                    "equality_monitoring",
                ],
                name="referral_reports",
            ),
            models.Index(
                fields=["outcome_summary_rules", "created_at"], name="referral_outcome_summary"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        """Whether the hub is still working on it: it can be replied to, withdrawn, closed."""
        return self.status in OPEN_STATUSES

    @property
    def screening_answers(self) -> dict[str, str]:
        """The answers that decided which questionnaires were asked (wellbeing.instruments)."""
        return {"traumatic_event": self.traumatic_event}


class ScoreSource(models.TextChoices):
    """Where a questionnaire was completed: outcomes pair the first with the latest later one."""

    SELF_REFERRAL = "self_referral", "Self-referral"
    CHECK_IN = "check_in", "Follow-up check-in"
    SESSION = "session", "Therapy session"


class ScreeningResult(models.Model):
    """One completed questionnaire: the item answers encrypted, the score plain."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="screenings")
    source = models.CharField(
        max_length=16, choices=ScoreSource.choices, default=ScoreSource.SELF_REFERRAL
    )
    instrument = models.CharField(max_length=10)
    answers = EncryptedJSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=40)
    risk = models.BooleanField(default=False)
    taken_at = models.DateTimeField(default=timezone.now)
    # Session measures (ADR 0039): the therapy session they were taken at, once it is recorded,
    # and the booked appointment they were taken before or at. Both empty for the other sources.
    session = models.ForeignKey(
        "TherapySession", null=True, blank=True, on_delete=models.SET_NULL, related_name="scores"
    )
    appointment = models.ForeignKey(
        "Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="scores"
    )

    class Meta:
        ordering = ("taken_at", "id")
        constraints = [
            # One set of measures per appointment: a second tab or a clinician's entry after the
            # member of staff's own cannot make two sittings for one session.
            models.UniqueConstraint(
                fields=["appointment", "instrument"],
                condition=models.Q(appointment__isnull=False),
                name="one_score_per_instrument_per_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.total} ({self.band})"


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    READ = "read", "Opened"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Downloaded"
    WITHDRAW = "withdraw", "Withdrew"
    # A record removed at the end of its retention period (manage.py purge_closed_referrals).
    DELETE = "delete", "Deleted"
    # A hub role given or taken away (HubMembership), and an enrolment code issued.
    GRANT = "grant", "Gave a hub role"
    REVOKE = "revoke", "Removed a hub role"
    ISSUE = "issue", "Issued an enrolment code"
    # The chain was sealed under the audit chain key (migration 0011, ADR 0019).
    SEAL = "seal", "Sealed the audit chain"


class AuditEntry(models.Model):
    """Who did what to which record, when and why. Append-only and chained.

    `hash` is an HMAC-SHA256, under the audit chain key named by `key_id`, of every other field and
    the previous entry's `hash`, so changing or removing an entry breaks the chain from there on
    and nobody without the key can recompute it (`manage.py verify_audit_log`, ADR 0019). Entries
    written before the chain was keyed have an empty `key_id` and a plain SHA-256. On PostgreSQL a
    trigger also refuses UPDATE, DELETE and TRUNCATE.
    """

    at = models.DateTimeField(default=timezone.now)
    actor_ref = models.CharField(max_length=64, db_index=True)
    actor_role = models.CharField(max_length=20)
    actor_name = models.CharField(max_length=80, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField(db_index=True)
    reason = models.CharField(max_length=120)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Which audit chain key sealed the entry (a fingerprint, not the key); empty before keying.
    key_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_role} {self.action} {self.object_type}"


class ReferralEventKind(models.TextChoices):
    RECEIVED = "received", "We received your referral"
    URGENT = "urgent", "Marked urgent for a rapid response"
    CONTACT_ATTEMPTED = "contact_attempted", "The hub tried to contact you"
    ASSESSED = "assessed", "Rapid assessment completed"
    SUPPORT_STARTED = "support_started", "Support started"
    REFERRED_ON = "referred_on", "Referred to another service"
    CLOSED = "closed", "Referral closed"
    WITHDRAWN = "withdrawn", "You withdrew your referral"
    # A referral sent while another was open, joined into that one by a clinician (ADR 0024).
    JOINED_INTO = "joined_into", "Joined with your earlier referral, which stays open"
    LATER_JOINED = "later_joined", "Your later referral was joined with this one"


class ReferralEvent(models.Model):
    """A step in a referral's timeline, as the member of staff sees it. No clinical detail."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=ReferralEventKind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return self.get_kind_display()


class HubMessage(models.Model):
    """A secure message between the hub and the member of staff. The body is encrypted; emails
    only ever say that there is a message."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    from_hub = models.BooleanField()
    author_ref = models.CharField(max_length=64)
    author_name = models.CharField(max_length=80, blank=True)
    body = EncryptedTextField()
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("sent_at", "id")

    def __str__(self) -> str:
        return f"Message on {self.referral}"


class ReferralDraft(models.Model):
    """A self-referral in progress: every answer so far, encrypted, until it is sent or expires.

    Kept here rather than in the Django session because sessions live in the default database,
    where no wellbeing data may go (docs/adr/0011-referral-drafts.md). One draft per member of
    staff; sending it deletes it, and `wellbeing.purge_expired_drafts` removes abandoned ones.
    """

    staff_ref = models.CharField(max_length=64, unique=True)
    # Becomes the referral's submission_key, so sending the same draft twice finds one referral.
    submission_key = models.UUIDField(unique=True)
    data = EncryptedJSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"Draft referral {self.pk}"


class FollowUp(models.Model):
    """A planned re-screening after an outcome: the staff member is invited to repeat the
    questionnaires, reminded after a week, reminded a second and last time, in other words, a
    week after that, and then left alone."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    label = models.CharField(max_length=40, help_text="For example: 4 weeks, 3 months")
    due_on = models.DateField(db_index=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    second_reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("due_on", "id")

    def __str__(self) -> str:
        return f"{self.label} follow-up"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    # Sending held by the hub lead: invitations not yet sent wait until it resumes.
    PAUSED = "paused", "Paused"
    SENT = "sent", "Sent"
    # Stopped by the hub lead: invitations not yet sent were cancelled (final).
    CANCELLED = "cancelled", "Stopped"


class Campaign(models.Model):
    """A proactive wellbeing check-in invitation to chosen staff groups, organisations or all.

    `code` travels in the invitation's link, so self-referrals that came from it can be counted;
    nothing in it or in the email says who is struggling. No tracking pixels.
    """

    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=40, unique=True)
    staff_groups = models.JSONField(default=list, blank=True)
    organisations = models.JSONField(default=list, blank=True)
    everyone = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by_ref = models.CharField(max_length=64)
    created_by_name = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name


class TeamSupportType(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    CONSULTATION = "consultation", "Consultation for the team lead"
    PEER_SUPPORT = "peer_support", "Facilitated peer support session"


class TeamRequestStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the hub"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SCHEDULED = "scheduled", "Sessions booked"
    DELIVERED = "delivered", "Delivered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TeamRequest(models.Model):
    """A team lead asking the hub to support a team. No individual's clinical detail belongs
    here; the form says so."""

    requester_ref = models.CharField(max_length=64, db_index=True)
    requester_key = EncryptedTextField(help_text="The team lead's account id, encrypted")
    requester_name = models.CharField(max_length=80, blank=True)
    team = models.CharField(max_length=120)
    organisation = models.CharField(max_length=120)
    team_size = models.PositiveSmallIntegerField()
    support_type = models.CharField(max_length=20, choices=TeamSupportType.choices)
    topic = models.CharField(max_length=200)
    preferred_dates = models.CharField(max_length=300, blank=True)
    prompted_by = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=12, choices=TeamRequestStatus.choices, default=TeamRequestStatus.REQUESTED
    )
    decision_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_support_type_display()} for {self.team}"


class TeamSession(models.Model):
    """One booked session for a team request; attendance is a count, never names."""

    request = models.ForeignKey(TeamRequest, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(db_index=True)
    facilitator = models.CharField(max_length=80)
    place = models.CharField(max_length=200, help_text="A room or a video call link")
    attended = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = EncryptedTextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("starts_at", "id")

    def __str__(self) -> str:
        return f"Session on {self.starts_at:%Y-%m-%d}"


class OutboxMessage(OutboxMessageBase):
    """A hub email waiting to go, or gone. The person is named by pseudonym (`recipient_ref`) and
    an encrypted account id, so this table holds no user id in clear."""

    recipient_user = EncryptedTextField(blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )

    class Meta(OutboxMessageBase.Meta):
        pass

    def recipient_user_id(self) -> int | None:
        return int(self.recipient_user) if self.recipient_user else None


class OptOut(OptOutBase):
    """A person's choice not to get a category of hub email, kept by pseudonym."""

    class Meta(OptOutBase.Meta):
        pass


class SubmissionKey(SubmissionKeyBase):
    """A one-time key of a hub form that created something, kept beside what it created so the
    two commit together (ADR 0022)."""

    class Meta(SubmissionKeyBase.Meta):
        pass


# --- Clinician side: contact, assessment and outcomes ----------------------------------------------


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class ContactOutcome(models.TextChoices):
    REACHED = "reached", "Reached them"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL = "voicemail", "Left a voicemail"


class VoicemailOverride(models.TextChoices):
    """Why a voicemail was left for someone who asked for none: a fixed list, so the reason can
    be written into the audit log without free text."""

    AGREED_SINCE = "agreed_since", "They have since told the hub a voicemail is fine"
    SAFETY = "safety", "A voicemail was needed for their safety"


class ContactAttempt(models.Model):
    """A clinician trying to reach the member of staff."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=10, choices=ContactOutcome.choices)
    note = EncryptedTextField(blank=True)
    by_ref = models.CharField(max_length=64)
    by_name = models.CharField(max_length=80, blank=True)
    # Set only when a voicemail was left although the referral asked for none (also audited).
    voicemail_override = models.CharField(
        max_length=20, choices=VoicemailOverride.choices, blank=True
    )

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.get_outcome_display()}"


class AssessmentOutcome(models.TextChoices):
    SELF_HELP = "self_help", "Self-help with signposted resources"
    TEAM_SUPPORT = "team_support", "Team-based support"
    DIRECT_THERAPY = "direct_therapy", "Direct therapy at the hub"
    ONWARD_REFERRAL = "onward_referral", "Onward referral to another service"
    CLOSE = "close", "Close the referral"


class Assessment(models.Model):
    """A rapid assessment: notes, risk with a safety plan, formulation and the outcome chosen.
    Everything a clinician writes is encrypted; risk and outcome stay plain for the queue and
    reports."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assessments")
    at = models.DateTimeField(default=timezone.now)
    by_ref = models.CharField(max_length=64)
    by_name = models.CharField(max_length=80, blank=True)
    notes = EncryptedTextField()
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    safety_plan = EncryptedTextField(blank=True)
    formulation = EncryptedTextField()
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"Assessment of {self.referral}"


class SignpostedResource(models.Model):
    """A learning resource offered as self-help. `resource_id` names a row in the learning
    catalogue (another database), read through learning.queries.resources_for_signposting."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="signposts")
    resource_id = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")
        constraints = [
            models.UniqueConstraint(fields=["referral", "resource_id"], name="signpost_once")
        ]

    def __str__(self) -> str:
        return f"Resource {self.resource_id} for {self.referral}"


class TherapyModality(models.TextChoices):
    CBT = "cbt", "Cognitive behavioural therapy (CBT)"
    EMDR = "emdr", "Eye movement desensitisation and reprocessing (EMDR)"
    COUNSELLING = "counselling", "Counselling"
    COMPASSION_FOCUSED = "compassion_focused", "Compassion-focused therapy"
    ACT = "act", "Acceptance and commitment therapy (ACT)"
    TRAUMA_FOCUSED = "trauma_focused", "Trauma-focused therapy"
    OTHER = "other", "Other"


class TherapyPlan(models.Model):
    """Direct therapy at the hub."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="therapy_plans")
    modality = models.CharField(max_length=20, choices=TherapyModality.choices)
    planned_sessions = models.PositiveSmallIntegerField()
    started_on = models.DateField(default=timezone.localdate)
    therapist_ref = models.CharField(max_length=64)
    therapist_name = models.CharField(max_length=80, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("started_on", "id")

    def __str__(self) -> str:
        return self.get_modality_display()


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_STAFF = "cancelled_by_staff", "Cancelled by them"
    CANCELLED_BY_HUB = "cancelled_by_hub", "Cancelled by the hub"


class TherapySession(models.Model):
    plan = models.ForeignKey(TherapyPlan, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField()
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ("on", "id")

    def __str__(self) -> str:
        return f"Session on {self.on}"


class Service(models.Model):
    """A service in the hub's directory for onward referral (kept by the hub lead)."""

    name = models.CharField(max_length=120, unique=True)
    criteria = models.TextField(help_text="Who the service is for")
    how_to_refer = models.TextField()
    contact = models.CharField(max_length=300)
    typical_wait = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class OnwardStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SEEN = "seen", "Seen by the service"


class OnwardReferral(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="onward")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(
        max_length=10, choices=OnwardStatus.choices, default=OnwardStatus.SENT
    )
    sent_on = models.DateField(default=timezone.localdate)
    status_on = models.DateField(default=timezone.localdate)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ("sent_on", "id")

    def __str__(self) -> str:
        return f"{self.referral} to {self.service}"


# --- The hub's own team -------------------------------------------------------------------------


class HubRole(models.TextChoices):
    # The values are the portal's role names (portal.roles), which the rules check.
    CLINICIAN = "Hub clinician", "Hub clinician"
    LEAD = "Hub lead", "Hub lead"
    RESEARCHER = "Hub researcher", "Hub researcher"


class HubMembershipQuerySet(models.QuerySet["HubMembership"]):
    def current(self) -> HubMembershipQuerySet:
        return self.filter(revoked_at__isnull=True)

    def holder_ids(self, *roles: str) -> list[int]:
        """The active, non-superuser accounts that hold any of these roles now, by id."""
        from portal.models import User

        ids = self.using(DATABASE).current().filter(role__in=roles).values_list("user_id")
        return list(
            User.objects.filter(pk__in={pk for (pk,) in ids}, is_active=True, is_superuser=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


class HubMembership(models.Model):
    """A member of staff holding a hub role, from when a hub lead gave it until it was removed.

    Hub roles live here, in the confidential store, and not in Django's groups: the back office
    and the default database's owner cannot give them (ADR 0023). `user_id` names the portal
    account plainly: who works in the hub is not confidential, what they read is.
    """

    user_id = models.PositiveBigIntegerField(db_index=True)
    role = models.CharField(max_length=20, choices=HubRole.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    # Empty when `manage.py create_hub_lead` made the first hub lead.
    granted_by_id = models.PositiveBigIntegerField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = HubMembershipQuerySet.as_manager()

    class Meta:
        ordering = ("granted_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_current_hub_role_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("granted_at")),
                name="hub_role_removed_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.pk}"


class EnrolmentCode(models.Model):
    """A one-time code a hub lead gives a hub member to set up their authenticator, so that
    knowing the password is not enough to enrol a second factor. Only a hash is kept; the code
    is shown once, to the hub lead who issued it."""

    user_id = models.PositiveBigIntegerField(db_index=True)
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by_id = models.PositiveBigIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")),
                name="enrolment_code_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrolment code #{self.pk}"


# --- Appointments for direct therapy --------------------------------------------------------------


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone call"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    # Attendance recorded: the appointment became a TherapySession (ADR 0028).
    COMPLETED = "completed", "Attendance recorded"
    CANCELLED = "cancelled", "Cancelled"


class ChangeRequest(models.TextChoices):
    CANCEL = "cancel", "Cancel it"
    REARRANGE = "rearrange", "Rearrange it"


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def booked(self) -> AppointmentQuerySet:
        """Appointments still to happen or still waiting for their attendance."""
        return self.filter(status=AppointmentStatus.BOOKED)

    def with_clinician(self, clinician: User) -> AppointmentQuerySet:
        return self.filter(clinician_ref=staff_ref_for(clinician.pk))


class Appointment(models.Model):
    """A booked therapy session. When its attendance is recorded it is completed and its
    TherapySession is the record of what happened (ADR 0028); cancelled in advance, it never
    becomes one.

    Time, length and how it happens stay plain (lists sort and count on them); the place, free
    text that could say where someone works, is encrypted.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="appointments")
    plan = models.ForeignKey(TherapyPlan, on_delete=models.CASCADE, related_name="appointments")
    clinician_ref = models.CharField(max_length=64)
    clinician_name = models.CharField(max_length=80, blank=True)
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=10, choices=AppointmentMode.choices)
    place = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    # Set when attendance is recorded, or on cancelling (by them or by the hub).
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    session = models.OneToOneField(
        TherapySession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointment",
    )
    booked_at = models.DateTimeField(default=timezone.now)
    rescheduled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The member of staff asking, from my hub, to cancel or rearrange it; cleared once the
    # clinician moves or cancels it. Their words are encrypted.
    change_requested = models.CharField(max_length=10, choices=ChangeRequest.choices, blank=True)
    change_requested_at = models.DateTimeField(null=True, blank=True)
    change_request_note = EncryptedTextField(blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ("starts_at", "id")
        indexes = [
            # A clinician's "My appointments", by time, keyset-paginated.
            models.Index(
                fields=["clinician_ref", "starts_at", "id"],
                condition=models.Q(status="booked"),
                name="appt_booked_by_clinician",
            ),
            # The next appointment of each referral, and the reminders due.
            models.Index(
                fields=["referral", "starts_at"],
                condition=models.Q(status="booked"),
                name="appt_booked_by_referral",
            ),
            models.Index(
                fields=["starts_at"],
                condition=models.Q(status="booked"),
                name="appt_booked_by_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment on {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.minutes)

    @property
    def has_started(self) -> bool:
        """Whether its time has come: only then can its attendance be recorded."""
        return self.starts_at <= timezone.now()


# --- Service evaluation: research studies ---------------------------------------------------------


def new_pseudonym_salt() -> str:
    return secrets.token_hex(16)


class Study(models.Model):
    """A research study that may take the consented research extract (issue 14, ADR 0041).

    Each study has its own pseudonym key, derived from WELLBEING_PSEUDONYM_KEY and this study's
    random `pseudonym_salt` (wellbeing.pseudonyms.study_pseudonym): two studies' extracts name
    the same person differently, and cannot be linked without the hub's key.
    """

    name = models.CharField(max_length=120)
    # The ethics or governance approval, e.g. an IRAS number or a local reference.
    approval_reference = models.CharField(max_length=60)
    period_start = models.DateField()
    period_end = models.DateField()
    pseudonym_salt = models.CharField(max_length=32, default=new_pseudonym_salt, editable=False)
    defined_by_ref = models.CharField(max_length=64)
    defined_by_name = models.CharField(max_length=80, blank=True)
    defined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-defined_at", "-id")
        verbose_name_plural = "studies"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="study_name_unique"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="study_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- What the hub lead's reports count, kept per referral (ADR 0042) -------------------------------


class OutcomeSummary(models.Model):
    """One referral's outcome as the reports count it: its component and its paired outcome's
    flags, worked out by wellbeing.outcome_summaries from the referral's scores and assessments
    whenever one is recorded, so a report over thousands of referrals adds up rows in SQL
    rather than pairing every score in Python. Nothing here is not already plain on the rows it
    comes from; `rules` is the version of the rules it was worked out by, so a row made by older
    rules is worked out again before a report counts it."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, primary_key=True, related_name="outcome_summary"
    )
    rules = models.PositiveSmallIntegerField()
    # The latest rapid assessment's outcome ("" when not assessed), and for an onward referral
    # the service it went to (the first sent).
    component = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    onward_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # PHQ-9 and GAD-7 at the self-referral and again at one later sitting (wellbeing.outcomes).
    paired = models.BooleanField(default=False)
    caseness_at_start = models.BooleanField(default=False)
    recovered = models.BooleanField(default=False)
    reliably_improved = models.BooleanField(default=False)
    reliably_recovered = models.BooleanField(default=False)
    reliably_deteriorated = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Outcome summary of referral {self.referral_id}"


class MeasureSummary(models.Model):
    """One questionnaire of one referral as the reports count it: how often it was answered,
    its first and latest totals (any source, for the change in scores), and the pair the
    outcomes count (wellbeing.score_pairs.counted_pairs), empty when there is none."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="measure_summaries"
    )
    instrument = models.CharField(max_length=10)
    # The referral's component, as on its OutcomeSummary (worked out together), so the mean
    # change by component reads this table alone.
    component = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    onward_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    times = models.PositiveIntegerField()
    first = models.PositiveSmallIntegerField()
    latest = models.PositiveSmallIntegerField()
    counted_first = models.PositiveSmallIntegerField(null=True, blank=True)
    counted_last = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "instrument"], name="one_measure_summary_per_questionnaire"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} of referral {self.referral_id}"
