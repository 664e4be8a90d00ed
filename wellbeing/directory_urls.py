"""URLs of the service directory, under /hub/directory/ in the wellbeing namespace."""

from django.urls import path

from wellbeing import directory_views as views

urlpatterns = [
    path("", views.service_list, name="directory"),
    path("new/", views.service_new, name="directory_new"),
    path("<int:service_id>/edit/", views.service_edit, name="directory_edit"),
]
