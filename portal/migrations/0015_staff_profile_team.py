"""A member of staff's team, free text and optional, for their team lead's totals."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0014_appointment_reminder_schedule")]

    operations = [
        migrations.AddField(
            model_name="staffprofile",
            name="team",
            field=models.CharField(blank=True, max_length=120),
        )
    ]
