"""URLs of 'my hub', under /hub/my-hub/ in the wellbeing namespace."""

from django.urls import path

from wellbeing import check_in_views
from wellbeing import my_hub_views as views

urlpatterns = [
    path("", views.overview, name="my_hub"),
    path("download/my-data.json", views.export_json, name="my_hub_export_json"),
    path("download/print/", views.export_print, name="my_hub_export_print"),
    path("<int:referral_id>/messages/", views.messages_view, name="my_hub_messages"),
    path("<int:referral_id>/who-has-opened-it/", views.access, name="my_hub_access"),
    path("<int:referral_id>/withdraw/", views.withdraw, name="my_hub_withdraw"),
    path("check-in/<int:follow_up_id>/", check_in_views.check_in, name="my_hub_check_in"),
]
