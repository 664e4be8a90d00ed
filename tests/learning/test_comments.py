"""Ratings and comments on a resource: display names only, moderation, and a rate limit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learning.models import Comment, CommentStatus
from learning.services import comments
from tests.factories import UserFactory
from tests.learning.factories import CommentFactory, ResourceFactory
from tests.submission_keys import a_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory(with_profile=True, email="me@test.nhs.net")


@pytest.fixture
def staff_client(client, user):
    client.force_login(user)
    return client


def resource_html(client, resource):
    return client.get(resource.get_absolute_url()).content.decode()


def post(client, resource, rating="4", body="Useful on the ward."):
    return client.post(
        reverse("learning:comment", kwargs={"slug": resource.slug}),
        {"comment-rating": rating, "comment-body": body},
    )


def test_published_comments_show_the_authors_display_name_never_their_email(staff_client):
    resource = ResourceFactory()
    author = UserFactory(with_profile=True, email="priya.shah@test.nhs.net")
    author.staff_profile.display_name = "Priya S"
    author.staff_profile.save()
    CommentFactory(resource=resource, author=author, status=CommentStatus.PUBLISHED, rating=5)

    html = resource_html(staff_client, resource)

    assert "Priya S" in html
    assert "priya.shah" not in html
    assert "Rated 5 out of 5" in html
    assert "Rated 5.0 out of 5 by 1 member of staff." in html


def test_a_comment_posted_twice_with_one_key_is_held_once(staff_client):
    resource = ResourceFactory()
    form = {
        "comment-rating": "4",
        "comment-body": "Useful on the ward.",
        "comment-submission_key": a_key(),
    }
    page = reverse("learning:comment", kwargs={"slug": resource.slug})
    first = staff_client.post(page, form)
    again = staff_client.post(page, form)
    assert Comment.objects.filter(resource=resource).count() == 1
    assert again["Location"] == first["Location"]
    assert "Your comment will be published once it has been checked" in resource_html(
        staff_client, resource
    )
    # A repeat is not counted against the hourly limit either.
    assert comments.comments_left_this_hour(Comment.objects.get().author) == 4


def test_an_author_without_a_profile_is_shown_as_a_member_of_staff(staff_client):
    resource = ResourceFactory()
    author = UserFactory(email="no.profile@test.nhs.net")
    CommentFactory(resource=resource, author=author, status=CommentStatus.PUBLISHED)

    html = resource_html(staff_client, resource)

    assert "A member of staff" in html
    assert "no.profile" not in html


def test_pending_comments_are_shown_only_to_their_author_as_waiting_for_moderation(
    client, staff_client, user
):
    resource = ResourceFactory()
    CommentFactory(resource=resource, author=user, body="My own pending comment")
    CommentFactory(resource=resource, author=UserFactory(with_profile=True), body="Someone else's")

    mine = resource_html(staff_client, resource)

    assert "My own pending comment" in mine
    assert "Waiting for moderation" in mine
    assert "Someone else" not in mine
    client.force_login(UserFactory(with_profile=True))
    assert "My own pending comment" not in resource_html(client, resource)


def test_rejected_comments_are_not_shown(staff_client, user):
    resource = ResourceFactory()
    CommentFactory(
        resource=resource, author=user, body="Rejected one", status=CommentStatus.REJECTED
    )

    assert "Rejected one" not in resource_html(staff_client, resource)


def test_posting_a_comment_holds_it_for_moderation_and_redirects(staff_client, user):
    resource = ResourceFactory()

    response = post(staff_client, resource, rating="5", body="Clear and practical.")

    assert response.status_code == 302
    assert response.url == f"{resource.get_absolute_url()}#comments"
    comment = Comment.objects.get()
    assert (comment.author, comment.rating, comment.body, comment.status) == (
        user,
        5,
        "Clear and practical.",
        CommentStatus.PENDING,
    )


@pytest.mark.parametrize(
    ("rating", "body", "message"),
    [
        ("", "Fine", "Select how useful it was"),
        ("6", "Fine", "Select how useful it was"),
        ("4", "", "Enter your comment"),
        ("4", "x" * 2001, "Your comment must be 2,000 characters or fewer"),
    ],
)
def test_a_comment_with_a_problem_is_shown_again_with_the_error(
    staff_client, rating, body, message
):
    resource = ResourceFactory()

    response = post(staff_client, resource, rating=rating, body=body)

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(message) == 2
    assert not Comment.objects.exists()


def test_a_comment_of_2000_characters_is_accepted(staff_client):
    assert post(staff_client, ResourceFactory(), body="x" * 2000).status_code == 302


def test_at_most_five_comments_an_hour_are_accepted(staff_client):
    resource = ResourceFactory()

    for _ in range(comments.COMMENTS_PER_HOUR):
        assert post(staff_client, resource).status_code == 302
    response = post(staff_client, resource)

    assert Comment.objects.count() == comments.COMMENTS_PER_HOUR
    html = staff_client.get(response.url).content.decode()
    assert "You have posted 5 comments in the last hour, which is the most we accept." in html
    assert "You have posted as many comments as we accept in an hour." in html


def test_the_limit_is_per_person(staff_client, client, user):
    resource = ResourceFactory()
    for _ in range(comments.COMMENTS_PER_HOUR):
        comments.do_post_comment(user=user, resource=resource, rating=4, body="Mine")

    other = UserFactory(with_profile=True)
    comments.do_post_comment(user=other, resource=resource, rating=4, body="Theirs")

    assert Comment.objects.filter(author=other).count() == 1


def test_the_service_refuses_a_sixth_comment_within_the_hour(user):
    resource = ResourceFactory()
    for _ in range(comments.COMMENTS_PER_HOUR):
        comments.do_post_comment(user=user, resource=resource, rating=3, body="Fine")

    with pytest.raises(comments.CommentLimitReached):
        comments.do_post_comment(user=user, resource=resource, rating=3, body="One more")
    assert comments.comments_left_this_hour(user) == 0


def test_the_comment_form_is_labelled_and_uses_radios_for_the_rating(staff_client):
    html = resource_html(staff_client, ResourceFactory())

    assert 'type="radio"' in html
    assert "How useful was it?" in html
    assert '<label class="nhsuk-label" for="id_comment-body">' in html
