"""Questionnaires in my hub: the follow-up check-in (the self-referral's questionnaires again,
on one page) and PHQ-9 and GAD-7 before a booked therapy session; the new scores join the
referral's history.

Thin: wellbeing.services.follow_up finds the due check-in (audited) and saves it; the questionnaire forms
are the self-referral's own (wellbeing.forms.self_referral.QuestionnaireForm).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from portal.signed_in import signed_in_user
from portal.templatetags.nhsuk import SummaryItem, error_summary_items
from wellbeing.forms.self_referral import QuestionnaireForm
from wellbeing.instruments import INSTRUMENTS
from wellbeing.services import follow_up, session_measures
from wellbeing.views.access import recently_authenticated


def _questionnaires(codes: list[str], data: object = None) -> list[QuestionnaireForm]:
    # A prefix per instrument keeps each questionnaire's "item_1" apart on the one page.
    forms = [QuestionnaireForm(INSTRUMENTS[code], data, prefix=code.lower()) for code in codes]
    for form in forms:
        form.helper.disable_csrf = True  # one token, in the page's own <form>
    return forms


def _summary(forms: list[QuestionnaireForm]) -> list[SummaryItem]:
    """One error summary for every questionnaire, each message naming its questionnaire."""
    return [
        SummaryItem(f"{form.instrument.purpose}: {item.message}", item.href)
        for form in forms
        for item in error_summary_items(form)
    ]


@dataclass(frozen=True)
class Answering:
    """One page of questionnaires in my hub (a check-in, the questions before a session): the
    shape both share, GET to show, POST to save once, then a page that thanks them (with crisis
    contacts at once after a risk answer)."""

    codes_to_check: Callable[[], list[str]]  # what a post must answer (no audited read)
    opened: Callable[[], Any]  # the audited read of what is being answered
    codes_of: Callable[[Any], list[str]]  # what the page asks, from what was opened
    complete: Callable[[dict[str, list[int]]], Any]  # save, once; raises `already_done`
    already_done: type[Exception]
    already_done_message: str
    template: str
    done_template: str
    context_name: str  # what the page's template calls the opened thing
    done_name: str  # what the thank-you template calls what saving returned


def _answering(request: HttpRequest, answering: Answering) -> HttpResponse:
    if request.method == "POST":
        questionnaires = _questionnaires(answering.codes_to_check(), request.POST)
        valid = [form.is_valid() for form in questionnaires]  # every form, for every message
        if all(valid):
            answers = {form.instrument.code: form.item_answers() for form in questionnaires}
            try:
                done = answering.complete(cast(dict[str, list[int]], answers))
            except answering.already_done:
                messages.info(request, answering.already_done_message)
                return redirect("wellbeing:my_hub")
            return render(
                request,
                answering.done_template,
                {
                    answering.done_name: done,
                    "local_crisis_line": settings.HUB_LOCAL_CRISIS_LINE,
                },
            )
        opened = answering.opened()
    else:
        opened = answering.opened()
        questionnaires = _questionnaires(answering.codes_of(opened))
    summary = _summary(questionnaires)
    return render(
        request,
        answering.template,
        {
            answering.context_name: opened,
            "questionnaires": questionnaires,
            "summary_items": summary,
            # base.html puts "Error:" in the title when `form` has errors.
            "form": next((form for form in questionnaires if form.errors), None),
            "local_crisis_line": settings.HUB_LOCAL_CRISIS_LINE,
        },
        status=400 if summary else 200,
    )


@never_cache
@login_required
@recently_authenticated
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    user = signed_in_user(request)
    return _answering(
        request,
        Answering(
            codes_to_check=lambda: follow_up.questionnaires_due(user, follow_up_id),
            opened=lambda: follow_up.check_in_for(user, follow_up_id),
            codes_of=follow_up.questionnaires_for,
            complete=lambda answers: follow_up.do_complete_check_in(
                user=user, follow_up_id=follow_up_id, answers=answers
            ),
            already_done=follow_up.CheckInDone,
            already_done_message="You have already answered this check-in. Thank you.",
            template="wellbeing/my_hub/check_in.html",
            done_template="wellbeing/my_hub/check_in_done.html",
            context_name="check_in",
            done_name="check_in",
        ),
    )


@never_cache
@login_required
@recently_authenticated
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def before_session(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """PHQ-9 and GAD-7 before a booked therapy session (ADR 0039): the same questions the
    session asks, answered in my hub, once."""
    user = signed_in_user(request)
    return _answering(
        request,
        Answering(
            codes_to_check=lambda: list(session_measures.SESSION_CODES),
            opened=lambda: session_measures.pre_session_for(user, appointment_id),
            codes_of=lambda _appointment: list(session_measures.SESSION_CODES),
            complete=lambda answers: session_measures.do_complete_pre_session(
                user=user, appointment_id=appointment_id, answers=answers
            ),
            already_done=session_measures.PreSessionDone,
            already_done_message=(
                "These questions are answered already, or the session has started. Thank you."
            ),
            template="wellbeing/my_hub/before_session.html",
            done_template="wellbeing/my_hub/before_session_done.html",
            context_name="appointment",
            done_name="done",
        ),
    )
