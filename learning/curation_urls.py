"""URLs of the curator pages (names start with "curate_"), inside the "learning" namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from learning import curation_views as views
from portal.outbox.views import failed_messages_page

urlpatterns: list[URLPattern] = [
    path("", views.index, name="curate_index"),
    path("resources/", views.resource_list, name="curate_resources"),
    path("resources/new/", views.resource_create, name="curate_resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="curate_resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="curate_resource_edit"),
    path("resources/<int:pk>/preview/", views.resource_preview, name="curate_resource_preview"),
    path("resources/<int:pk>/move/", views.resource_move, name="curate_resource_move"),
    path("review-due/", views.review_due, name="curate_review_due"),
    path("broken-links/", views.broken_links, name="curate_broken_links"),
    path("import/", views.catalogue_import, name="curate_import"),
    path("export.csv", views.catalogue_export, name="curate_export"),
    path("comments/", views.comments, name="curate_comments"),
    path("comments/<int:pk>/publish/", views.comment_publish, name="curate_comment_publish"),
    path("comments/<int:pk>/reject/", views.comment_reject, name="curate_comment_reject"),
    path("uptake/", views.uptake_report, name="curate_uptake"),
    path("uptake/<slug:table>.csv", views.uptake_csv, name="curate_uptake_csv"),
    path(
        "emails/failed/",
        failed_messages_page(
            label="portal",
            permission="portal.curate_learning",
            back_url_name="learning:curate_index",
            back_label="Curate learning",
        ),
        name="curate_emails_failed",
    ),
]
