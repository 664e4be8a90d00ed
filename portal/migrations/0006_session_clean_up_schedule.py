"""A daily beat schedule that deletes expired sessions (Django keeps them until asked)."""

from django.db import migrations

NAME = "Delete expired sessions"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    nightly, _ = CrontabSchedule.objects.using(db).get_or_create(
        minute="15",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).update_or_create(
        name=NAME,
        defaults={
            "task": "portal.clear_expired_sessions",
            "crontab": nightly,
            "interval": None,
            "description": "Runs clearsessions; 'Your sessions' rows go with their sessions.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_user_sessions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
