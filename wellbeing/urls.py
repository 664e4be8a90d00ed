"""Every URL of the Resilience Hub, in one list a reader can scan top to bottom.

Mounted at /hub/ in the "wellbeing" namespace. Staff pages first (the hub page, self-referral,
my hub), then the hub team's (queue, a referral and what clinicians record on it, team-based
support, the directory, reports, outreach). Who may open each is decided in its view.
"""

from django.urls import path

from portal.outbox.views import failed_messages_page
from portal.rules import Permission
from wellbeing.views import (
    appointments,
    campaigns,
    caseload,
    check_ins,
    clinical,
    directory,
    hub,
    hub_page,
    hub_team,
    lead_home,
    my_hub,
    reports,
    research,
    self_referral,
    team_support,
)

app_name = "wellbeing"

urlpatterns = [
    # --- Every member of staff -------------------------------------------------------------------
    path("", hub_page.index, name="index"),
    # Self-referral, in steps, then check your answers.
    path("refer/", self_referral.start, name="refer_start"),
    path("refer/check-your-answers/", self_referral.check, name="refer_check"),
    path("refer/get-help-now/", self_referral.help_now, name="refer_help_now"),
    path("refer/sent/", self_referral.sent, name="refer_sent"),
    path("refer/<slug:slug>/", self_referral.step, name="refer_step"),
    # My hub: a person's own referrals.
    path("my-hub/", my_hub.overview, name="my_hub"),
    path("my-hub/download/my-data.json", my_hub.export_json, name="my_hub_export_json"),
    path("my-hub/download/print/", my_hub.export_print, name="my_hub_export_print"),
    path("my-hub/research/", my_hub.research_consent, name="my_hub_research"),
    path("my-hub/<int:referral_id>/messages/", my_hub.messages_view, name="my_hub_messages"),
    path("my-hub/<int:referral_id>/who-has-opened-it/", my_hub.access, name="my_hub_access"),
    path("my-hub/<int:referral_id>/withdraw/", my_hub.withdraw, name="my_hub_withdraw"),
    path("my-hub/check-in/<int:follow_up_id>/", check_ins.check_in, name="my_hub_check_in"),
    path(
        "my-hub/before-session/<int:appointment_id>/",
        check_ins.before_session,
        name="my_hub_before_session",
    ),
    path(
        "my-hub/appointments/<int:appointment_id>/change/",
        my_hub.appointment_change,
        name="my_hub_appointment_change",
    ),
    # --- The hub team: the queue and a referral --------------------------------------------------
    path("queue/", hub.queue, name="queue"),
    path("my-appointments/", appointments.mine, name="my_appointments"),
    path("caseload/", caseload.my_caseload, name="caseload"),
    path("lead/", lead_home.lead_home, name="lead_home"),
    path("referrals/<int:referral_id>/", hub.referral, name="referral"),
    path("referrals/<int:referral_id>/claim/", hub.claim, name="referral_claim"),
    path("referrals/<int:referral_id>/allocate/", hub.allocate, name="referral_allocate"),
    path("referrals/<int:referral_id>/who-opened-it/", hub.audit_trail, name="referral_audit"),
    # What clinicians record on a referral.
    path("referrals/<int:referral_id>/contact/", clinical.contact, name="referral_contact"),
    path("referrals/<int:referral_id>/assess/", clinical.assess, name="referral_assess"),
    path("referrals/<int:referral_id>/signpost/", clinical.signpost, name="referral_signpost"),
    path("referrals/<int:referral_id>/therapy/", clinical.therapy, name="referral_therapy"),
    path(
        "referrals/<int:referral_id>/therapy/<int:plan_id>/session/",
        clinical.therapy_session,
        name="referral_therapy_session",
    ),
    path(
        "referrals/<int:referral_id>/appointments/new/",
        clinical.appointment_new,
        name="referral_appointment_new",
    ),
    path(
        "referrals/<int:referral_id>/appointments/<int:appointment_id>/move/",
        clinical.appointment_move,
        name="referral_appointment_move",
    ),
    path(
        "referrals/<int:referral_id>/appointments/<int:appointment_id>/cancel/",
        clinical.appointment_cancel,
        name="referral_appointment_cancel",
    ),
    path(
        "referrals/<int:referral_id>/appointments/<int:appointment_id>/attendance/",
        clinical.appointment_attendance,
        name="referral_appointment_attendance",
    ),
    path("referrals/<int:referral_id>/onward/", clinical.onward, name="referral_onward"),
    path(
        "referrals/<int:referral_id>/onward/<int:onward_id>/",
        clinical.onward_status,
        name="referral_onward_status",
    ),
    path("referrals/<int:referral_id>/urgent/", clinical.urgent, name="referral_urgent"),
    path("referrals/<int:referral_id>/close/", clinical.close, name="referral_close"),
    path("referrals/<int:referral_id>/join/", clinical.join, name="referral_join"),
    path("referrals/<int:referral_id>/message/", clinical.message, name="referral_message"),
    path(
        "referrals/<int:referral_id>/team-support/",
        clinical.team_support,
        name="referral_team_support",
    ),
    # --- Team-based support: team leads ask, the hub lead decides and books ---------------------
    path("teams/", team_support.hub_requests, name="team_requests"),
    path("teams/request/", team_support.request_new, name="team_request_new"),
    path("teams/mine/", team_support.my_requests, name="my_team_requests"),
    path("teams/<int:request_id>/", team_support.request_detail, name="team_request"),
    path("teams/<int:request_id>/decide/", team_support.decide, name="team_request_decide"),
    path(
        "teams/<int:request_id>/sessions/new/",
        team_support.session_new,
        name="team_session_new",
    ),
    path(
        "teams/<int:request_id>/sessions/<int:session_id>/",
        team_support.session_detail,
        name="team_session",
    ),
    # --- The hub lead: team, directory, reports, outreach ----------------------------------------------
    path("directory/", directory.service_list, name="directory"),
    path("directory/new/", directory.service_new, name="directory_new"),
    path("directory/<int:service_id>/edit/", directory.service_edit, name="directory_edit"),
    path("team/", hub_team.team, name="hub_team"),
    path("team/roles/<int:membership_id>/remove/", hub_team.remove_role, name="hub_team_remove"),
    path("team/people/<int:user_id>/enrolment-code/", hub_team.new_code, name="hub_team_code"),
    path("reports/", reports.hub_reports, name="hub_reports"),
    path("reports/outcomes/", reports.hub_outcomes, name="hub_outcomes"),
    path("reports/download.csv", reports.hub_reports_csv, name="hub_reports_csv"),
    # --- Research: studies and their consented, de-identified extracts (ADR 0041) -------------
    path("research/", research.study_list, name="research_studies"),
    path("research/new/", research.study_new, name="research_study_new"),
    path("research/<int:study_id>/", research.study_detail, name="research_study"),
    path(
        "research/<int:study_id>/download/<slug:file_format>/",
        research.study_download,
        name="research_download",
    ),
    path("reports/follow-ups/", reports.follow_up_responses, name="follow_up_responses"),
    path("outreach/", campaigns.campaign_list, name="campaigns"),
    path("outreach/new/", campaigns.campaign_create, name="campaign_create"),
    path("outreach/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("outreach/<int:pk>/change/", campaigns.campaign_edit, name="campaign_edit"),
    path("outreach/<int:pk>/start/", campaigns.campaign_start, name="campaign_start"),
    path("outreach/<int:pk>/pause/", campaigns.campaign_pause, name="campaign_pause"),
    path("outreach/<int:pk>/resume/", campaigns.campaign_resume, name="campaign_resume"),
    path("outreach/<int:pk>/stop/", campaigns.campaign_stop, name="campaign_stop"),
    path(
        "outbox/failed/",
        failed_messages_page(
            label="wellbeing",
            permission=Permission.RUN_OUTREACH_CAMPAIGNS,
            back_url_name="wellbeing:index",
            back_label="The Resilience Hub",
        ),
        name="outbox_failed",
    ),
]
