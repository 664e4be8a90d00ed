"""Staff pages of the learning catalogue: the pathway, the catalogue, a resource, my learning.

Views are thin: forms validate, ``learning.services`` changes state, ``learning.queries`` reads.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learning import catalogue_search, queries, services
from learning.competencies import COMPETENCY_LEVELS, STRATEGIC_OBJECTIVES
from learning.forms import CatalogueFilterForm, CommentForm, CompletionForm
from learning.models import LearningStatus
from portal.queries import staff_profile_for
from portal.signed_in import signed_in_user

if TYPE_CHECKING:
    pass


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Your pathway: the resources of your recommended levels, and your progress in each."""
    context = {
        "pathway": queries.pathway_for(signed_in_user(request)),
        "levels": COMPETENCY_LEVELS,
        "objectives": STRATEGIC_OBJECTIVES,
    }
    return render(request, "learning/index.html", context)


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Search and filter every published resource. All state is in the URL."""
    choices = catalogue_search.catalogue_choices()
    form = CatalogueFilterForm(request.GET, choices=choices)
    form.is_valid()
    params = form.params()
    results = catalogue_search.search_catalogue(
        params, user=signed_in_user(request), choices=choices
    )
    context = {
        "form": form,
        "results": results,
        "params": results.params,
        "notices": [*form.notices, *results.notices],
        "sort_choices": catalogue_search.SORT_CHOICES,
        # Only a sort the user chose is sent back with the next search: a default "newest"
        # must not stop a new search from being ranked by relevance.
        "chosen_sort": results.params.sort or catalogue_search.SORT_RELEVANCE,
    }
    return render(request, "learning/catalogue.html", context)


def _resource_page(
    request: HttpRequest, slug: str, comment_form: CommentForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    page = queries.resource_page_for(slug, user)
    context = {
        "page": page,
        "resource": page.resource,
        "form": comment_form or CommentForm(),
        "comments_left": services.comments_left_this_hour(user),
    }
    return render(request, "learning/resource.html", context, status=status)


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_GET
def resource(request: HttpRequest, slug: str) -> HttpResponse:
    """A published resource: its details, the user's status, comments and related resources."""
    return _resource_page(request, slug)


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_POST
def save_resource(request: HttpRequest, slug: str) -> HttpResponse:
    """Save a resource to my learning. Saving twice keeps one record."""
    found = queries.published_resource(slug)
    services.do_save_resource(user=signed_in_user(request), resource=found)
    messages.success(request, f"{found.title} is in your learning.")
    return redirect(found)


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_POST
def start_resource(request: HttpRequest, slug: str) -> HttpResponse:
    """Move a resource to "in progress"."""
    found = queries.published_resource(slug)
    services.do_start_resource(user=signed_in_user(request), resource=found)
    messages.success(request, f"{found.title} is marked as in progress.")
    if request.POST.get("next") == "my_learning":
        return redirect("learning:my_learning")
    return redirect(found)


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_http_methods(["GET", "POST"])
def complete_resource(request: HttpRequest, slug: str) -> HttpResponse:
    """ "I've completed this": the date, CPD hours and a reflection. POST, then redirect."""
    found = queries.published_resource(slug)
    user = signed_in_user(request)
    if request.method == "POST":
        form = CompletionForm(request.POST)
        if form.is_valid():
            services.do_complete_resource(
                user=user,
                resource=found,
                completed_on=form.cleaned_data["completed_on"],
                hours=form.cleaned_data["hours"],
                reflection=form.cleaned_data["reflection"],
            )
            messages.success(request, f"{found.title} is recorded as completed.")
            return redirect("learning:my_learning")
    else:
        record = queries.learning_record_for(user, found)
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
@permission_required("portal.use_learning", raise_exception=True)
@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """A rating and comment, held for moderation, at most a few an hour."""
    found = queries.published_resource(slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _resource_page(request, slug, comment_form=form, status=400)
    try:
        services.do_post_comment(
            user=signed_in_user(request),
            resource=found,
            rating=form.cleaned_data["rating"],
            body=form.cleaned_data["body"],
        )
    except services.CommentLimitReached:
        messages.error(
            request,
            f"You have posted {services.COMMENTS_PER_HOUR} comments in the last hour, which is "
            "the most we accept. Please try again later.",
        )
        return redirect(f"{found.get_absolute_url()}#comments")
    messages.success(request, "Thank you. Your comment will be published once it has been checked.")
    return redirect(f"{found.get_absolute_url()}#comments")


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    """Saved, in progress and completed learning, and CPD hours per financial year."""
    return render(
        request,
        "learning/my_learning.html",
        {"learning": queries.my_learning_for(signed_in_user(request))},
    )


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_GET
def my_learning_csv(request: HttpRequest) -> HttpResponse:
    """My learning record as a CSV file, safe to open in a spreadsheet."""
    filename = f"my-learning-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    # A byte order mark so that Excel reads the file as UTF-8.
    response.write("\ufeff")
    csv.writer(response).writerows(queries.learning_record_csv_rows(signed_in_user(request)))
    return response


@login_required
@permission_required("portal.use_learning", raise_exception=True)
@require_GET
def my_learning_print(request: HttpRequest) -> HttpResponse:
    """A printable record of completed learning, for appraisal and revalidation."""
    user = signed_in_user(request)
    context = {
        "learning": queries.my_learning_for(user),
        "profile": staff_profile_for(user),
        "today": timezone.localdate(),
    }
    return render(request, "learning/my_learning_print.html", context)
