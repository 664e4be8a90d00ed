"""Seed the service directory with the services resilience hubs in England most often refer to.

The text is generic on purpose: local details (addresses, local numbers, current waits) are the
hub lead's to add, so no local phone number is invented here. The only number given is NHS
Practitioner Health's national one. A service already in the directory (matched by name) is left
as the hub has it. Reversing removes only seeded services that no onward referral points at.
"""

from django.db import migrations

SEE_LOCAL_WEBSITE = "See your local service's website"

SERVICES = [
    {
        "name": "NHS Talking Therapies",
        "criteria": (
            "Adults registered with a GP in England with common mental health problems such as "
            "depression, generalised anxiety, panic, social anxiety, phobias, obsessive-compulsive "
            "disorder, health anxiety and post-traumatic stress disorder.\n"
            "Not for people who need urgent or specialist care, for example with high risk or "
            "severe and complex needs: consider the community mental health team."
        ),
        "how_to_refer": (
            "People can refer themselves online or by phone to the service where their GP is; the "
            "NHS website lists local services (search for NHS Talking Therapies on www.nhs.uk). "
            "The hub can also refer, with the person's consent, sharing the questionnaire scores."
        ),
        "contact": SEE_LOCAL_WEBSITE,
        "typical_wait": "Varies by area: check the local service's current waiting times",
    },
    {
        "name": "Community mental health team",
        "criteria": (
            "Adults with severe, complex or long-lasting mental health problems who need more than "
            "primary care or NHS Talking Therapies can offer, for example psychosis, bipolar "
            "disorder, severe depression or an eating disorder, or significant risk."
        ),
        "how_to_refer": (
            "Usually a referral from the person's GP or from the hub clinician, with consent, "
            "following the local mental health trust's referral route. If someone needs help the "
            "same day, use the local crisis team or NHS 111, option 2, instead."
        ),
        "contact": "See your local NHS mental health trust's website",
        "typical_wait": "Varies by area; urgent referrals are seen sooner",
    },
    {
        "name": "Occupational health",
        "criteria": (
            "Staff whose health affects their work, or whose work affects their health: advice on "
            "fitness for work, adjustments, a phased return after sickness absence, and support "
            "after an incident at work."
        ),
        "how_to_refer": (
            "A referral by the person's manager, or a self-referral where their employer allows "
            "it. The person should know about and agree to the referral; occupational health "
            "reports to the manager on work, not on clinical detail."
        ),
        "contact": "The person's employer's occupational health service: see its intranet",
        "typical_wait": "Varies by employer",
    },
    {
        "name": "GP",
        "criteria": (
            "Anyone registered with a GP practice: physical health checks, medication, fit notes, "
            "and referral to local services the hub cannot refer to directly."
        ),
        "how_to_refer": (
            "The person books an appointment with their own practice. With their consent, the hub "
            "can write to the GP with a summary of the assessment."
        ),
        "contact": "The person's own GP practice",
        "typical_wait": "Varies by practice",
    },
    {
        "name": "NHS Practitioner Health",
        "criteria": (
            "A free, confidential NHS service for doctors and dentists in England, and for other "
            "healthcare professionals and students it lists on its website, with mental health or "
            "addiction concerns. Check eligibility on the website before suggesting it."
        ),
        "how_to_refer": (
            "People refer themselves, online or by phone; no referral from a GP or the hub is "
            "needed."
        ),
        "contact": "0300 0303 300; https://www.practitionerhealth.nhs.uk",
        "typical_wait": "",
    },
    {
        "name": "Drug and alcohol service",
        "criteria": (
            "Adults worried about their use of alcohol or drugs, including prescribed or "
            "over-the-counter medicines, and people affected by someone else's use."
        ),
        "how_to_refer": (
            "Most local services accept self-referral by phone, online or by dropping in; GPs and "
            "the hub can also refer with consent. Services are usually commissioned by the local "
            "council."
        ),
        "contact": SEE_LOCAL_WEBSITE,
        "typical_wait": "Varies by area",
    },
    {
        "name": "Specialist trauma service",
        "criteria": (
            "Adults with complex or severe trauma-related difficulties, such as complex "
            "post-traumatic stress disorder, that need more than the trauma-focused therapy NHS "
            "Talking Therapies offers."
        ),
        "how_to_refer": (
            "Usually through the community mental health team or the person's GP, following the "
            "local mental health trust's pathway; some services accept referrals from NHS Talking "
            "Therapies or the hub. Check the local route before referring."
        ),
        "contact": "See your local NHS mental health trust's website",
        "typical_wait": "Often several months: check with the local service",
    },
]


def seed(apps, schema_editor):
    Service = apps.get_model("wellbeing", "Service")
    database = schema_editor.connection.alias
    for fields in SERVICES:
        Service.objects.using(database).get_or_create(
            name=fields["name"], defaults={**fields, "active": True}
        )


def unseed(apps, schema_editor):
    Service = apps.get_model("wellbeing", "Service")
    database = schema_editor.connection.alias
    Service.objects.using(database).filter(
        name__in=[fields["name"] for fields in SERVICES], referrals__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0006_clinician_side")]

    operations = [migrations.RunPython(seed, unseed)]
