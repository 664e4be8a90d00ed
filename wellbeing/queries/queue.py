"""The hub's triage queue: open referrals, urgent first, then longest waiting.

Reads only. The queue shows plain fields (reference, status, dates, bands, flags, who holds a
referral) and never decrypts anything, so a page costs the same few queries however long the
queue is: the count, one page of referrals, and their screenings.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.http import urlencode

from portal.models import User
from wellbeing.instruments import INSTRUMENTS
from wellbeing.models import DATABASE, OPEN_STATUSES, Referral, RiskLevel, ScreeningResult
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import attention
from wellbeing.working_days import contact_target_date, working_days_between

QUEUE_PAGE_SIZE = 25
# The plain columns a queue row needs; nothing encrypted is loaded, so nothing is decrypted.
QUEUE_FIELDS = (
    "id",
    "reference",
    "status",
    "urgent",
    "created_at",
    "assessed_at",
    "risk_level",
    "assigned_ref",
    "assigned_name",
)


@dataclass(frozen=True)
class QueueFilters:
    assigned: str = "all"  # "all", "unassigned" or "mine"
    status: str = ""  # one of OPEN_STATUSES, or "" for all of them
    risk: str = ""  # "high": urgent or assessed as high risk; "" for any
    needs: str = ""  # one of attention.NEEDS_CHOICES, or "" for any

    def as_query(self) -> str:
        """The filters as a query string, for the pagination links."""
        chosen = {
            "assigned": self.assigned,
            "status": self.status,
            "risk": self.risk,
            "needs": self.needs,
        }
        return urlencode({key: value for key, value in chosen.items() if value})


def queue_queryset(filters: QueueFilters, user: User) -> QuerySet[Referral]:
    """Open referrals matching `filters`, urgent first, then longest waiting."""
    statuses = [filters.status] if filters.status in OPEN_STATUSES else list(OPEN_STATUSES)
    referrals = Referral.objects.using(DATABASE).filter(status__in=statuses)
    if filters.assigned == "unassigned":
        referrals = referrals.filter(assigned_ref="")
    elif filters.assigned == "mine":
        referrals = referrals.filter(assigned_ref=staff_ref_for(user.pk))
    if filters.risk == "high":
        referrals = referrals.filter(Q(urgent=True) | Q(risk_level=RiskLevel.HIGH))
    if filters.needs:
        referrals = referrals.filter(attention.needs(filters.needs, today()))
    return referrals.only(*QUEUE_FIELDS).order_by("-urgent", "created_at", "id")


# --- Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a referral stands against the rapid-assessment target, in words."""

    assessed: bool
    days_left: int  # working days; negative once past the target

    @property
    def breached(self) -> bool:
        return not self.assessed and self.days_left < 0

    @property
    def words(self) -> str:
        if self.assessed:
            return "Assessed"
        if self.days_left < 0:
            days = -self.days_left
            return f"Past target by {days} working day{'s' if days != 1 else ''}"
        if self.days_left == 0:
            return "Due today"
        return f"{self.days_left} working day{'s' if self.days_left != 1 else ''} left"


@dataclass(frozen=True)
class Band:
    code: str
    band: str


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    waiting_working_days: int
    waiting_calendar_days: int
    bands: list[Band]
    target: Target
    risk_flag: str  # "" when there is none
    mine: bool

    @property
    def holder(self) -> str:
        if self.mine:
            return "You"
        return self.referral.assigned_name or ("Someone" if self.referral.assigned_ref else "")


def first_bands(screenings: list[ScreeningResult]) -> list[Band]:
    """Each instrument's band at referral (its first screening), in the instruments' order."""
    first: dict[str, str] = {}
    for screening in sorted(screenings, key=lambda s: (s.taken_at, s.pk)):
        first.setdefault(screening.instrument, screening.band)
    order = {code: index for index, code in enumerate(INSTRUMENTS)}
    return [
        Band(code, band)
        for code, band in sorted(first.items(), key=lambda item: order.get(item[0], len(order)))
    ]


def risk_flag(referral: Referral) -> str:
    """Why a referral needs attention first, in words (a tag's colour alone says nothing)."""
    flags = []
    if referral.urgent:
        flags.append("Urgent")
    if referral.risk_level == RiskLevel.HIGH:
        flags.append("High risk")
    return ", ".join(flags)


def today() -> datetime.date:
    """The hub's today, from which waits and targets are counted (tests fix it here)."""
    return timezone.localdate()


def received_on(referral: Referral) -> datetime.date:
    return timezone.localdate(referral.created_at)


# Counting working days walks the calendar a day at a time; a queue of referrals waiting for
# months would walk it thousands of times a page. The answers depend only on the dates (and the
# target's length, a setting), so they are kept between requests.
@lru_cache(maxsize=8192)
def _working_days_between(a: datetime.date, b: datetime.date) -> int:
    return working_days_between(a, b)


@lru_cache(maxsize=4096)
def _target_date(received: datetime.date, target_days: int) -> datetime.date:
    return contact_target_date(received)


def target_for(referral: Referral, on: datetime.date | None = None) -> Target:
    """The referral against the rapid-assessment target, as of `on` (today by default)."""
    received = received_on(referral)
    target = _target_date(received, settings.HUB_CONTACT_TARGET_WORKING_DAYS)
    return Target(
        assessed=referral.assessed_at is not None,
        days_left=_working_days_between(on or today(), target),
    )


def _row_builder(user: User, on: datetime.date) -> Callable[[Referral], QueueRow]:
    own_ref = staff_ref_for(user.pk)

    def build(referral: Referral) -> QueueRow:
        received = received_on(referral)
        return QueueRow(
            referral=referral,
            waiting_working_days=_working_days_between(received, on),
            waiting_calendar_days=(on - received).days,
            bands=first_bands(list(referral.screenings.all())),
            target=target_for(referral, on),
            risk_flag=risk_flag(referral),
            mine=bool(referral.assigned_ref) and referral.assigned_ref == own_ref,
        )

    return build


@dataclass(frozen=True)
class QueuePage:
    page: Page[Referral]
    rows: list[QueueRow]
    filters: QueueFilters


def queue_page(filters: QueueFilters, user: User, page_number: str | None) -> QueuePage:
    """One page of the queue with everything its rows show: a count, a page, its screenings.

    No audit entry: a list of references, waits, bands and flags is not a read of anyone's
    confidential detail (nothing is decrypted and no one is named); opening a referral is, and
    is audited on the referral page.
    """
    paginator = Paginator(queue_queryset(filters, user), QUEUE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    referrals = list(page.object_list)
    screenings = (
        ScreeningResult.objects.using(DATABASE)
        .only("id", "referral_id", "instrument", "band", "taken_at")
        .order_by("taken_at", "id")
    )
    # One query for the screenings of every row on the page.
    prefetch_related_objects(referrals, Prefetch("screenings", queryset=screenings))
    page.object_list = referrals
    build = _row_builder(user, today())
    return QueuePage(page, [build(referral) for referral in referrals], filters)
