"""Reads about therapy appointments: a clinician's own list ("My appointments"), the next
appointment of each referral (for lists of referrals, such as a caseload), and which referrals
have two missed appointments in a row.

Plain fields only (time, length, how, the referral's reference): nothing here decrypts, so like
the queue these lists are not audited; opening the referral is. Each function runs a fixed
number of queries however many rows there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from portal.models import User
from wellbeing.models import (
    DATABASE,
    Appointment,
    Attendance,
    TherapySession,
)

MY_APPOINTMENTS_PAGE_SIZE = 25
# The plain columns a list row shows; the place (encrypted) is left out.
LIST_FIELDS = (
    "id",
    "referral_id",
    "referral__reference",
    "plan_id",
    "starts_at",
    "minutes",
    "mode",
    "status",
    "change_requested",
    "change_requested_at",
)
# How many missed appointments in a row raise the flag for the clinician.
MISSED_IN_A_ROW = 2


def next_appointments_for(
    referral_ids: Iterable[int], *, now: datetime.datetime | None = None
) -> dict[int, Appointment]:
    """Each referral's next booked appointment (starting now or later), by referral id; a
    referral with none is left out. One query, however many referrals."""
    ids = list(referral_ids)
    if not ids:
        return {}
    ranked = (
        Appointment.objects.using(DATABASE)
        .booked()
        .filter(referral_id__in=ids, starts_at__gte=now or timezone.now())
        .only("id", "referral_id", "plan_id", "starts_at", "minutes", "mode", "clinician_name")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("referral_id")],
                order_by=[F("starts_at").asc(), F("id").asc()],
            )
        )
        .filter(rank=1)
    )
    return {appointment.referral_id: appointment for appointment in ranked}


def missed_in_a_row(referral_ids: Iterable[int]) -> set[int]:
    """The referrals whose last two sessions that were due (attended or not: cancellations are
    left out) were both missed. One query.

    Sessions logged by hand count as well as appointments recorded, so the flag means the same
    whichever way the clinician kept the record.
    """
    ids = list(referral_ids)
    if not ids:
        return set()
    recent = (
        TherapySession.objects.using(DATABASE)
        .filter(
            plan__referral_id__in=ids,
            attendance__in=[Attendance.ATTENDED, Attendance.DID_NOT_ATTEND],
        )
        .annotate(
            referral_id=F("plan__referral_id"),
            rank=Window(
                RowNumber(),
                partition_by=[F("plan__referral_id")],
                order_by=[F("on").desc(), F("id").desc()],
            ),
        )
        .filter(rank__lte=MISSED_IN_A_ROW)
        .values_list("referral_id", "attendance")
    )
    missed: dict[int, int] = {}
    for referral_id, attendance in recent:
        missed[referral_id] = missed.get(referral_id, 0) + (attendance == Attendance.DID_NOT_ATTEND)
    return {referral_id for referral_id, count in missed.items() if count >= MISSED_IN_A_ROW}


# --- My appointments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page of a list ends: the last row's start time and id."""

    starts_at: datetime.datetime
    id: int

    def encode(self) -> str:
        return f"{int(self.starts_at.timestamp() * 1_000_000)}-{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """A cursor from a link; anything else is the first page."""
        micros, _, pk = (text or "").partition("-")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
            return None
        try:
            moment = datetime.datetime.fromtimestamp(int(micros) / 1_000_000, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(moment, int(pk))


@dataclass(frozen=True)
class AppointmentList:
    rows: list[Appointment]
    next_cursor: str  # "" when this is the last page
    first_page: bool


def _page(appointments: QuerySet[Appointment], after: Cursor | None) -> AppointmentList:
    if after is not None:
        appointments = appointments.filter(
            Q(starts_at__gt=after.starts_at) | Q(starts_at=after.starts_at, id__gt=after.id)
        )
    rows = list(
        appointments.select_related("referral")
        .only(*LIST_FIELDS)
        .order_by("starts_at", "id")[: MY_APPOINTMENTS_PAGE_SIZE + 1]
    )
    more = len(rows) > MY_APPOINTMENTS_PAGE_SIZE
    rows = rows[:MY_APPOINTMENTS_PAGE_SIZE]
    last = rows[-1] if rows else None
    cursor = Cursor(last.starts_at, last.pk).encode() if more and last else ""
    return AppointmentList(rows, cursor, after is None)


@dataclass(frozen=True)
class MyAppointments:
    awaiting_attendance: AppointmentList
    upcoming: AppointmentList


def my_appointments(
    clinician: User,
    *,
    awaiting_after: str | None = None,
    upcoming_after: str | None = None,
    now: datetime.datetime | None = None,
) -> MyAppointments:
    """The clinician's booked appointments: those past whose attendance is still to record
    (oldest first), and those to come (soonest first). Two queries, a page of each, paged by key
    so a long list costs the same as a short one."""
    now = now or timezone.now()
    mine = Appointment.objects.using(DATABASE).booked().with_clinician(clinician)
    return MyAppointments(
        awaiting_attendance=_page(mine.filter(starts_at__lte=now), Cursor.decode(awaiting_after)),
        upcoming=_page(mine.filter(starts_at__gt=now), Cursor.decode(upcoming_after)),
    )
