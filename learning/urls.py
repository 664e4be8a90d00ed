"""URLs of the learning catalogue: staff pages here, curator pages under curate/."""

from django.urls import include, path

from learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("curate/", include("learning.curation_urls")),
]
