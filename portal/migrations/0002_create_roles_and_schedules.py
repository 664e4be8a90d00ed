"""Create the portal's role groups and the worker heartbeat schedule.

Group names are written out here rather than imported, so the migration stays as it was when
the roles change later.
"""

from django.db import migrations

ROLES = ["Curator", "Team lead", "Hub clinician", "Hub lead"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


def create_heartbeat_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    every_minute, _ = IntervalSchedule.objects.using(db).get_or_create(every=1, period="minutes")
    PeriodicTask.objects.using(db).update_or_create(
        name="Record that a worker is alive",
        defaults={
            "task": "portal.record_worker_heartbeat",
            "interval": every_minute,
            "description": "Shown on /health/ as worker_last_seen.",
        },
    )


def remove_heartbeat_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(
        name="Record that a worker is alive"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(create_heartbeat_schedule, remove_heartbeat_schedule),
    ]
