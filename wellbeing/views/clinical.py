"""The clinicians' action pages: a form on GET, the change on POST, then back to the referral.

Thin: wellbeing.services.clinical reads (audited) and changes; forms validate. A change the referral's
state does not allow is shown as an error and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from learning.queries import resources_for_signposting
from portal.models import User
from portal.rules import Permission
from portal.signed_in import signed_in_user
from portal.submission_keys import submit_once
from wellbeing.forms.appointments import AppointmentForm, AttendanceForm, CancelAppointmentForm
from wellbeing.forms.clinical import (
    RESOURCE_SEARCH_BUTTON,
    ActionForm,
    AssessmentForm,
    CloseForm,
    ContactAttemptForm,
    HubMessageForm,
    JoinReferralForm,
    OnwardReferralForm,
    OnwardStatusForm,
    ResourceOffer,
    SignpostForm,
    TeamSupportForm,
    TherapyPlanForm,
    TherapySessionForm,
    UrgentForm,
)
from wellbeing.models import Appointment, OnwardReferral, Referral, SubmissionKey, TherapyPlan
from wellbeing.referral_states import NotAllowed, require
from wellbeing.services import (
    appointments,
    clinical,
    directory,
    messaging,
    referrals,
    session_measures,
    support,
)
from wellbeing.views.access import hub_staff_page


@dataclass(frozen=True)
class ActionPage:
    """What an action page says: its heading, what it changes, and its button."""

    action: str  # a key of referral_states.ACTIONS
    heading: str
    changes: str
    button: str
    done: str  # the success message; "{reference}" is filled in
    warning: bool = False


def _referral_url(referral: Referral) -> str:
    return reverse("wellbeing:referral", args=[referral.pk])


def _action(
    request: HttpRequest,
    referral_id: int,
    page: ActionPage,
    make_form: Callable[[Referral, Any], ActionForm],
    perform: Callable[[Referral, User, forms.Form], object],
    extra: Callable[[Referral], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The shape every action page shares.

    GET: the referral (audited as opened), refused at once if its state does not allow the
    action. POST: the form, then the `do_*` function, once for the form's one-time key; a
    refusal from it is shown above the form. A POST from the "Search the catalogue" button of
    a form that offers resources draws the form again with what was typed, and saves nothing.
    """
    user = signed_in_user(request)
    if request.method == "POST":
        referral = clinical.referral_or_404(referral_id)
        form = make_form(referral, request.POST)
        if RESOURCE_SEARCH_BUTTON in request.POST and "resource_search" in form.fields:
            # A search of the catalogue from inside the form: shown again, nothing saved.
            form.show_again_unchecked()
        elif form.is_valid():
            assert isinstance(form, ActionForm)  # noqa: S101 - every action page's form is one
            try:
                # A second post of the same form (a double click, a refresh) changes nothing
                # and is answered as the first was.
                submit_once(SubmissionKey, form.one_time_key, lambda: perform(referral, user, form))
            except NotAllowed as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, page.done.format(reference=referral.reference))
                return redirect(_referral_url(referral))
    else:
        referral = clinical.referral_for_action(
            user, referral_id, reason=f"Opened '{page.heading}'"
        )
        try:
            require(referral, page.action)
        except NotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect(_referral_url(referral))
        form = make_form(referral, None)
    return render(
        request,
        "wellbeing/hub/actions/action.html",
        {
            "referral": referral,
            "form": form,
            "page": page,
            "back_url": _referral_url(referral),
            **(extra(referral) if extra else {}),
        },
        status=400 if form.errors else 200,
    )


# --- Contact and assessment ---------------------------------------------------------------------

CONTACT = ActionPage(
    action="record a contact attempt",
    heading="Record a contact attempt",
    changes=(
        "Adds the attempt to the referral's record. The member of staff sees that the hub tried "
        "to contact them. A referral waiting for assessment moves to 'being assessed' and, if "
        "nobody holds it, it becomes yours."
    ),
    button="Record the attempt",
    done="Contact attempt recorded for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        data = form.cleaned_data
        return referrals.do_record_contact(
            referral=referral,
            acting_user=user,
            at=data["at"],
            method=data["method"],
            outcome=data["outcome"],
            note=data["note"],
            voicemail_override=data["voicemail_override"],
        )

    return _action(
        request,
        referral_id,
        CONTACT,
        lambda referral, data: ContactAttemptForm(data, referral=referral),
        perform,
    )


ASSESS = ActionPage(
    action="record a rapid assessment",
    heading="Record the rapid assessment",
    changes=(
        "Saves the assessment and acts on its outcome. Any outcome but close moves the referral "
        "to 'receiving support' and plans follow-up questionnaires. Close closes the referral. "
        "The member of staff sees that the assessment is done, but not what you write here."
    ),
    button="Save the assessment",
    done="Rapid assessment saved for referral {reference}.",
)


def _assessment_form(_referral: Referral, data: Any) -> AssessmentForm:
    return AssessmentForm(
        data,
        resources=ResourceOffer.for_data(data, resources_for_signposting),
        team_requests=support.joinable_team_requests(),
        services=directory.services_for_onward_referral(),
    )


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        assert isinstance(form, AssessmentForm)  # noqa: S101 - made by _assessment_form
        data = form.cleaned_data
        return referrals.do_record_assessment(
            referral=referral,
            acting_user=user,
            notes=data["notes"],
            risk_level=data["risk_level"],
            safety_plan=data["safety_plan"],
            formulation=data["formulation"],
            outcome=data["outcome"],
            detail=form.detail(),
        )

    return _action(request, referral_id, ASSESS, _assessment_form, perform)


# --- More support -------------------------------------------------------------------------------

SIGNPOST = ActionPage(
    action="add support",
    heading="Signpost self-help resources",
    changes="The member of staff sees the resources' titles and links in my hub.",
    button="Signpost the resources",
    done="Resources signposted for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def signpost(request: HttpRequest, referral_id: int) -> HttpResponse:
    def make_form(referral: Referral, data: Any) -> SignpostForm:
        already = support.signposted_ids(referral)
        offer = ResourceOffer.for_data(data, resources_for_signposting, leave_out=already)
        return SignpostForm(data, resources=offer)

    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return clinical.do_signpost_resources(
            referral=referral, acting_user=user, resource_ids=form.cleaned_data["resources"]
        )

    return _action(request, referral_id, SIGNPOST, make_form, perform)


TEAM_SUPPORT = ActionPage(
    action="add support",
    heading="Link to team-based support",
    changes=(
        "Makes this person's support part of a team request the hub has accepted. The member of "
        "staff sees that support has started; the team lead does not see this referral."
    ),
    button="Link to the team request",
    done="Referral {reference} linked to team-based support.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def team_support(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return clinical.do_link_team_support(
            referral=referral, acting_user=user, team_request=form.cleaned_data["team_request"]
        )

    return _action(
        request,
        referral_id,
        TEAM_SUPPORT,
        lambda _r, data: TeamSupportForm(data, team_requests=support.joinable_team_requests()),
        perform,
    )


THERAPY = ActionPage(
    action="add support",
    heading="Start direct therapy",
    changes=(
        "Starts a therapy plan at the hub with you as the therapist. The member of staff sees "
        "that support has started and how many sessions are planned."
    ),
    button="Start therapy",
    done="Therapy plan started for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def therapy(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        data = form.cleaned_data
        return clinical.do_start_therapy(
            referral=referral,
            acting_user=user,
            modality=data["modality"],
            planned_sessions=data["planned_sessions"],
        )

    return _action(request, referral_id, THERAPY, lambda _r, data: TherapyPlanForm(data), perform)


SESSION = ActionPage(
    action="log a therapy session",
    heading="Log a therapy session",
    changes="Adds the session to the therapy plan, with its PHQ-9 and GAD-7 if you took them: "
    "they join the score history and the outcome. An answer to PHQ-9 question 9 other than "
    "'Not at all' marks the referral urgent. The member of staff sees how many sessions they "
    "have attended.",
    button="Log the session",
    done="Therapy session logged for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def therapy_session(request: HttpRequest, referral_id: int, plan_id: int) -> HttpResponse:
    @cache  # read once a request, however many steps of the page need it
    def plan_of(referral: Referral) -> TherapyPlan:
        return clinical.therapy_plan_or_404(referral, plan_id)

    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        data = form.cleaned_data
        return clinical.do_log_therapy_session(
            referral=referral,
            acting_user=user,
            plan=plan_of(referral),
            on=data["on"],
            attendance=data["attendance"],
            note=data["note"],
            measures=data["measures"],
        )

    def extra(referral: Referral) -> dict[str, Any]:
        return {"plan": plan_of(referral)}

    return _action(
        request,
        referral_id,
        SESSION,
        lambda referral, data: TherapySessionForm(data, started_on=plan_of(referral).started_on),
        perform,
        extra,
    )


# --- Appointments for direct therapy -------------------------------------------------------------

BOOK = ActionPage(
    action="book an appointment",
    heading="Book a therapy appointment",
    changes=(
        "Books an appointment with you on the running therapy plan. The member of staff sees "
        "it in my hub and gets an email reminder the working day before, which says only that "
        "there is an appointment."
    ),
    button="Book the appointment",
    done="Appointment booked for referral {reference}.",
)


def _appointment_form(referral: Referral, data: Any, **kwargs: Any) -> AppointmentForm:
    return AppointmentForm(data, referral_created=appointments.received_at(referral), **kwargs)


def _appointment_fields(form: forms.Form) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "starts_at": data["starts_at"],
        "minutes": data["minutes"],
        "mode": data["mode"],
        "place": data["place"],
    }


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return appointments.do_book_appointment(
            referral=referral, acting_user=user, **_appointment_fields(form)
        )

    return _action(request, referral_id, BOOK, _appointment_form, perform)


RESCHEDULE = ActionPage(
    action="change an appointment",
    heading="Move a therapy appointment",
    changes=(
        "Moves the appointment. The member of staff sees the new time in my hub, and the "
        "reminder follows the new time. Any request from them to rearrange it is cleared."
    ),
    button="Move the appointment",
    done="Appointment moved for referral {reference}.",
)


def _appointment_page(
    request: HttpRequest,
    referral_id: int,
    appointment_id: int,
    page: ActionPage,
    make_form: Callable[[Referral, Appointment, Any], ActionForm],
    perform: Callable[[Referral, User, Appointment, forms.Form], object],
) -> HttpResponse:
    """An action on one appointment of the referral: the appointment is read once a request."""

    @cache
    def appointment_of(referral: Referral) -> Appointment:
        return appointments.appointment_or_404(referral, appointment_id)

    return _action(
        request,
        referral_id,
        page,
        lambda referral, data: make_form(referral, appointment_of(referral), data),
        lambda referral, user, form: perform(referral, user, appointment_of(referral), form),
        lambda referral: {"appointment": appointment_of(referral)},
    )


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, referral_id: int, appointment_id: int) -> HttpResponse:
    def make_form(referral: Referral, appointment: Appointment, data: Any) -> ActionForm:
        local = timezone.localtime(appointment.starts_at)
        initial = {
            "on": local.date(),
            "start_time": f"{local:%H:%M}",
            "minutes": str(appointment.minutes),
            "mode": appointment.mode,
            "place": appointment.place,
        }
        return _appointment_form(referral, data, initial=initial)

    def perform(
        referral: Referral, user: User, appointment: Appointment, form: forms.Form
    ) -> object:
        return appointments.do_reschedule_appointment(
            referral=referral,
            acting_user=user,
            appointment=appointment,
            **_appointment_fields(form),
        )

    return _appointment_page(request, referral_id, appointment_id, RESCHEDULE, make_form, perform)


CANCEL_APPOINTMENT = ActionPage(
    action="change an appointment",
    heading="Cancel a therapy appointment",
    changes=(
        "Cancels the appointment before it happens. The member of staff sees that it is "
        "cancelled in my hub and gets no reminder for it. To record an appointment that has "
        "happened, record its attendance instead."
    ),
    button="Cancel the appointment",
    done="Appointment cancelled for referral {reference}.",
    warning=True,
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, referral_id: int, appointment_id: int) -> HttpResponse:
    def perform(
        referral: Referral, user: User, appointment: Appointment, form: forms.Form
    ) -> object:
        return appointments.do_cancel_appointment(
            referral=referral,
            acting_user=user,
            appointment=appointment,
            cancelled_by=form.cleaned_data["cancelled_by"],
        )

    return _appointment_page(
        request,
        referral_id,
        appointment_id,
        CANCEL_APPOINTMENT,
        lambda _r, _a, data: CancelAppointmentForm(data),
        perform,
    )


ATTENDANCE = ActionPage(
    action="record attendance",
    heading="Record attendance at an appointment",
    changes=(
        "Completes the appointment and adds it to the therapy plan as a session, with its PHQ-9 "
        "and GAD-7 if you took them (an answer to PHQ-9 question 9 other than 'Not at all' "
        "marks the referral urgent). The member of "
        "staff sees how many sessions they have attended. Two missed appointments in a row are "
        "flagged on the referral and in the queue."
    ),
    button="Record attendance",
    done="Attendance recorded for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def appointment_attendance(
    request: HttpRequest, referral_id: int, appointment_id: int
) -> HttpResponse:
    def perform(
        referral: Referral, user: User, appointment: Appointment, form: forms.Form
    ) -> object:
        return appointments.do_record_attendance(
            referral=referral,
            acting_user=user,
            appointment=appointment,
            attendance=form.cleaned_data["attendance"],
            note=form.cleaned_data["note"],
            measures=form.cleaned_data["measures"],
        )

    return _appointment_page(
        request,
        referral_id,
        appointment_id,
        ATTENDANCE,
        lambda _r, appointment, data: AttendanceForm(
            data, measured_before=session_measures.measured_before(appointment)
        ),
        perform,
    )


ONWARD = ActionPage(
    action="add support",
    heading="Refer to another service",
    changes=(
        "Records an onward referral to a service in the directory, with the status 'sent'. The "
        "member of staff sees the service's name and the referral's status in my hub."
    ),
    button="Record the onward referral",
    done="Onward referral recorded for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def onward(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        data = form.cleaned_data
        return clinical.do_refer_onward(
            referral=referral,
            acting_user=user,
            service=data["service"],
            sent_on=data["sent_on"],
            note=data["note"],
        )

    return _action(
        request,
        referral_id,
        ONWARD,
        lambda referral, data: OnwardReferralForm(
            data,
            services=directory.services_for_onward_referral(),
            received_on=timezone.localdate(referral.created_at),
        ),
        perform,
    )


ONWARD_STATUS = ActionPage(
    action="update an onward referral",
    heading="Update an onward referral",
    changes="Records what the other service did and when. The member of staff sees the status "
    "in my hub.",
    button="Save the status",
    done="Onward referral updated for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def onward_status(request: HttpRequest, referral_id: int, onward_id: int) -> HttpResponse:
    @cache  # read once a request, however many steps of the page need it
    def onward_of(referral: Referral) -> OnwardReferral:
        return clinical.onward_or_404(referral, onward_id)

    def make_form(referral: Referral, data: Any) -> OnwardStatusForm:
        found = onward_of(referral)
        initial = {"status": found.status}
        return OnwardStatusForm(data, sent_on=found.sent_on, initial=initial)

    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        data = form.cleaned_data
        return clinical.do_update_onward(
            referral=referral,
            acting_user=user,
            onward=onward_of(referral),
            status=data["status"],
            status_on=data["status_on"],
        )

    def extra(referral: Referral) -> dict[str, Any]:
        return {"onward": onward_of(referral)}

    return _action(request, referral_id, ONWARD_STATUS, make_form, perform, extra)


# --- Urgency ------------------------------------------------------------------------------------

URGENT = ActionPage(
    action="mark urgent",
    heading="Mark the referral urgent",
    changes=(
        "Gives the referral the urgent target: a rapid assessment within "
        "{urgent_hours} hours from now, counted on every day. The queue shows it first "
        "with the hours left, and the hub is reminded as the target nears and the duty inbox "
        "alerted if it passes. The member of staff sees that it was marked urgent. It cannot be "
        "made routine again."
    ),
    button="Mark urgent",
    done="Referral {reference} marked urgent.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def urgent(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return referrals.do_mark_urgent(
            referral=referral, acting_user=user, reason=form.cleaned_data["reason"]
        )

    page = replace(
        URGENT,
        changes=URGENT.changes.format(urgent_hours=settings.HUB_URGENT_CONTACT_TARGET_HOURS),
    )
    return _action(request, referral_id, page, lambda _r, data: UrgentForm(data), perform)


# --- Closing and messages -----------------------------------------------------------------------

CLOSE = ActionPage(
    action="close",
    heading="Close the referral",
    changes=(
        "Closes the referral: follow-up questionnaires still to come are cancelled and any "
        "therapy plan ends today. The member of staff sees that it is closed. A closed referral "
        "cannot be opened again: if they need the hub later, they refer themselves again."
    ),
    button="Close the referral",
    done="Referral {reference} closed.",
    warning=True,
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return referrals.do_close(
            referral=referral, acting_user=user, reason=form.cleaned_data["reason"]
        )

    return _action(request, referral_id, CLOSE, lambda _r, data: CloseForm(data), perform)


JOIN = ActionPage(
    action="close",
    heading="Join with the open referral",
    changes=(
        "This referral was sent while the person's earlier referral was still open. Joining "
        "adds what they told us in this one, and its questionnaire scores, to the open "
        "referral's timeline, and closes this one as joined. The member of staff sees in my hub "
        "that the two were joined. This cannot be undone."
    ),
    button="Join and close this referral",
    done="Referral {reference} was joined with the open referral and closed.",
    warning=True,
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return referrals.do_join_to_open_referral(referral=referral, acting_user=user)

    return _action(request, referral_id, JOIN, lambda _r, data: JoinReferralForm(data), perform)


MESSAGE = ActionPage(
    action="send a message",
    heading="Send a secure message",
    changes=(
        "The member of staff reads it in my hub, with your name. Their email says only that "
        "there is a new message from the hub."
    ),
    button="Send the message",
    done="Message sent for referral {reference}.",
)


@hub_staff_page(Permission.WORK_IN_HUB)
@require_http_methods(["GET", "POST"])
def message(request: HttpRequest, referral_id: int) -> HttpResponse:
    def perform(referral: Referral, user: User, form: forms.Form) -> object:
        return messaging.do_send_hub_message(
            referral=referral, acting_user=user, body=form.cleaned_data["body"]
        )

    return _action(request, referral_id, MESSAGE, lambda _r, data: HubMessageForm(data), perform)
