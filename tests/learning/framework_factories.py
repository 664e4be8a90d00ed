"""factory_boy factories for the competency framework as curators keep it (statements and
ratings), beside the catalogue's in tests/learning/factories.py."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from learning.models import Competency, CompetencyRating, CompetencyWording, Objective


class CompetencyFactory(factory.django.DjangoModelFactory):
    """A statement in use at Level 1 serving objective 1, with its first wording, unless told
    otherwise: `CompetencyFactory(level=2, objectives=[2, 3])`. Codes start at 50 in each
    level so they never meet the seeded starter framework's."""

    class Meta:
        model = Competency
        skip_postgeneration_save = True

    level = 1
    code = factory.LazyAttributeSequence(lambda o, n: f"L{o.level}-{50 + n}")
    text = factory.Sequence(lambda n: f"I can do mind and body task number {n}")
    position = factory.Sequence(lambda n: 1000 + n)

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create:
            numbers = extracted if extracted is not None else [1]
            self.objectives.set(Objective.objects.filter(number__in=numbers))

    @factory.post_generation
    def wording(self, create, extracted, **kwargs):
        if create:
            CompetencyWording.objects.create(competency=self, version=1, text=self.text)


def rate(user, competency, confidence, *, days_ago: int = 0, on: datetime.date | None = None):
    """A rating of `confidence` (None for "not relevant") made at nine on that day."""
    day = on or timezone.localdate() - datetime.timedelta(days=days_ago)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    return CompetencyRating.objects.create(
        user=user,
        competency=competency,
        wording_version=competency.version,
        confidence=confidence,
        not_relevant=confidence is None,
        rated_at=moment,
    )
