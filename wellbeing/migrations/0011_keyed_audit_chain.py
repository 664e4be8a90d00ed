"""Key the audit chain and refuse TRUNCATE (ADR 0019).

- `key_id` names the audit chain key that sealed an entry; existing entries keep an empty one and
  their plain SHA-256, untouched (rewriting them would destroy the evidence they are).
- If there are entries, the old SHA-256 chain is verified and a "sealed" entry is appended under
  the key: its MAC covers the old head, so from now on changing any old entry breaks a MAC that
  needs the key. A broken old chain stops the migration: keep a dump and report it.
- The append-only trigger now also refuses TRUNCATE, unless the session has set
  `audit_log.allow_truncate` (only the test suite's flush does).
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

REFUSE_TRUNCATE_SQL = """
CREATE OR REPLACE FUNCTION wellbeing_audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('audit_log.allow_truncate', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'The Resilience Hub audit log is append-only: % is not allowed', TG_OP;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER wellbeing_audit_entry_no_truncate
BEFORE TRUNCATE ON wellbeing_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_audit_entry_append_only();
"""

ALLOW_TRUNCATE_SQL = """
DROP TRIGGER IF EXISTS wellbeing_audit_entry_no_truncate ON wellbeing_auditentry;
CREATE OR REPLACE FUNCTION wellbeing_audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'The Resilience Hub audit log is append-only: % is not allowed', TG_OP;
END
$$ LANGUAGE plpgsql;
"""


def refuse_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_TRUNCATE_SQL, params=None)


def allow_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_TRUNCATE_SQL, params=None)


class BrokenChain(Exception):
    pass


def seal_the_unkeyed_chain(apps, schema_editor):
    # The chain's functions, not a copy: the MAC must be the one verify_audit_log checks.
    from wellbeing.audit import GENESIS_HASH, entry_hash, entry_mac, key_id_for

    AuditEntry = apps.get_model("wellbeing", "AuditEntry")
    db = schema_editor.connection.alias
    previous = GENESIS_HASH
    count = 0
    head_id = 0
    for entry in AuditEntry.objects.using(db).order_by("id").iterator(chunk_size=2000):
        fields = {
            "at": entry.at,
            "actor_ref": entry.actor_ref,
            "actor_role": entry.actor_role,
            "actor_name": entry.actor_name,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "reason": entry.reason,
        }
        if entry.previous_hash != previous or entry_hash(previous_hash=previous, **fields) != (
            entry.hash
        ):
            raise BrokenChain(
                f"The audit log's chain is broken at entry {entry.pk}, so it will not be sealed "
                "under the key. Keep a dump of the confidential database, report it as an "
                "incident, and run `manage.py verify_audit_log` for details."
            )
        previous, count, head_id = entry.hash, count + 1, entry.pk
    if not count:
        return
    key = settings.AUDIT_CHAIN_KEY
    seal = {
        "at": timezone.now(),
        "actor_ref": "system",
        "actor_role": "System",
        "actor_name": "",
        "action": "seal",
        "object_type": "auditentry",
        "object_id": head_id,
        "reason": f"Chain keyed: the {count} entries before this one verified under SHA-256",
    }
    AuditEntry.objects.using(db).create(
        **seal,
        previous_hash=previous,
        hash=entry_mac(key=key, previous_hash=previous, **seal),
        key_id=key_id_for(key),
    )


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0010_hub_team")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("read", "Opened"),
                    ("update", "Changed"),
                    ("export", "Downloaded"),
                    ("withdraw", "Withdrew"),
                    ("delete", "Deleted"),
                    ("grant", "Gave a hub role"),
                    ("revoke", "Removed a hub role"),
                    ("issue", "Issued an enrolment code"),
                    ("seal", "Sealed the audit chain"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(refuse_truncate, allow_truncate),
        migrations.RunPython(seal_the_unkeyed_chain, migrations.RunPython.noop),
    ]
