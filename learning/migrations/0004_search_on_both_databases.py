"""One catalogue search on both databases (ADR 0032), and indexes for its bounded pages (ADR 0033).

PostgreSQL: the trigger-maintained tsvector of 0002 gains the resource's topic names (weight B,
beside the summary) and its provider's name (weight D), kept up to date by triggers on the topic
links and on renaming a topic or a provider.

SQLite: an FTS5 table (porter stemmer) with one row per resource (title, summary, description,
topics, provider), kept up to date by triggers on the same tables. The SQL lives in
learning/full_text.py, so a later migration that rebuilds learning_resource on SQLite (which
drops its triggers) can install them again with ``install_search``.
"""

from django.db import migrations, models
from django.db.models import Q

from learning.full_text import install_search, remove_search

# "Newest first" is ``published_at DESC NULLS LAST, id DESC``; SQLite cannot index NULLS LAST
# (nor needs to, at the size `make run` has), so this index is PostgreSQL's only.
NEWEST_INDEX = (
    "CREATE INDEX learning_published_newest ON learning_resource "
    "(published_at DESC NULLS LAST, id DESC) WHERE status = 'published'"
)


def add_newest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NEWEST_INDEX)


def remove_newest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS learning_published_newest")


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_competencies")]

    operations = [
        migrations.RunPython(install_search, remove_search),
        # The pages of the two sorts that need no ranking are read in index order, so a broad
        # search stops after one page rather than sorting every match (ADR 0033).
        migrations.RunPython(add_newest_index, remove_newest_index),
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(
                fields=["duration_minutes", "title", "id"],
                condition=Q(status="published"),
                name="learning_published_shortest",
            ),
        ),
    ]
