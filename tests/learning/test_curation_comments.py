"""The comment moderation queue: oldest first, publish, or reject with a reason."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learning.models import Comment, CommentStatus
from learning.services import curation
from learning.services.curation import CurationError
from tests.factories import UserFactory
from tests.learning.factories import CommentFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return UserFactory(with_profile=True, roles=["Curator"], with_totp=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def comment(**overrides):
    values = {"author": UserFactory(with_profile=True)}
    values.update(overrides)
    return CommentFactory(**values)


def test_the_queue_shows_waiting_comments_oldest_first_with_what_a_moderator_needs(
    curator_client,
):
    newer = comment(body="Newer comment", rating=2)
    older = comment(body="Older comment", rating=5, resource=ResourceFactory(title="Pain module"))
    Comment.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    comment(body="Already published", status=CommentStatus.PUBLISHED)
    html = curator_client.get(reverse("learning:curate_comments")).content.decode()
    assert html.index("Older comment") < html.index("Newer comment")
    assert "Pain module" in html
    assert "5 out of 5" in html
    assert escape(older.author.staff_profile.display_name) in html
    assert older.author.email not in html
    assert "Already published" not in html
    assert escape(newer.author.staff_profile.display_name) in html


def test_publishing_a_comment_records_who_and_when(curator_client, curator):
    waiting = comment()
    response = curator_client.post(
        reverse("learning:curate_comment_publish", kwargs={"pk": waiting.pk}), follow=True
    )
    waiting.refresh_from_db()
    assert waiting.status == CommentStatus.PUBLISHED
    assert waiting.moderated_by == curator
    assert waiting.moderated_at is not None
    assert "is published" in response.content.decode()


def test_rejecting_needs_a_reason(curator_client):
    waiting = comment()
    url = reverse("learning:curate_comment_reject", kwargs={"pk": waiting.pk})
    for reason in ("", "   "):
        response = curator_client.post(url, {"reason": reason})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Enter why you are rejecting this comment" in html
        assert "There is a problem" in html
    response = curator_client.post(url, {"reason": "x" * 301})
    assert "Reason must be 300 characters or fewer" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == CommentStatus.PENDING


def test_rejecting_with_a_reason_keeps_the_reason(curator_client, curator):
    waiting = comment()
    url = reverse("learning:curate_comment_reject", kwargs={"pk": waiting.pk})
    response = curator_client.post(url, {"reason": "Names a patient"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == CommentStatus.REJECTED
    assert waiting.rejection_reason == "Names a patient"
    assert waiting.moderated_by == curator


def test_a_comment_cannot_be_moderated_twice(curator):
    published = comment(status=CommentStatus.PUBLISHED)
    with pytest.raises(CurationError, match="already been moderated"):
        curation.do_reject_comment(comment=published, reason="Late", acting_user=curator)
    published.refresh_from_db()
    assert published.status == CommentStatus.PUBLISHED


def test_publishing_an_already_moderated_comment_says_so(curator_client):
    rejected = comment(status=CommentStatus.REJECTED)
    response = curator_client.post(
        reverse("learning:curate_comment_publish", kwargs={"pk": rejected.pk}), follow=True
    )
    assert "already been moderated" in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.status == CommentStatus.REJECTED


def test_the_reject_page_of_a_moderated_comment_goes_back_to_the_queue(curator_client):
    published = comment(status=CommentStatus.PUBLISHED)
    response = curator_client.get(
        reverse("learning:curate_comment_reject", kwargs={"pk": published.pk})
    )
    assert response.status_code == 302


def test_html_in_a_comment_is_shown_as_text(curator_client):
    comment(body="<img src=x onerror=alert(1)>")
    html = curator_client.get(reverse("learning:curate_comments")).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_the_queue_takes_the_same_number_of_queries_for_1_or_50_comments(curator_client):
    url = reverse("learning:curate_comments")
    comment()
    curator_client.get(url)
    with CaptureQueriesContext(connection) as one:
        curator_client.get(url)
    for _ in range(49):
        comment()
    with CaptureQueriesContext(connection) as fifty:
        curator_client.get(url)
    assert len(fifty) == len(one)
