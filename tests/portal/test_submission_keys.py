"""One-time submission keys on PostgreSQL: two posts of one form at the same moment make one
change, and a repeat of a create finds the row the first one made."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections
from django.http import Http404

from portal.models import SubmissionKey, User
from portal.submission_keys import OneTimeSubmissionForm, create_once, submit_once
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True, databases=["default", "confidential"])
def test_two_posts_at_the_same_moment_with_one_key_make_one_change():
    key = uuid.uuid4()
    start = threading.Barrier(2)
    made: list[bool] = []

    def post() -> None:
        try:
            start.wait()
            made.append(submit_once(SubmissionKey, key, lambda: None))
        finally:
            connections.close_all()

    both = [threading.Thread(target=post) for _ in range(2)]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert sorted(made) == [False, True]
    assert SubmissionKey.objects.count() == 1


@pytest.mark.django_db
def test_a_repeated_create_returns_the_first_row_and_makes_no_other():
    key = uuid.uuid4()
    first = create_once(SubmissionKey, key, User, UserFactory)
    again = create_once(SubmissionKey, key, User, UserFactory)
    assert again.pk == first.pk
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_change_that_fails_leaves_its_key_free():
    key = uuid.uuid4()

    def refused() -> None:
        raise Http404("gone")

    with pytest.raises(Http404):
        submit_once(SubmissionKey, key, refused)
    assert submit_once(SubmissionKey, key, lambda: None)


def test_each_drawing_of_a_form_has_its_own_key():
    keys = {str(OneTimeSubmissionForm()["submission_key"].value()) for _ in range(3)}
    assert len(keys) == 3


@pytest.mark.django_db(databases=["default", "confidential"])
def test_the_nightly_task_deletes_keys_used_over_a_week_ago_in_both_databases():
    from datetime import timedelta

    from django.utils import timezone

    from portal.submission_keys import KEEP_USED_KEYS
    from portal.tasks import prune_submission_keys
    from wellbeing.models import SubmissionKey as HubSubmissionKey

    now = timezone.now()
    old, recent = uuid.uuid4(), uuid.uuid4()
    hub_old, hub_recent = uuid.uuid4(), uuid.uuid4()
    for model, key, used_at in (
        (SubmissionKey, old, now - KEEP_USED_KEYS - timedelta(minutes=1)),
        (SubmissionKey, recent, now - KEEP_USED_KEYS + timedelta(minutes=1)),
        (HubSubmissionKey, hub_old, now - timedelta(days=30)),
        (HubSubmissionKey, hub_recent, now - timedelta(hours=1)),
    ):
        model.objects.create(key=key)
        model.objects.filter(key=key).update(used_at=used_at)

    assert prune_submission_keys() == {"portal.SubmissionKey": 1, "wellbeing.SubmissionKey": 1}

    assert list(SubmissionKey.objects.values_list("key", flat=True)) == [recent]
    assert list(HubSubmissionKey.objects.values_list("key", flat=True)) == [hub_recent]


@pytest.mark.django_db
def test_a_key_kept_after_the_prune_still_stops_a_repeat():
    from portal.tasks import prune_submission_keys

    key = uuid.uuid4()
    first = create_once(SubmissionKey, key, User, UserFactory)
    prune_submission_keys()
    assert create_once(SubmissionKey, key, User, UserFactory).pk == first.pk
    assert User.objects.count() == 1
