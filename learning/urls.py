"""URLs of the learning catalogue: staff pages here, curator pages under curate/."""

from django.urls import include, path

from learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("resources/<slug:slug>/", views.resource, name="resource"),
    path("resources/<slug:slug>/save/", views.save_resource, name="save"),
    path("resources/<slug:slug>/start/", views.start_resource, name="start"),
    path("resources/<slug:slug>/complete/", views.complete_resource, name="complete"),
    path("resources/<slug:slug>/comments/", views.post_comment, name="comment"),
    path("my-learning/", views.my_learning, name="my_learning"),
    path("my-learning/my-learning.csv", views.my_learning_csv, name="my_learning_csv"),
    path("my-learning/print/", views.my_learning_print, name="my_learning_print"),
    path("curate/", include("learning.curation_urls")),
]
