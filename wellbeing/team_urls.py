"""URLs of team-based support, under /hub/teams/ in the wellbeing namespace."""

from django.urls import path

from wellbeing import team_views as views

urlpatterns = [
    path("", views.hub_requests, name="team_requests"),
    path("request/", views.request_new, name="team_request_new"),
    path("mine/", views.my_requests, name="my_team_requests"),
    path("<int:request_id>/", views.request_detail, name="team_request"),
    path("<int:request_id>/decide/", views.decide, name="team_request_decide"),
    path("<int:request_id>/sessions/new/", views.session_new, name="team_session_new"),
    path(
        "<int:request_id>/sessions/<int:session_id>/",
        views.session_detail,
        name="team_session",
    ),
]
