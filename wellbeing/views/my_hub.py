"""Views of 'my hub', a member of staff's own view of their referrals.

Thin: wellbeing.queries.my_hub reads (audited); services.messaging and services.referrals
change. Every page needs a recent sign-in (`recently_authenticated`), is never cached, and finds
only the user's own referrals.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.signed_in import signed_in_user
from portal.submission_keys import submit_once
from wellbeing.forms.appointments import ChangeRequestForm
from wellbeing.forms.my_hub import ReplyForm
from wellbeing.forms.research import ResearchConsentForm
from wellbeing.models import SubmissionKey
from wellbeing.queries import my_hub
from wellbeing.referral_states import NotAllowed
from wellbeing.services import appointments, messaging, referrals, research
from wellbeing.views.access import recently_authenticated


def _crisis_context() -> dict[str, object]:
    return {"local_crisis_line": settings.HUB_LOCAL_CRISIS_LINE}


@never_cache
@login_required
@recently_authenticated
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    referrals = my_hub.overview_for(user)
    return render(
        request,
        "wellbeing/my_hub/overview.html",
        {
            "referrals": referrals,
            "research": my_hub.research_answer_for(user) if referrals else None,
            **_crisis_context(),
        },
    )


@never_cache
@login_required
@recently_authenticated
@require_http_methods(["GET", "POST"])
def messages_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = signed_in_user(request)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        referral = my_hub.my_referral_or_404(user, referral_id)
        if form.is_valid():
            try:
                submit_once(
                    SubmissionKey,
                    form.one_time_key,
                    lambda: messaging.do_reply(
                        referral=referral, acting_user=user, body=form.cleaned_data["body"]
                    ),
                )
            except messaging.ReferralIsClosed:
                messages.info(request, "This referral is closed, so you cannot reply to it.")
            else:
                messages.success(request, "Your message was sent to the Resilience Hub.")
            return redirect("wellbeing:my_hub_messages", referral_id=referral.pk)
    thread = my_hub.thread_for(user, referral_id)
    return render(
        request,
        "wellbeing/my_hub/messages.html",
        {
            "referral": thread.referral,
            "thread": [
                {
                    "message": message,
                    "author": my_hub.message_author(message),
                    "new": message.pk in thread.newly_read,
                }
                for message in thread.messages
            ],
            "can_reply": thread.referral.is_open,
            "form": form,
            **_crisis_context(),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@recently_authenticated
@require_GET
def access(request: HttpRequest, referral_id: int) -> HttpResponse:
    log = my_hub.access_log_for(signed_in_user(request), referral_id, request.GET.get("page"))
    return render(request, "wellbeing/my_hub/access.html", {"log": log})


@never_cache
@login_required
@recently_authenticated
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    data = my_hub.export_for(signed_in_user(request))
    filename = f"my-resilience-hub-data-{timezone.localdate():%Y-%m-%d}.json"
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@never_cache
@login_required
@recently_authenticated
@require_GET
def export_print(request: HttpRequest) -> HttpResponse:
    data = my_hub.export_for(
        signed_in_user(request), reason="Printed a copy of my data from my hub"
    )
    return render(request, "wellbeing/my_hub/print.html", {"data": data})


@never_cache
@login_required
@recently_authenticated
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        referral = my_hub.my_referral_or_404(user, referral_id)
        try:
            referrals.do_withdraw_referral(referral=referral, acting_user=user)
        except referrals.ReferralCannotBeWithdrawn:
            messages.info(request, f"Referral {referral.reference} is already closed or withdrawn.")
        else:
            messages.success(
                request,
                f"You withdrew referral {referral.reference}. The hub will not contact you "
                "about it.",
            )
        return redirect("wellbeing:my_hub")
    referral = my_hub.referral_to_withdraw(user, referral_id)
    if not referral.is_open:
        messages.info(request, f"Referral {referral.reference} is already closed or withdrawn.")
        return redirect("wellbeing:my_hub")
    return render(
        request, "wellbeing/my_hub/withdraw.html", {"referral": referral, **_crisis_context()}
    )


@never_cache
@login_required
@recently_authenticated
@require_http_methods(["GET", "POST"])
def appointment_change(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Ask the hub to cancel or rearrange one of my upcoming appointments."""
    user = signed_in_user(request)
    form = ChangeRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            appointments.do_request_change(
                acting_user=user,
                appointment_id=appointment_id,
                change=form.cleaned_data["change"],
                note=form.cleaned_data["note"],
            )
        except NotAllowed as refusal:
            messages.info(request, str(refusal))
        else:
            messages.success(
                request,
                "Your request was sent to the Resilience Hub. Your clinician will contact you; "
                "until then, the appointment stands.",
            )
        return redirect("wellbeing:my_hub")
    appointment = my_hub.my_appointment_or_404(user, appointment_id)
    return render(
        request,
        "wellbeing/my_hub/appointment_change.html",
        {"appointment": appointment, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@recently_authenticated
@require_http_methods(["GET", "POST"])
def research_consent(request: HttpRequest) -> HttpResponse:
    """Say yes or no again to the research question, for every referral, at any time."""
    user = signed_in_user(request)
    current = my_hub.research_answer_for(user)
    if not current.referrals:
        messages.info(request, "The research question is asked when you refer yourself.")
        return redirect("wellbeing:my_hub")
    initial = {"research_consent": current.answer} if current.answer in ("yes", "no") else {}
    form = ResearchConsentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit_once(
            SubmissionKey,
            form.one_time_key,
            lambda: research.do_change_research_consent(acting_user=user, consent=form.consent),
        )
        messages.success(
            request,
            "Thank you. The hub may use your answers for research, without your name or contact "
            "details."
            if form.consent
            else "You have said no to research. Your answers will be left out of every research "
            "extract made from now on.",
        )
        return redirect("wellbeing:my_hub")
    return render(
        request,
        "wellbeing/my_hub/research.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )
