"""Research studies and their extracts (issue 14, ADR 0041).

Every page needs the Research extract permission: a role-only permission (no superuser
shortcut) that the Hub researcher role gives, behind the hub's MFA. A hub lead who makes
extracts is given that role too, on the team page, where the grant is audited. Views are thin:
the form validates, `wellbeing.services.research` defines and extracts, and writes the audit.
"""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import create_once, made_before
from wellbeing.forms.research import StudyForm
from wellbeing.models import DATABASE, MAX_ID, Study, SubmissionKey
from wellbeing.queries import research_extract
from wellbeing.research_formats import (
    data_dictionary_markdown,
    extract_csv,
    fhir_bundle,
)
from wellbeing.services import research
from wellbeing.views.access import hub_staff_page

research_page = hub_staff_page(Permission.USE_RESEARCH_EXTRACT)

# What each download button makes: (audit label, file suffix, content type).
DOWNLOADS = {
    "csv": ("CSV", "extract.csv", "text/csv; charset=utf-8"),
    "fhir": ("FHIR", "questionnaire-responses.json", "application/fhir+json; charset=utf-8"),
    "dictionary": ("data dictionary", "data-dictionary.md", "text/markdown; charset=utf-8"),
}


def _study(study_id: int) -> Study:
    return get_object_or_404(
        Study.objects.using(DATABASE), pk=study_id if 0 < study_id <= MAX_ID else 0
    )


@research_page
@require_GET
def study_list(request: HttpRequest) -> HttpResponse:
    return render(request, "wellbeing/research/list.html", {"studies": research.studies()})


@research_page
@require_http_methods(["GET", "POST"])
def study_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # A repeat of a post that already made its study: its name is now taken by that very
        # study, so answer as the first post was answered rather than refuse the name.
        earlier = made_before(SubmissionKey, request.POST.get("submission_key"), Study)
        if earlier is not None:
            return redirect("wellbeing:research_study", study_id=earlier.pk)
    form = StudyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        study = create_once(
            SubmissionKey,
            form.one_time_key,
            Study,
            lambda: research.do_define_study(
                acting_user=signed_in_user(request), definition=form.definition()
            ),
        )
        messages.success(request, f"Study {study.name} defined.")
        return redirect("wellbeing:research_study", study_id=study.pk)
    return render(
        request,
        "wellbeing/research/new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@research_page
@require_GET
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    study = _study(study_id)
    return render(
        request,
        "wellbeing/research/detail.html",
        {
            "study": study,
            "consented": research_extract.consented_count(study),
            "k": research_extract.K,
            "ladder": research_extract.LADDER_DESCRIPTIONS,
            "downloads": [
                ("csv", "Download the extract (CSV)"),
                ("dictionary", "Download the data dictionary (Markdown)"),
                ("fhir", "Download the questionnaire answers (FHIR JSON)"),
            ],
        },
    )


def _filename(study: Study, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", study.name.lower()).strip("-")[:40] or "study"
    return f"{slug}-{suffix}"


@research_page
@require_POST
def study_download(request: HttpRequest, study_id: int, file_format: str) -> HttpResponse:
    """A POST (it writes the audit log), answered with the file, or back to the study page with
    a message when there is nothing to release."""
    study = _study(study_id)
    if file_format not in DOWNLOADS:
        return redirect("wellbeing:research_study", study_id=study.pk)
    label, suffix, content_type = DOWNLOADS[file_format]
    try:
        extract = research.do_make_extract(
            acting_user=signed_in_user(request), study=study, file_format=label
        )
    except research.ResearchRefused as refusal:
        messages.info(request, str(refusal))
        return redirect("wellbeing:research_study", study_id=study.pk)
    if file_format == "csv":
        body = extract_csv(extract.rows)
    elif file_format == "fhir":
        bundle = fhir_bundle(study.pk, research_extract.questionnaire_answers(extract))
        body = json.dumps(bundle, indent=2, ensure_ascii=False)
    else:
        body = data_dictionary_markdown(
            study_name=study.name,
            approval_reference=study.approval_reference,
            period=extract.period,
            rows=len(extract.rows),
            generalised=extract.generalised,
            dropped=extract.dropped,
            k=research_extract.K,
            ladder=research_extract.LADDER_DESCRIPTIONS,
        )
    return HttpResponse(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{_filename(study, suffix)}"'},
    )
