"""Seeding the hub for `make bench`: referrals as self-referral makes them, and its clinician
and lead with their sessions.

The referrals are made as self-referral makes them: names, contact details and free text
encrypted, five scored questionnaires each (item answers encrypted), some urgent, some held by a
clinician, some assessed, a quarter closed or withdrawn, received over the last two years, with
their follow-ups and messages. `seed(start, stop)` adds one range of them, so bench/run.py grows
the same hub from one size to the next.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.models import User

BATCH_SIZE = 2_000
CLINICIAN_EMAIL = "bench.clinician@bench.nhs.net"
LEAD_EMAIL = "bench.lead@bench.nhs.net"

WORDS = (
    "I have not slept properly since a difficult shift",
    "Things at home and on the ward have piled up",
    "I keep thinking about a patient who died",
    "I feel on edge all the time and snap at people",
    "I am drinking more than I would like",
    "I dread going to work",
)


# --- Seeding -------------------------------------------------------------------------------------


def _answers(rng: random.Random, code: str) -> list[int]:
    """Plausible answers: mostly low, and rarely a risk answer, so that about one referral in
    twenty-five is urgent rather than most of them."""
    from wellbeing.instruments import INSTRUMENTS

    instrument = INSTRUMENTS[code]
    severity = rng.random()
    answers = []
    for item in instrument.items:
        values = sorted(option.value for option in instrument.options_for(item))
        answers.append(values[min(len(values) - 1, int(rng.random() * severity * len(values)))])
    for rule in instrument.risk_rules:
        if rng.random() > 0.05:
            answers[rule.item - 1] = min(answers[rule.item - 1], rule.above)
    return answers


def seed(start: int, stop: int) -> None:
    """Referrals number `start` to `stop` with their screenings, in batches (bench/run.py then
    runs VACUUM ANALYZE).
    Called again with the next range, it grows the same hub (bench/run.py's sizes)."""
    from django.db import transaction
    from django.utils import timezone

    from wellbeing.instruments import INSTRUMENTS, score
    from wellbeing.models import Referral, ReferralStatus, RiskLevel, ScreeningResult
    from wellbeing.pseudonyms import staff_ref_for

    rng = random.Random(2026 + start)  # noqa: S311 - reproducible sample data, not security
    now = timezone.now()
    clinician_ref = staff_ref_for(clinician().pk)
    holders = [(clinician_ref, "Bench Clinician")] + [
        (staff_ref_for(900_000 + n), f"Clinician {n}") for n in range(8)
    ]
    statuses = (
        [ReferralStatus.NEW] * 30
        + [ReferralStatus.IN_ASSESSMENT] * 20
        + [ReferralStatus.IN_SUPPORT] * 25
        + [ReferralStatus.CLOSED] * 20
        + [ReferralStatus.WITHDRAWN] * 5
    )
    for batch_start in range(start, stop, BATCH_SIZE):
        referrals, screenings = [], []
        for n in range(batch_start, min(batch_start + BATCH_SIZE, stop)):
            status = rng.choice(statuses)
            created = now - timedelta(minutes=rng.randint(0, 730 * 24 * 60))
            held = status != ReferralStatus.NEW or rng.random() < 0.1
            holder_ref, holder_name = rng.choice(holders) if held else ("", "")
            assessed = status in (ReferralStatus.IN_SUPPORT, ReferralStatus.CLOSED)
            answers: dict[str, Any] = {code: _answers(rng, code) for code in INSTRUMENTS}
            results = {code: score(code, answers[code]) for code in INSTRUMENTS}
            referral = Referral(
                reference=f"RH-{n // 10_000:04d}-{n % 10_000:04d}",
                staff_ref=staff_ref_for(100_000 + n),
                submission_key=uuid.uuid4(),
                status=status,
                urgent=any(result.risk for result in results.values()) or rng.random() < 0.03,
                created_at=created,
                consented_at=created,
                owner_key=str(100_000 + n),
                assigned_ref=holder_ref,
                assigned_name=holder_name,
                assigned_at=created + timedelta(days=1) if held else None,
                assessed_at=created + timedelta(days=2) if assessed else None,
                risk_level=rng.choice(RiskLevel.values) if assessed else "",
                name=f"Bench Person {n}",
                phone="07700 900123",
                email=f"bench.person{n}@bench.nhs.net",
                organisation=f"Bench Trust {n % 12}",
                staff_group="nursing_midwifery_registered",
                team=f"Ward {n % 40}",
                whats_happening=rng.choice(WORDS),
                hoped_for_help="Someone to talk to",
            )
            referrals.append(referral)
            screenings.append((referral, answers, results, created))
        with transaction.atomic(using="confidential"):
            Referral.objects.using("confidential").bulk_create(referrals)
            ScreeningResult.objects.using("confidential").bulk_create(
                ScreeningResult(
                    referral=referral,
                    instrument=code,
                    answers=answers[code],
                    total=result.total,
                    band=result.band,
                    risk=result.risk,
                    taken_at=taken_at,
                )
                for referral, answers, results, taken_at in screenings
                for code, result in results.items()
            )
            seed_follow_ups_and_messages(rng, referrals)


def seed_follow_ups_and_messages(rng: random.Random, referrals: list[Any]) -> None:
    """What the caseload and the lead's home page count besides referrals: a follow-up for each
    assessed referral (some done), and a message from the person on a third of them."""
    from django.utils import timezone

    from wellbeing.models import FollowUp, HubMessage

    today = timezone.localdate()
    follow_ups, messages = [], []
    for referral in referrals:
        if referral.assessed_at is not None:
            due = timezone.localdate(referral.assessed_at) + timedelta(weeks=4)
            follow_ups.append(
                FollowUp(
                    referral=referral,
                    label="4 weeks",
                    due_on=due,
                    completed_at=referral.assessed_at + timedelta(weeks=4)
                    if due < today and rng.random() < 0.7
                    else None,
                )
            )
        if rng.random() < 0.33:
            messages.append(
                HubMessage(
                    referral=referral,
                    from_hub=False,
                    author_ref=referral.staff_ref,
                    body="Thank you, Tuesday morning is best.",
                    sent_at=referral.created_at + timedelta(days=1),
                )
            )
    FollowUp.objects.using("confidential").bulk_create(follow_ups)
    HubMessage.objects.using("confidential").bulk_create(messages)


def seed_clinician(email: str = CLINICIAN_EMAIL, role: str = "") -> int:
    """A hub clinician (or, given the role, a hub lead) with a profile; their id."""
    from allauth.account.models import EmailAddress

    from portal import roles
    from portal.models import CaringFrequency, StaffGroup, StaffProfile, User
    from wellbeing.models import HubMembership

    user = User.objects.create_user(email, None)  # signs in by session only
    HubMembership.objects.using("confidential").create(
        user_id=user.pk, role=role or roles.HUB_CLINICIAN
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    StaffProfile.objects.create(
        user=user,
        display_name="Bench Lead" if role else "Bench Clinician",
        staff_group=StaffGroup.NURSING_MIDWIFERY_REGISTERED,
        job_title="Clinical psychologist",
        organisation="Benchmark Trust",
        is_clinical=True,
        cares_for_both=CaringFrequency.SOMETIMES,
    )
    return int(user.pk)


def clinician() -> User:
    from portal.models import User

    return User.objects.get(email=CLINICIAN_EMAIL)


def seed_lead() -> User:
    """The hub lead whose home page is measured."""
    from portal import roles
    from portal.models import User

    return User.objects.get(pk=seed_clinician(LEAD_EMAIL, roles.HUB_LEAD))


def lead_cookie() -> str:
    return clinician_cookie(LEAD_EMAIL)


def clinician_cookie(email: str = CLINICIAN_EMAIL) -> str:
    """The session of a clinician who has signed in with their authenticator app: made with the
    SessionStore, with the MFA and profile gates already passed, as after a real sign-in."""
    import importlib
    import time

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.middleware import RequireMFAMiddleware, RequireProfileMiddleware
    from portal.models import User
    from portal.sessions import LAST_SEEN_AT, SIGNED_IN_AT

    user = User.objects.get(email=email)
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[RequireMFAMiddleware.session_key] = True
    store[RequireProfileMiddleware.session_key] = True
    store[SIGNED_IN_AT] = store[LAST_SEEN_AT] = time.time()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
