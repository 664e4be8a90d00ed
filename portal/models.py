"""The portal's own records: the user, the staff profile, and the worker heartbeat."""

from __future__ import annotations

from typing import Any, ClassVar

import rules
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from portal.outbox.models import OptOutBase, OutboxMessageBase
from portal.rules import ROLE_ONLY_PERMISSIONS
from portal.submission_keys import SubmissionKeyBase


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def active_in_roles(self, *role_names: str) -> models.QuerySet[User]:
        """Active accounts holding any of these back-office roles (groups), each once. The
        hub's roles are held in the hub: wellbeing.models.HubMembership.objects.holder_ids."""
        return self.filter(is_active=True, groups__name__in=sorted(role_names)).distinct()

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff, who signs in with their work email address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.email

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if perm in ROLE_ONLY_PERMISSIONS:
            # No superuser shortcut: only the role opens the hub's confidential pages.
            return self.is_active and bool(rules.has_perm(perm, self, obj))
        return super().has_perm(perm, obj)


class StaffGroup(models.TextChoices):
    """The NHS Electronic Staff Record staff groups, and one for partners outside ESR."""

    ADD_PROF_SCIENTIFIC_TECHNICAL = (
        "add_prof_scientific_technical",
        "Additional Professional Scientific and Technical",
    )
    ADDITIONAL_CLINICAL_SERVICES = "additional_clinical_services", "Additional Clinical Services"
    ADMINISTRATIVE_CLERICAL = "administrative_clerical", "Administrative and Clerical"
    ALLIED_HEALTH_PROFESSIONALS = "allied_health_professionals", "Allied Health Professionals"
    ESTATES_ANCILLARY = "estates_ancillary", "Estates and Ancillary"
    HEALTHCARE_SCIENTISTS = "healthcare_scientists", "Healthcare Scientists"
    MEDICAL_DENTAL = "medical_dental", "Medical and Dental"
    NURSING_MIDWIFERY_REGISTERED = (
        "nursing_midwifery_registered",
        "Nursing and Midwifery Registered",
    )
    STUDENTS = "students", "Students"
    OTHER = "other", "Other, including social care and partner organisations"


class CaringFrequency(models.TextChoices):
    """How often someone cares for people with both physical and mental health needs."""

    NEVER = "never", "Never"
    SOMETIMES = "sometimes", "Sometimes"
    REGULARLY = "regularly", "Regularly"


class StaffProfile(models.Model):
    """What a member of staff tells us about their role, used to recommend learning."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    display_name = models.CharField(
        max_length=80, help_text="Shown beside your comments instead of your email address."
    )
    staff_group = models.CharField(max_length=40, choices=StaffGroup.choices)
    job_title = models.CharField(max_length=120)
    organisation = models.CharField(max_length=120)
    site = models.CharField(max_length=120, blank=True)
    # Free text: a team is everyone with the same organisation and team name, whatever their
    # capitals (learning.queries.team). Team leads see only their team's totals.
    team = models.CharField(max_length=120, blank=True)
    is_clinical = models.BooleanField()
    cares_for_both = models.CharField(
        "how often you care for people with both physical and mental health needs",
        max_length=12,
        choices=CaringFrequency.choices,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task: proof the background path works."""

    name = models.CharField(max_length=40, unique=True, default="celery")
    beat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class AuditAnchor(models.Model):
    """The confidential audit chain's head at a moment: how many entries it had and the MAC of the
    last. Kept here, in the default database, so that whoever owns the confidential database
    cannot cut the chain's tail or rewrite it unnoticed (`manage.py verify_audit_log`). Holds no
    wellbeing data: a count and a MAC that reveals nothing without the audit chain key.
    Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE on PostgreSQL."""

    entry_count = models.PositiveBigIntegerField()
    head_mac = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"{self.entry_count} entries at {self.recorded_at:%Y-%m-%d %H:%M:%S}"


class OutboxMessage(OutboxMessageBase):
    """A learning or portal email waiting to go, or gone; `recipient_ref` is the user's id."""

    class Meta(OutboxMessageBase.Meta):
        pass

    def recipient_user_id(self) -> int | None:
        return int(self.recipient_ref) if self.recipient_ref else None


class OptOut(OptOutBase):
    """A person's choice not to get a category of learning or portal email."""

    class Meta(OptOutBase.Meta):
        pass


class SubmissionKey(SubmissionKeyBase):
    """A one-time key of a learning or portal form that created something (ADR 0022)."""

    class Meta(SubmissionKeyBase.Meta):
        pass


class UserSession(models.Model):
    """A browser signed in to someone's account, so they can see where and sign it out.

    Only a coarse device description is kept ("Chrome on Windows"): no IP address and no raw
    User-Agent. Behind the trust's proxies an address identifies the proxy, not the person, and
    a full User-Agent is a fingerprint; neither is needed to recognise your own devices.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    device = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-last_seen_at",)

    def __str__(self) -> str:
        return f"{self.device}, last seen {self.last_seen_at:%Y-%m-%d %H:%M}"
