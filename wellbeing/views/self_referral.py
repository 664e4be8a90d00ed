"""Self-referral pages: one question page per topic, check your answers, sent.

Thin views: forms validate, wellbeing.services.self_referral saves the encrypted draft and sends it. Every
page is `never_cache` (nothing typed here may sit in a browser or proxy cache) and
`sensitive_post_parameters` (an error report never carries what was typed).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from portal.models import User
from portal.signed_in import signed_in_user
from wellbeing.contact_targets import contact_target_for
from wellbeing.forms.self_referral import (
    RESEARCH_CHOICES,
    YES_NO,
    AboutForm,
    ConsentForm,
    ContactForm,
    EqualityForm,
    HowHeardForm,
    QuestionnaireForm,
    SendForm,
    StepForm,
    TraumaticEventForm,
    WorkForm,
)
from wellbeing.instruments import SCREENING_QUESTIONS, get_instrument
from wellbeing.models import EQUALITY_QUESTIONS, STAFF_GROUP_CHOICES, HowHeard, Sector
from wellbeing.services import referrals, self_referral
from wellbeing.services.self_referral import STEPS, STEPS_BY_SLUG, Step

View = Callable[..., HttpResponse]
# The screening question each screening page asks, by the page's slug.
SCREENING_STEPS_BY_SLUG = {
    step.slug: SCREENING_QUESTIONS[code] for code, step in self_referral.SCREENING_STEPS.items()
}
# How long after sending the "sent" page still shows the referral.
CONFIRMATION_WINDOW = datetime.timedelta(hours=24)

STEP_FORMS: dict[str, type[StepForm]] = {
    "contact": ContactForm,
    "work": WorkForm,
    "about": AboutForm,
    "trauma": TraumaticEventForm,
    "heard": HowHeardForm,
    "equality": EqualityForm,
    "consent": ConsentForm,
}


def hub_page(view: View) -> View:
    """A signed-in, never-cached self-referral page whose posted values stay out of reports."""

    @never_cache
    @login_required
    @sensitive_post_parameters()
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    return wrapped


def _step_url(step: Step, *, changing: bool = False) -> str:
    url = reverse("wellbeing:refer_step", args=[step.slug])
    return f"{url}?change=1" if changing else url


def _crisis_context() -> dict[str, Any]:
    return {"local_crisis_line": settings.HUB_LOCAL_CRISIS_LINE}


@hub_page
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Start or resume a referral: the first page still to answer, or check your answers.

    Someone with a referral still open is told about it first, and offered a message to the hub
    on it instead; "things have changed" (`?again=1`) goes on to a new one.
    """
    user = signed_in_user(request)
    campaign = request.GET.get("campaign")
    if request.GET.get("again") != "1":
        open_referral = self_referral.open_referral_for(user)
        if open_referral is not None:
            again = {"again": "1", **({"campaign": campaign} if campaign else {})}
            return render(
                request,
                "wellbeing/refer/open_referral.html",
                {
                    "referral": open_referral,
                    "messages_url": reverse("wellbeing:my_hub_messages", args=[open_referral.pk]),
                    "again_url": f"{reverse('wellbeing:refer_start')}?{urlencode(again)}",
                    **_crisis_context(),
                },
            )
    draft = (
        self_referral.do_save_draft(user=user, campaign=campaign)
        if campaign
        else self_referral.current_draft(user)
    )
    missing = self_referral.first_incomplete_step(draft.data if draft else {})
    if missing is None:
        return redirect("wellbeing:refer_check")
    return redirect(_step_url(missing))


def _form_for(step: Step, data: Any, stored: Any, user: User) -> StepForm:
    if step.is_questionnaire:
        instrument = get_instrument(step.instrument)
        return QuestionnaireForm(instrument, data, initial=QuestionnaireForm.initial_for(stored))
    form_class = STEP_FORMS[step.slug]
    if form_class is ConsentForm:
        initial: dict[str, Any] = ConsentForm.initial_for(stored)
    elif stored:
        initial = dict(stored)
    elif form_class is ContactForm:
        initial = {"email": user.email}
    else:
        initial = {}
    return form_class(data, initial=initial)


@hub_page
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    """One question page of the referral."""
    this_step = STEPS_BY_SLUG.get(slug)
    if this_step is None:
        raise Http404("No such question page")
    user = signed_in_user(request)
    draft = self_referral.current_draft(user)
    data = draft.data if draft else {}
    changing = request.GET.get("change") == "1"
    if not self_referral.is_step_asked(data, this_step):
        # A questionnaire the person's answers skip (no traumatic event: no PCL-5).
        return redirect(_after(this_step, data, changing=changing))
    form = _form_for(
        this_step,
        request.POST if request.method == "POST" else None,
        self_referral.stored_answers(data, this_step),
        user,
    )
    if request.method == "POST":
        if isinstance(form, QuestionnaireForm):
            had_risk = self_referral.draft_has_risk(data)
            valid = form.is_valid()
            # Kept even when incomplete: a questionnaire left half done keeps what was given.
            draft = self_referral.do_save_draft(
                user=user, step=this_step, answers=form.item_answers()
            )
            if valid:
                if self_referral.draft_has_risk(draft.data) and not had_risk:
                    return redirect(_after(this_step, draft.data, changing=changing, help_now=True))
                return redirect(_after(this_step, draft.data, changing=changing))
        elif form.is_valid():
            draft = self_referral.do_save_draft(user=user, step=this_step, answers=form.answers())
            return redirect(_after(this_step, draft.data, changing=changing))
        data = draft.data if draft else data
    number = self_referral.step_number(this_step, data)
    previous = self_referral.step_before(this_step, data)
    back_url = (
        reverse("wellbeing:refer_check")
        if changing
        else _step_url(previous)
        if previous
        else reverse("wellbeing:index")
    )
    template = (
        "wellbeing/refer/questionnaire.html"
        if this_step.is_questionnaire
        else f"wellbeing/refer/{this_step.slug}.html"
    )
    context = {
        "form": form,
        "step": this_step,
        "step_number": number,
        "step_count": len(self_referral.asked_steps(data)),
        "back_url": back_url,
        "changing": changing,
        "show_crisis": self_referral.draft_has_risk(data),
        **_crisis_context(),
    }
    if isinstance(form, QuestionnaireForm):
        # Counted as the answers so far lead: "3 of 4" on AUDIT-C after no traumatic event.
        questionnaires = [
            s for s in STEPS if s.is_questionnaire and self_referral.is_step_asked(data, s)
        ]
        context["instrument"] = form.instrument
        context["questionnaire_number"] = questionnaires.index(this_step) + 1
        context["questionnaire_count"] = len(questionnaires)
    return render(request, template, context)


def _after(this_step: Step, data: dict[str, Any], *, changing: bool, help_now: bool = False) -> str:
    """Where a page leads: on to the next page, or back to check your answers when changing
    one; through "get help now" first when an answer has just met a risk rule. A change that
    opens a page not yet answered (saying yes to a traumatic event now asks the PCL-5) goes
    there first, still changing."""
    if changing:
        opened = self_referral.first_incomplete_step(data)
        if opened is not None and not help_now:
            return _step_url(opened, changing=True)
    following = None if changing else self_referral.step_after(this_step, data)
    if help_now:
        next_page = following.slug if following else "check"
        return f"{reverse('wellbeing:refer_help_now')}?{urlencode({'next': next_page})}"
    return _step_url(following) if following else reverse("wellbeing:refer_check")


@hub_page
@require_GET
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis contacts, shown the moment an answer meets a risk rule, before anything else."""
    next_slug = request.GET.get("next", "")
    next_step = STEPS_BY_SLUG.get(next_slug)
    continue_url = _step_url(next_step) if next_step else reverse("wellbeing:refer_check")
    return render(
        request,
        "wellbeing/refer/help_now.html",
        {"continue_url": continue_url, **_crisis_context()},
    )


@dataclass(frozen=True)
class SummaryRow:
    key: str
    value: str
    change_url: str
    multiline: bool = False


@dataclass(frozen=True)
class SummarySection:
    title: str
    rows: list[SummaryRow]


def _label(choices: list[tuple[str, str]], value: str, empty: str = "Not given") -> str:
    return dict(choices).get(value, empty) if value else empty


def _summary_sections(data: dict[str, Any]) -> list[SummarySection]:
    """The answers in the draft, grouped as the pages asked them, for check your answers."""
    contact, work, about = data["contact"], data["work"], data["about"]
    equality = data["equality"]

    def change(slug: str) -> str:
        return _step_url(STEPS_BY_SLUG[slug], changing=True)

    questionnaires = []
    for s in STEPS:
        if s.slug in SCREENING_STEPS_BY_SLUG:
            question = SCREENING_STEPS_BY_SLUG[s.slug]
            answer = data.get(s.slug, {}).get(question.field, "")
            questionnaires.append(
                SummaryRow(
                    question.question, _label(list(question.options), answer), change(s.slug)
                )
            )
        elif s.is_questionnaire and self_referral.is_step_asked(data, s):
            instrument = get_instrument(s.instrument)
            questionnaires.append(
                SummaryRow(
                    instrument.purpose,
                    f"All {len(instrument.items)} questions answered",
                    change(s.slug),
                )
            )
        elif s.is_questionnaire:
            # Said as such, never as a score: "not asked" is not "no symptoms".
            questionnaires.append(
                SummaryRow(
                    get_instrument(s.instrument).purpose,
                    SCREENING_QUESTIONS[s.instrument].not_asked,
                    change(self_referral.SCREENING_STEPS[s.instrument].slug),
                )
            )
    return [
        SummarySection(
            "How to contact you",
            [
                SummaryRow("Full name", contact["name"], change("contact")),
                SummaryRow("Phone number", contact["phone"], change("contact")),
                SummaryRow("Email address", contact["email"], change("contact")),
                SummaryRow("Voicemail", _label(YES_NO, contact["voicemail_ok"]), change("contact")),
                SummaryRow(
                    "Best time to contact you",
                    contact.get("best_times") or "Not given",
                    change("contact"),
                    multiline=True,
                ),
            ],
        ),
        SummarySection(
            "Your work",
            [
                SummaryRow("Organisation", work.get("organisation") or "Not given", change("work")),
                SummaryRow(
                    "Kind of organisation",
                    _label(Sector.choices, work.get("sector", "")),
                    change("work"),
                ),
                SummaryRow(
                    "Staff group",
                    _label(STAFF_GROUP_CHOICES, work.get("staff_group", "")),
                    change("work"),
                ),
                SummaryRow("Team or department", work.get("team") or "Not given", change("work")),
            ],
        ),
        SummarySection(
            "What is happening for you",
            [
                SummaryRow(
                    "What is happening",
                    about["whats_happening"],
                    change("about"),
                    multiline=True,
                ),
                SummaryRow(
                    "Help you are hoping for",
                    about.get("hoped_for_help") or "Not given",
                    change("about"),
                    multiline=True,
                ),
            ],
        ),
        SummarySection("Questionnaires", questionnaires),
        SummarySection(
            "How you heard about the hub",
            [
                SummaryRow(
                    "How you heard",
                    _label(HowHeard.choices, data["heard"]["how_heard"]),
                    change("heard"),
                )
            ],
        ),
        SummarySection(
            "Equality monitoring",
            [
                SummaryRow(
                    question.name,
                    _label(question.choices, equality.get(question.key, "")),
                    change("equality"),
                )
                for question in EQUALITY_QUESTIONS
            ],
        ),
        SummarySection(
            "Consent",
            [
                SummaryRow(
                    "Consent",
                    "You understand who can see what you tell the hub, and agree that the hub "
                    "may contact you",
                    change("consent"),
                ),
                SummaryRow(
                    "Research",
                    _label(
                        RESEARCH_CHOICES,
                        data["consent"].get("research_consent", ""),
                        empty="Not answered (your answers will not be used for research)",
                    ),
                    change("consent"),
                ),
            ],
        ),
    ]


@hub_page
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Check your answers, and send the referral."""
    user = signed_in_user(request)
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            key = form.cleaned_data["submission_key"]
            if self_referral.referral_for_submission(user=user, submission_key=key):
                # A refresh or a second click: the referral exists; show it again.
                return redirect("wellbeing:refer_sent")
            draft = self_referral.current_draft(user)
            if draft is not None and draft.submission_key == key:
                try:
                    referrals.do_submit_referral(user=user, draft=draft)
                except referrals.IncompleteReferral as incomplete:
                    return redirect(_step_url(incomplete.step))
                except referrals.DraftGone:
                    return redirect("wellbeing:refer_start")
                return redirect("wellbeing:refer_sent")
        # An old page or a tampered key: show the answers as they stand now.
        return redirect("wellbeing:refer_check")

    draft = self_referral.current_draft(user)
    if draft is None:
        return redirect("wellbeing:refer_start")
    missing = self_referral.first_incomplete_step(draft.data)
    if missing is not None:
        return redirect(_step_url(missing))
    context = {
        "sections": _summary_sections(draft.data),
        "form": SendForm(initial={"submission_key": draft.submission_key}),
        "show_crisis": self_referral.draft_has_risk(draft.data),
        **_crisis_context(),
    }
    return render(request, "wellbeing/refer/check.html", context)


@hub_page
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The confirmation: the reference, what happens next and by when, crisis contacts."""
    referral = self_referral.latest_referral_for(
        signed_in_user(request), within=CONFIRMATION_WINDOW
    )
    if referral is None:
        return redirect("wellbeing:index")
    target = contact_target_for(referral)
    context = {
        "reference": referral.reference,
        "urgent": referral.urgent,
        "contact_by": target.due_on,
        "urgent_hours": target.hours if target.urgent else None,
        **_crisis_context(),
    }
    return render(request, "wellbeing/refer/sent.html", context)
