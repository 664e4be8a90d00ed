"""The curator pages: resources through the workflow, review dates, broken links, CSV import and
export, comment moderation, the competency framework, and the uptake and impact reports.

Every view needs a signed-in curator: anonymous people are sent to sign in, other staff get 403.
Views are thin: forms (``learning.forms.curation``) validate, ``learning.services.curation`` and
``learning.services.catalogue_csv`` and ``learning.services.competencies`` change state,
``learning.queries.curation``, ``learning.queries.framework``, ``learning.queries.uptake`` and
``learning.queries.impact`` read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from learning.forms.curation import (
    CatalogueImportForm,
    CompetencyForm,
    NewCompetencyForm,
    NewResourceForm,
    PublishForm,
    RejectCommentForm,
    ResourceForm,
)
from learning.models import Comment, CommentStatus, Competency, Resource, ResourceStatus
from learning.queries import curation as curation_queries
from learning.queries import framework, impact, uptake
from learning.services import catalogue_csv, competencies, curation
from portal.models import SubmissionKey
from portal.rules import Permission
from portal.spreadsheets import csv_download
from portal.submission_keys import create_once

PAGE_SIZE = 25


def _page(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    """One page of a list; a page number that is not a number or out of range shows a real page."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _posted(request: HttpRequest) -> Any:
    """The posted data, or None for a GET: an empty POST is still a submitted form."""
    return request.POST if request.method == "POST" else None


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    counts = curation_queries.counts_by_status()
    counts["content_gaps"] = framework.content_gap_count()
    statuses = [(value, label, counts[value]) for value, label in ResourceStatus.choices]
    return render(request, "learning/curate/index.html", {"counts": counts, "statuses": statuses})


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ResourceStatus.values:
        status = ""
    context = {
        "page": _page(request, curation_queries.resources_for_curators(status or None)),
        "status": status,
        "statuses": ResourceStatus.choices,
        "query": _query_without_page(request),
    }
    return render(request, "learning/curate/resource_list.html", context)


def _save(request: HttpRequest, form: ResourceForm) -> curation.SaveOutcome:
    return curation.do_save_resource(
        resource=form.instance,
        objectives=form.cleaned_data["objectives"],
        topics=form.cleaned_data["topics"],
        provider=form.cleaned_data["provider"],
        new_provider=form.cleaned_data["new_provider"],
        new_topics=form.cleaned_data["new_topics"],
        competencies=form.cleaned_data["competencies"],
        acting_user=request.user,  # type: ignore[arg-type]
    )


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    form = NewResourceForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        resource = create_once(
            SubmissionKey, form.one_time_key, Resource, lambda: _save(request, form).resource
        )
        messages.success(request, f"'{resource.title}' has been added as a draft.")
        return redirect("learning:curate_resource", pk=resource.pk)
    return render(request, "learning/curate/resource_form.html", {"form": form, "resource": None})


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    form = ResourceForm(_posted(request), instance=resource)
    if request.method == "POST" and form.is_valid():
        outcome = _save(request, form)
        if outcome.changed:
            messages.success(
                request, f"Saved. You changed the {curation.plain_list(outcome.changed)}."
            )
        else:
            messages.info(request, "Nothing was changed.")
        return redirect("learning:curate_resource", pk=resource.pk)
    # The heading names the resource as saved, not as half-typed.
    saved_title = Resource.objects.values_list("title", flat=True).get(pk=pk)
    context = {"form": form, "resource": resource, "saved_title": saved_title}
    return render(request, "learning/curate/resource_form.html", context)


def _resource_for_curator(pk: int) -> Resource:
    return get_object_or_404(
        Resource.objects.select_related(
            "provider",
            "status_changed_by__staff_profile",
            "owner__staff_profile",
            "content_changed_by__staff_profile",
        ).prefetch_related("objectives", "topics", "competencies"),
        pk=pk,
    )


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource_for_curator(pk)
    context = {
        "resource": resource,
        "moves": curation.moves_from(resource.status),
        "history": [
            (change, curation_queries.display_name(change.changed_by))
            for change in curation_queries.history_of(resource)
        ],
        "staff_groups": resource.staff_group_labels,
        "status_changed_by": (
            curation_queries.display_name(resource.status_changed_by)
            if resource.status_changed_by_id
            else ""
        ),
        "today": timezone.localdate(),
        "may_publish": curation.may_publish(resource, request.user),  # type: ignore[arg-type]
        "review_overdue": curation.review_overdue(resource),
        "last_changed_by": (
            curation_queries.display_name(resource.content_changed_by)
            if resource.content_changed_by_id
            else ""
        ),
    }
    return render(request, "learning/curate/resource_detail.html", context)


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def resource_preview(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource_for_curator(pk)
    cost = "Free" if resource.is_free else f"£{resource.cost_pence / 100:,.2f}"
    context = {"resource": resource, "staff_groups": resource.staff_group_labels, "cost": cost}
    return render(request, "learning/curate/resource_preview.html", context)


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_POST
def resource_move(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    target = request.POST.get("to", "")
    # The status the curator saw: if it has changed since, the move is refused, not redone.
    seen = request.POST.get("from", resource.status)
    if seen != resource.status:
        messages.error(
            request,
            "Someone else changed this resource's status while you were looking at it. "
            "Check its status and try again.",
        )
        return redirect("learning:curate_resource", pk=pk)
    try:
        curation.do_move_resource(resource=resource, to=target, acting_user=request.user)  # type: ignore[arg-type]
    except curation.ReviewDateNeeded:
        return redirect("learning:curate_resource_publish", pk=pk)
    except curation.CurationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"'{resource.title}' is now {resource.get_status_display().lower()}."
        )
    return redirect("learning:curate_resource", pk=pk)


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def resource_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publishing a resource whose review date has passed: the next review date first."""
    resource = get_object_or_404(Resource, pk=pk)
    if resource.status != ResourceStatus.IN_REVIEW or not curation.review_overdue(resource):
        return redirect("learning:curate_resource", pk=pk)
    form = PublishForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            curation.do_move_resource(
                resource=resource,
                to=ResourceStatus.PUBLISHED,
                acting_user=request.user,  # type: ignore[arg-type]
                review_due=form.cleaned_data["review_due"],
            )
        except curation.CurationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"'{resource.title}' is now published.")
        return redirect("learning:curate_resource", pk=pk)
    context = {"form": form, "resource": resource}
    return render(request, "learning/curate/resource_publish.html", context)


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def review_due(request: HttpRequest) -> HttpResponse:
    context = {
        "page": _page(request, curation_queries.resources_due_for_review()),
        "today": timezone.localdate(),
        "window": curation_queries.REVIEW_WINDOW_DAYS,
        "query": "",
    }
    return render(request, "learning/curate/review_due.html", context)


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def broken_links(request: HttpRequest) -> HttpResponse:
    context = {"page": _page(request, curation_queries.resources_with_broken_links()), "query": ""}
    return render(request, "learning/curate/broken_links.html", context)


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    form = CatalogueImportForm(_posted(request), request.FILES or None)
    row_errors: list[catalogue_csv.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = catalogue_csv.do_import_catalogue(
                data=form.cleaned_data["file"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except catalogue_csv.CatalogueFileError as error:
            form.add_error("file", str(error))
        except catalogue_csv.CatalogueRowErrors as error:
            row_errors = error.errors
            form.add_error(
                "file",
                f"The file has {len(row_errors)} "
                f"{'problem' if len(row_errors) == 1 else 'problems'}. Nothing was imported: "
                "fix them and upload the file again",
            )
        else:
            messages.success(
                request,
                f"Imported the catalogue: {result.created} added as drafts, {result.updated} "
                f"changed, {result.unchanged} unchanged.",
            )
            return redirect("learning:curate_index")
    context = {
        "form": form,
        "row_errors": row_errors[:500],
        "more_errors": max(len(row_errors) - 500, 0),
        "required_columns": catalogue_csv.REQUIRED_COLUMNS,
        "optional_columns": catalogue_csv.OPTIONAL_COLUMNS,
        "max_rows": catalogue_csv.MAX_ROWS,
    }
    return render(request, "learning/curate/import.html", context)


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def catalogue_export(request: HttpRequest) -> HttpResponse:
    return csv_download(
        f"learning-catalogue-{timezone.localdate():%Y-%m-%d}.csv", catalogue_csv.export_rows()
    )


@login_required
@permission_required(Permission.MODERATE_COMMENTS, raise_exception=True)
@require_GET
def comments(request: HttpRequest) -> HttpResponse:
    page = _page(request, curation_queries.comments_awaiting_moderation())
    context = {
        "page": page,
        "items": [(comment, curation_queries.display_name(comment.author)) for comment in page],
        "query": "",
    }
    return render(request, "learning/curate/comments.html", context)


def _pending_comment(pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("resource", "author__staff_profile"), pk=pk
    )


@login_required
@permission_required(Permission.MODERATE_COMMENTS, raise_exception=True)
@require_POST
def comment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _pending_comment(pk)
    try:
        curation.do_publish_comment(comment=comment, acting_user=request.user)  # type: ignore[arg-type]
    except curation.CurationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The comment on '{comment.resource.title}' is published.")
    return redirect("learning:curate_comments")


@never_cache
@login_required
@permission_required(Permission.MODERATE_COMMENTS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def comment_reject(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _pending_comment(pk)
    if comment.status != CommentStatus.PENDING:
        messages.error(request, "This comment has already been moderated.")
        return redirect("learning:curate_comments")
    form = RejectCommentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            curation.do_reject_comment(
                comment=comment,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except curation.CurationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The comment on '{comment.resource.title}' is rejected.")
        return redirect("learning:curate_comments")
    context = {
        "form": form,
        "comment": comment,
        "author_name": curation_queries.display_name(comment.author),
    }
    return render(request, "learning/curate/comment_reject.html", context)


@login_required
@permission_required(Permission.VIEW_LEARNING_UPTAKE, raise_exception=True)
@require_GET
def uptake_report(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/curate/uptake.html", {"tables": uptake.uptake_report()})


@never_cache
@login_required
@permission_required(Permission.VIEW_LEARNING_UPTAKE, raise_exception=True)
@require_GET
def uptake_csv(request: HttpRequest, table: str) -> HttpResponse:
    build = uptake.TABLES.get(table)
    if build is None:
        raise Http404("No such table")
    return csv_download(
        f"learning-uptake-{table}-{timezone.localdate():%Y-%m-%d}.csv",
        uptake.uptake_csv_rows(build(None)),
    )


# The competency framework.


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def competency_list(request: HttpRequest) -> HttpResponse:
    show_retired = request.GET.get("retired") == "1"
    levels = framework.framework_by_level(include_retired=show_retired)
    context = {
        "levels": levels,
        "show_retired": show_retired,
        "gaps": sum(level.gaps for level in levels),
        "starters": sum(
            1 for level in levels for c in level.statements if c.is_starter and not c.is_retired
        ),
    }
    return render(request, "learning/curate/competency_list.html", context)


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def competency_create(request: HttpRequest) -> HttpResponse:
    form = NewCompetencyForm(_posted(request), initial={"level": request.GET.get("level")})
    if request.method == "POST" and form.is_valid():
        try:
            competency = create_once(
                SubmissionKey,
                form.one_time_key,
                Competency,
                lambda: competencies.do_add_competency(
                    level=form.cleaned_data["level"],
                    text=form.cleaned_data["text"],
                    objectives=form.cleaned_data["objectives"],
                    acting_user=request.user,  # type: ignore[arg-type]
                ),
            )
        except competencies.CompetencyError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, f"{competency.code} has been added.")
            return redirect("learning:curate_competency", pk=competency.pk)
    return render(request, "learning/curate/competency_form.html", {"form": form})


def _competency(pk: int) -> Competency:
    try:
        return framework.competency_for_curator(pk)
    except Competency.DoesNotExist:
        raise Http404("No such competency") from None


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_GET
def competency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    competency = _competency(pk)
    context = {
        "competency": competency,
        "history": framework.wording_history(competency),
        "resources": framework.resources_developing(competency).select_related("provider"),
    }
    return render(request, "learning/curate/competency_detail.html", context)


@never_cache
@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def competency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    competency = _competency(pk)
    if competency.is_retired:
        messages.error(request, f"{competency.code} is retired. Bring it back into use first.")
        return redirect("learning:curate_competency", pk=pk)
    form = CompetencyForm(_posted(request), competency=competency)
    if request.method == "POST" and form.is_valid():
        try:
            changed = competencies.do_change_competency(
                competency=competency,
                text=form.cleaned_data["text"],
                objectives=form.cleaned_data["objectives"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except competencies.CompetencyError as error:
            form.add_error("text", str(error))
        else:
            if changed:
                messages.success(
                    request,
                    f"Saved. You changed the {curation.plain_list(changed)} of {competency.code}"
                    + (f", now version {competency.version}." if "wording" in changed else "."),
                )
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("learning:curate_competency", pk=pk)
    context = {"form": form, "competency": competency}
    return render(request, "learning/curate/competency_form.html", context)


@login_required
@permission_required(Permission.CURATE_LEARNING, raise_exception=True)
@require_POST
def competency_retire(request: HttpRequest, pk: int) -> HttpResponse:
    competency = get_object_or_404(Competency, pk=pk)
    restore = request.POST.get("restore") == "1"
    try:
        if restore:
            competencies.do_restore_competency(competency=competency, acting_user=request.user)  # type: ignore[arg-type]
        else:
            competencies.do_retire_competency(competency=competency, acting_user=request.user)  # type: ignore[arg-type]
    except competencies.CompetencyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{competency.code} is back in use."
            if restore
            else f"{competency.code} is retired. Its ratings and history are kept.",
        )
    return redirect("learning:curate_competency", pk=pk)


# The impact report.


@login_required
@permission_required(Permission.VIEW_LEARNING_UPTAKE, raise_exception=True)
@require_GET
def impact_report(request: HttpRequest) -> HttpResponse:
    return render(request, "learning/curate/impact.html", {"report": impact.impact_report()})


@never_cache
@login_required
@permission_required(Permission.VIEW_LEARNING_UPTAKE, raise_exception=True)
@require_GET
def impact_csv(request: HttpRequest, table: str) -> HttpResponse:
    report = impact.impact_report()
    rows = impact.csv_rows(report, table)
    if rows is None:
        raise Http404("No such table")
    return csv_download(f"learning-impact-{table}-{timezone.localdate():%Y-%m-%d}.csv", rows)
