"""Every form of the portal is fuzzed, and every text box refuses a NUL character in plain
English (PostgreSQL cannot store one, so a form that let it through would fail on saving)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from learning.forms import catalogue as catalogue_forms
from learning.forms import certificates as certificate_forms
from learning.forms import curation
from learning.forms import my_learning as my_learning_forms
from learning.forms import self_assessment as self_assessment_forms
from portal import admin as portal_admin
from portal import forms as portal
from portal import session_views
from tests.fuzz import (
    test_account_forms,
    test_hub_forms,
    test_learning_forms,
    test_portal_forms,
)
from wellbeing.forms import appointments as appointment_forms
from wellbeing.forms import campaigns as campaign_forms
from wellbeing.forms import clinical as clinical_forms
from wellbeing.forms import directory as directory_forms
from wellbeing.forms import hub_team as hub_team_forms
from wellbeing.forms import my_hub as my_hub_forms
from wellbeing.forms import queue as hub_forms
from wellbeing.forms import reports as report_forms
from wellbeing.forms import research as research_forms
from wellbeing.forms import self_referral as referral_forms
from wellbeing.forms import team_support as team_forms

PACKAGES = ("portal", "learning", "wellbeing")
# Django's own message, which says nothing about what to do.
DJANGO_NUL_MESSAGE = str(ProhibitNullCharactersValidator.message)

# Each form, and the fuzz test that posts hostile input to it.
FUZZED: dict[type[forms.BaseForm], object] = {
    portal.StaffProfileForm: test_portal_forms.test_your_profile,
    portal_admin.PortalUserChangeForm: test_portal_forms.test_changing_a_user_in_the_back_office,
    portal.EmailPreferencesForm: test_portal_forms.test_email_preferences,
    session_views.EndSessionForm: test_portal_forms.test_ending_another_session,
    catalogue_forms.CatalogueFilterForm: test_learning_forms.test_searching_the_catalogue,
    my_learning_forms.CompletionForm: test_learning_forms.test_completing_a_resource,
    catalogue_forms.CommentForm: test_learning_forms.test_commenting_on_a_resource,
    self_assessment_forms.SelfAssessmentForm: (
        test_learning_forms.test_rating_statements_in_the_self_assessment
    ),
    certificate_forms.CertificateRequestForm: test_learning_forms.test_asking_for_a_certificate,
    certificate_forms.CertificateCheckForm: test_learning_forms.test_checking_a_certificate,
    certificate_forms.WithdrawCertificateForm: (
        test_learning_forms.test_finding_and_withdrawing_a_certificate
    ),
    curation.NewResourceForm: test_learning_forms.test_adding_a_resource,
    curation.RejectCommentForm: test_learning_forms.test_rejecting_a_comment,
    curation.CatalogueImportForm: test_learning_forms.test_importing_the_catalogue,
    curation.NewCompetencyForm: test_learning_forms.test_adding_and_changing_a_competency_statement,
    curation.PublishForm: test_learning_forms.test_publishing_with_a_new_review_date,
    referral_forms.ContactForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.WorkForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.AboutForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.QuestionnaireForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.TraumaticEventForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.HowHeardForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.EqualityForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.ConsentForm: test_hub_forms.test_a_self_referral_page,
    referral_forms.SendForm: test_hub_forms.test_sending_a_self_referral,
    my_hub_forms.ReplyForm: test_hub_forms.test_replying_in_my_hub,
    hub_forms.QueueFilterForm: test_hub_forms.test_the_triage_queue_filters,
    hub_forms.AllocateForm: test_hub_forms.test_allocating_a_referral,
    clinical_forms.ContactAttemptForm: test_hub_forms.test_recording_a_contact_attempt,
    clinical_forms.AssessmentForm: test_hub_forms.test_recording_a_rapid_assessment,
    clinical_forms.SignpostForm: test_hub_forms.test_signposting_resources,
    clinical_forms.TeamSupportForm: test_hub_forms.test_linking_to_team_support,
    clinical_forms.TherapyPlanForm: test_hub_forms.test_starting_therapy,
    clinical_forms.TherapySessionForm: test_hub_forms.test_logging_a_therapy_session,
    appointment_forms.AppointmentForm: test_hub_forms.test_booking_an_appointment,
    appointment_forms.CancelAppointmentForm: test_hub_forms.test_cancelling_an_appointment,
    appointment_forms.AttendanceForm: test_hub_forms.test_recording_attendance_at_an_appointment,
    appointment_forms.ChangeRequestForm: test_hub_forms.test_asking_to_change_an_appointment,
    clinical_forms.OnwardReferralForm: test_hub_forms.test_referring_onward,
    clinical_forms.OnwardStatusForm: test_hub_forms.test_updating_an_onward_referral,
    clinical_forms.CloseForm: test_hub_forms.test_closing_a_referral,
    clinical_forms.UrgentForm: test_hub_forms.test_marking_a_referral_urgent,
    clinical_forms.JoinReferralForm: test_hub_forms.test_joining_a_referral_with_the_open_one,
    clinical_forms.HubMessageForm: test_hub_forms.test_sending_a_secure_message,
    directory_forms.ServiceForm: test_hub_forms.test_adding_a_service,
    campaign_forms.CampaignForm: test_hub_forms.test_creating_a_campaign,
    report_forms.PeriodForm: test_hub_forms.test_the_reports_period,
    team_forms.TeamRequestForm: test_hub_forms.test_asking_for_team_support,
    team_forms.DecisionForm: test_hub_forms.test_deciding_on_a_team_request,
    team_forms.SessionForm: test_hub_forms.test_booking_a_team_session,
    team_forms.SessionRecordForm: test_hub_forms.test_recording_a_team_session,
    hub_team_forms.GrantRoleForm: test_hub_forms.test_giving_a_hub_role,
    research_forms.StudyForm: test_hub_forms.test_defining_a_research_study,
    research_forms.ResearchConsentForm: test_hub_forms.test_changing_research_consent_in_my_hub,
    hub_team_forms.ActivateTOTPWithEnrolmentCodeForm: (
        test_account_forms.test_setting_up_an_authenticator
    ),
}


def _modules(package: ModuleType):
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        yield importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def portal_forms() -> set[type[forms.BaseForm]]:
    """The form classes defined in the portal's own code; a base class (such as ActionForm) is
    covered by its subclasses."""
    for name in PACKAGES:
        list(_modules(importlib.import_module(name)))
    ours = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in PACKAGES
        # The template pack builds a throwaway form to render one allauth field.
        and cls.__module__ != "portal.templatetags.nhsuk"
    }
    return {cls for cls in ours if not (_subclasses(cls) & ours)}


def test_every_form_of_the_portal_is_fuzzed():
    assert {cls.__qualname__ for cls in portal_forms()} == {cls.__qualname__ for cls in FUZZED}


# Values read from the address, never shown as a box: anything not understood there, a NUL
# included, is ignored and the catalogue shows its first page in its usual order.
NOT_TEXT_BOXES = {("CatalogueFilterForm", "sort"), ("CatalogueFilterForm", "page")}


def _text_fields() -> list[tuple[str, str, forms.CharField]]:
    return [
        (cls.__qualname__, name, field)
        for cls in FUZZED
        for name, field in cls.base_fields.items()  # type: ignore[attr-defined]
        if isinstance(field, forms.CharField)
        and not field.widget.is_hidden
        and (cls.__qualname__, name) not in NOT_TEXT_BOXES
    ]


@pytest.mark.parametrize(
    ("form", "name", "field"),
    _text_fields(),
    ids=[f"{form}.{name}" for form, name, _ in _text_fields()],
)
def test_a_nul_character_is_refused_in_plain_english_or_removed(form, name, field):
    assert DJANGO_NUL_MESSAGE, "Django's message for a NUL character has moved"
    try:
        cleaned, messages = field.clean("Sam\x00 Example"), []
    except ValidationError as error:
        cleaned, messages = "", error.messages
    if messages:
        assert DJANGO_NUL_MESSAGE not in messages
    else:
        assert "\x00" not in cleaned
