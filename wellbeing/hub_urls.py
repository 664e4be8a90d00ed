"""URLs of the hub's triage queue and referral pages, under /hub/ in the wellbeing namespace."""

from django.urls import path

from wellbeing import hub_views as views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("referrals/<int:referral_id>/claim/", views.claim, name="referral_claim"),
    path("referrals/<int:referral_id>/allocate/", views.allocate, name="referral_allocate"),
    path("referrals/<int:referral_id>/who-opened-it/", views.audit_trail, name="referral_audit"),
]
