"""How resources are summarised wherever they are listed (the pathway, the catalogue, related
resources): duration and cost in words, and the viewer's status; and the one queryset of what
staff may see, the published resources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from learning.models import Resource, ResourceQuerySet


def describe_duration(minutes: int) -> str:
    """ "45 minutes", "1 hour", "2 hours 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def describe_cost(pence: int) -> str:
    """ "Free", "£25" or "£12.50"."""
    if pence == 0:
        return "Free"
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"


@dataclass(frozen=True)
class ResourceSummary:
    """A resource as a list shows it, with the viewer's status of it (None: not in their list)."""

    resource: Resource
    status: str | None = None

    @property
    def duration(self) -> str:
        return describe_duration(self.resource.duration_minutes)

    @property
    def cost(self) -> str:
        return describe_cost(self.resource.cost_pence)


def published_resources() -> ResourceQuerySet:
    """Every published resource, with its provider: the only resources staff ever see."""
    return Resource.objects.published().select_related("provider")


def summarise(resources: Iterable[Resource]) -> list[ResourceSummary]:
    """Resources as lists show them, with the viewer's status where the query annotated it."""
    return [ResourceSummary(r, getattr(r, "my_status", None)) for r in resources]
