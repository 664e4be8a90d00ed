"""Every URL of the learning catalogue, in the "learning" namespace: the staff pages, then the
curator pages under curate/ (their names start with "curate_")."""

from __future__ import annotations

from django.urls import URLPattern, path

from learning.views import (
    catalogue,
    certificates,
    curation,
    my_learning,
    self_assessment,
    team,
)
from portal.outbox.views import failed_messages_page
from portal.rules import Permission

app_name = "learning"

urlpatterns: list[URLPattern] = [
    # Finding learning.
    path("", catalogue.index, name="index"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("resources/<slug:slug>/", catalogue.resource, name="resource"),
    path("resources/<slug:slug>/comments/", catalogue.post_comment, name="comment"),
    # My learning.
    path("resources/<slug:slug>/save/", my_learning.save_resource, name="save"),
    path("resources/<slug:slug>/start/", my_learning.start_resource, name="start"),
    path("resources/<slug:slug>/complete/", my_learning.complete_resource, name="complete"),
    path("my-learning/", my_learning.my_learning, name="my_learning"),
    path("my-learning/my-learning.csv", my_learning.my_learning_csv, name="my_learning_csv"),
    path("my-learning/print/", my_learning.my_learning_print, name="my_learning_print"),
    path("resources/<slug:slug>/completed/", self_assessment.completed, name="completed"),
    # My self-assessment: how confident I feel in each competency statement (private to me).
    path("self-assessment/", self_assessment.overview, name="self_assessment"),
    path(
        "self-assessment/level-<int:number>/",
        self_assessment.level,
        name="self_assessment_level",
    ),
    path(
        "self-assessment/statements/<int:pk>/",
        self_assessment.statement,
        name="self_assessment_statement",
    ),
    # Certificates of completion, and the public check of one (no sign-in).
    path(
        "resources/<slug:slug>/certificate/",
        certificates.resource_certificate,
        name="resource_certificate",
    ),
    path(
        "certificates/levels/<int:level>/",
        certificates.level_certificate,
        name="level_certificate",
    ),
    path("certificates/<int:pk>/", certificates.certificate, name="certificate"),
    path("certificates/check/", certificates.check, name="certificate_check"),
    # Curating the catalogue.
    path("curate/", curation.index, name="curate_index"),
    path("curate/certificates/", certificates.curate_certificates, name="curate_certificates"),
    path(
        "curate/certificates/<int:pk>/withdraw/",
        certificates.curate_certificate_withdraw,
        name="curate_certificate_withdraw",
    ),
    path("curate/resources/", curation.resource_list, name="curate_resources"),
    path("curate/resources/new/", curation.resource_create, name="curate_resource_create"),
    path("curate/resources/<int:pk>/", curation.resource_detail, name="curate_resource"),
    path("curate/resources/<int:pk>/edit/", curation.resource_edit, name="curate_resource_edit"),
    path(
        "curate/resources/<int:pk>/preview/",
        curation.resource_preview,
        name="curate_resource_preview",
    ),
    path("curate/resources/<int:pk>/move/", curation.resource_move, name="curate_resource_move"),
    path(
        "curate/resources/<int:pk>/publish/",
        curation.resource_publish,
        name="curate_resource_publish",
    ),
    path("curate/review-due/", curation.review_due, name="curate_review_due"),
    path("curate/broken-links/", curation.broken_links, name="curate_broken_links"),
    path("curate/import/", curation.catalogue_import, name="curate_import"),
    path("curate/export.csv", curation.catalogue_export, name="curate_export"),
    path("curate/comments/", curation.comments, name="curate_comments"),
    path(
        "curate/comments/<int:pk>/publish/",
        curation.comment_publish,
        name="curate_comment_publish",
    ),
    path("curate/comments/<int:pk>/reject/", curation.comment_reject, name="curate_comment_reject"),
    path("curate/uptake/", curation.uptake_report, name="curate_uptake"),
    path("curate/uptake/<slug:table>.csv", curation.uptake_csv, name="curate_uptake_csv"),
    path("curate/impact/", curation.impact_report, name="curate_impact"),
    path("curate/impact/<slug:table>.csv", curation.impact_csv, name="curate_impact_csv"),
    # The competency framework.
    path("curate/competencies/", curation.competency_list, name="curate_competencies"),
    path("curate/competencies/new/", curation.competency_create, name="curate_competency_create"),
    path("curate/competencies/<int:pk>/", curation.competency_detail, name="curate_competency"),
    path(
        "curate/competencies/<int:pk>/edit/",
        curation.competency_edit,
        name="curate_competency_edit",
    ),
    path(
        "curate/competencies/<int:pk>/retire/",
        curation.competency_retire,
        name="curate_competency_retire",
    ),
    # A team lead's totals for their team.
    path("team/", team.team_learning, name="team"),
    path(
        "curate/emails/failed/",
        failed_messages_page(
            label="portal",
            permission=Permission.CURATE_LEARNING,
            back_url_name="learning:curate_index",
            back_label="Curate learning",
        ),
        name="curate_emails_failed",
    ),
]
