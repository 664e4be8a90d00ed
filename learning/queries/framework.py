"""The competency framework as curators see it: every statement by level, with how many
published resources develop it, its wording history, and the content gaps (statements in use
that no published resource develops). A fixed number of queries, however many statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Prefetch, Q, QuerySet, When

from learning.models import (
    Competency,
    CompetencyWording,
    Level,
    Resource,
    ResourceQuerySet,
    ResourceStatus,
)
from learning.queries.curation import display_name

PUBLISHED_RESOURCE = Q(resources__status=ResourceStatus.PUBLISHED)


def with_published_resources(competencies: QuerySet[Competency]) -> QuerySet[Competency]:
    return competencies.annotate(
        published_resources=Count("resources", filter=PUBLISHED_RESOURCE, distinct=True)
    )


@dataclass(frozen=True)
class LevelOfFramework:
    level: int
    label: str
    statements: list[Competency]

    @property
    def in_use(self) -> int:
        return sum(1 for c in self.statements if c.retired_at is None)

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.statements if c.retired_at is None and not _published(c))


def _published(competency: Competency) -> int:
    """The ``published_resources`` annotation of a statement read through this module."""
    return int(getattr(competency, "published_resources", 0))


def framework_by_level(*, include_retired: bool = False) -> list[LevelOfFramework]:
    """Every level with its statements in order, each annotated ``published_resources`` and
    with its objectives prefetched. Two queries."""
    competencies = with_published_resources(Competency.objects.all()).prefetch_related("objectives")
    if not include_retired:
        competencies = competencies.filter(retired_at__isnull=True)
    by_level: dict[int, list[Competency]] = {value: [] for value in Level.values}
    for competency in competencies.order_by("level", "position", "pk"):
        by_level[competency.level].append(competency)
    return [LevelOfFramework(value, str(label), by_level[value]) for value, label in Level.choices]


def content_gaps() -> QuerySet[Competency]:
    """Statements in use that no published resource develops, in framework order."""
    return (
        with_published_resources(Competency.objects.filter(retired_at__isnull=True))
        .filter(published_resources=0)  # type: ignore[misc]
        .order_by("level", "position", "pk")
    )


def content_gap_count() -> int:
    return content_gaps().count()


def competency_for_curator(pk: int) -> Competency:
    """One statement with its objectives, its wordings (with who wrote each) and its count of
    published resources; raises Competency.DoesNotExist."""
    return (
        with_published_resources(Competency.objects.all())
        .prefetch_related(
            "objectives",
            Prefetch(
                "wordings",
                queryset=CompetencyWording.objects.select_related(
                    "changed_by__staff_profile"
                ).order_by("-version"),
            ),
        )
        .get(pk=pk)
    )


def wording_history(competency: Competency) -> list[tuple[CompetencyWording, str]]:
    """The statement's wordings, newest first, each with who wrote it (from a prefetch)."""
    return [
        (wording, display_name(wording.changed_by) if wording.changed_by_id else "Seeded")
        for wording in competency.wordings.all()
    ]


def resources_developing(competency: Competency) -> ResourceQuerySet:
    """The resources tied to a statement, published ones first."""
    published_first = Case(When(status=ResourceStatus.PUBLISHED, then=0), default=1)
    return Resource.objects.filter(competencies=competency).order_by(published_first, "title", "pk")


def competencies_for_resource_form() -> QuerySet[Competency]:
    """The statements a curator may tie a resource to: those in use, in framework order."""
    return Competency.objects.filter(retired_at__isnull=True).order_by("level", "position", "pk")
