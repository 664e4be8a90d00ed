"""Who last changed what a resource says, so that someone else publishes it (ADR 0035).

Resources that exist already take it from their history: the last entry that was not a move
through the workflow (those read "Moved from ...").
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def from_history(apps, schema_editor):
    Resource = apps.get_model("learning", "Resource")
    ResourceChange = apps.get_model("learning", "ResourceChange")
    alias = schema_editor.connection.alias
    for resource in Resource.objects.using(alias).filter(content_changed_by__isnull=True):
        change = (
            ResourceChange.objects.using(alias)
            .filter(resource=resource)
            .exclude(summary__startswith="Moved from")
            .order_by("-changed_at", "-id")
            .first()
        )
        if change is not None and change.changed_by_id is not None:
            Resource.objects.using(alias).filter(pk=resource.pk).update(
                content_changed_by_id=change.changed_by_id
            )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0005_starter_framework"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="content_changed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(from_history, migrations.RunPython.noop),
    ]
