"""factory_boy factories for competency statements and ratings (the staff side of issue 15)."""

from __future__ import annotations

import factory
from django.utils import timezone

from learning.models import Competency, CompetencyRating, Level


class StatementFactory(factory.django.DjangoModelFactory):
    """A current statement at Level 1: `StatementFactory(level=2, text="I can ...")`."""

    class Meta:
        model = Competency

    level = Level.ONE
    # Codes of their own (S...), apart from the starter framework's and the curators' factory's.
    code = factory.LazyAttributeSequence(lambda o, n: f"S{o.level}-{n:03d}")
    text = factory.Sequence(lambda n: f"I can do mind and body thing {n}")
    position = factory.Sequence(lambda n: n)


class RatingFactory(factory.django.DjangoModelFactory):
    """A rating of a statement: `RatingFactory(user=u, competency=s, confidence=2)`."""

    class Meta:
        model = CompetencyRating

    competency = factory.SubFactory(StatementFactory)
    wording_version = 1
    confidence = 3
    not_relevant = False
    rated_at = factory.LazyFunction(timezone.now)
