"""The audit log is append-only and hash-chained, and the chain can be verified."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction

from tests.wellbeing.factories import ReferralFactory
from wellbeing.audit import GENESIS_HASH, Actor, record, verify_chain
from wellbeing.models import AuditEntry

# verify_audit_log reads and records the chain's anchor in the default database.
pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

CLINICIAN = Actor(ref="c" * 64, role="Hub clinician", name="Casey Clinician")


def write_entries(count: int) -> list[AuditEntry]:
    referral = ReferralFactory()
    with transaction.atomic(using="confidential"):
        return [
            record(actor=CLINICIAN, action="read", obj=referral, reason="Rapid assessment")
            for _ in range(count)
        ]


def test_entries_chain_each_to_the_one_before():
    first, second, third = write_entries(3)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert verify_chain().intact
    assert verify_chain().entries_checked == 3


@pytest.mark.django_db(databases=["confidential"], transaction=True)
def test_an_entry_is_only_written_inside_the_transaction_of_the_work():
    referral = ReferralFactory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(actor=CLINICIAN, action="read", obj=referral, reason="Rapid assessment")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE wellbeing_auditentry SET reason = 'nothing to see'",
        "DELETE FROM wellbeing_auditentry",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(statement):
    write_entries(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(using="confidential"),
        connections["confidential"].cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.using("confidential").count() == 1


def tamper(statement: str) -> None:
    """What someone with the table owner's rights could do: switch the trigger off."""
    with connections["confidential"].cursor() as cursor:
        cursor.execute(
            "ALTER TABLE wellbeing_auditentry DISABLE TRIGGER wellbeing_audit_entry_append_only"
        )
        cursor.execute(statement)
        cursor.execute(
            "ALTER TABLE wellbeing_auditentry ENABLE TRIGGER wellbeing_audit_entry_append_only"
        )


def test_a_changed_entry_is_found_and_named():
    entries = write_entries(4)
    changed = entries[1].pk
    tamper(f"UPDATE wellbeing_auditentry SET actor_name = 'Someone else' WHERE id = {changed}")  # noqa: S608
    check = verify_chain()
    assert not check.intact
    assert check.first_bad_entry == entries[1].pk
    with pytest.raises(CommandError, match=f"entry {entries[1].pk} has been changed"):
        call_command("verify_audit_log")


def test_a_removed_entry_is_found_and_the_next_one_named():
    entries = write_entries(4)
    tamper(f"DELETE FROM wellbeing_auditentry WHERE id = {entries[2].pk}")  # noqa: S608
    check = verify_chain()
    assert check.first_bad_entry == entries[3].pk
    assert "removed" in check.problem


def test_the_command_says_the_chain_is_intact(capsys):
    write_entries(2)
    call_command("verify_audit_log")
    assert "Audit log intact: 2 entries checked." in capsys.readouterr().out
