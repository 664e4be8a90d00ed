"""Create the eight strategic objectives, and full-text search on PostgreSQL.

The objectives are written out here, as the strategy states them, so the migration stays as it
was if the wording in code changes later. Search is a tsvector column kept up to date by a
trigger (title weighted A, summary B, description C) with a GIN index; on SQLite the column
stays empty and search falls back to plain matching.
"""

from django.db import migrations

OBJECTIVES = [
    "Foster positive attitudes towards integrated mental and physical health, combatting stigma",
    "Improve recognition and support for both the mental and physical health needs of patients",
    "Assist staff to access support and resources for working with mind and body",
    "Ensure that mind and body care is addressed at all levels of healthcare education",
    "Engage local partners in improving mind and body training and subsequently care",
    "Allow staff to feel supported, engaged, and valued through their training on mind and body",
    "Advocate for co-produced training, securing a voice for service user perspectives and experience",
    "Establish sustainability of training delivery, accessing funding and support as appropriate",
]

SEARCH_SQL = """
CREATE FUNCTION learning_resource_search_vector_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER learning_resource_search_vector
BEFORE INSERT OR UPDATE OF title, summary, description ON learning_resource
FOR EACH ROW EXECUTE FUNCTION learning_resource_search_vector_update();

CREATE INDEX learning_resource_search_vector_gin ON learning_resource USING gin (search_vector);
"""

REMOVE_SEARCH_SQL = """
DROP INDEX IF EXISTS learning_resource_search_vector_gin;
DROP TRIGGER IF EXISTS learning_resource_search_vector ON learning_resource;
DROP FUNCTION IF EXISTS learning_resource_search_vector_update();
"""


def create_objectives(apps, schema_editor):
    Objective = apps.get_model("learning", "Objective")
    for number, title in enumerate(OBJECTIVES, start=1):
        Objective.objects.using(schema_editor.connection.alias).update_or_create(
            number=number, defaults={"title": title}
        )


def remove_objectives(apps, schema_editor):
    apps.get_model("learning", "Objective").objects.using(schema_editor.connection.alias).delete()


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_SQL)


def remove_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_SEARCH_SQL)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [
        migrations.RunPython(create_objectives, remove_objectives),
        migrations.RunPython(add_search, remove_search),
    ]
