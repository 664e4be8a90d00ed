"""The curator's changes to the catalogue (``do_*`` functions, each in a transaction): adding and
editing resources with their history, moving them through the workflow, moderating comments, and
noting what the link checker found. The reads behind the curator pages are in
``learning.queries.curation``; CSV import is in ``learning.services.catalogue_csv``.

The workflow's allowed moves live in ``WORKFLOW`` and nowhere else: views offer only these moves
and ``do_move_resource`` refuses any other. Publishing is a two-person step: the curator who last
changed what a resource says cannot publish it, unless ``settings.LEARNING_SINGLE_CURATOR`` says
the team has one curator; a resource whose review date has passed is published only with a new
one (ADR 0035).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from learning.models import (
    Comment,
    CommentStatus,
    Competency,
    Objective,
    Provider,
    Resource,
    ResourceChange,
    ResourceStatus,
    Topic,
)
from learning.queries.catalogue_search import catalogue_changed
from portal.state_tables import Move, StateTable

if TYPE_CHECKING:
    from portal.models import User

SLUG_MAX_LENGTH = 200  # leaves room in the 220-character column for a "-NN" suffix


# The workflow, in the one shape of a state table (portal.state_tables); each move's label is
# the words of its button.
WORKFLOW = StateTable(
    [
        Move(ResourceStatus.DRAFT, ResourceStatus.IN_REVIEW, "Send for review"),
        Move(ResourceStatus.IN_REVIEW, ResourceStatus.PUBLISHED, "Publish"),
        Move(ResourceStatus.IN_REVIEW, ResourceStatus.DRAFT, "Return to draft"),
        Move(ResourceStatus.PUBLISHED, ResourceStatus.ARCHIVED, "Archive"),
        Move(ResourceStatus.ARCHIVED, ResourceStatus.DRAFT, "Return to draft"),
    ]
)


# A review date further ahead than this is a typing slip, not a plan ("2207" for "2027").
REVIEW_DATE_MAX_YEARS = 5


class CurationError(Exception):
    """A change the curator asked for that cannot be made; the message says why, for them."""


class ReviewDateNeeded(CurationError):
    """Publishing a resource whose review date has passed needs a new review date."""


def review_date_problem(value: datetime.date, today: datetime.date) -> str | None:
    """Why a new review date will not do (not after today, or implausibly far ahead), or None."""
    if value <= today:
        return "Review date must be in the future"
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    latest = today.replace(year=today.year + REVIEW_DATE_MAX_YEARS, day=day)
    if value > latest:
        return (
            f"Review date must be within {REVIEW_DATE_MAX_YEARS} years, "
            f"by {latest.day} {latest:%B %Y}"
        )
    return None


def review_overdue(resource: Resource, today: datetime.date | None = None) -> bool:
    """Whether the resource's review date has passed (so publishing asks for a new one)."""
    return resource.review_due is not None and resource.review_due < (today or timezone.localdate())


def two_person_rule_applies() -> bool:
    return not getattr(settings, "LEARNING_SINGLE_CURATOR", False)


def may_publish(resource: Resource, user: User | None) -> bool:
    """Whether this curator may publish the resource: not if they made its last change."""
    if not two_person_rule_applies() or user is None:
        return True
    return resource.content_changed_by_id != user.pk


def moves_from(status: str) -> list[Move]:
    """The moves a resource in ``status`` can make, in the order their buttons appear."""
    return WORKFLOW.moves_from(status)


# Field names as a curator says them, for the history ("Changed the title and level").
FIELD_NAMES: dict[str, str] = {
    "title": "title",
    "summary": "summary",
    "description": "description",
    "provider": "provider",
    "format": "format",
    "level": "level",
    "objectives": "objectives",
    "competencies": "competencies",
    "topics": "topics",
    "staff_groups": "staff groups",
    "duration_minutes": "duration",
    "cost_pence": "cost",
    "is_online": "whether it is online",
    "location": "location",
    "url": "web address",
    "cpd_hours": "CPD hours",
    "accredited": "accreditation",
    "co_produced": "co-production",
    "is_sample": "sample label",
    "review_due": "review date",
    "owner": "owner",
}
EDITABLE_FIELDS = tuple(
    name for name in FIELD_NAMES if name not in ("objectives", "competencies", "topics")
)


def plain_list(words: Sequence[str]) -> str:
    """'title', 'title and level', 'title, level and topics'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def unique_slug(title: str) -> str:
    """A slug made from the title that no other resource uses, with "-2", "-3"... if needed."""
    base = slugify(title)[:SLUG_MAX_LENGTH].strip("-") or "resource"
    taken = set(Resource.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def unique_topic_slug(name: str) -> str:
    base = slugify(name)[:90].strip("-") or "topic"
    taken = set(Topic.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _record_change(resource: Resource, acting_user: User | None, summary: str) -> ResourceChange:
    return ResourceChange.objects.create(
        resource=resource, changed_by=acting_user, summary=summary[:300]
    )


def _field_values(resource: Resource) -> dict[str, Any]:
    return {
        name: getattr(resource, f"{name}_id" if name in ("provider", "owner") else name)
        for name in EDITABLE_FIELDS
    }


@transaction.atomic
def do_create_resource(
    *,
    resource: Resource,
    objectives: Iterable[Objective],
    topics: Iterable[Topic],
    acting_user: User | None,
    competencies: Iterable[Competency] = (),
    how: str = "Created as a draft",
) -> Resource:
    """Add a new resource as a draft, with a unique slug made from its title."""
    resource.pk = None
    resource.status = ResourceStatus.DRAFT
    if not resource.slug:
        resource.slug = unique_slug(resource.title)
    if resource.owner_id is None and acting_user is not None:
        resource.owner = acting_user
    resource.status_changed_at = timezone.now()
    resource.status_changed_by = acting_user
    resource.content_changed_by = acting_user
    resource.save()
    resource.objectives.set(list(objectives))
    resource.topics.set(list(topics))
    resource.competencies.set(list(competencies))
    _record_change(resource, acting_user, how)
    return resource


@transaction.atomic
def do_update_resource(
    *,
    resource: Resource,
    objectives: Iterable[Objective],
    topics: Iterable[Topic],
    acting_user: User | None,
    competencies: Iterable[Competency] | None = None,
    how: str = "Changed",
) -> list[str]:
    """Save a curator's edits to a resource and note what changed in its history.

    ``resource`` carries the edited values (as a ModelForm leaves them, unsaved). The slug stays
    as it is, so links people have saved keep working. ``competencies`` None leaves them as they
    are (a CSV without the column). Returns the changed fields' plain names; nothing is written
    when nothing changed. Whoever changes it is its last changer, for the two-person rule.
    """
    stored = Resource.objects.select_for_update().get(pk=resource.pk)
    before, after = _field_values(stored), _field_values(resource)
    changed = [name for name in EDITABLE_FIELDS if before[name] != after[name]]
    new_objectives = {objective.pk for objective in objectives}
    new_topics = {topic.pk for topic in topics}
    if set(stored.objectives.values_list("pk", flat=True)) != new_objectives:
        changed.append("objectives")
        resource.objectives.set(list(new_objectives))
    if set(stored.topics.values_list("pk", flat=True)) != new_topics:
        changed.append("topics")
        resource.topics.set(list(new_topics))
    if competencies is not None:
        new_competencies = {competency.pk for competency in competencies}
        if set(stored.competencies.values_list("pk", flat=True)) != new_competencies:
            changed.append("competencies")
            resource.competencies.set(list(new_competencies))
    if not changed:
        return []
    resource.slug = stored.slug
    resource.status = stored.status
    resource.content_changed_by = acting_user
    resource.save(
        update_fields=[n for n in EDITABLE_FIELDS if n in changed]
        + ["content_changed_by", "updated_at"]
    )
    names = [FIELD_NAMES[name] for name in FIELD_NAMES if name in changed]
    _record_change(resource, acting_user, f"{how} the {plain_list(names)}")
    return names


@transaction.atomic
def do_move_resource(
    *,
    resource: Resource,
    to: str,
    acting_user: User | None,
    review_due: datetime.date | None = None,
) -> Resource:
    """Move a resource along the workflow, or refuse with a reason a curator can act on.

    The move is claimed with a conditional update on the status the curator saw, so two curators
    pressing "Publish" at once publish it once, and a stale page cannot move it twice.

    Publishing needs a curator other than the one who last changed the resource (unless
    ``LEARNING_SINGLE_CURATOR``), and, when its review date has passed, a new ``review_due``
    (raises ``ReviewDateNeeded`` without one). The history says who approved it.
    """
    source = resource.status
    move = WORKFLOW.find(source, to)
    if move is None:
        target = ResourceStatus(to).label if to in ResourceStatus.values else "that status"
        allowed = plain_list([ResourceStatus(m.target).label.lower() for m in moves_from(source)])
        raise CurationError(
            f"A resource that is {ResourceStatus(source).label.lower()} cannot move to "
            f"{target.lower()}. It can move to {allowed}."
        )
    now = timezone.now()
    updates: dict[str, Any] = {
        "status": move.target,
        "status_changed_at": now,
        "status_changed_by": acting_user,
        "updated_at": now,
    }
    how = ""
    if move.target == ResourceStatus.PUBLISHED:
        stored = Resource.objects.select_for_update().get(pk=resource.pk)
        how = _check_publishing(stored, acting_user, review_due, updates)
        if stored.published_at is None:
            updates["published_at"] = now
    claimed = Resource.objects.filter(pk=resource.pk, status=source).update(**updates)
    if not claimed:
        raise CurationError(
            "Someone else changed this resource's status while you were looking at it. "
            "Check its status and try again."
        )
    catalogue_changed()  # the update sent no signal; cached searches may show or hide it
    for name, value in updates.items():
        setattr(resource, name, value)
    _record_change(
        resource,
        acting_user,
        f"Moved from {ResourceStatus(source).label.lower()} to "
        f"{ResourceStatus(move.target).label.lower()}{how}",
    )
    return resource


def _check_publishing(
    stored: Resource,
    acting_user: User | None,
    review_due: datetime.date | None,
    updates: dict[str, Any],
) -> str:
    """Refuse a publication the rules do not allow; otherwise add a new review date to the
    updates and return what the history adds ("; approved by a second curator")."""
    if not may_publish(stored, acting_user):
        raise CurationError(
            "You made the last change to this resource, so another curator must check it and "
            "publish it"
        )
    how = (
        "; approved by a second curator"
        if two_person_rule_applies()
        else "; published by a single curator (no second check)"
    )
    today = timezone.localdate()
    if review_overdue(stored, today):
        if review_due is None:
            raise ReviewDateNeeded(
                "Its review date has passed. Enter the next review date to publish it"
            )
        if problem := review_date_problem(review_due, today):
            raise CurationError(problem)
        updates["review_due"] = review_due
        how += f", with a new review date of {review_due.day} {review_due:%B %Y}"
    return how


@transaction.atomic
def do_publish_comment(*, comment: Comment, acting_user: User) -> Comment:
    """Publish a waiting comment: it then shows on the resource page."""
    return _moderate(comment, CommentStatus.PUBLISHED, "", acting_user)


@transaction.atomic
def do_reject_comment(*, comment: Comment, reason: str, acting_user: User) -> Comment:
    """Reject a waiting comment, saying why (the reason is kept; the comment is never shown)."""
    reason = reason.strip()
    if not reason:
        raise CurationError("Enter why you are rejecting this comment")
    return _moderate(comment, CommentStatus.REJECTED, reason[:300], acting_user)


def _moderate(comment: Comment, status: str, reason: str, acting_user: User) -> Comment:
    now = timezone.now()
    claimed = Comment.objects.filter(pk=comment.pk, status=CommentStatus.PENDING).update(
        status=status, rejection_reason=reason, moderated_by=acting_user, moderated_at=now
    )
    if not claimed:
        raise CurationError("This comment has already been moderated.")
    comment.status, comment.rejection_reason = status, reason
    comment.moderated_by, comment.moderated_at = acting_user, now
    return comment


def do_record_link_check(
    *, resource_id: int, status: int | None, broken: bool, checked_at: datetime.datetime
) -> None:
    """Note what the link checker found. Not a curator's edit: ``updated_at`` stays as it was."""
    Resource.objects.filter(pk=resource_id).update(
        link_checked_at=checked_at, link_status=status, link_broken=broken
    )


@dataclass(frozen=True)
class SaveOutcome:
    resource: Resource
    created: bool
    changed: list[str]


def provider_named(name: str) -> Provider:
    """The provider with this name (whatever its capitals), created if there is none."""
    existing = Provider.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    base = slugify(name)[:140].strip("-") or "provider"
    taken = set(Provider.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return Provider.objects.create(name=name, slug=slug)


def topics_named(names: Iterable[str]) -> list[Topic]:
    """The topics with these names (whatever their capitals), creating any that are new."""
    topics = []
    for name in dict.fromkeys(names):
        topic = Topic.objects.filter(name__iexact=name).first()
        if topic is None:
            topic = Topic.objects.create(name=name, slug=unique_topic_slug(name))
        topics.append(topic)
    return topics


@transaction.atomic
def do_save_resource(
    *,
    resource: Resource,
    objectives: Iterable[Objective],
    topics: Iterable[Topic],
    provider: Provider | None = None,
    new_provider: str = "",
    new_topics: Iterable[str] = (),
    competencies: Iterable[Competency] = (),
    acting_user: User | None,
) -> SaveOutcome:
    """Save a resource from the curator's form: a new draft, or edits to an existing one.

    A provider or topics typed in as new are created (or matched, ignoring capitals) first.
    """
    if new_provider:
        resource.provider = provider_named(new_provider)
    elif provider is not None:
        resource.provider = provider
    all_topics = [*topics, *topics_named(new_topics)]
    if resource.pk is None:
        do_create_resource(
            resource=resource,
            objectives=objectives,
            topics=all_topics,
            competencies=competencies,
            acting_user=acting_user,
        )
        return SaveOutcome(resource, created=True, changed=[])
    changed = do_update_resource(
        resource=resource,
        objectives=objectives,
        topics=all_topics,
        competencies=competencies,
        acting_user=acting_user,
    )
    return SaveOutcome(resource, created=False, changed=changed)
