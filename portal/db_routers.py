"""Keeps the Resilience Hub's records in their own database.

The `wellbeing` app lives in "confidential"; every other app lives in "default". Migrations are
refused in the wrong database both ways, and no relation may cross the wall.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

CONFIDENTIAL_APPS = frozenset({"wellbeing"})
CONFIDENTIAL_DATABASE = "confidential"
DEFAULT_DATABASE = "default"


def database_for_app(app_label: str) -> str:
    """The one database an app's tables belong in."""
    return CONFIDENTIAL_DATABASE if app_label in CONFIDENTIAL_APPS else DEFAULT_DATABASE


class ConfidentialRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return database_for_app(model._meta.app_label)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return database_for_app(model._meta.app_label)

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return database_for_app(obj1._meta.app_label) == database_for_app(obj2._meta.app_label)

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == database_for_app(app_label)
