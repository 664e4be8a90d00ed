"""The Hub lead's outreach campaigns, under /hub/outreach/ in the wellbeing namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from wellbeing import campaign_views as views

urlpatterns: list[URLPattern] = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/change/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/start/", views.campaign_start, name="campaign_start"),
]
