"""One-time submission keys: a double click or a refresh of a form that creates something creates
it once (ADR 0022).

Every such form carries a hidden random key, made when the page is drawn. The view passes the
key and the change to `submit_once` (or `create_once`, for a change that makes a row), which
records the key in the same transaction as the change, in the database the change is written
to (each database has its own key table, a concrete `SubmissionKeyBase`). A second post with the same key waits on the key's unique index
until the first commits, then finds the key taken and changes nothing: the view answers it as it
answered the first. A change refused (a rule, a lost race) rolls back with its key, so the same
form can be fixed and sent again.

The key names no person: it is a random UUID, the time it was used and, for a create, the
primary key of the row it made. A key is kept for KEEP_USED_KEYS, then a nightly task deletes
it (`prune_used_keys`): by then no page that carries it can be posted any more.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models, router, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

EXPIRED_MESSAGE = "This page has expired. Check your answers and send the form again"

# How long a used key is kept. A repeat can only come from a page posted in the session that drew
# it (signing in again rotates the CSRF token, so an older page's post is refused), and no
# session lasts longer than SESSION_ABSOLUTE_LIFETIME (12 hours by default): a week is far past
# any repeat that could still be accepted.
KEEP_USED_KEYS = datetime.timedelta(days=7)


class SubmissionKeyBase(models.Model):
    """A key that has been used; each database that takes changes has its own table."""

    key = models.UUIDField(primary_key=True)
    used_at = models.DateTimeField(auto_now_add=True)
    # The primary key of the row the first post made, for answering a repeat; blank for a change.
    made = models.CharField(max_length=40, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key} used at {self.used_at:%Y-%m-%d %H:%M:%S}"


class OneTimeSubmissionForm(forms.Form):
    """A form that creates something: it carries a fresh key each time it is drawn.

    A bound form keeps the key it was posted with, so a form shown again with errors, fixed and
    sent, is still the one submission. A key that is missing or not a UUID (a page kept from
    before keys, or a hand-made post) is one message above the form, and the form shown again
    carries a fresh key.
    """

    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "submission_key" in self.errors:
            del self.errors["submission_key"]
            self.add_error(None, EXPIRED_MESSAGE)
            # Shown again, the form carries a fresh key rather than the one it could not read.
            name, fresh = self.add_prefix("submission_key"), str(uuid.uuid4())
            if isinstance(self.data, QueryDict):
                data = self.data.copy()
                data[name] = fresh
                self.data = data
            else:
                self.data = {**self.data, name: fresh}
        return cleaned

    @property
    def one_time_key(self) -> uuid.UUID:
        """The key of a valid form."""
        key = self.cleaned_data["submission_key"]
        assert isinstance(key, uuid.UUID)  # noqa: S101 - a valid form has one
        return key


def submit_once(
    key_model: type[SubmissionKeyBase], key: uuid.UUID, change: Callable[[], T]
) -> bool:
    """Make `change` once for `key`: True if it was made now, False if the key was used before.

    The key is written in `key_model`'s database in one transaction with the change, so `change`
    should write to that database too (or a crash between the two could part them)."""
    using = router.db_for_write(key_model)
    with transaction.atomic(using=using):
        _, first = key_model._default_manager.using(using).get_or_create(key=key)
        if first:
            change()
        return first


def create_once(
    key_model: type[SubmissionKeyBase], key: uuid.UUID, model: type[M], create: Callable[[], M]
) -> M:
    """What `create` makes, made once for `key`: a repeat gets the row the first post made, so
    it can be answered as the first was (the same page, the same message)."""
    using = router.db_for_write(key_model)
    with transaction.atomic(using=using):
        used, first = key_model._default_manager.using(using).get_or_create(key=key)
        if not first:
            return get_object_or_404(
                model._default_manager.using(router.db_for_read(model)), pk=used.made
            )
        made = create()
        used.made = str(made.pk)
        used.save(update_fields=["made"])
        return made


def made_before(key_model: type[SubmissionKeyBase], posted_key: object, model: type[M]) -> M | None:
    """The row an earlier post of this key made, if any: for a view whose form would refuse the
    repeat (a name now taken by the first post's own row) before `create_once` could answer it."""
    try:
        key = uuid.UUID(str(posted_key))
    except ValueError:
        return None
    made = (
        key_model._default_manager.using(router.db_for_read(key_model))
        .filter(key=key)
        .exclude(made="")
        .values_list("made", flat=True)
        .first()
    )
    if made is None:
        return None
    return model._default_manager.using(router.db_for_read(model)).filter(pk=made).first()


def prune_used_keys(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the keys used more than KEEP_USED_KEYS ago from every key table, each in its own
    database; how many went from each table, by its label."""
    # A deployment that lets sessions live longer than a week keeps keys as long as its sessions.
    keep = max(KEEP_USED_KEYS, settings.SESSION_ABSOLUTE_LIFETIME)
    before = (now or timezone.now()) - keep
    deleted = {}
    for model in apps.get_models():
        if issubclass(model, SubmissionKeyBase):
            keys = model._default_manager.using(router.db_for_write(model))
            deleted[model._meta.label], _ = keys.filter(used_at__lt=before).delete()
    return deleted
