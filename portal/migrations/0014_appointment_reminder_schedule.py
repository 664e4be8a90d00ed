"""The beat schedule that reminds staff of their therapy appointments with the hub.

Every hour of the working day, not once a day: an appointment booked at noon for tomorrow is
still reminded today. Each appointment and time is reminded once, whatever the runs (the
outbox's idempotency key). Times are Europe/London.
"""

from django.db import migrations

NAME = "Remind staff of therapy appointments"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    working_hours, _ = CrontabSchedule.objects.using(db).get_or_create(
        minute="20",
        hour="8-17",
        day_of_week="1-5",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).update_or_create(
        name=NAME,
        defaults={
            # Written out as a string: portal names the hub's task without importing it.
            "task": "wellbeing.remind_appointments",
            "crontab": working_hours,
            "interval": None,
            "description": "Appointments on the next working day; once per appointment and "
            "time, never for a cancelled one.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0013_urgent_target_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
