"""Self-referral, under /hub/refer/: the question pages, check your answers and sent."""

from django.urls import path

from wellbeing import referral_views

urlpatterns = [
    path("", referral_views.start, name="refer_start"),
    path("check-your-answers/", referral_views.check, name="refer_check"),
    path("get-help-now/", referral_views.help_now, name="refer_help_now"),
    path("sent/", referral_views.sent, name="refer_sent"),
    path("<slug:slug>/", referral_views.step, name="refer_step"),
]
