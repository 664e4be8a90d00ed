"""A stable code for each competency statement, and a starter framework of "I can ..." statements.

The starter statements are written from the Mind & Body L&D strategy's level definitions and tied
to its eight objectives. They are a starting point for the L&D team to replace (`is_starter`),
and the curator pages say so. Each gets its version 1 wording, as a curator's statement does.

Codes are filled in for any statement that exists before the field is required, then the field
becomes required and unique; the starter statements are added last, so that no schema change
follows a data change in this migration (PostgreSQL refuses ALTER TABLE with pending triggers).
"""

from django.db import migrations, models

# (level, text, objective numbers), in each level's order.
STARTER_FRAMEWORK = (
    # Level 1: all staff. Understand the need to address both physical and mental health needs.
    (1, "I can explain how a person's physical health and mental health affect each other", (1, 2)),
    (
        1,
        "I can explain why people with a severe mental illness tend to die younger than others, "
        "and what that means for the care we give",
        (1, 2),
    ),
    (
        1,
        "I can use words that do not stigmatise mental or physical illness, and challenge "
        "stigma when I see it",
        (1,),
    ),
    (
        1,
        "I can notice when someone I work with or for may be struggling with their physical or "
        "mental health, and tell the right person",
        (2,),
    ),
    (
        1,
        "I can find and share information about local support for both physical and mental "
        "health needs",
        (3, 5),
    ),
    (
        1,
        "I can look after my own physical and mental wellbeing at work, and know where to get "
        "support if I need it",
        (3, 6),
    ),
    (
        1,
        "I can value what people with lived experience tell us about their care, and use it in "
        "my work",
        (7,),
    ),
    (1, "I can say what mind and body learning my role needs, and where to find it", (3, 4)),
    # Level 2: clinical staff who sometimes care for people with both needs. Recognise and
    # proactively address them.
    (
        2,
        "I can recognise when a person's physical symptoms may be linked to their mental health",
        (2,),
    ),
    (
        2,
        "I can recognise signs of depression and anxiety in people with long-term physical "
        "conditions",
        (2,),
    ),
    (
        2,
        "I can make sure the physical health of a person with a mental illness is checked as "
        "part of their routine care",
        (2,),
    ),
    (
        2,
        "I can talk with a person about their physical and mental health in the same "
        "conversation, in a way that feels safe for them",
        (1, 2),
    ),
    (
        2,
        "I can refer or signpost a person to the right service for their physical or mental "
        "health needs, and follow it up",
        (2, 3, 5),
    ),
    (
        2,
        "I can support carers and family members with the physical and mental health needs "
        "that caring brings",
        (2,),
    ),
    (
        2,
        "I can recognise when a colleague may be struggling and point them to support, such as "
        "the Resilience Hub",
        (3, 6),
    ),
    (
        2,
        "I can take account of how medicines for physical and mental health conditions may "
        "interact or cause side effects",
        (2,),
    ),
    # Level 3: clinical staff who regularly care for people with both needs. Take the lead in
    # improving care.
    (
        3,
        "I can lead an assessment and care plan that address a person's physical and mental "
        "health together",
        (2,),
    ),
    (
        3,
        "I can manage care where physical and mental health problems interact, working with "
        "other specialists",
        (2, 5),
    ),
    (
        3,
        "I can teach and supervise colleagues to give joined-up care for mind and body",
        (4, 6),
    ),
    (
        3,
        "I can lead an improvement to a service so it better meets people's physical and mental "
        "health needs, and measure the difference it makes",
        (2, 8),
    ),
    (
        3,
        "I can build working links with local partners in health, social care and the "
        "voluntary sector for joined-up care",
        (5,),
    ),
    (
        3,
        "I can involve people with lived experience, and their carers, in designing and "
        "delivering training and services",
        (7,),
    ),
    (
        3,
        "I can champion care for mind and body together in my organisation, and challenge "
        "practice that keeps them apart",
        (1, 4),
    ),
    (
        3,
        "I can find funding, time and support to keep mind and body training going where I work",
        (8,),
    ),
)


def code_for(level, number):
    return f"L{level}-{number:02d}"


def code_existing_statements(apps, schema_editor):
    Competency = apps.get_model("learning", "Competency")
    alias = schema_editor.connection.alias
    numbers = {}
    for competency in Competency.objects.using(alias).order_by("level", "position", "id"):
        numbers[competency.level] = numbers.get(competency.level, 0) + 1
        competency.code = code_for(competency.level, numbers[competency.level])
        competency.save(update_fields=["code"])


def seed_starter_framework(apps, schema_editor):
    Competency = apps.get_model("learning", "Competency")
    CompetencyWording = apps.get_model("learning", "CompetencyWording")
    Objective = apps.get_model("learning", "Objective")
    alias = schema_editor.connection.alias
    objectives = {o.number: o for o in Objective.objects.using(alias).all()}
    taken = set(Competency.objects.using(alias).values_list("code", flat=True))
    counts = {}
    for level, text, numbers in STARTER_FRAMEWORK:
        counts[level] = counts.get(level, 0) + 1
        number = counts[level]
        while code_for(level, number) in taken:
            number += 1
        code = code_for(level, number)
        taken.add(code)
        competency = Competency.objects.using(alias).create(
            level=level,
            code=code,
            text=text,
            version=1,
            position=counts[level] * 10,
            is_starter=True,
        )
        competency.objectives.set([objectives[n] for n in numbers if n in objectives])
        CompetencyWording.objects.using(alias).create(competency=competency, version=1, text=text)


def remove_starter_framework(apps, schema_editor):
    Competency = apps.get_model("learning", "Competency")
    alias = schema_editor.connection.alias
    texts = [text for _level, text, _numbers in STARTER_FRAMEWORK]
    # Only statements still as seeded and never rated: a reworded or rated one is the team's.
    Competency.objects.using(alias).filter(
        is_starter=True, version=1, text__in=texts, ratings__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0004_search_on_both_databases")]

    operations = [
        migrations.AddField(
            model_name="competency",
            name="code",
            field=models.CharField(max_length=8, null=True),
        ),
        migrations.RunPython(code_existing_statements, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="competency",
            name="code",
            field=models.CharField(max_length=8, unique=True),
        ),
        migrations.RunPython(seed_starter_framework, remove_starter_framework),
    ]
