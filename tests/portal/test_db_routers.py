"""The wall between the two databases, proved on the real PostgreSQL databases."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connections, router

from portal.db_routers import database_for_app
from portal.models import StaffProfile, User

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])


def tables_in(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


def test_the_suite_runs_on_postgresql():
    assert connections["default"].vendor == "postgresql"
    assert connections["confidential"].vendor == "postgresql"
    assert (
        connections["default"].settings_dict["NAME"]
        != connections["confidential"].settings_dict["NAME"]
    )


def test_the_wellbeing_app_belongs_to_the_confidential_database_and_nothing_else_does():
    assert database_for_app("wellbeing") == "confidential"
    for app_config in apps.get_app_configs():
        if app_config.label != "wellbeing":
            assert database_for_app(app_config.label) == "default", app_config.label


def test_migrations_are_refused_in_the_wrong_database_both_ways():
    assert router.allow_migrate("confidential", "wellbeing")
    assert not router.allow_migrate("default", "wellbeing")
    for label in ("portal", "learning", "auth", "sessions", "account", "mfa", "django_celery_beat"):
        assert router.allow_migrate("default", label)
        assert not router.allow_migrate("confidential", label)


def test_every_model_table_exists_only_in_its_own_database():
    default_tables, confidential_tables = tables_in("default"), tables_in("confidential")
    for model in apps.get_models():
        table = model._meta.db_table
        if database_for_app(model._meta.app_label) == "confidential":
            home, other = confidential_tables, default_tables
        else:
            home, other = default_tables, confidential_tables
        assert table in home, table
        assert table not in other, table


def test_the_confidential_database_holds_nothing_but_wellbeing_tables():
    stray = {
        table
        for table in tables_in("confidential")
        if table != "django_migrations" and not table.startswith("wellbeing_")
    }
    assert stray == set()


def test_no_relation_may_cross_the_wall():
    user = User(email="a@test.nhs.net")
    profile = StaffProfile(user=user)
    assert router.allow_relation(user, profile)

    class ConfidentialThing:
        class _meta:
            app_label = "wellbeing"

    assert not router.allow_relation(user, ConfidentialThing())  # type: ignore[arg-type]


def test_reads_and_writes_are_routed_by_app():
    assert router.db_for_read(User) == "default"
    assert router.db_for_write(StaffProfile) == "default"
