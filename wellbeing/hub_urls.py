"""URLs of the hub (hub_urls); filled in as its pages are built."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
