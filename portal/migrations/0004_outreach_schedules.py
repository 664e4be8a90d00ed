"""Beat schedules for the outbox, the hub's reminders and the learning reminders.

Task names are written out as strings, so this migration stays as it was when tasks move. The
schedules are rows in django-celery-beat's tables: admins see and can pause them in the admin.
Times are Europe/London.
"""

from django.db import migrations

EVERY_MINUTE = {"every": 1, "period": "minutes"}
HOURLY = {"every": 1, "period": "hours"}

# name, task, schedule (an interval, or crontab fields), description
SCHEDULES = [
    (
        "Send due outbox messages",
        "portal.outbox.sweep",
        EVERY_MINUTE,
        "Hands due messages to workers, including any lost while Redis or a worker was down.",
    ),
    (
        "Nudge clinicians about rapid-assessment targets",
        "wellbeing.nudge_assessment_targets",
        {"minute": "5", "hour": "8-17", "day_of_week": "1-5"},
        "One working day before the target and on breach; once per referral and stage.",
    ),
    (
        "Invite staff to repeat the questionnaires",
        "wellbeing.invite_follow_ups",
        {"minute": "30", "hour": "9", "day_of_week": "*"},
        "Follow-ups due today, and the single reminder a week after an invitation.",
    ),
    (
        "Remind team leads of team sessions",
        "wellbeing.remind_team_sessions",
        {"minute": "0", "hour": "10", "day_of_week": "1-5"},
        "Sessions on the next working day.",
    ),
    (
        "Delete abandoned self-referral drafts",
        "wellbeing.purge_expired_drafts",
        HOURLY,
        "Drafts past HUB_DRAFT_HOURS since their last change.",
    ),
    (
        "Nudge staff about unfinished recommended learning",
        "learning.nudge_unfinished_learning",
        {"minute": "0", "hour": "10", "day_of_month": "1"},
        "Monthly; staff can opt out from the link in the email.",
    ),
    (
        "Remind curators of resources due for review",
        "learning.remind_curators_of_reviews",
        {"minute": "0", "hour": "9", "day_of_week": "1"},
        "Weekly, on Monday morning.",
    ),
    (
        "Check resource links",
        "learning.check_resource_links",
        {"minute": "0", "hour": "3", "day_of_week": "0"},
        "Weekly, on Sunday night; curators see broken links in the catalogue.",
    ),
]


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    db = schema_editor.connection.alias
    for name, task, schedule, description in SCHEDULES:
        defaults = {"task": task, "description": description, "interval": None, "crontab": None}
        if "every" in schedule:
            defaults["interval"], _ = IntervalSchedule.objects.using(db).get_or_create(**schedule)
        else:
            fields = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", **schedule}
            defaults["crontab"], _ = CrontabSchedule.objects.using(db).get_or_create(
                timezone="Europe/London", **fields
            )
        PeriodicTask.objects.using(db).update_or_create(name=name, defaults=defaults)


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(schema_editor.connection.alias).filter(
        name__in=[name for name, *_ in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
