"""The mind-and-body learning catalogue: resources, and each member of staff's record of them."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.models import StaffGroup


class Objective(models.Model):
    """One of the eight strategic objectives of the Mind & Body L&D strategy."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ("number",)

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Topic(models.Model):
    """What a resource is about, such as "diabetes and depression"."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """Who offers a resource: a trust, a university, Health Education England, a charity."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Level(models.IntegerChoices):
    ONE = 1, "Level 1"
    TWO = 2, "Level 2"
    THREE = 3, "Level 3"


class ResourceFormat(models.TextChoices):
    E_LEARNING = "e_learning", "E-learning"
    FACE_TO_FACE = "face_to_face", "Face-to-face course"
    VIRTUAL = "virtual", "Virtual classroom or webinar"
    VIDEO = "video", "Video"
    PODCAST = "podcast", "Podcast"
    READING = "reading", "Reading or guide"
    TOOLKIT = "toolkit", "Toolkit"
    QUALIFICATION = "qualification", "Qualification"


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Competency(models.Model):
    """An "I can ..." statement of the Mind & Body competency framework, at one level.

    Curators maintain the framework. Rewording keeps the history (CompetencyWording) and bumps
    `version`, so a rating always says which wording it answered; retiring hides a statement
    from new self-assessments without losing the ratings already given.
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    # A short code that never changes or returns ("L2-03"), so a CSV, a report or a board paper
    # can name a statement whatever its wording has become (ADR 0034).
    code = models.CharField(max_length=8, unique=True)
    objectives = models.ManyToManyField(Objective, related_name="competencies")
    text = models.CharField(max_length=300, help_text='Written as "I can ..."')
    version = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within its level")
    # The seeded starter framework is a starting point for the L&D team to replace.
    is_starter = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("level", "position", "id")
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class CompetencyWording(models.Model):
    """One wording a statement has had, with who wrote it and when (version 1 is the first)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="wordings")
    version = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("competency", "version")
        constraints = [
            models.UniqueConstraint(
                fields=["competency", "version"], name="one_wording_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.text}"


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=ResourceStatus.PUBLISHED)

    def for_levels(self, levels: set[int]) -> ResourceQuerySet:
        return self.filter(level__in=levels)


class Resource(models.Model):
    """A learning resource: a course, an e-learning module, a video, a guide."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300)
    description = models.TextField()
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="resources")
    format = models.CharField(max_length=20, choices=ResourceFormat.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    objectives = models.ManyToManyField(Objective, related_name="resources")
    topics = models.ManyToManyField(Topic, related_name="resources", blank=True)
    # The competencies of the framework this resource helps to develop (curators mark them).
    competencies = models.ManyToManyField(Competency, related_name="resources", blank=True)
    # StaffGroup values the resource suits; empty means everyone.
    staff_groups = models.JSONField(default=list, blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 365)]
    )
    cost_pence = models.PositiveIntegerField(default=0, help_text="0 means free.")
    is_online = models.BooleanField(default=True)
    location = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500)
    cpd_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999.9"))],
    )
    accredited = models.BooleanField(default=False)
    co_produced = models.BooleanField(
        "co-produced with people with lived experience", default=False
    )
    is_sample = models.BooleanField(
        default=False, help_text="Demo content, labelled as a sample wherever it is shown."
    )

    status = models.CharField(
        max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_due = models.DateField(null=True, blank=True, db_index=True)
    # Who last changed what the resource says (not its status): publishing needs someone else
    # (the two-person rule, ADR 0035).
    content_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_resources",
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    link_checked_at = models.DateTimeField(null=True, blank=True)
    link_status = models.PositiveSmallIntegerField(null=True, blank=True)
    link_broken = models.BooleanField(default=False)

    # Kept up to date by PostgreSQL triggers (title A, summary and topic names B, description C,
    # provider D), with a GIN index; unused on SQLite, whose FTS5 table holds the same text
    # (learning/full_text.py, ADR 0032).
    search_vector = SearchVectorField(null=True, editable=False)

    objects: ClassVar[ResourceQuerySet] = ResourceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("title",)
        # learning_level_newest (status, level, published_at DESC NULLS LAST, id DESC), the
        # pathway's newest few of a level, is made by migration 0007 in each database's words.
        indexes = [
            models.Index(fields=["status", "level"], name="learning_status_level"),
            # A page of the shortest (and, on PostgreSQL, of the newest: migration 0004, as SQLite
            # cannot index NULLS LAST) is read in index order (ADR 0033).
            models.Index(
                fields=["duration_minutes", "title", "id"],
                condition=models.Q(status="published"),
                name="learning_published_shortest",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:resource", kwargs={"slug": self.slug})

    @property
    def is_free(self) -> bool:
        return self.cost_pence == 0

    @property
    def staff_group_labels(self) -> list[str]:
        """The staff groups the resource suits, by name; empty means everyone."""
        names = dict(StaffGroup.choices)
        return [str(names[value]) for value in self.staff_groups or [] if value in names]


class ResourceChange(models.Model):
    """A line in a resource's history: who changed what, and when."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return self.summary


class LearningStatus(models.TextChoices):
    SAVED = "saved", "Saved"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class LearningRecord(models.Model):
    """One member of staff's record of one resource: saved, in progress or completed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_records"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="records")
    status = models.CharField(max_length=12, choices=LearningStatus.choices)
    saved_at = models.DateTimeField(auto_now_add=True)
    completed_on = models.DateField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    reflection = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="one_record_per_resource")
        ]
        indexes = [models.Index(fields=["user", "status"], name="learning_record_user_status")]

    def __str__(self) -> str:
        return f"{self.resource} ({self.get_status_display()})"


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class Comment(models.Model):
    """A comment and rating on a resource. Shown by display name only, after moderation."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_comments"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    body = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    rejection_reason = models.CharField(max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Comment on {self.resource}"


class Confidence(models.IntegerChoices):
    """How confident a person feels about a competency statement (a 5-point scale)."""

    NOT_CONFIDENT = 1, "Not confident"
    SLIGHTLY = 2, "Slightly confident"
    FAIRLY = 3, "Fairly confident"
    CONFIDENT = 4, "Confident"
    VERY = 5, "Very confident"


class CompetencyRating(models.Model):
    """One person's confidence in one statement at one moment.

    Ratings are kept, never overwritten: the first and the latest are "then and now". A rating
    with no confidence and `not_relevant` set means "not relevant to my role". Private to the
    person, like the rest of their learning record; reports read only aggregates.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competency_ratings"
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="ratings")
    wording_version = models.PositiveSmallIntegerField()
    confidence = models.PositiveSmallIntegerField(choices=Confidence.choices, null=True, blank=True)
    not_relevant = models.BooleanField(default=False)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("rated_at", "id")
        indexes = [
            models.Index(fields=["user", "competency", "rated_at"], name="rating_user_competency")
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(not_relevant=True, confidence__isnull=True)
                    | models.Q(not_relevant=False, confidence__gte=1, confidence__lte=5)
                ),
                name="rating_is_a_confidence_or_not_relevant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.competency_id}: {self.confidence or 'not relevant'}"


class CertificateKind(models.TextChoices):
    RESOURCE = "resource", "A resource"
    LEVEL = "level", "A whole level"


class Certificate(models.Model):
    """A certificate of completion of a resource or of a whole level, as it was issued.

    What it shows is copied at issue (the person's name, the title, the date, the hours, the
    level), so it reads the same however the catalogue changes; the verification code is a unique
    random code a manager or appraiser types in at a public page (ADR 0038).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(max_length=10, choices=CertificateKind.choices)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    holder_name = models.CharField(max_length=150)
    title = models.CharField(max_length=300)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    code = models.CharField(max_length=12, unique=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    # Withdrawn by a curator (issued in error, say): the public check then says it is no longer
    # valid. The reason is for curators only; withdrawing is final (ADR 0046).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = [
            # A withdrawn certificate says why, and only a withdrawn one has a reason.
            models.CheckConstraint(
                condition=(
                    models.Q(withdrawn_at__isnull=True, withdrawn_reason="")
                    | (models.Q(withdrawn_at__isnull=False) & ~models.Q(withdrawn_reason=""))
                ),
                name="certificate_withdrawn_with_a_reason",
            ),
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=models.Q(kind="resource"),
                name="one_certificate_per_resource",
            ),
            models.UniqueConstraint(
                fields=["user", "level"],
                condition=models.Q(kind="level"),
                name="one_certificate_per_level",
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate: {self.title}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
