"""The beat schedule that chases urgent referrals against their target in hours (ADR 0026).

Urgent targets count every hour of every day, so this runs every five minutes, nights and
weekends included; routine nudges keep their working-hours schedule (0004).
"""

from django.db import migrations

SCHEDULE_NAME = "Chase urgent referrals against their target in hours"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    every_5_minutes, _ = IntervalSchedule.objects.using(db).get_or_create(every=5, period="minutes")
    PeriodicTask.objects.using(db).update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            # Written out as a string: portal names the hub's task without importing it.
            "task": "wellbeing.chase_urgent_targets",
            "interval": every_5_minutes,
            "crontab": None,
            "description": "Urgent referrals not yet assessed: a nudge in the last quarter of "
            "HUB_URGENT_CONTACT_TARGET_HOURS and on breach, and on breach an alert to the duty "
            "inbox; once per referral and stage.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0012_submission_keys"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
