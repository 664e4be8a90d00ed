"""The beat schedule that sends a follow-up check-in's second and last reminder (issue 14).

Once a day in the morning, like the invitations (0004): each follow-up not answered a week after
its first reminder gets one second reminder, whatever the runs (the outbox's idempotency key and
the follow-up's own mark). Quiet hours, the daily cap and opt-outs are the outbox's, at sending.
Times are Europe/London.
"""

from django.db import migrations

NAME = "Remind staff a second time to repeat the questionnaires"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    morning, _ = CrontabSchedule.objects.using(db).get_or_create(
        minute="45",
        hour="9",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).update_or_create(
        name=NAME,
        defaults={
            # Written out as a string: portal names the hub's task without importing it.
            "task": "wellbeing.remind_follow_ups_again",
            "crontab": morning,
            "interval": None,
            "description": "Follow-ups not answered a week after their first reminder; once "
            "per follow-up, never to someone who opted out.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0015_staff_profile_team"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
