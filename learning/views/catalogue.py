"""Staff pages for finding learning: your pathway, the catalogue's search, a resource's page and
commenting on it.

Views are thin: forms (``learning.forms.catalogue``) validate, ``learning.services`` changes
state, ``learning.queries`` reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from learning.competencies import COMPETENCY_LEVELS, STRATEGIC_OBJECTIVES
from learning.forms.catalogue import CatalogueFilterForm, CommentForm
from learning.queries import catalogue_search
from learning.queries.pathway import pathway_for
from learning.queries.resource_page import published_resource, resource_page_for
from learning.services import comments
from portal.models import SubmissionKey
from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import submit_once


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Your pathway: the resources of your recommended levels, and your progress in each."""
    context = {
        "pathway": pathway_for(signed_in_user(request)),
        "levels": COMPETENCY_LEVELS,
        "objectives": STRATEGIC_OBJECTIVES,
    }
    return render(request, "learning/index.html", context)


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
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
    page = resource_page_for(slug, user)
    context = {
        "page": page,
        "resource": page.resource,
        "form": comment_form or CommentForm(),
        "comments_left": comments.comments_left_this_hour(user),
    }
    return render(request, "learning/resource.html", context, status=status)


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def resource(request: HttpRequest, slug: str) -> HttpResponse:
    """A published resource: its details, the user's status, comments and related resources."""
    return _resource_page(request, slug)


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """A rating and comment, held for moderation, at most a few an hour."""
    found = published_resource(slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _resource_page(request, slug, comment_form=form, status=400)
    try:
        submit_once(
            SubmissionKey,
            form.one_time_key,
            lambda: comments.do_post_comment(
                user=signed_in_user(request),
                resource=found,
                rating=form.cleaned_data["rating"],
                body=form.cleaned_data["body"],
            ),
        )
    except comments.CommentLimitReached:
        messages.error(
            request,
            f"You have posted {comments.COMMENTS_PER_HOUR} comments in the last hour, which is "
            "the most we accept. Please try again later.",
        )
        return redirect(f"{found.get_absolute_url()}#comments")
    messages.success(request, "Thank you. Your comment will be published once it has been checked.")
    return redirect(f"{found.get_absolute_url()}#comments")
