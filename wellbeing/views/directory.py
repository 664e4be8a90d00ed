"""The service directory's pages: every hub clinician reads it, the hub lead keeps it.

Thin views: `wellbeing.services.directory` reads and changes (with the audit entry), the form validates.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import create_once, made_before
from wellbeing.forms.directory import NAME_TAKEN, ServiceForm
from wellbeing.models import Service, SubmissionKey
from wellbeing.services import directory
from wellbeing.views.access import hub_staff_page

PAGE_SIZE = 20


@hub_staff_page(Permission.WORK_IN_HUB)
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    # Clinicians choose from the services the hub refers to now; the hub lead also sees the
    # inactive ones, to make one active again.
    can_manage = request.user.has_perm(Permission.MANAGE_SERVICE_DIRECTORY)
    services = directory.services_for_directory(include_inactive=can_manage)
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "wellbeing/directory/list.html",
        {"page": page, "can_manage": can_manage, "query": ""},
    )


@hub_staff_page(Permission.MANAGE_SERVICE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST if request.method == "POST" else None)
    # A repeat of this form would be refused as "name taken" by the service it made: answer it
    # as the first post was answered instead.
    repeat = made_before(SubmissionKey, request.POST.get("submission_key"), Service)
    if repeat is not None:
        messages.success(request, f"{repeat.name} has been added to the directory.")
        return redirect("wellbeing:directory")
    if request.method == "POST" and form.is_valid():
        try:
            service = create_once(
                SubmissionKey,
                form.one_time_key,
                Service,
                lambda: directory.do_add_service(
                    acting_user=signed_in_user(request), fields=form.cleaned_data
                ),
            )
        except directory.ServiceNameTaken:
            form.add_error("name", NAME_TAKEN)
        else:
            messages.success(request, f"{service.name} has been added to the directory.")
            return redirect("wellbeing:directory")
    return render(
        request,
        "wellbeing/directory/form.html",
        {"form": form, "service": None},
        status=400 if form.errors else 200,
    )


@hub_staff_page(Permission.MANAGE_SERVICE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    service = directory.service_or_404(service_id)
    saved_name = service.name
    form = ServiceForm(request.POST if request.method == "POST" else None, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            change = directory.do_update_service(
                service=service, acting_user=signed_in_user(request), fields=form.cleaned_data
            )
        except directory.ServiceNameTaken:
            form.add_error("name", NAME_TAKEN)
        else:
            if not change.changed:
                messages.info(request, "Nothing was changed.")
            elif not service.active and "whether it takes referrals" in change.changed:
                messages.success(
                    request,
                    f"{service.name} is now inactive: clinicians can no longer choose it for "
                    "new onward referrals.",
                )
            else:
                messages.success(
                    request, f"Saved. You changed the {directory.plain_words(change.changed)}."
                )
            return redirect("wellbeing:directory")
    return render(
        request,
        "wellbeing/directory/form.html",
        {"form": form, "service": service, "saved_name": saved_name},
        status=400 if form.errors else 200,
    )
