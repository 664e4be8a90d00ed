"""URLs of the Resilience Hub for staff: the hub page, self-referral and "my hub"."""

from django.urls import include, path

from portal.outbox.views import failed_messages_page
from wellbeing import views

app_name = "wellbeing"

urlpatterns = [
    path("", views.index, name="index"),
    path("refer/", include("wellbeing.referral_urls")),
    path("my-hub/", include("wellbeing.my_hub_urls")),
    # Hub staff: the queue and a referral (hub_urls), what clinicians record (clinical_urls),
    # team-based support (team_urls), the service directory and reports (hub lead).
    path("", include("wellbeing.hub_urls")),
    path("", include("wellbeing.clinical_urls")),
    path("teams/", include("wellbeing.team_urls")),
    path("directory/", include("wellbeing.directory_urls")),
    path("reports/", include("wellbeing.report_urls")),
    path("outreach/", include("wellbeing.campaign_urls")),
    path(
        "outbox/failed/",
        failed_messages_page(
            label="wellbeing",
            permission="portal.run_outreach_campaigns",
            back_url_name="wellbeing:index",
            back_label="The Resilience Hub",
        ),
        name="outbox_failed",
    ),
]
