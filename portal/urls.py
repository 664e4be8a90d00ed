"""The portal's URLs."""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import email_views, session_views, views

# The admin's own sign-in is replaced by allauth's, so rate limits and MFA guard it too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Mind & Body Staff Portal: back office"
admin.site.site_title = "Back office"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/emails/", views.email_preferences, name="email_preferences"),
    path("profile/sessions/", session_views.your_sessions, name="your_sessions"),
    path("emails/unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("health/", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("learning/", include("learning.urls")),
    path("hub/", include("wellbeing.urls")),
    path("admin/", admin.site.urls),
]

# Rendered without anything that could fail in turn: see portal/error_views.py.
handler400 = "portal.error_views.bad_request"
handler500 = "portal.error_views.server_error"
