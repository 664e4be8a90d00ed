"""factory_boy factories for the learning catalogue."""

from __future__ import annotations

import factory
from django.utils import timezone

from learning.models import (
    Comment,
    LearningRecord,
    Level,
    Objective,
    Provider,
    Resource,
    ResourceFormat,
    ResourceStatus,
    Topic,
)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published resource supporting objective 1, unless told otherwise.

    `ResourceFactory(objectives=[2, 7], topics=["Diabetes and depression"], status="draft")`
    """

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Mind and body care module {n}")
    slug = factory.Sequence(lambda n: f"mind-and-body-care-module-{n}")
    summary = "An introduction to caring for physical and mental health together."
    description = "Covers why physical and mental health needs go together, and what to do."
    provider = factory.SubFactory(ProviderFactory)
    format = ResourceFormat.E_LEARNING
    level = Level.ONE
    duration_minutes = 60
    cost_pence = 0
    is_online = True
    url = factory.Sequence(lambda n: f"https://learning.example.nhs.uk/modules/{n}")
    cpd_hours = 1
    status = ResourceStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create:
            numbers = extracted if extracted is not None else [1]
            self.objectives.set(Objective.objects.filter(number__in=numbers))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(
                [TopicFactory(name=name, slug=name.lower().replace(" ", "-")) for name in extracted]
            )


class LearningRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningRecord

    resource = factory.SubFactory(ResourceFactory)
    status = "saved"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    resource = factory.SubFactory(ResourceFactory)
    rating = 4
    body = "Clear and practical; I used it on the ward the next day."
