"""A nightly beat schedule that deletes one-time submission keys past their use (ADR 0022)."""

from django.db import migrations

NAME = "Delete used submission keys"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    nightly, _ = CrontabSchedule.objects.using(db).get_or_create(
        minute="45",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).update_or_create(
        name=NAME,
        defaults={
            "task": "portal.prune_submission_keys",
            "crontab": nightly,
            "interval": None,
            "description": "Deletes one-time submission keys used more than a week ago, in "
            "both databases.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0016_follow_up_second_reminder_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
