"""The hub's roles leave Django's groups: they are held in the hub's own store (ADR 0023).

Removing the two groups takes the hub roles from anyone who held them through the back office,
which is the safe direction: a hub lead gives them back on the hub's team page, and the first
hub lead is made with `manage.py create_hub_lead`. Names are written out, as in 0002.
"""

from django.db import migrations

HUB_GROUPS = ["Hub clinician", "Hub lead"]


def remove_hub_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=HUB_GROUPS).delete()


def restore_hub_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in HUB_GROUPS:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_encrypt_mfa_secrets")]

    operations = [migrations.RunPython(remove_hub_groups, restore_hub_groups)]
