"""When a follow-up's second and last reminder went (issue 14), so it goes once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("wellbeing", "0024_session_measures"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="second_reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
