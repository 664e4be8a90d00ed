"""Hostile input to the learning catalogue's forms: the catalogue's search, completing and
commenting on a resource, and every curator form (a resource, moving it, publishing it with a
new review date, importing the catalogue, a competency statement, rejecting a comment, trying a
failed email again)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import strategies as st

from learning.models import (
    Certificate,
    CertificateKind,
    Competency,
    LearningRecord,
    LearningStatus,
    Objective,
    ResourceStatus,
)
from learning.services import catalogue_csv
from portal import roles
from tests.factories import UserFactory
from tests.fuzz.harness import fuzz, hostile_client
from tests.fuzz.hostile import hostile_text
from tests.learning.factories import CommentFactory, ResourceFactory, TopicFactory
from tests.learning.rating_factories import StatementFactory

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


@pytest.fixture
def staff(client):
    user = UserFactory(with_profile=True)
    hostile_client(client).force_login(user)
    return user


@pytest.fixture
def curator(client):
    user = UserFactory(with_profile=True, roles=[roles.CURATOR], with_totp=True)
    hostile_client(client).force_login(user)
    return user


@pytest.fixture
def resource():
    return ResourceFactory(topics=["Diabetes and depression"])


def test_searching_the_catalogue(client, staff, resource):
    valid = {"q": "diabetes", "sort": "newest", "page": "1", "level": "1", "objective": "1"}
    fuzz(client, reverse("learning:catalogue"), valid, method="get", examples=30)


def test_completing_a_resource(client, staff, resource):
    valid = {
        "completed_on_day": "3",
        "completed_on_month": "2",
        "completed_on_year": "2026",
        "hours": "1.5",
        "reflection": "I now ask about mood at every diabetes review.",
    }
    fuzz(client, reverse("learning:complete", args=[resource.slug]), valid, examples=40)


def test_commenting_on_a_resource(client, staff, resource):
    valid = {"comment-rating": "4", "comment-body": "Clear and practical."}
    fuzz(client, reverse("learning:comment", args=[resource.slug]), valid, examples=25)


def test_saving_and_starting_a_resource(client, staff, resource):
    fuzz(client, reverse("learning:save", args=[resource.slug]), {}, examples=10)
    fuzz(
        client,
        reverse("learning:start", args=[resource.slug]),
        {"next": "my_learning"},
        examples=10,
    )


def resource_form(resource: Any = None) -> dict[str, Any]:
    topic = TopicFactory(name="Pain", slug="pain")
    return {
        "title": "Caring for the whole person",
        "summary": "Physical and mental health together.",
        "description": "A short course for ward staff.",
        "provider": str(resource.provider_id) if resource else "",
        "new_provider": "" if resource else "Health Education England",
        "format": "e_learning",
        "level": "2",
        "objectives": [str(pk) for pk in Objective.objects.values_list("pk", flat=True)[:2]],
        "topics": [str(topic.pk)],
        "new_topics": "sleep; long covid",
        "staff_groups": ["allied_health_professionals"],
        "duration_minutes": "90",
        "cost": "12.50",
        "is_online": "False",
        "location": "Education centre",
        "url": "https://learning.example.nhs.uk/whole-person",
        "cpd_hours": "1.5",
        "accredited": "on",
        "co_produced": "on",
        "is_sample": "",
        "review_due_day": "15",
        "review_due_month": "3",
        "review_due_year": "2027",
    }


def test_adding_a_resource(client, curator):
    fuzz(client, reverse("learning:curate_resource_create"), resource_form(), examples=40)


def test_editing_a_resource(client, curator, resource):
    url = reverse("learning:curate_resource_edit", args=[resource.pk])
    fuzz(client, url, resource_form(resource), examples=25)


def test_moving_a_resource_through_the_workflow(client, curator):
    draft = ResourceFactory(status=ResourceStatus.DRAFT)
    valid = {"to": "in_review", "from": "draft"}
    fuzz(client, reverse("learning:curate_resource_move", args=[draft.pk]), valid, examples=20)


def _catalogue_rows() -> list[list[str]]:
    out = io.StringIO()
    catalogue_csv.write_catalogue(out)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


@st.composite
def catalogue_files(draw: st.DrawFn, rows: list[list[str]]) -> str:
    """The exported catalogue with one cell made hostile."""
    changed = [list(row) for row in rows]
    row = draw(st.integers(min_value=0, max_value=len(changed) - 1))
    column = draw(st.integers(min_value=0, max_value=len(changed[row]) - 1))
    changed[row][column] = draw(hostile_text)
    out = io.StringIO()
    csv.writer(out).writerows(changed)
    return out.getvalue()


def as_upload(payload: dict[str, Any]) -> dict[str, Any]:
    content = payload.pop("file", None)
    if content is not None:
        text = content if isinstance(content, str) else "\n".join(content)
        payload["file"] = SimpleUploadedFile("catalogue.csv", text.encode(), "text/csv")
    return payload


def test_importing_the_catalogue(client, curator, resource):
    ResourceFactory(status=ResourceStatus.DRAFT)
    valid = {"file": catalogue_files(_catalogue_rows())}
    url = reverse("learning:curate_import")
    fuzz(client, url, valid, prepare=as_upload, multipart=True, examples=40)


def a_certificate(holder, resource):
    """A certificate with the code ABCD-EFGH-JKMN, as a fuzzed check or search types it."""
    return Certificate.objects.create(
        user=holder,
        kind=CertificateKind.RESOURCE,
        resource=resource,
        level=resource.level,
        holder_name="Sam Staff",
        title=resource.title,
        completed_on=datetime.date(2026, 1, 2),
        code="ABCDEFGHJKMN",
    )


def test_finding_and_withdrawing_a_certificate(client, curator, resource):
    certificate = a_certificate(UserFactory(with_profile=True), resource)
    find = reverse("learning:curate_certificates")
    fuzz(client, find, {"code": "ABCD-EFGH-JKMN"}, method="get", examples=25)
    url = reverse("learning:curate_certificate_withdraw", args=[certificate.pk])
    fuzz(client, url, {"reason": "The completion was recorded in error."}, examples=25)


def test_rejecting_a_comment(client, curator, resource):
    comment = CommentFactory(resource=resource, author=UserFactory(with_profile=True))
    valid = {"reason": "It names a colleague."}
    fuzz(client, reverse("learning:curate_comment_reject", args=[comment.pk]), valid, examples=25)
    fuzz(client, reverse("learning:curate_comment_publish", args=[comment.pk]), {}, examples=5)


def test_adding_and_changing_a_competency_statement(client, curator):
    objectives = [str(pk) for pk in Objective.objects.values_list("pk", flat=True)[:2]]
    valid = {
        "level": "2",
        "text": "I can ask about mood at a diabetes review",
        "objectives": objectives,
    }
    fuzz(client, reverse("learning:curate_competency_create"), valid, examples=30)
    statement = Competency.objects.filter(retired_at__isnull=True)[0]
    url = reverse("learning:curate_competency_edit", args=[statement.pk])
    fuzz(client, url, {"text": "I can say it again", "objectives": objectives}, examples=25)
    fuzz(
        client,
        reverse("learning:curate_competency_retire", args=[statement.pk]),
        {"restore": "1"},
        examples=10,
    )


def test_publishing_with_a_new_review_date(client, curator):
    overdue = ResourceFactory(status=ResourceStatus.IN_REVIEW, review_due=datetime.date(2020, 1, 1))
    valid = {"review_due_day": "15", "review_due_month": "3", "review_due_year": "2027"}
    fuzz(client, reverse("learning:curate_resource_publish", args=[overdue.pk]), valid, examples=30)


def test_trying_a_failed_email_again(client, curator):
    fuzz(client, reverse("learning:curate_emails_failed"), {"message": "1"}, examples=15)


# --- The self-assessment and certificates (issue 15) ------------------------------------------


@pytest.fixture
def statement():
    return StatementFactory(level=1, text="I can ask about mood")


def test_rating_statements_in_the_self_assessment(client, staff, statement):
    valid = {f"statement_{statement.pk}": "2", "action": "later"}
    fuzz(
        client,
        reverse("learning:self_assessment_level", kwargs={"number": 1}),
        valid,
        examples=30,
    )


def test_rating_a_statement_again(client, staff, statement):
    valid = {f"statement_{statement.pk}": "not_relevant"}
    fuzz(
        client,
        reverse("learning:self_assessment_statement", kwargs={"pk": statement.pk}),
        valid,
        examples=20,
    )


def test_asking_for_a_certificate(client, staff, resource):
    LearningRecord.objects.create(
        user=staff,
        resource=resource,
        status=LearningStatus.COMPLETED,
        completed_on=datetime.date(2026, 1, 2),
    )
    fuzz(client, reverse("learning:resource_certificate", args=[resource.slug]), {}, examples=10)
    fuzz(client, reverse("learning:level_certificate", args=[1]), {}, examples=10)


def test_checking_a_certificate(client, staff, resource):
    a_certificate(staff, resource)
    fuzz(
        client,
        reverse("learning:certificate_check"),
        {"code": "ABCD-EFGH-JKMN"},
        method="get",
        examples=30,
    )
