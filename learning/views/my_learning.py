"""Staff pages of my learning: saving, starting and completing a resource, the list of my
learning with CPD hours per year, and its CSV and printable exports for appraisal.

Views are thin: forms (``learning.forms.my_learning``) validate, ``learning.services`` changes
state, ``learning.queries`` reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learning.forms.my_learning import CompletionForm
from learning.models import LearningStatus
from learning.queries.certificates import certificates_of, level_completions
from learning.queries.my_learning import learning_record_csv_rows, my_learning_for
from learning.queries.resource_page import learning_record_for, published_resource
from learning.queries.self_assessment import confidence_then_and_now, statements_developed_by
from learning.services.my_learning import (
    do_complete_resource,
    do_save_resource,
    do_start_resource,
)
from portal.queries import staff_profile_for
from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.spreadsheets import csv_download


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_POST
def save_resource(request: HttpRequest, slug: str) -> HttpResponse:
    """Save a resource to my learning. Saving twice keeps one record."""
    found = published_resource(slug)
    do_save_resource(user=signed_in_user(request), resource=found)
    messages.success(request, f"{found.title} is in your learning.")
    return redirect(found)


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_POST
def start_resource(request: HttpRequest, slug: str) -> HttpResponse:
    """Move a resource to "in progress"."""
    found = published_resource(slug)
    do_start_resource(user=signed_in_user(request), resource=found)
    messages.success(request, f"{found.title} is marked as in progress.")
    if request.POST.get("next") == "my_learning":
        return redirect("learning:my_learning")
    return redirect(found)


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def complete_resource(request: HttpRequest, slug: str) -> HttpResponse:
    """ "I've completed this": the date, CPD hours and a reflection. POST, then redirect."""
    found = published_resource(slug)
    user = signed_in_user(request)
    if request.method == "POST":
        form = CompletionForm(request.POST)
        if form.is_valid():
            do_complete_resource(
                user=user,
                resource=found,
                completed_on=form.cleaned_data["completed_on"],
                hours=form.cleaned_data["hours"],
                reflection=form.cleaned_data["reflection"],
            )
            messages.success(request, f"{found.title} is recorded as completed.")
            if statements_developed_by(found.pk):
                return redirect("learning:completed", slug=found.slug)
            return redirect("learning:my_learning")
    else:
        record = learning_record_for(user, found)
        if record is not None and record.status == LearningStatus.COMPLETED:
            initial = {
                "completed_on": record.completed_on,
                "hours": record.hours,
                "reflection": record.reflection,
            }
        else:
            initial = {"completed_on": timezone.localdate(), "hours": found.cpd_hours}
        form = CompletionForm(initial=initial)
    return render(request, "learning/complete.html", {"form": form, "resource": found})


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    """Saved, in progress and completed learning, and CPD hours per financial year."""
    user = signed_in_user(request)
    return render(
        request,
        "learning/my_learning.html",
        {
            "learning": my_learning_for(user),
            "confidence": confidence_then_and_now(user),
            "certificates": certificates_of(user),
            "level_completions": level_completions(user).values(),
        },
    )


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def my_learning_csv(request: HttpRequest) -> HttpResponse:
    """My learning record as a CSV file, safe to open in a spreadsheet."""
    filename = f"my-learning-{timezone.localdate().isoformat()}.csv"
    return csv_download(filename, learning_record_csv_rows(signed_in_user(request)))


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def my_learning_print(request: HttpRequest) -> HttpResponse:
    """A printable record of completed learning, for appraisal and revalidation."""
    user = signed_in_user(request)
    context = {
        "learning": my_learning_for(user),
        "profile": staff_profile_for(user),
        "today": timezone.localdate(),
    }
    return render(request, "learning/my_learning_print.html", context)
