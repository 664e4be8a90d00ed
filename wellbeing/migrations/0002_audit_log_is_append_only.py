"""On PostgreSQL, refuse UPDATE and DELETE on the audit log, whoever asks.

TRUNCATE stays possible for the database owner (test databases are emptied that way); the hash
chain still shows any entry that goes missing.
"""

from django.db import migrations

APPEND_ONLY_SQL = """
CREATE FUNCTION wellbeing_audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'The Resilience Hub audit log is append-only: % is not allowed', TG_OP;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER wellbeing_audit_entry_append_only
BEFORE UPDATE OR DELETE ON wellbeing_auditentry
FOR EACH ROW EXECUTE FUNCTION wellbeing_audit_entry_append_only();
"""

REMOVE_SQL = """
DROP TRIGGER IF EXISTS wellbeing_audit_entry_append_only ON wellbeing_auditentry;
DROP FUNCTION IF EXISTS wellbeing_audit_entry_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0001_initial")]

    operations = [migrations.RunPython(add_trigger, remove_trigger)]
