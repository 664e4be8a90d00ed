"""URLs of the hub lead's reports, under /hub/reports/ in the wellbeing namespace."""

from django.urls import path

from wellbeing import report_views as views

urlpatterns = [
    path("", views.hub_reports, name="hub_reports"),
    path("download.csv", views.hub_reports_csv, name="hub_reports_csv"),
]
