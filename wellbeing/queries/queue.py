"""The hub's triage queue: open referrals, urgent first, then longest waiting.

Reads only. The queue shows plain fields (reference, status, dates, bands, flags, who holds a
referral) and never decrypts anything, so a page costs the same few queries however long the
queue is: the count, one page of referrals (a query for each side of the urgent line), their
screenings (bands, and totals for the "worse since the last measure" flag), and their missed
appointments.

Pages are found by key, not by number (ADR 0031): a page starts after (or ends before) the row a
link names, so the last page reads 25 rows from the end of the queue's index rather than sorting
every open referral to skip all but 25, and a page costs the same at 100,000 referrals as at 10.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.http import urlencode

from portal.models import User
from wellbeing.contact_targets import contact_target_for
from wellbeing.instruments import INSTRUMENTS, not_asked
from wellbeing.models import DATABASE, OPEN_STATUSES, Referral, RiskLevel, ScreeningResult
from wellbeing.pseudonyms import staff_ref_for
from wellbeing.queries import attention
from wellbeing.queries.appointments import missed_in_a_row
from wellbeing.queries.outcomes import readings_of, worse_flag
from wellbeing.working_days import working_days_between

QUEUE_PAGE_SIZE = 25
# The plain columns a queue row needs; nothing encrypted is loaded, so nothing is decrypted.
QUEUE_FIELDS = (
    "id",
    "reference",
    "status",
    "urgent",
    "urgent_since",
    "created_at",
    "assessed_at",
    "risk_level",
    "assigned_ref",
    "assigned_name",
    # The person's referral that was open when this one was sent, read in the same query.
    "earlier_open_referral__reference",
    "earlier_open_referral__status",
    # Which questionnaires were asked: a skipped PCL-5 is said as such, not left blank.
    "traumatic_event",
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


QUEUE_ORDER = ("-urgent", "created_at", "id")
BACKWARDS = ("urgent", "-created_at", "-id")


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
        referrals = referrals.filter(attention.needs(filters.needs, today(), now()))
    return (
        referrals.select_related("earlier_open_referral").only(*QUEUE_FIELDS).order_by(*QUEUE_ORDER)
    )


# --- Pages by key ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueKey:
    """Where a row stands in the queue's order (urgent first, then oldest, then id), as a link
    carries it: "u-<microseconds since 1970>-<id>", u being 1 for urgent and 0 for routine."""

    urgent: bool
    created_at: datetime.datetime
    id: int

    @classmethod
    def of(cls, referral: Referral) -> QueueKey:
        return cls(referral.urgent, referral.created_at, int(referral.pk))

    def encode(self) -> str:
        micros = round(self.created_at.timestamp() * 1_000_000)
        return f"{int(self.urgent)}-{micros}-{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> QueueKey | None:
        """The key a link carries, or None for anything else (an edited address)."""
        urgent, _, rest = (text or "").partition("-")
        micros, _, pk = rest.partition("-")
        if urgent not in ("0", "1") or not (micros.isdigit() and pk.isdigit()):
            return None
        if len(micros) > 18 or len(pk) > 18:
            return None
        try:
            moment = datetime.datetime.fromtimestamp(int(micros) / 1_000_000, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(urgent == "1", moment, int(pk))

    def later_in_segment(self) -> Q:
        """Rows after this one on its own side of the urgent line. The `created_at >=` term
        lets the index range start at the key rather than filter from the segment's start."""
        return Q(urgent=self.urgent, created_at__gte=self.created_at) & (
            Q(created_at__gt=self.created_at) | Q(id__gt=self.id)
        )

    def earlier_in_segment(self) -> Q:
        return Q(urgent=self.urgent, created_at__lte=self.created_at) & (
            Q(created_at__lt=self.created_at) | Q(id__lt=self.id)
        )


def _rows_after(referrals: QuerySet[Referral], key: QueueKey | None, limit: int) -> list[Referral]:
    """Up to `limit` rows after `key` (from the start without one), in the queue's order.

    One query on each side of the urgent line, each a range of the queue's index: an OR across
    the line would make PostgreSQL filter from the start of the queue instead."""
    if key is None:
        urgent = referrals.filter(urgent=True)
        routine = referrals.filter(urgent=False)
    elif key.urgent:
        urgent = referrals.filter(key.later_in_segment())
        routine = referrals.filter(urgent=False)
    else:
        return list(referrals.filter(key.later_in_segment())[:limit])
    # Both sides always, each up to `limit`: the page's query count does not hang on how many
    # urgent referrals there are.
    return (list(urgent[:limit]) + list(routine[:limit]))[:limit]


def _rows_before(referrals: QuerySet[Referral], key: QueueKey | None, limit: int) -> list[Referral]:
    """Up to `limit` rows before `key` (before the end without one), in the queue's order."""
    backwards = referrals.order_by(*BACKWARDS)
    if key is None:
        routine = backwards.filter(urgent=False)
        urgent = backwards.filter(urgent=True)
    elif key.urgent:
        return list(reversed(backwards.filter(key.earlier_in_segment())[:limit]))
    else:
        routine = backwards.filter(key.earlier_in_segment())
        urgent = backwards.filter(urgent=True)
    rows = (list(routine[:limit]) + list(urgent[:limit]))[:limit]
    return list(reversed(rows))


# --- Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a referral stands against its rapid-assessment target, in words: working days for
    a routine referral, hours for an urgent one (wellbeing.contact_targets)."""

    assessed: bool
    days_left: int  # working days; negative once past the target (routine referrals)
    urgent: bool = False
    minutes_left: int = 0  # negative once past the target (urgent referrals)
    due_soon_minutes: int = 0  # urgent: from this many minutes left, the target is near
    hours: int = 0  # urgent: the target's length

    @property
    def breached(self) -> bool:
        if self.assessed:
            return False
        return self.minutes_left <= 0 if self.urgent else self.days_left < 0

    @property
    def due_soon(self) -> bool:
        """Not yet past, but near: due today, or the last quarter of an urgent target."""
        if self.assessed or self.breached:
            return False
        return self.minutes_left <= self.due_soon_minutes if self.urgent else self.days_left == 0

    @property
    def tag(self) -> str:
        """The colour of the tag the target is shown in ("" for none): green once assessed, red
        once past, orange when near. Its words always say the same, for those who see no colour."""
        if self.assessed:
            return "green"
        if self.breached:
            return "red"
        return "orange" if self.due_soon else ""

    @property
    def words(self) -> str:
        if self.assessed:
            return "Assessed"
        if self.urgent:
            return _hours_words(self.minutes_left)
        if self.days_left < 0:
            days = -self.days_left
            return f"Past target by {days} working day{'s' if days != 1 else ''}"
        if self.days_left == 0:
            return "Due today"
        return f"{self.days_left} working day{'s' if self.days_left != 1 else ''} left"


def _hours_words(minutes_left: int) -> str:
    """An urgent target in whole hours, rounded towards the target: 90 minutes left is "1 hour
    left", never "2 hours"."""
    if minutes_left <= 0:
        hours = -minutes_left // 60
        if hours == 0:
            return "Past target by less than an hour"
        return f"Past target by {hours} hour{'s' if hours != 1 else ''}"
    hours = minutes_left // 60
    if hours == 0:
        return "Less than an hour left"
    return f"{hours} hour{'s' if hours != 1 else ''} left"


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
    also_open: str  # the reference of the person's other open referral, or ""
    # The last two therapy sessions that were due were both missed (wellbeing.queries.appointments).
    missed_in_a_row: bool = False
    # "Worse since the last measure" or "Worse than at referral": a later score rose reliably
    # (wellbeing.queries.outcomes.worse_flag, hazard log H16); "" when none.
    worse: str = ""

    @property
    def holder(self) -> str:
        if self.mine:
            return "You"
        return self.referral.assigned_name or ("Someone" if self.referral.assigned_ref else "")


def first_bands(
    screenings: list[ScreeningResult], screening_answers: Mapping[str, str] | None = None
) -> list[Band]:
    """Each instrument's band at referral (its first screening), in the instruments' order, and
    in place of a band, why a questionnaire was not asked (never a band a 0 would give)."""
    first: dict[str, str] = {}
    for screening in sorted(screenings, key=lambda s: (s.taken_at, s.pk)):
        first.setdefault(screening.instrument, screening.band)
    for question in not_asked(screening_answers or {}):
        first.setdefault(question.instrument, question.not_asked.lower())
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


def also_open_reference(referral: Referral) -> str:
    """The reference of the person's earlier referral, while it is still open: "Also has open
    referral RH-…". Empty when there is none, or once it is closed or withdrawn."""
    earlier = referral.earlier_open_referral
    return earlier.reference if earlier is not None and earlier.is_open else ""


def today() -> datetime.date:
    """The hub's today, from which waits and targets are counted (tests fix it here)."""
    return timezone.localdate()


def now() -> datetime.datetime:
    """The hub's now, from which urgent targets are counted in hours (tests fix it here)."""
    return timezone.now()


def received_on(referral: Referral) -> datetime.date:
    return timezone.localdate(referral.created_at)


# Counting working days walks the calendar a day at a time; a queue of referrals waiting for
# months would walk it thousands of times a page. The answers depend only on the dates, so they
# are kept between requests.
@lru_cache(maxsize=8192)
def _working_days_between(a: datetime.date, b: datetime.date) -> int:
    return working_days_between(a, b)


def target_for(
    referral: Referral, on: datetime.date | None = None, at: datetime.datetime | None = None
) -> Target:
    """The referral against its rapid-assessment target, as of `on` (today by default) for a
    routine one and `at` (now by default) for an urgent one."""
    target = contact_target_for(referral)
    assessed = referral.assessed_at is not None
    if target.urgent:
        left = target.due_at - (at or now())
        warning = target.due_at - target.warn_from
        return Target(
            assessed=assessed,
            days_left=0,
            urgent=True,
            minutes_left=math.ceil(left.total_seconds() / 60),
            due_soon_minutes=math.ceil(warning.total_seconds() / 60),
            hours=target.hours,
        )
    return Target(assessed=assessed, days_left=_working_days_between(on or today(), target.due_on))


def _row_builder(
    user: User, on: datetime.date, at: datetime.datetime, missed: frozenset[int] = frozenset()
) -> Callable[[Referral], QueueRow]:
    own_ref = staff_ref_for(user.pk)

    def build(referral: Referral) -> QueueRow:
        received = received_on(referral)
        screenings = list(referral.screenings.all())
        return QueueRow(
            referral=referral,
            waiting_working_days=_working_days_between(received, on),
            waiting_calendar_days=(on - received).days,
            bands=first_bands(screenings, referral.screening_answers),
            target=target_for(referral, on, at),
            risk_flag=risk_flag(referral),
            mine=bool(referral.assigned_ref) and referral.assigned_ref == own_ref,
            also_open=also_open_reference(referral),
            missed_in_a_row=referral.pk in missed,
            worse=worse_flag(readings_of(screenings)),
        )

    return build


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    filters: QueueFilters
    count: int  # open referrals matching the filters, on every page
    first: bool  # the queue's first page: no "Previous"
    last: bool  # the queue's last page: no "Next"
    next_key: str = ""  # "after" of the next page's link
    previous_key: str = ""  # "before" of the previous page's link
    starts_at: str = ""  # the first row's reference, naming a later page in its title

    def link(self, **position: str) -> str:
        """A query string for another page of the same filters."""
        query = "&".join(part for part in (self.filters.as_query(), urlencode(position)) if part)
        return f"?{query}"

    @property
    def next_link(self) -> str:
        return self.link(after=self.next_key)

    @property
    def previous_link(self) -> str:
        return self.link(before=self.previous_key)

    @property
    def first_link(self) -> str:
        return self.link()

    @property
    def last_link(self) -> str:
        return self.link(end="last")


def queue_page(
    filters: QueueFilters,
    user: User,
    *,
    after: str | None = None,
    before: str | None = None,
    end: str | None = None,
) -> QueuePage:
    """One page of the queue with everything its rows show: a count, a page, its screenings.

    The page starts after the row `after` names, or ends before the row `before` names, or is
    the last page (`end="last"`); with none of them, or a key that is not one, the first page.

    No audit entry: a list of references, waits, bands and flags is not a read of anyone's
    confidential detail (nothing is decrypted and no one is named); opening a referral is, and
    is audited on the referral page.
    """
    referrals_matching = queue_queryset(filters, user)
    count = referrals_matching.count()
    after_key, before_key = QueueKey.decode(after), QueueKey.decode(before)
    size = QUEUE_PAGE_SIZE
    if end == "last" or before_key is not None:
        found = _rows_before(referrals_matching, before_key, size + 1)
        more_before, referrals = len(found) > size, found[-size:]
        more_after = before_key is not None
        if not referrals:  # nothing before that row any more: the first page
            more_before, referrals = False, _rows_after(referrals_matching, None, size + 1)
            more_after, referrals = len(referrals) > size, referrals[:size]
    else:
        found = _rows_after(referrals_matching, after_key, size + 1)
        more_after, referrals = len(found) > size, found[:size]
        more_before = after_key is not None
        if not referrals and after_key is not None:  # past the end: the last page
            found = _rows_before(referrals_matching, None, size + 1)
            more_before, referrals, more_after = len(found) > size, found[-size:], False
    screenings = (
        ScreeningResult.objects.using(DATABASE)
        # Totals and where they were taken too: the "worse since" flag reads them, no query more.
        .only("id", "referral_id", "instrument", "band", "total", "taken_at", "source")
        .order_by("taken_at", "id")
    )
    # One query for the screenings of every row on the page.
    prefetch_related_objects(referrals, Prefetch("screenings", queryset=screenings))
    missed = frozenset(missed_in_a_row([referral.pk for referral in referrals]))
    build = _row_builder(user, today(), now(), missed)
    return QueuePage(
        rows=[build(referral) for referral in referrals],
        filters=filters,
        count=count,
        first=not more_before,
        last=not more_after,
        next_key=QueueKey.of(referrals[-1]).encode() if more_after and referrals else "",
        previous_key=QueueKey.of(referrals[0]).encode() if more_before and referrals else "",
        starts_at=referrals[0].reference if referrals and more_before else "",
    )
