"""Take the mail server's text out of failed outbox rows, keeping the error's type and code.

The text could quote the refused address beside the message's idempotency key (issue 12, finding
5). Rows keep "SMTPRecipientsRefused 450" from now on; this rewrites the rows already there. The
old text cannot come back, so reversing leaves the rows as they are.
"""

from __future__ import annotations

from django.db import migrations

from portal.outbox.errors import scrubbed


def remove_server_text(apps, schema_editor):
    OutboxMessage = apps.get_model("wellbeing", "OutboxMessage")
    rows = OutboxMessage.objects.using(schema_editor.connection.alias).exclude(last_error="")
    for pk, last_error in rows.values_list("pk", "last_error").iterator():
        kept = scrubbed(last_error)
        if kept != last_error:
            rows.filter(pk=pk).update(last_error=kept)


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0011_keyed_audit_chain")]

    operations = [migrations.RunPython(remove_server_text, migrations.RunPython.noop)]
