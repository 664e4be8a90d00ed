"""URLs of the Resilience Hub for staff: the hub page, self-referral and "my hub"."""

from django.urls import include, path

from wellbeing import views

app_name = "wellbeing"

urlpatterns = [
    path("", views.index, name="index"),
    path("refer/", include("wellbeing.referral_urls")),
    path("my-hub/", include("wellbeing.my_hub_urls")),
]
