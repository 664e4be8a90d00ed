"""The logs hold no name, email address, phone number or free text, whatever the journey.

Every journey that takes something personal runs here in-process through the Django test client
with distinctive values: sign-up, the staff profile, a catalogue search, a learning record with
a reflection, a comment, a self-referral, a reply in my hub; a clinician's contact note,
rapid assessment and message; a team lead's request for team support; and the worker's sending
of the emails these cause. Every logger is at DEBUG, except SQL: `django.db.backends` stays at
INFO, the level production runs it at (settings.LOGGING pins "django" to INFO), because at
DEBUG it logs each statement with its parameters, and a search term is a parameter.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from unittest import mock

import pytest
from celery.app.task import Task
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.outbox.tasks import deliver_messages
from tests.factories import UserFactory
from tests.learning.factories import ResourceFactory
from tests.portal.json_logs import json_log
from tests.submission_keys import FormClient
from tests.wellbeing.clinical_helpers import a_hub_member
from tests.wellbeing.referral_steps import CONTACT, PAGES, answer_every_page, send
from wellbeing.models import HubMessage, Referral, TeamRequest

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

PASSWORD = "a-long-new-password-for-logs-2026"
SECRETS = {
    "sign_up_email": "zq.lighthouse7731@nhs.net",
    "display_name": "Zebedee Quillfeather-Marchbanks",
    "job_title": "Lamplighter of the Quayside",
    "search": "peppermintlighthouse",
    "reflection": "I learnt about the flooded theatre at Carnforth",
    "comment": "Brilliant for Kestrel Nine mornings",
    "referral_email": "zebedee.q.marchbanks@nhs.net",
    "phone": "07700 913 557",
    "best_times": "After the Arnside ferry docks",
    "team": "Osprey Ward Twelve",
    "whats_happening": "I keep dreaming of the blue lighthouse and the heron",
    "hoped_for_help": "Someone who understands peppermint mornings",
    "reply": "Thursdays suit me, after the Grange tide",
    "contact_note": "Left word with the Morecambe switchboard",
    "assessment_notes": "Sleep broken by the Silverdale night shifts",
    "safety_plan": "Call the Heysham crisis friend first",
    "formulation": "Cumulative strain from the Lindale rota",
    "hub_message": "Shall we talk about the heron dreams on Tuesday",
    "team_topic": "Coping after the Ulverston viaduct incident",
    "prompted_by": "The Cartmel sands rescue shook the whole team",
    "preferred_dates": "Wednesdays after the Flookburgh clinic",
}
# The phone number without its spaces too, as a form might normalise it.
NEEDLES = [*SECRETS.values(), SECRETS["phone"].replace(" ", "")]

# Attributes every LogRecord has; anything else on a record is an extra someone passed.
STANDARD = set(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", (), None))) | {
    "message",
    "asctime",
    "request_id",  # added by portal.logging.RequestIdFilter: an id, checked below
}


# Loggers of the test's own tools, not the portal's.
TEST_TOOLS = ("factory", "faker")


def present(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle.lower() in lowered]


@pytest.fixture(autouse=True)
def _postgresql():
    for alias in ("default", "confidential"):
        vendor = connections[alias].vendor
        assert vendor == "postgresql", f"these tests need PostgreSQL; {alias} is {vendor}"


@pytest.fixture
def every_logger_at_debug_but_sql(caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    # Production's level for SQL: statements and their parameters are never logged.
    caplog.set_level(logging.INFO, logger="django.db.backends")
    return caplog


# --- The journeys -------------------------------------------------------------------------------


def ok(response: Any) -> Any:
    assert response.status_code in (200, 302), (response.status_code, response.content[:500])
    return response


def sign_up_and_fill_in_the_profile(client: Client, mailoutbox: list[Any]) -> None:
    email = SECRETS["sign_up_email"]
    ok(
        client.post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        )
    )
    (link,) = re.findall(r"/accounts/confirm-email/[^/\s]+/", mailoutbox[-1].body)
    ok(client.post(link))
    ok(
        client.post(
            reverse("profile"),
            {
                "display_name": SECRETS["display_name"],
                "job_title": SECRETS["job_title"],
                "staff_group": "additional_clinical_services",
                "organisation": "Test Hospital NHS Foundation Trust",
                "site": "",
                "is_clinical": "True",
                "cares_for_both": "regularly",
            },
        )
    )
    # A fresh sign-in with the password, as my hub asks for a recent one.
    client.logout()
    ok(client.post(reverse("account_login"), {"login": email, "password": PASSWORD}))


def search_record_and_comment(client: Client) -> None:
    resource = ResourceFactory(title="Sleep after night shifts")
    ok(client.get(reverse("learning:catalogue"), {"q": SECRETS["search"]}))
    # A page that is not there, with the search in its query string: Django logs the 404.
    assert client.get("/learning/nowhere/", {"q": SECRETS["search"]}).status_code == 404
    today = timezone.localdate()
    ok(
        client.post(
            reverse("learning:complete", kwargs={"slug": resource.slug}),
            {
                "completed_on_day": str(today.day),
                "completed_on_month": str(today.month),
                "completed_on_year": str(today.year),
                "hours": "1.5",
                "reflection": SECRETS["reflection"],
            },
        )
    )
    comment_url = reverse("learning:comment", kwargs={"slug": resource.slug})
    # A comment with no rating is refused (and logged as a 400), then sent properly.
    assert client.post(comment_url, {"comment-body": SECRETS["comment"]}).status_code == 400
    ok(client.post(comment_url, {"comment-rating": "5", "comment-body": SECRETS["comment"]}))


def refer_myself(client: Client) -> Referral:
    ok(client.get(reverse("wellbeing:refer_start")))
    contact = {
        **CONTACT,
        "name": SECRETS["display_name"],
        "email": SECRETS["referral_email"],
        "phone": SECRETS["phone"],
        "best_times": SECRETS["best_times"],
    }
    answer_every_page(
        client,
        contact=contact,
        work={**PAGES["work"], "team": SECRETS["team"]},
        about={k: SECRETS[k] for k in ("whats_happening", "hoped_for_help")},
    )
    ok(send(client))
    ok(client.get(reverse("wellbeing:refer_sent")))
    return Referral.objects.using("confidential").get()


def clinician_works_on(referral: Referral) -> None:
    clinician = FormClient()
    clinician.force_login(a_hub_member())
    resource = ResourceFactory(title="Sleep after shifts")
    # The referral was sent a moment ago: the attempt is now, not before it arrived.
    just_now = timezone.localtime()
    ok(clinician.get(reverse("wellbeing:referral", args=[referral.pk])))
    ok(
        clinician.post(
            reverse("wellbeing:referral_contact", args=[referral.pk]),
            {
                "on_day": str(just_now.day),
                "on_month": str(just_now.month),
                "on_year": str(just_now.year),
                "time": f"{just_now:%H:%M}",
                "method": "phone",
                "outcome": "reached",
                "note": SECRETS["contact_note"],
            },
        )
    )
    ok(
        clinician.post(
            reverse("wellbeing:referral_assess", args=[referral.pk]),
            {
                "notes": SECRETS["assessment_notes"],
                "risk_level": "moderate",
                "safety_plan": SECRETS["safety_plan"],
                "formulation": SECRETS["formulation"],
                "outcome": "self_help",
                "resources": [str(resource.pk)],
            },
        )
    )
    ok(
        clinician.post(
            reverse("wellbeing:referral_message", args=[referral.pk]),
            {"body": SECRETS["hub_message"]},
        )
    )
    # Someone without the role tries a hub page: Django logs the 403.
    assert (
        client_for(UserFactory(with_profile=True))
        .get(reverse("wellbeing:referral", args=[referral.pk]))
        .status_code
        == 403
    )


def client_for(user: Any) -> Client:
    client = FormClient()
    client.force_login(user)
    return client


def reply_in_my_hub(client: Client, referral: Referral) -> None:
    page = reverse("wellbeing:my_hub_messages", args=[referral.pk])
    ok(client.get(page))
    ok(client.post(page, {"body": SECRETS["reply"]}))


def ask_for_team_support() -> None:
    team_lead = client_for(UserFactory(with_profile=True, roles=[roles.TEAM_LEAD], with_totp=True))
    ok(
        team_lead.post(
            reverse("wellbeing:team_request_new"),
            {
                "team": SECRETS["team"],
                "organisation": "Test Hospital NHS Foundation Trust",
                "team_size": "14",
                "support_type": "peer_support",
                "topic": SECRETS["team_topic"],
                "preferred_dates": SECRETS["preferred_dates"],
                "prompted_by": SECRETS["prompted_by"],
            },
        )
    )


@pytest.fixture
def journeys(
    client,
    settings,
    mailoutbox,
    every_logger_at_debug_but_sql,
    django_capture_on_commit_callbacks,
):
    """Every journey, logged at DEBUG; what the logs and the production handler received."""
    settings.HUB_DUTY_EMAIL = "duty@hub.example.nhs.uk"
    caplog = every_logger_at_debug_but_sql
    handed_to_celery: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def capture(task, args=None, kwargs=None, **options):
        handed_to_celery.append((tuple(args or ()), dict(kwargs or {})))

    with (
        json_log() as web_log,
        mock.patch.object(Task, "apply_async", autospec=True, side_effect=capture),
        django_capture_on_commit_callbacks(using="default", execute=True),
        django_capture_on_commit_callbacks(using="confidential", execute=True),
    ):
        sign_up_and_fill_in_the_profile(client, mailoutbox)
        search_record_and_comment(client)
        referral = refer_myself(client)
        clinician_works_on(referral)
        reply_in_my_hub(client, referral)
        ask_for_team_support()
    # The worker's side: send what was handed over, as a worker would.
    with json_log() as worker_log:
        for args, kwargs in handed_to_celery:
            deliver_messages(*args, **kwargs)
    return {
        "records": caplog.get_records("setup"),
        "web": web_log,
        "worker": worker_log,
        "mail": mailoutbox,
    }


# --- The tests ----------------------------------------------------------------------------------


def test_the_journeys_happened_and_were_logged(journeys):
    referral = Referral.objects.using("confidential").get()
    assert (referral.name, referral.phone) == (SECRETS["display_name"], SECRETS["phone"])
    assert referral.assessments.get().safety_plan == SECRETS["safety_plan"]
    bodies = set(HubMessage.objects.using("confidential").values_list("body", flat=True))
    assert bodies == {SECRETS["hub_message"], SECRETS["reply"]}
    assert TeamRequest.objects.using("confidential").get().prompted_by == SECRETS["prompted_by"]
    assert len(journeys["mail"]) >= 3  # verification, referral received, new message
    # The logs were not empty: Django's request log wrote the refusals, with paths.
    logged = {(r.name, r.getMessage()) for r in journeys["records"]}
    assert ("django.request", "Not Found: /learning/nowhere/") in logged
    assert any(name == "django.request" and "Bad Request" in msg for name, msg in logged)


def test_no_log_record_holds_a_name_email_phone_or_free_text(journeys):
    records = journeys["records"]
    assert records
    found: dict[str, list[str]] = {}
    for record in records:
        extras = {k: v for k, v in vars(record).items() if k not in STANDARD}
        # Django hands its logger the request object; no formatter of ours writes it (see
        # tests/portal/test_request_id.py), and it holds the query string.
        extras.pop("request", None)
        text = f"{record.getMessage()} {record.args!r} {extras!r}"
        if present(text):
            found.setdefault(record.name, []).extend(present(text))
    assert found == {}


def test_every_production_log_line_is_json_with_a_request_id_and_holds_no_personal_data(
    journeys,
):
    web, worker = journeys["web"], journeys["worker"]
    lines = web.lines()
    assert lines
    # Every line the portal wrote carries its request's id. (factory_boy and Faker log the
    # test's own set-up, between requests.)
    portal_lines = [line for line in lines if not line["logger"].startswith(TEST_TOOLS)]
    assert portal_lines
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(line["request_id"])) for line in portal_lines)
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)
    worker.lines()  # JSON too, if the worker logged anything
    assert present(web.text) == []
    assert present(worker.text) == []
