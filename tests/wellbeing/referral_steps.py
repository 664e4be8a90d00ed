"""A self-referral taken page by page through the Django test client, for the referral tests."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from wellbeing.instruments import INSTRUMENTS, is_asked
from wellbeing.models import ReferralDraft

CONTACT = {
    "name": "Alex Example-Person",
    "phone": "07700 900 123",
    "email": "alex.example@test.nhs.net",
    "voicemail_ok": "no",
    "best_times": "Weekday mornings",
}
PAGES: dict[str, dict[str, str]] = {
    "contact": CONTACT,
    "work": {"organisation": "Test Trust", "staff_group": "medical_dental", "team": "Ward 7"},
    "about": {"whats_happening": "I cannot sleep after a hard week.", "hoped_for_help": ""},
    # Yes: the PCL-5 is asked, so a referral answered with these pages has every questionnaire.
    "trauma": {"traumatic_event": "yes"},
    "heard": {"how_heard": "colleague"},
    "equality": {"sex": "prefer_not_to_say", "ethnic_group": ""},
    "consent": {"consent": "on"},
}


def step_url(slug: str) -> str:
    return reverse("wellbeing:refer_step", args=[slug])


def questionnaire(code: str, *, risk: bool = False) -> dict[str, str]:
    answers = {f"item_{item.number}": "0" for item in INSTRUMENTS[code].items}
    if risk and code == "PHQ-9":
        answers["item_9"] = "2"
    return answers


def answer_every_page(client: Client, *, risk: bool = False, **changes: dict[str, str]) -> None:
    """Answer each question page in order, asserting that each one is accepted."""
    pages: dict[str, dict[str, str]] = {**PAGES, **changes}
    for slug in ("contact", "work", "about"):
        response = client.post(step_url(slug), pages[slug])
        assert response.status_code == 302, _errors(response)
    for code in INSTRUMENTS:
        if code == "PCL-5":
            response = client.post(step_url("trauma"), pages["trauma"])
            assert response.status_code == 302, _errors(response)
        if is_asked(code, pages["trauma"]):
            response = client.post(step_url(code.lower()), questionnaire(code, risk=risk))
            assert response.status_code == 302, _errors(response)
    for slug in ("heard", "equality", "consent"):
        response = client.post(step_url(slug), pages[slug])
        assert response.status_code == 302, _errors(response)


def send(client: Client) -> Any:
    draft = ReferralDraft.objects.using("confidential").get()
    return client.post(reverse("wellbeing:refer_check"), {"submission_key": draft.submission_key})


def _errors(response: Any) -> str:
    form = response.context["form"] if response.context else None
    return f"{response.status_code}: {form.errors.as_data() if form else ''}"
