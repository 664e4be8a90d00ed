"""The Hub lead's outreach campaign pages: the list, a new campaign, its page, starting it, and
pausing, resuming or stopping it once it has started.

Every view is a `hub_staff_page` for Hub leads: anonymous people are sent to sign in, other
staff get 403, and MFA is enforced before that by middleware. Views are thin: the form validates,
`wellbeing.services.campaigns` changes state and reads. The pages show counts, never who was emailed.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import create_once
from wellbeing.forms.campaigns import CampaignForm
from wellbeing.models import Campaign, CampaignStatus, SubmissionKey
from wellbeing.services import campaigns
from wellbeing.views.access import hub_staff_page

PAGE_SIZE = 25
STOPPABLE = (CampaignStatus.SENDING, CampaignStatus.PAUSED)


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(campaigns.campaigns_for_hub_lead(), pk=pk)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns.mark_finished_campaigns_sent()
    page = Paginator(campaigns.campaigns_for_hub_lead(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "wellbeing/campaigns/list.html", {"page": page})


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        campaign = create_once(
            SubmissionKey,
            form.one_time_key,
            Campaign,
            lambda: campaigns.do_create_campaign(
                name=form.cleaned_data["name"],
                acting_user=signed_in_user(request),
                **form.audience_fields(),
            ),
        )
        messages.success(request, "Campaign saved. Check who it reaches, then start sending.")
        return redirect("wellbeing:campaign", pk=campaign.pk)
    return render(request, "wellbeing/campaigns/form.html", {"form": form, "campaign": None})


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if campaign.status != CampaignStatus.DRAFT:
        messages.info(request, "This campaign has started, so it can no longer be changed.")
        return redirect("wellbeing:campaign", pk=campaign.pk)
    form = CampaignForm(
        _posted(request), initial=CampaignForm.initial_for(campaign), submit_label="Save changes"
    )
    if request.method == "POST" and form.is_valid():
        if campaigns.do_change_campaign(
            campaign=campaign, name=form.cleaned_data["name"], **form.audience_fields()
        ):
            messages.success(request, "Campaign changed.")
        else:
            messages.info(request, "This campaign has started, so it was not changed.")
        return redirect("wellbeing:campaign", pk=campaign.pk)
    return render(request, "wellbeing/campaigns/form.html", {"form": form, "campaign": campaign})


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaigns.mark_finished_campaigns_sent()
    campaign = _campaign(pk)
    is_draft = campaign.status == CampaignStatus.DRAFT
    context = {
        "campaign": campaign,
        "audience": campaigns.audience_labels(campaign),
        "reach": campaigns.audience_size(campaign) if is_draft else None,
        "summary": None if is_draft else campaigns.campaign_summary(campaign),
        "can_pause": campaign.status == CampaignStatus.SENDING,
        "can_resume": campaign.status == CampaignStatus.PAUSED,
        "can_stop": campaign.status in STOPPABLE,
        "preview": campaigns.invitation_preview(campaign),
        "per_minute": settings.OUTREACH_CAMPAIGN_PER_MINUTE,
    }
    return render(request, "wellbeing/campaigns/detail.html", context)


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_start(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: "This will email N people", to confirm. POST: start sending, once."""
    campaign = _campaign(pk)
    if campaign.status != CampaignStatus.DRAFT:
        messages.info(request, "This campaign has already started.")
        return redirect("wellbeing:campaign", pk=campaign.pk)
    if request.method == "POST":
        try:
            queued = campaigns.do_start_campaign(
                campaign=campaign, acting_user=signed_in_user(request)
            )
        except campaigns.EmptyAudience:
            messages.error(
                request, "No one with an account is in this audience. Change it, then start."
            )
            return redirect("wellbeing:campaign", pk=campaign.pk)
        if queued:
            messages.success(
                request, f"Sending has started: {queued} invitation{'s' if queued != 1 else ''}."
            )
        else:
            messages.info(request, "This campaign has already started.")
        return redirect("wellbeing:campaign", pk=campaign.pk)
    reach = campaigns.audience_size(campaign)
    per_minute = max(settings.OUTREACH_CAMPAIGN_PER_MINUTE, 1)
    context = {
        "campaign": campaign,
        "audience": campaigns.audience_labels(campaign),
        "reach": reach,
        "per_minute": per_minute,
        "minutes": math.ceil(reach / per_minute),
    }
    return render(request, "wellbeing/campaigns/start.html", context)


def _plural(count: int) -> str:
    return f"{count} invitation{'s' if count != 1 else ''}"


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_POST
def campaign_pause(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    try:
        held = campaigns.do_pause_campaign(
            campaign_id=campaign.pk, acting_user=signed_in_user(request)
        )
    except campaigns.CampaignNotRunning:
        messages.info(request, "This campaign is not sending, so there is nothing to pause.")
    else:
        messages.success(
            request, f"Sending is paused: {_plural(held)} will wait until you resume it."
        )
    return redirect("wellbeing:campaign", pk=campaign.pk)


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_POST
def campaign_resume(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    try:
        released = campaigns.do_resume_campaign(
            campaign_id=campaign.pk, acting_user=signed_in_user(request)
        )
    except campaigns.CampaignNotRunning:
        messages.info(request, "This campaign is not paused, so there is nothing to resume.")
    else:
        messages.success(
            request, f"Sending has resumed: {_plural(released)} will go within the next minutes."
        )
    return redirect("wellbeing:campaign", pk=campaign.pk)


@hub_staff_page(Permission.RUN_OUTREACH_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def campaign_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: "This cancels N invitations not yet sent", to confirm. POST: stop, once."""
    campaign = _campaign(pk)
    if campaign.status not in STOPPABLE:
        messages.info(request, "This campaign is not sending, so there is nothing to stop.")
        return redirect("wellbeing:campaign", pk=campaign.pk)
    if request.method == "POST":
        try:
            cancelled = campaigns.do_stop_campaign(
                campaign_id=campaign.pk, acting_user=signed_in_user(request)
            )
        except campaigns.CampaignNotRunning:
            messages.info(request, "This campaign has already stopped.")
        else:
            messages.success(
                request, f"The campaign is stopped: {_plural(cancelled)} will not be sent."
            )
        return redirect("wellbeing:campaign", pk=campaign.pk)
    context = {"campaign": campaign, "waiting": campaigns.waiting_count(campaign)}
    return render(request, "wellbeing/campaigns/stop.html", context)
