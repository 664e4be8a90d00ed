"""Emails carry no clinical detail: every email template, rendered as it would be sent, is checked.

The templates are found on disk, not listed, so a new one is checked the day it is added. Each is
rendered from the message its real builder makes where the hub has one, over a referral full of
distinctive details; any other template gets a message whose context is stuffed with the same
details, so a template that printed one would give it away. Nothing distinctive may come out.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from portal import roles
from portal.outbox import registry
from portal.outbox.models import OutboxMessageBase
from portal.outbox.rendering import Email, render
from tests.factories import StaffProfileFactory, UserFactory
from tests.wellbeing.factories import HubMessageFactory, ReferralFactory, ScreeningResultFactory
from wellbeing.models import (
    Appointment,
    FollowUp,
    HubMembership,
    OutboxMessage,
    TeamRequest,
    TeamRequestStatus,
    TeamSession,
    TeamSupportType,
    TherapyPlan,
)
from wellbeing.services import outreach

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
TEMPLATES = sorted(
    str(path.relative_to(EMAILS).with_suffix("")).replace("\\", "/")
    for path in EMAILS.rglob("*.txt")
    if not path.name.startswith("_") and not path.name.endswith(".subject.txt")
)

# Details only a referral, a screening or a team could have given: none may reach an email.
DETAILS = {
    "name": "Zephyrine Quillfeather",
    "display_name": "Oriel Pemberton-Vask",
    "phone": "07700 900417",
    "email": "zephyrine.quill@test.nhs.net",
    "whats_happening": "Nightmares since the night on Heronsgate ward",
    "hoped_for_help": "Somebody called Wilhelmina to talk to",
    "team": "Kestrelmoor Assessment Unit",
    "reference": "RH-ZQ-7731",
    "band": "Cobaltine severity",
    "instrument": "Tessar-11",
    "hub_message": "Casey wonders how your sleep has been since Tuesday",
    "topic": "Grief after the Lanternfield incident",
    "place": "Marigold Seminar Room",
    "facilitator": "Ottoline Brackenbury",
    "answers": "[3, 2, 3, 3, 2, 3, 1, 2, 3]",
}
SCORES = (23, 17)
FORBIDDEN_WORDS = ("PHQ", "GAD", "score", "band", "risk", "suicid", "self-harm")
TODAY = datetime.date(2026, 1, 14)  # a Wednesday, a working day


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def built(settings) -> list[OutboxMessage]:
    """A day in the hub in which every builder in wellbeing.services.outreach has something to say."""
    settings.HUB_DUTY_EMAIL = "duty@hub.test.nhs.net"
    person = UserFactory(email=DETAILS["email"], with_profile=False)
    StaffProfileFactory(user=person, display_name=DETAILS["display_name"])
    UserFactory(with_profile=True, roles=[roles.HUB_LEAD])
    referral = ReferralFactory(
        owner_key=str(person.pk),
        urgent=True,
        name=DETAILS["name"],
        phone=DETAILS["phone"],
        email=DETAILS["email"],
        whats_happening=DETAILS["whats_happening"],
        hoped_for_help=DETAILS["hoped_for_help"],
        team=DETAILS["team"],
        reference=DETAILS["reference"],
        # Urgent, 26 hours before noon today: past its 24 hours, so chased and the duty told.
        created_at=aware(datetime.date(2026, 1, 13)),
    )
    # Urgent, 20 hours before noon today: in the last quarter of its 24 hours.
    ReferralFactory(urgent=True, created_at=aware(datetime.date(2026, 1, 13), 16))
    # Routine: target tomorrow, a "before" nudge; and one past its target.
    ReferralFactory(owner_key=str(person.pk), created_at=aware(datetime.date(2026, 1, 13)))
    ReferralFactory(owner_key=str(person.pk), created_at=aware(datetime.date(2026, 1, 9)))
    for total in SCORES:
        ScreeningResultFactory(
            referral=referral,
            instrument=DETAILS["instrument"],
            answers=[3, 2, 3, 3, 2, 3, 1, 2, 3],
            total=total,
            band=DETAILS["band"],
            risk=True,
        )
    message = HubMessageFactory(referral=referral, body=DETAILS["hub_message"])
    FollowUp.objects.using("confidential").create(referral=referral, label="4 weeks", due_on=TODAY)
    FollowUp.objects.using("confidential").create(
        referral=referral,
        label="3 months",
        due_on=TODAY - datetime.timedelta(days=10),
        invited_at=aware(TODAY - datetime.timedelta(days=9)),
    )
    FollowUp.objects.using("confidential").create(
        referral=referral,
        label="6 months",
        due_on=TODAY - datetime.timedelta(days=16),
        invited_at=aware(TODAY - datetime.timedelta(days=16)),
        reminded_at=aware(TODAY - datetime.timedelta(days=9)),
    )
    request = TeamRequest.objects.using("confidential").create(
        requester_ref="r" * 64,
        requester_key=str(person.pk),
        requester_name=DETAILS["display_name"],
        team=DETAILS["team"],
        organisation="Test Hospital NHS Foundation Trust",
        team_size=12,
        support_type=TeamSupportType.WORKSHOP,
        topic=DETAILS["topic"],
        status=TeamRequestStatus.SCHEDULED,
    )
    TeamSession.objects.using("confidential").create(
        request=request,
        starts_at=aware(TODAY + datetime.timedelta(days=1), 14),
        facilitator=DETAILS["facilitator"],
        place=DETAILS["place"],
    )
    plan = TherapyPlan.objects.using("confidential").create(
        referral=referral, modality="emdr", planned_sessions=8, therapist_ref="c" * 64
    )
    Appointment.objects.using("confidential").create(
        referral=referral,
        plan=plan,
        clinician_ref="c" * 64,
        clinician_name=DETAILS["facilitator"],
        starts_at=aware(TODAY + datetime.timedelta(days=1), 15),
        minutes=50,
        mode="in_person",
        place=DETAILS["place"],
    )
    return [
        *outreach.referral_received(referral),
        *outreach.new_hub_message(message),
        *outreach.assessment_target_nudges(TODAY),
        *outreach.urgent_target_chases(aware(TODAY, 12)),
        *outreach.follow_up_invitations(aware(TODAY, 12)),
        *outreach.follow_up_second_reminders(aware(TODAY, 12)),
        *outreach.team_session_reminders(TODAY),
        *outreach.appointment_reminders(TODAY),
        *outreach.hub_team_changed(
            HubMembership.objects.using("confidential").create(
                user_id=person.pk, role=roles.HUB_CLINICIAN
            ),
            "given",
            None,
        ),
    ]


def stuffed_context() -> dict[str, object]:
    """Every detail under the names a careless template might print."""
    return {
        **DETAILS,
        "total": SCORES[0],
        "score": SCORES[0],
        "scores": list(SCORES),
        "referral": DETAILS["reference"],
        "user": DETAILS["display_name"],
        "recipient": DETAILS["email"],
    }


def generic_message(template: str) -> tuple[registry.Outbox, OutboxMessageBase]:
    """A message for a template no hub builder makes, in the outbox its folder belongs to."""
    outbox = registry.get("wellbeing" if template.startswith("wellbeing/") else "portal")
    people = [c for c in outbox.categories.values() if c.opt_out]
    category = people[0] if people else registry.Category("test", "test emails")
    if category.key not in outbox.categories:
        outbox = registry.Outbox(**{**outbox.__dict__, "categories": {category.key: category}})
    message = outbox.message_model(
        idempotency_key=f"test:{template}",
        category=category.key,
        template=template,
        recipient_ref="1",
        context={"path": "/", **stuffed_context()},
    )
    message.pk = 1  # an unsubscribe link needs an id; the row is never saved
    return outbox, message


@pytest.fixture
def rendered(built):
    """{template: [emails]} for every template, as built and with a stuffed context."""
    by_template: dict[str, list[OutboxMessage]] = {}
    for message in built:
        by_template.setdefault(message.template, []).append(message)
    hub = registry.get("wellbeing")
    emails: dict[str, list[Email]] = {}
    for template in TEMPLATES:
        if template in by_template:
            cases: list[tuple[registry.Outbox, OutboxMessageBase]] = []
            for message in by_template[template]:
                message.pk = 1
                cases.append((hub, message))
                stuffed = OutboxMessage(
                    **{
                        f.attname: getattr(message, f.attname)
                        for f in OutboxMessage._meta.concrete_fields
                    }
                )
                stuffed.context = {**message.context, **stuffed_context()}
                cases.append((hub, stuffed))
        else:
            cases = [generic_message(template)]
        emails[template] = [render(outbox, m, "someone@test.nhs.net") for outbox, m in cases]
    return emails


def leaks(email: Email) -> list[str]:
    text = f"{email.subject}\n{email.body}"
    # Links carry ids and signed tokens, whose characters mean nothing; look at the words.
    words = re.sub(r"https?://\S+", " ", text)
    found = [detail for detail in DETAILS.values() if detail.lower() in text.lower()]
    found += [str(n) for n in SCORES if re.search(rf"\b{n}\b", words)]
    found += [word for word in FORBIDDEN_WORDS if word.lower() in words.lower()]
    return found


def test_email_templates_are_found():
    assert len(TEMPLATES) >= 8
    assert "wellbeing/new_message" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_email_has_a_subject_a_link_and_no_clinical_detail(rendered, template):
    assert rendered[template], template
    for email in rendered[template]:
        assert email.subject.strip(), template
        assert "\n" not in email.subject
        assert settings.PORTAL_URL in email.body, f"{template} has no link to the portal"
        assert leaks(email) == [], f"{template} gives away {leaks(email)}:\n{email.body}"


def test_the_hub_builders_are_all_exercised(built):
    """If a builder stops firing in the scenario above, the check above would quietly weaken."""
    assert {
        "wellbeing/referral_received",
        "wellbeing/urgent_referral",
        "wellbeing/new_message",
        "wellbeing/target_before",
        "wellbeing/target_breach",
        "wellbeing/urgent_target_before",
        "wellbeing/urgent_target_breach",
        "wellbeing/urgent_target_duty",
        "wellbeing/follow_up_invite",
        "wellbeing/follow_up_reminder",
        "wellbeing/follow_up_second_reminder",
        "wellbeing/team_session_reminder",
        "wellbeing/appointment_reminder",
        "wellbeing/hub_team_changed",
    } <= {m.template for m in built}


def test_every_body_template_has_a_subject_template_and_the_other_way_round():
    subjects = {
        str(path.relative_to(EMAILS)).removesuffix(".subject.txt")
        for path in EMAILS.rglob("*.subject.txt")
    }
    assert subjects == set(TEMPLATES)


def test_the_check_itself_catches_a_leak():
    email = Email(
        to="x@test.nhs.net",
        subject="Your PHQ-9",
        body=f"Dear {DETAILS['name']}, you got 23. http://localhost:8000/a23b/\n",
        unsubscribe_url="",
        reference="k",
        template="t",
    )
    assert leaks(email) == [DETAILS["name"], "23", "PHQ"]
