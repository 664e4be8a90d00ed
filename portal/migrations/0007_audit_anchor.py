"""The audit chain's anchors (ADR 0019): append-only rows in the default database, and the beat
schedule that records one every 15 minutes.

The trigger refuses UPDATE and DELETE, and TRUNCATE unless the session has set
`audit_log.allow_truncate` (the test suite's flush between transactional tests does; nothing in
production does). Whoever owns this table can still switch the trigger off: the anchor is only as
safe as the default database's owner is separate from the confidential database's.
"""

import django.utils.timezone
from django.db import migrations, models

SCHEDULE_NAME = "Anchor the audit chain"

APPEND_ONLY_SQL = """
CREATE FUNCTION portal_audit_anchor_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('audit_log.allow_truncate', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'The audit chain anchors are append-only: % is not allowed', TG_OP;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER portal_audit_anchor_append_only
BEFORE UPDATE OR DELETE ON portal_auditanchor
FOR EACH ROW EXECUTE FUNCTION portal_audit_anchor_append_only();

CREATE TRIGGER portal_audit_anchor_no_truncate
BEFORE TRUNCATE ON portal_auditanchor
FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_anchor_append_only();
"""

REMOVE_SQL = """
DROP TRIGGER IF EXISTS portal_audit_anchor_no_truncate ON portal_auditanchor;
DROP TRIGGER IF EXISTS portal_audit_anchor_append_only ON portal_auditanchor;
DROP FUNCTION IF EXISTS portal_audit_anchor_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_SQL, params=None)


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    every_15_minutes, _ = IntervalSchedule.objects.using(db).get_or_create(
        every=15, period="minutes"
    )
    PeriodicTask.objects.using(db).update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            # Written out as a string: portal names the hub's task without importing it.
            "task": "wellbeing.anchor_audit_chain",
            "interval": every_15_minutes,
            "crontab": None,
            "description": "Records the audit chain's length and head MAC outside the "
            "confidential database (AUDIT_ANCHOR), so a cut or rewritten chain is found.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_session_clean_up_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entry_count", models.PositiveBigIntegerField()),
                ("head_mac", models.CharField(max_length=64)),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ("id",), "get_latest_by": "id"},
        ),
        migrations.RunPython(add_trigger, remove_trigger),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
