"""URLs of the curator pages (names start with "curate_"), inside the "learning" namespace."""

from django.urls import path

urlpatterns: list[object] = []
