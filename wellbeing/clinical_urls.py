"""What hub clinicians record about a referral, under /hub/referrals/<id>/ (wellbeing namespace)."""

from django.urls import path

from wellbeing import clinical_views as views

urlpatterns = [
    path("referrals/<int:referral_id>/contact/", views.contact, name="referral_contact"),
    path("referrals/<int:referral_id>/assess/", views.assess, name="referral_assess"),
    path("referrals/<int:referral_id>/signpost/", views.signpost, name="referral_signpost"),
    path("referrals/<int:referral_id>/therapy/", views.therapy, name="referral_therapy"),
    path(
        "referrals/<int:referral_id>/therapy/<int:plan_id>/session/",
        views.therapy_session,
        name="referral_therapy_session",
    ),
    path("referrals/<int:referral_id>/onward/", views.onward, name="referral_onward"),
    path(
        "referrals/<int:referral_id>/onward/<int:onward_id>/",
        views.onward_status,
        name="referral_onward_status",
    ),
    path("referrals/<int:referral_id>/close/", views.close, name="referral_close"),
    path("referrals/<int:referral_id>/message/", views.message, name="referral_message"),
    path(
        "referrals/<int:referral_id>/team-support/",
        views.team_support,
        name="referral_team_support",
    ),
]
