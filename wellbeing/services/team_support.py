"""Team-based support: a team lead asks the hub for a workshop, a consultation or a facilitated
peer support session; the hub lead decides, books sessions, records how they went.

Queries read, `do_*` functions change state; each writes its audit entry inside the
transaction of the work, on the "confidential" database. A request's states and the moves
between them are defined once, in `MOVES`.

A team lead reaches only their own requests (by pseudonym): someone else's is "not found", so the
portal never confirms that it exists.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portal.models import User
from portal.rules import Permission
from portal.state_tables import Move, StateTable
from wellbeing.audit import actor_for, record, record_many
from wellbeing.models import (
    DATABASE,
    MAX_ID,
    AuditAction,
    TeamRequest,
    TeamRequestStatus,
    TeamSession,
    TeamSupportType,
)
from wellbeing.pseudonyms import staff_ref_for

Status = TeamRequestStatus

# Who makes a move.
HUB_LEAD = "hub lead"  # on the decision page
REQUESTER = "requester"  # the team lead who asked, on the request's page
SESSIONS = "sessions"  # booking the first session, or cancelling the last one

# Every move a request can make, and who makes it. A move not listed here is refused.
MOVES = StateTable(
    [
        Move(Status.REQUESTED, Status.ACCEPTED, "the hub accepts it", by=HUB_LEAD),
        Move(Status.REQUESTED, Status.DECLINED, "the hub declines it, with a reason", by=HUB_LEAD),
        Move(Status.REQUESTED, Status.WITHDRAWN, "the team lead withdraws it", by=REQUESTER),
        Move(Status.ACCEPTED, Status.SCHEDULED, "its first session is booked", by=SESSIONS),
        Move(Status.ACCEPTED, Status.DECLINED, "the hub declines it, with a reason", by=HUB_LEAD),
        Move(Status.ACCEPTED, Status.WITHDRAWN, "the team lead withdraws it", by=REQUESTER),
        Move(Status.SCHEDULED, Status.ACCEPTED, "its last session is cancelled", by=SESSIONS),
        Move(Status.SCHEDULED, Status.DELIVERED, "the hub marks it delivered", by=HUB_LEAD),
        Move(Status.SCHEDULED, Status.WITHDRAWN, "the team lead withdraws it", by=REQUESTER),
    ]
)
# The order the hub lead's choices appear in.
HUB_DECISIONS = (Status.ACCEPTED, Status.DECLINED, Status.DELIVERED)
# Sessions can be booked while a request is scheduled or may become so (accepted).
BOOKABLE = frozenset({Status.SCHEDULED, *MOVES.sources_of(Status.SCHEDULED)})

PAGE_SIZE = 20
# The lists show plain fields only: the encrypted ones are never read for a list.
ENCRYPTED_FIELDS = ("prompted_by", "requester_key")


class TeamSupportRefused(Exception):
    """A change that cannot be made; the message says why, in words for the person who asked."""


def can_move(source: str, target: str, *, by: str) -> bool:
    return MOVES.allows(source, target, by=by)


def decisions_for(status: str) -> list[Status]:
    """The decisions the hub lead may make on a request in this state, in button order."""
    return [target for target in HUB_DECISIONS if can_move(status, target, by=HUB_LEAD)]


def not_bookable(status: str) -> str:
    """Why sessions cannot be booked for a request in this state, in words."""
    return (
        f"This request is {Status(status).label.lower()}: sessions can only be booked once it "
        "is accepted, and until it is delivered."
    )


def _refusal(source: str, target: str) -> TeamSupportRefused:
    return TeamSupportRefused(
        f"A request that is {Status(source).label.lower()} cannot be "
        f"{Status(target).label.lower()}. Check its status and try again."
    )


# --- Reading -------------------------------------------------------------------------------------


def _with_next_session(requests: QuerySet[TeamRequest]) -> QuerySet[TeamRequest]:
    now = timezone.now()
    to_come = Q(sessions__cancelled_at__isnull=True, sessions__starts_at__gte=now)
    return requests.defer(*ENCRYPTED_FIELDS).annotate(
        next_session_at=Min("sessions__starts_at", filter=to_come)
    )


def requests_for_hub(status: str = "") -> QuerySet[TeamRequest]:
    """Every request, newest first, optionally in one state."""
    requests = TeamRequest.objects.using(DATABASE).order_by("-created_at", "-id")
    if status:
        requests = requests.filter(status=status)
    return _with_next_session(requests)


def requests_of(user: User) -> QuerySet[TeamRequest]:
    """The user's own requests, newest first. Every team lead's query starts here."""
    return (
        TeamRequest.objects.using(DATABASE)
        .filter(requester_ref=staff_ref_for(user.pk))
        .order_by("-created_at", "-id")
    )


def _audited_page(
    user: User, requests: QuerySet[TeamRequest], page_number: str | None, reason: str
) -> Page[TeamRequest]:
    with transaction.atomic(using=DATABASE):
        page = Paginator(requests, PAGE_SIZE).get_page(page_number)
        record_many(
            actor=actor_for(user), action=AuditAction.READ, objs=page.object_list, reason=reason
        )
    return page


def hub_list_page(user: User, *, status: str, page_number: str | None) -> Page[TeamRequest]:
    """One page of all requests for the hub lead; each listed request is audited as read."""
    return _audited_page(
        user, requests_for_hub(status), page_number, "Listed in the hub's team requests"
    )


def my_list_page(user: User, *, page_number: str | None) -> Page[TeamRequest]:
    """One page of the team lead's own requests, audited as read."""
    return _audited_page(
        user, _with_next_session(requests_of(user)), page_number, "Listed in my team requests"
    )


def manages_team_support(user: User) -> bool:
    return user.has_perm(Permission.MANAGE_TEAM_SUPPORT)


def request_or_404(user: User, request_id: int) -> TeamRequest:
    """The request, if this user may see it: any for the hub lead, their own for a team lead.
    Someone else's, or none, is a 404; a user with neither role is refused outright."""
    if manages_team_support(user):
        requests = TeamRequest.objects.using(DATABASE)
    elif user.has_perm(Permission.REQUEST_TEAM_SUPPORT):
        requests = requests_of(user)
    else:
        raise PermissionDenied
    found = requests.filter(pk=request_id).first() if 0 < request_id <= MAX_ID else None
    if found is None:
        raise Http404("No such team request")
    return found


@dataclass(frozen=True)
class RequestPage:
    request: TeamRequest
    sessions: list[TeamSession]
    # The hub lead's view: decisions, attendance and feedback. The team lead's view leaves
    # attendance and feedback out: they are the hub's notes on how a session went, written for
    # its reports and its own learning, so candour there must not depend on who reads it.
    for_hub: bool


def request_page_for(user: User, request_id: int) -> RequestPage:
    """A request and its sessions for the hub lead or its requester; audited as read."""
    with transaction.atomic(using=DATABASE):
        team_request = request_or_404(user, request_id)
        sessions = list(team_request.sessions.using(DATABASE).order_by("starts_at", "id"))
        record(
            actor=actor_for(user),
            action=AuditAction.READ,
            obj=team_request,
            reason="Viewed the team request",
        )
    return RequestPage(team_request, sessions, manages_team_support(user))


def request_for_hub_or_404(user: User, request_id: int, *, reason: str) -> TeamRequest:
    """A request for one of the hub lead's forms, audited as read."""
    with transaction.atomic(using=DATABASE):
        team_request = request_or_404(user, request_id)
        record(actor=actor_for(user), action=AuditAction.READ, obj=team_request, reason=reason)
    return team_request


def session_or_404(team_request: TeamRequest, session_id: int) -> TeamSession:
    session = (
        team_request.sessions.using(DATABASE).filter(pk=session_id).first()
        if 0 < session_id <= MAX_ID
        else None
    )
    if session is None:
        raise Http404("No such session")
    return session


def session_has_started(session: TeamSession) -> bool:
    return session.starts_at <= timezone.now()


def requester_contact(team_request: TeamRequest) -> tuple[str, str]:
    """The team lead's name and work email, for the hub lead to get in touch: read from their
    account in the default database through the encrypted account id."""
    user = (
        User.objects.select_related("staff_profile")
        .filter(pk=int(team_request.requester_key), is_active=True)
        .first()
        if team_request.requester_key
        else None
    )
    if user is None:
        return team_request.requester_name, ""
    profile = getattr(user, "staff_profile", None)
    return (profile.display_name if profile else team_request.requester_name), user.email


# --- Changing ------------------------------------------------------------------------------------


def display_name(user: User) -> str:
    """The name the user gave in their staff profile; "" without one."""
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else ""


def do_request_team_support(
    *,
    acting_user: User,
    team: str,
    organisation: str,
    team_size: int,
    support_type: str,
    topic: str,
    preferred_dates: str,
    prompted_by: str,
) -> TeamRequest:
    """A team lead asks for support for a team. (A double click or a refresh is caught by the
    form's one-time key in the view.)"""
    own_ref = staff_ref_for(acting_user.pk)
    with transaction.atomic(using=DATABASE):
        now = timezone.now()
        team_request = TeamRequest.objects.using(DATABASE).create(
            requester_ref=own_ref,
            requester_key=str(acting_user.pk),
            requester_name=display_name(acting_user),
            team=team,
            organisation=organisation,
            team_size=team_size,
            support_type=TeamSupportType(support_type),
            topic=topic,
            preferred_dates=preferred_dates,
            prompted_by=prompted_by,
            created_at=now,
        )
        record(
            actor=actor_for(acting_user),
            action=AuditAction.CREATE,
            obj=team_request,
            reason="Asked for team-based support",
        )
    return team_request


def _locked(team_request: TeamRequest) -> TeamRequest:
    """The request's row, locked until the transaction ends: two changes at once take turns,
    and each sees the state the other left."""
    return TeamRequest.objects.using(DATABASE).select_for_update().get(pk=team_request.pk)


def _live_sessions(team_request: TeamRequest) -> QuerySet[TeamSession]:
    return team_request.sessions.using(DATABASE).filter(cancelled_at__isnull=True)


def do_decide(
    *, team_request: TeamRequest, acting_user: User, to: str, reason: str = ""
) -> TeamRequest:
    """The hub lead accepts, declines (with a reason for the team lead) or marks delivered."""
    if to not in HUB_DECISIONS:
        raise TeamSupportRefused("Choose accept, decline or delivered.")
    if to == Status.DECLINED and not reason.strip():
        raise TeamSupportRefused("Say why the request is declined: the team lead will read it.")
    with transaction.atomic(using=DATABASE):
        current = _locked(team_request)
        if not can_move(current.status, to, by=HUB_LEAD):
            raise _refusal(current.status, to)
        if (
            to == Status.DELIVERED
            and not _live_sessions(current).filter(starts_at__lte=timezone.now()).exists()
        ):
            raise TeamSupportRefused(
                "A request is delivered once at least one of its sessions has taken place."
            )
        current.status = to
        fields = ["status"]
        if to in (Status.ACCEPTED, Status.DECLINED):
            current.decided_at = timezone.now()
            current.decision_reason = reason.strip()
            fields += ["decided_at", "decision_reason"]
        current.save(using=DATABASE, update_fields=fields)
        record(
            actor=actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=current,
            reason=f"Team request {Status(to).label.lower()}",
        )
    return current


def do_withdraw_team_request(*, team_request: TeamRequest, acting_user: User) -> TeamRequest:
    """The team lead who asked withdraws their request; its booked sessions are cancelled."""
    if team_request.requester_ref != staff_ref_for(acting_user.pk):
        raise Http404("No such team request")
    with transaction.atomic(using=DATABASE):
        current = _locked(team_request)
        if not can_move(current.status, Status.WITHDRAWN, by=REQUESTER):
            raise TeamSupportRefused(
                f"This request is {Status(current.status).label.lower()}, so it cannot be "
                "withdrawn."
            )
        now = timezone.now()
        _live_sessions(current).filter(starts_at__gt=now).update(cancelled_at=now)
        current.status = Status.WITHDRAWN
        current.save(using=DATABASE, update_fields=["status"])
        record(
            actor=actor_for(acting_user),
            action=AuditAction.WITHDRAW,
            obj=current,
            reason="Withdrew the team request",
        )
    return current


def do_book_session(
    *,
    team_request: TeamRequest,
    acting_user: User,
    starts_at: datetime.datetime,
    facilitator: str,
    place: str,
) -> TeamSession:
    """Book a session for an accepted request; the first one makes the request "scheduled"."""
    with transaction.atomic(using=DATABASE):
        current = _locked(team_request)
        if current.status not in BOOKABLE:
            raise TeamSupportRefused(not_bookable(current.status))
        session = TeamSession.objects.using(DATABASE).create(
            request=current, starts_at=starts_at, facilitator=facilitator, place=place
        )
        if can_move(current.status, Status.SCHEDULED, by=SESSIONS):
            current.status = Status.SCHEDULED
            current.save(using=DATABASE, update_fields=["status"])
        record(
            actor=actor_for(acting_user),
            action=AuditAction.CREATE,
            obj=session,
            reason="Booked a team session",
        )
    return session


def do_record_session(
    *, session: TeamSession, acting_user: User, attended: int, feedback: str
) -> TeamSession:
    """After a session: how many came (a count, never names) and the hub's feedback notes."""
    with transaction.atomic(using=DATABASE):
        _locked(session.request)
        current = TeamSession.objects.using(DATABASE).select_for_update().get(pk=session.pk)
        if current.cancelled_at is not None:
            raise TeamSupportRefused("This session was cancelled, so there is nothing to record.")
        if not session_has_started(current):
            raise TeamSupportRefused(
                "You can record attendance and feedback once the session has started."
            )
        current.attended = attended
        current.feedback = feedback
        current.save(using=DATABASE, update_fields=["attended", "feedback"])
        record(
            actor=actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=current,
            reason="Recorded attendance and feedback for a team session",
        )
    return current


def do_cancel_session(*, session: TeamSession, acting_user: User) -> TeamSession:
    """Cancel a booked session that has not happened. Cancelling the last one takes the request
    back to "accepted", so its status never claims sessions that are not booked."""
    with transaction.atomic(using=DATABASE):
        current_request = _locked(session.request)
        current = TeamSession.objects.using(DATABASE).get(pk=session.pk)
        if current.cancelled_at is not None or session_has_started(current):
            raise TeamSupportRefused("Only a session that has not started yet can be cancelled.")
        if current_request.status != Status.SCHEDULED:
            raise TeamSupportRefused(
                f"This request is {Status(current_request.status).label.lower()}, so its "
                "sessions cannot be changed."
            )
        current.cancelled_at = timezone.now()
        current.save(using=DATABASE, update_fields=["cancelled_at"])
        if not _live_sessions(current_request).exists() and can_move(
            current_request.status, Status.ACCEPTED, by=SESSIONS
        ):
            current_request.status = Status.ACCEPTED
            current_request.save(using=DATABASE, update_fields=["status"])
        record(
            actor=actor_for(acting_user),
            action=AuditAction.UPDATE,
            obj=current,
            reason="Cancelled a team session",
        )
    return current


def status_counts() -> dict[str, int]:
    """How many requests are in each state, for the status filter."""
    counts = {
        row["status"]: row["n"]
        for row in TeamRequest.objects.using(DATABASE)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    }
    return {value: counts.get(value, 0) for value in Status.values}
