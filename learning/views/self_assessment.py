"""Staff pages of the self-assessment: how confident am I in each competency statement of my
recommended levels, a page per level, saved part-way; and rating one statement again after
learning. Only the person sees their ratings.

Views are thin: ``learning.forms.self_assessment`` validates, ``learning.services.
self_assessment`` saves, ``learning.queries.self_assessment`` reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from learning.forms.certificates import CertificateRequestForm
from learning.forms.self_assessment import SelfAssessmentForm, statement_ids_posted
from learning.models import LearningStatus
from learning.queries.resource_page import learning_record_for, published_resource
from learning.queries.self_assessment import (
    rated_statements,
    retired_among,
    self_assessment_for,
    statement_by_id,
    statements_developed_by,
)
from learning.services.self_assessment import RatingRefused, do_rate_competencies
from portal.models import SubmissionKey, User
from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import submit_once

SAVE_AND_COME_BACK = "later"


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The self-assessment's levels, how much of each is rated, and where to carry on."""
    assessment = self_assessment_for(signed_in_user(request))
    return render(
        request,
        "learning/self_assessment/overview.html",
        {"assessment": assessment, "next_level": assessment.next_level_to_rate()},
    )


def _save(request: HttpRequest, user: User, form: SelfAssessmentForm) -> bool:
    """Save a valid form's answers once; False, with a message on the form, when refused."""
    try:
        submit_once(
            SubmissionKey,
            form.one_time_key,
            lambda: do_rate_competencies(user=user, answers=form.answers()),
        )
    except RatingRefused as refused:
        form.add_error(None, str(refused))
        return False
    offered = {statement.competency.pk for statement in form.statements}
    for statement in retired_among(statement_ids_posted(request.POST) - offered):
        messages.info(
            request,
            f"'{statement.text}' was retired by the learning and development team while you "
            "were answering, so your answer to it was not saved.",
        )
    return True


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def level(request: HttpRequest, number: int) -> HttpResponse:
    """The statements of one recommended level: answer some or all, save, carry on or stop."""
    user = signed_in_user(request)
    assessment = self_assessment_for(user)
    this_level = assessment.level(number)
    if this_level is None:
        raise Http404("Not one of your recommended levels")
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, statements=this_level.statements)
        if form.is_valid() and _save(request, user, form):
            assessment = self_assessment_for(user)
            if request.POST.get("action") == SAVE_AND_COME_BACK or assessment.is_complete:
                return _saved_for_later(request, assessment.remaining)
            upcoming = assessment.next_level_to_rate(after=number)
            if upcoming is None:
                return _saved_for_later(request, 0)
            return redirect("learning:self_assessment_level", number=upcoming.level.number)
    else:
        form = SelfAssessmentForm(statements=this_level.statements)
    return render(
        request,
        "learning/self_assessment/level.html",
        {"assessment": assessment, "this_level": this_level, "form": form},
        status=400 if form.errors else 200,
    )


def _saved_for_later(request: HttpRequest, remaining: int) -> HttpResponse:
    if remaining:
        messages.success(
            request,
            f"Your answers are saved. You have {remaining} statement{'s' if remaining != 1 else ''} "
            "left to rate: come back to them whenever you like.",
        )
        return redirect("learning:self_assessment")
    messages.success(
        request,
        "Your self-assessment is saved. Your pathway now puts first the learning for the "
        "statements you feel least confident about.",
    )
    return redirect("learning:index")


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate one statement again, for instance after learning that develops it."""
    user = signed_in_user(request)
    found = statement_by_id(pk)
    if found is None:
        raise Http404("No such statement")
    if found.is_retired:
        return render(
            request, "learning/self_assessment/retired.html", {"statement": found}, status=410
        )
    statements = rated_statements(user, [found])
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, statements=statements)
        if form.is_valid() and _save(request, user, form):
            messages.success(request, "Your rating is saved.")
            return redirect("learning:my_learning")
    else:
        form = SelfAssessmentForm(statements=statements)
    return render(
        request,
        "learning/self_assessment/statement.html",
        {"statement": statements[0], "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(Permission.USE_LEARNING, raise_exception=True)
@require_http_methods(["GET", "POST"])
def completed(request: HttpRequest, slug: str) -> HttpResponse:
    """A resource's completion page: an invitation to rate again the statements it develops
    ("has this changed how confident you feel?"), and its certificate."""
    found = published_resource(slug)
    user = signed_in_user(request)
    record = learning_record_for(user, found)
    if record is None or record.status != LearningStatus.COMPLETED:
        return redirect("learning:complete", slug=found.slug)
    statements = rated_statements(user, statements_developed_by(found.pk))
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, statements=statements)
        if form.is_valid() and _save(request, user, form):
            messages.success(request, "Your ratings are saved.")
            return redirect("learning:my_learning")
    else:
        form = SelfAssessmentForm(statements=statements)
    return render(
        request,
        "learning/self_assessment/completed.html",
        {
            "resource": found,
            "record": record,
            "form": form,
            "certificate_form": CertificateRequestForm(),
        },
        status=400 if form.errors else 200,
    )
