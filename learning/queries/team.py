"""A team lead's view of their team's learning: totals only, never a named person's record or
ratings, and nothing at all until the team has enough members that a total cannot be one
person's.

A team is everyone whose profile names the same organisation and the same team, whatever
their capitals. Counts are suppressed with the portal's rules (``portal.suppression``).
A fixed number of queries, however large the team.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from learning.models import CompetencyRating, LearningRecord, LearningStatus, Level
from portal.models import StaffProfile, User
from portal.suppression import MINIMUM_BASE, Shown, percentage, suppress_figures, suppress_line

# The fewest members a team has before its lead sees anything about it.
MINIMUM_TEAM = MINIMUM_BASE


@dataclass(frozen=True)
class TeamLearning:
    organisation: str
    team: str
    members: int
    completions_by_level: tuple[tuple[str, Shown], ...] = ()
    completions: Shown | None = None
    self_assessed: Shown | None = None
    self_assessed_share: str = ""

    @property
    def shown(self) -> bool:
        return self.members >= MINIMUM_TEAM


def team_members(organisation: str, team: str) -> QuerySet[User]:
    """Active accounts whose profile names this organisation and team (any capitals)."""
    return User.objects.filter(
        is_active=True,
        staff_profile__organisation__iexact=organisation.strip(),
        staff_profile__team__iexact=team.strip(),
    )


def team_learning_for(profile: StaffProfile | None) -> TeamLearning | None:
    """The team lead's team's totals, or None when their profile names no team."""
    if profile is None or not profile.team.strip():
        return None
    members = team_members(profile.organisation, profile.team)
    size = members.count()
    if size < MINIMUM_TEAM:
        return TeamLearning(profile.organisation, profile.team, size)
    by_level = dict(
        LearningRecord.objects.filter(status=LearningStatus.COMPLETED, user__in=members)
        .values("resource__level")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("resource__level", "n")
    )
    counts, total = suppress_line([by_level.get(value, 0) for value in Level.values])
    assessed = (
        CompetencyRating.objects.filter(user__in=members).values("user_id").distinct().count()
    )
    shown = suppress_figures([size, assessed, size - assessed], [((1, 2), 0)])
    return TeamLearning(
        organisation=profile.organisation,
        team=profile.team,
        members=size,
        completions_by_level=tuple(
            (str(label), count)
            for (_value, label), count in zip(Level.choices, counts, strict=True)
        ),
        completions=total,
        self_assessed=shown[1],
        self_assessed_share=percentage(shown[1], shown[0]),
    )
