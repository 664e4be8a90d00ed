"""The audit chain is keyed and anchored outside the confidential database (ADR 0019): whoever
owns that database can switch its triggers off, but cannot cut, empty or rewrite the chain
without `verify_audit_log` saying so."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import psycopg
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction
from django.db.backends.utils import CursorWrapper

from portal.models import AuditAnchor
from tests.wellbeing.factories import ReferralFactory
from wellbeing.audit import GENESIS_HASH, Actor, entry_hash, record, verify_chain
from wellbeing.audit_anchors import ChainDoesNotMatchAnchor, latest_anchor, record_anchor
from wellbeing.management.commands.confidential_db_grants import grants_sql
from wellbeing.models import AuditEntry
from wellbeing.tasks import anchor_audit_chain

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

DB = "confidential"
CLINICIAN = Actor(ref="c" * 64, role="Hub clinician", name="Casey Clinician")


def write_entries(count: int) -> list[AuditEntry]:
    referral = ReferralFactory()
    with transaction.atomic(using=DB):
        return [
            record(actor=CLINICIAN, action="read", obj=referral, reason="Rapid assessment")
            for _ in range(count)
        ]


@contextmanager
def triggers_off() -> Iterator[CursorWrapper]:
    """What the confidential database's owner can do: switch every trigger off, then anything."""
    with connections[DB].cursor() as cursor:
        cursor.execute("ALTER TABLE wellbeing_auditentry DISABLE TRIGGER ALL")
        yield cursor
        cursor.execute("ALTER TABLE wellbeing_auditentry ENABLE TRIGGER ALL")


def as_the_database_owner(*statements: str) -> None:
    with triggers_off() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rewrite_from(entry_id: int, *, reason: str, key_id: str | None = None) -> None:
    """Change one entry's reason and recompute the SHA-256 of it and every later entry, as the
    old chain allowed: all the owner can compute without the audit chain key."""
    previous = GENESIS_HASH
    with triggers_off() as cursor:
        for entry in AuditEntry.objects.using(DB).order_by("id"):
            if entry.pk >= entry_id:
                if entry.pk == entry_id:
                    entry.reason = reason
                entry.previous_hash = previous
                entry.hash = entry_hash(
                    previous_hash=previous,
                    at=entry.at,
                    actor_ref=entry.actor_ref,
                    actor_role=entry.actor_role,
                    actor_name=entry.actor_name,
                    action=entry.action,
                    object_type=entry.object_type,
                    object_id=entry.object_id,
                    reason=entry.reason,
                )
                cursor.execute(
                    "UPDATE wellbeing_auditentry SET reason = %s, previous_hash = %s, hash = %s,"
                    " key_id = %s WHERE id = %s",
                    [
                        entry.reason,
                        entry.previous_hash,
                        entry.hash,
                        entry.key_id if key_id is None else key_id,
                        entry.pk,
                    ],
                )
            previous = entry.hash


def test_an_untouched_chain_verifies_against_its_anchor(capsys):
    write_entries(3)
    call_command("verify_audit_log")
    write_entries(2)
    call_command("verify_audit_log")
    out = capsys.readouterr().out
    assert "Audit log intact: 5 entries checked." in out
    assert "It matches every anchor recorded (1), the last at" in out
    assert AuditAnchor.objects.latest().entry_count == 5


def test_cutting_off_the_newest_entries_is_found_even_with_the_trigger_off():
    write_entries(20)
    anchor_audit_chain()
    as_the_database_owner(
        "DELETE FROM wellbeing_auditentry WHERE id IN "
        "(SELECT id FROM wellbeing_auditentry ORDER BY id DESC LIMIT 16)"
    )
    with pytest.raises(CommandError, match="has 4 entries, but it had 20 when anchored at"):
        call_command("verify_audit_log")


def test_emptying_the_log_is_found_even_with_the_trigger_off():
    write_entries(5)
    anchor_audit_chain()
    as_the_database_owner("TRUNCATE wellbeing_auditentry")
    with pytest.raises(CommandError, match=r"the log is empty, but it had 5 entries .* emptied"):
        call_command("verify_audit_log")


def test_rewriting_an_entry_and_recomputing_the_later_hashes_is_found():
    entries = write_entries(5)
    rewrite_from(entries[1].pk, reason="Nothing to see")
    with pytest.raises(CommandError, match=f"entry {entries[1].pk} has been changed"):
        call_command("verify_audit_log")


def test_rewriting_the_whole_chain_as_unkeyed_entries_is_found():
    entries = write_entries(4)
    rewrite_from(entries[0].pk, reason="Nothing to see", key_id="")
    with pytest.raises(CommandError, match="no entry is sealed with the audit chain key"):
        call_command("verify_audit_log")


def test_a_cut_tail_refilled_with_new_entries_is_found_at_the_anchored_position():
    entries = write_entries(6)
    anchor_audit_chain()
    as_the_database_owner(f"DELETE FROM wellbeing_auditentry WHERE id >= {entries[3].pk}")  # noqa: S608
    write_entries(5)
    with pytest.raises(CommandError, match="no longer has the MAC anchored at"):
        call_command("verify_audit_log")


def test_a_forged_newer_anchor_does_not_hide_a_cut_tail():
    write_entries(6)
    anchor_audit_chain()
    as_the_database_owner(
        "DELETE FROM wellbeing_auditentry WHERE id IN "
        "(SELECT id FROM wellbeing_auditentry ORDER BY id DESC LIMIT 2)"
    )
    head = AuditEntry.objects.using(DB).latest("id")
    AuditAnchor.objects.create(entry_count=4, head_mac=head.hash)
    with pytest.raises(CommandError, match="has 4 entries, but it had 6"):
        call_command("verify_audit_log")


def test_the_beat_task_records_the_chains_length_and_head():
    entries = write_entries(3)
    assert anchor_audit_chain() == 3
    anchor = AuditAnchor.objects.latest()
    assert (anchor.entry_count, anchor.head_mac) == (3, entries[-1].hash)


def test_the_beat_task_will_not_anchor_over_a_cut_tail():
    write_entries(5)
    anchor_audit_chain()
    as_the_database_owner(
        "DELETE FROM wellbeing_auditentry WHERE id = (SELECT max(id) FROM wellbeing_auditentry)"
    )
    with pytest.raises(ChainDoesNotMatchAnchor, match="4 entries, fewer than the 5"):
        anchor_audit_chain()
    assert AuditAnchor.objects.latest().entry_count == 5


def test_anchors_can_go_to_an_append_only_file_instead(settings, tmp_path):
    settings.AUDIT_ANCHOR = str(tmp_path / "audit-anchors.jsonl")
    write_entries(2)
    anchor_audit_chain()
    write_entries(1)
    anchor_audit_chain()
    lines = (tmp_path / "audit-anchors.jsonl").read_text().splitlines()
    assert [json.loads(line)["entries"] for line in lines] == [2, 3]
    assert not AuditAnchor.objects.exists()
    anchor = latest_anchor()
    assert anchor is not None
    assert anchor.entry_count == 3
    as_the_database_owner(
        "DELETE FROM wellbeing_auditentry WHERE id = (SELECT max(id) FROM wellbeing_auditentry)"
    )
    with pytest.raises(CommandError, match="has 2 entries, but it had 3"):
        call_command("verify_audit_log")


def test_the_database_refuses_to_truncate_the_audit_log():
    write_entries(1)
    with transaction.atomic(using=DB), connections[DB].cursor() as cursor:
        # The test suite allows it for its flush; production sessions never set it.
        cursor.execute("SET LOCAL audit_log.allow_truncate = 'off'")
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic(DB):
            cursor.execute("TRUNCATE wellbeing_auditentry")
    assert AuditEntry.objects.using(DB).count() == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE portal_auditanchor SET entry_count = 0",
        "DELETE FROM portal_auditanchor",
        "TRUNCATE portal_auditanchor",
    ],
)
def test_the_default_database_refuses_to_change_or_remove_an_anchor(statement):
    write_entries(1)
    record_anchor()
    with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
        cursor.execute("SET LOCAL audit_log.allow_truncate = 'off'")
        with pytest.raises(DatabaseError, match="anchors are append-only"), transaction.atomic():
            cursor.execute(statement)
    assert AuditAnchor.objects.count() == 1


def write_unkeyed_entries(count: int) -> list[AuditEntry]:
    """Entries as the chain wrote them before it was keyed: plain SHA-256, no key id."""
    referral = ReferralFactory()
    previous = GENESIS_HASH
    written = []
    for _ in range(count):
        entry = AuditEntry(
            actor_ref="c" * 64,
            actor_role="Hub clinician",
            actor_name="Casey Clinician",
            action="read",
            object_type="referral",
            object_id=referral.pk,
            reason="Rapid assessment",
            previous_hash=previous,
        )
        entry.hash = entry_hash(
            previous_hash=previous,
            at=entry.at,
            actor_ref=entry.actor_ref,
            actor_role=entry.actor_role,
            actor_name=entry.actor_name,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            reason=entry.reason,
        )
        entry.save(using=DB)
        written.append(entry)
        previous = entry.hash
    return written


KEYING_MIGRATION = importlib.import_module("wellbeing.migrations.0011_keyed_audit_chain")


def seal_as_the_migration_does() -> None:
    KEYING_MIGRATION.seal_the_unkeyed_chain(apps, SimpleNamespace(connection=connections[DB]))


def test_the_migration_seals_the_old_chain_under_the_key_and_says_so():
    old = write_unkeyed_entries(3)
    assert not verify_chain().intact  # unsealed: anyone could have recomputed it
    seal_as_the_migration_does()
    seal = AuditEntry.objects.using(DB).latest("id")
    assert (seal.action, seal.previous_hash, seal.object_id) == ("seal", old[-1].hash, old[-1].pk)
    assert "the 3 entries before this one verified" in seal.reason
    assert verify_chain().intact
    write_entries(1)
    rewrite_from(old[0].pk, reason="Nothing to see")
    check = verify_chain()
    assert check.first_bad_entry == seal.pk


def test_the_migration_refuses_to_seal_a_broken_old_chain():
    old = write_unkeyed_entries(3)
    as_the_database_owner(f"UPDATE wellbeing_auditentry SET reason = 'x' WHERE id = {old[1].pk}")  # noqa: S608
    with pytest.raises(KEYING_MIGRATION.BrokenChain, match=f"broken at entry {old[1].pk}"):
        seal_as_the_migration_does()


@pytest.mark.django_db(databases=["default", "confidential"], transaction=True)
def test_the_app_role_can_read_and_append_to_the_audit_log_but_not_alter_empty_or_change_it():
    database = connections[DB].settings_dict
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"portal_test_hub_owner_{suffix}", f"portal_test_hub_app_{suffix}"
    server = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "dbname": database["NAME"],
        "autocommit": True,
    }
    superuser = psycopg.connect(user=database["USER"], **server)
    try:
        superuser.execute(grants_sql(owner=owner, app=app, database=database["NAME"]))
        with psycopg.connect(user=app, **server) as as_app:
            as_app.execute(
                "INSERT INTO wellbeing_auditentry (at, actor_ref, actor_role, actor_name, action,"
                " object_type, object_id, reason, previous_hash, hash, key_id) VALUES (now(),"
                " 'a', 'Hub clinician', '', 'read', 'referral', 1, 'r', 'p', 'h', 'k')"
            )
            assert as_app.execute("SELECT count(*) FROM wellbeing_auditentry").fetchone() == (1,)
            for refused in [
                "ALTER TABLE wellbeing_auditentry DISABLE TRIGGER ALL",
                "ALTER TABLE wellbeing_auditentry DISABLE TRIGGER wellbeing_audit_entry_no_truncate",
                "TRUNCATE wellbeing_auditentry",
                "DELETE FROM wellbeing_auditentry",
                "UPDATE wellbeing_auditentry SET reason = 'x'",
                "DROP TABLE wellbeing_auditentry",
            ]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    as_app.execute(refused)
            # Ordinary work elsewhere still goes through.
            as_app.execute("UPDATE wellbeing_referral SET status = status")
        assert superuser.execute("SELECT count(*) FROM wellbeing_auditentry").fetchone() == (1,)
    finally:
        with superuser:
            superuser.execute(f'REASSIGN OWNED BY "{owner}" TO "{database["USER"]}"')
            # One role at a time: PostgreSQL trips over a default ACL shared by two.
            for role in (app, owner):
                superuser.execute(f'DROP OWNED BY "{role}"')
                superuser.execute(f'DROP ROLE "{role}"')
