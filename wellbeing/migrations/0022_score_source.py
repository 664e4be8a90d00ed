"""Say where each questionnaire was completed, so outcomes pair the first with the latest.

Until now a referral's scores were told apart only by time: the self-referral's are taken when
the referral is made, every later one at a follow-up check-in. Rows already here are marked that
way; therapy sessions add their own from now on (issue 14).
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def mark_check_ins(apps, schema_editor):
    Referral = apps.get_model("wellbeing", "Referral")
    ScreeningResult = apps.get_model("wellbeing", "ScreeningResult")
    alias = schema_editor.connection.alias
    made = Referral.objects.using(alias).filter(pk=OuterRef("referral_id")).values("created_at")
    ScreeningResult.objects.using(alias).filter(taken_at__gt=Subquery(made)).update(
        source="check_in"
    )


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0021_urgent_since")]

    operations = [
        migrations.AddField(
            model_name="screeningresult",
            name="source",
            field=models.CharField(
                choices=[
                    ("self_referral", "Self-referral"),
                    ("check_in", "Follow-up check-in"),
                    ("session", "Therapy session"),
                ],
                default="self_referral",
                max_length=16,
            ),
        ),
        migrations.RunPython(mark_check_ins, migrations.RunPython.noop),
    ]
