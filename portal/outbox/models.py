"""The abstract outbox rows; each app that sends messages has its own concrete pair."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent"


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", "Opted out"
    NO_RECIPIENT = "no_recipient", "No active account or address"
    WITHDRAWN = "withdrawn", "No longer needed"


class OutboxMessageBase(models.Model):
    """One email to one person, due at a time, sent at most once.

    `recipient_ref` names the person for opt-outs and the daily cap in this outbox's own terms
    (a user id in the default database, a pseudonym in the confidential one); the concrete model
    says how to find their account (`recipient_user_id`). `context` holds only what a template
    needs to build links: never names, answers or notes.
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    category = models.CharField(max_length=40)
    template = models.CharField(max_length=60)
    recipient_ref = models.CharField(max_length=64, blank=True, db_index=True)
    recipient_address = models.EmailField(blank=True, help_text="A team inbox, not a person")
    context = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    due_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        indexes = [
            # The sweep's question: what is due and not yet sent?
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="%(app_label)s_outbox_due",
            ),
            # The daily cap's question: what did this person get lately?
            models.Index(fields=["recipient_ref", "sent_at"], name="%(app_label)s_outbox_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.template} ({self.get_status_display()})"

    def recipient_user_id(self) -> int | None:
        raise NotImplementedError


class OptOutBase(models.Model):
    """A person's choice not to get one category of email, honoured at every send."""

    recipient_ref = models.CharField(max_length=64)
    category = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_ref", "category"], name="%(app_label)s_one_opt_out"
            )
        ]
