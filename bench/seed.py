"""Seeding for `make bench` beyond the catalogue (bench/run.py) and the referrals (queue_bench.py):
staff with learning records, team requests, the clinician's authenticator, and people with a
finished self-referral draft waiting to be sent.

Everything is written with bulk_create in batches, from a fixed random seed. Sessions are made
as a sign-in leaves them (Django's session engine, the session clock, the MFA and profile gates
already passed), so the load generator can send each person's cookie.
"""

from __future__ import annotations

import importlib
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal.models import User

BATCH_SIZE = 2_000
STAFF_WITH_RECORDS = 2_000
TEAM_REQUEST_COUNT = 500
SUBMITTER_EMAIL = "bench.submitter.{}@bench.nhs.net"


# --- People and sessions -------------------------------------------------------------------------


def create_staff(emails: Sequence[str], rng: random.Random) -> list[User]:
    """Active, verified staff with a completed profile and no password (they use sessions)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from portal.models import CaringFrequency, StaffGroup, StaffProfile, User

    users = User.objects.bulk_create(
        (User(email=email, password=make_password(None)) for email in emails),
        batch_size=BATCH_SIZE,
    )
    EmailAddress.objects.bulk_create(
        (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
        batch_size=BATCH_SIZE,
    )
    StaffProfile.objects.bulk_create(
        (
            StaffProfile(
                user=user,
                display_name=f"Bench Person {user.pk}",
                staff_group=rng.choice(StaffGroup.values),
                job_title="Staff nurse",
                organisation=f"Bench Trust {user.pk % 12}",
                is_clinical=rng.random() < 0.7,
                cares_for_both=rng.choice(CaringFrequency.values),
            )
            for user in users
        ),
        batch_size=BATCH_SIZE,
    )
    return users


def signed_in_session_data(user: User) -> dict[str, Any]:
    """What a session holds after sign-in, the MFA check and the profile check."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from portal.middleware import RequireMFAMiddleware, RequireProfileMiddleware
    from portal.sessions import LAST_SEEN_AT, SIGNED_IN_AT

    now = time.time()
    return {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
        RequireMFAMiddleware.session_key: True,
        RequireProfileMiddleware.session_key: True,
        SIGNED_IN_AT: now,
        LAST_SEEN_AT: now,
    }


def session_keys_for(users: Sequence[User]) -> list[str]:
    """A signed-in session for each user, written in bulk through the session engine's model."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store_class = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    store = store_class()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys = [store._get_new_session_key() for _ in users]
    Session.objects.bulk_create(
        (
            Session(
                session_key=key,
                session_data=store.encode(signed_in_session_data(user)),
                expire_date=expires,
            )
            for key, user in zip(keys, users, strict=True)
        ),
        batch_size=BATCH_SIZE,
    )
    return keys


def session_cookie(session_key: str) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key}"


def give_authenticator(user: User) -> None:
    """A TOTP authenticator, as a hub clinician has set up: the MFA gate checks for one."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


# --- Learning records and team requests --------------------------------------------------------


def create_learners(extra_users: Iterable[User] = ()) -> list[User]:
    """STAFF_WITH_RECORDS new staff, after `extra_users`: whose learning records are seeded."""
    rng = random.Random(7)  # noqa: S311 - reproducible sample data, not security
    return list(extra_users) + create_staff(
        [f"bench.learner.{n}@bench.nhs.net" for n in range(STAFF_WITH_RECORDS)], rng
    )


def seed_learning_records(people: Sequence[User], resource_ids: Sequence[int], total: int) -> int:
    """About `total` learning records spread over `people`, each on one of `resource_ids`: called
    with the resources a size added, it grows the records with the catalogue."""
    from learning.models import LearningRecord, LearningStatus

    rng = random.Random(len(resource_ids))  # noqa: S311 - reproducible sample data
    per_person = max(1, round(total / len(people)))
    today = date.today()
    records = []
    for person in people:
        for resource_id in rng.sample(list(resource_ids), min(per_person, len(resource_ids))):
            status = rng.choice(LearningStatus.values)
            done = status == LearningStatus.COMPLETED
            records.append(
                LearningRecord(
                    user=person,
                    resource_id=resource_id,
                    status=status,
                    completed_on=today - timedelta(days=rng.randint(0, 700)) if done else None,
                    hours=Decimal(rng.choice(("0.5", "1.0", "1.5", "3.0", "7.5")))
                    if done
                    else None,
                    reflection="Useful for my practice." if done and rng.random() < 0.4 else "",
                )
            )
    LearningRecord.objects.bulk_create(records, batch_size=BATCH_SIZE)
    return len(records)


def seed_team_requests(count: int) -> None:
    """`count` team requests from team leads, in every status, over the last two years."""
    from django.db import transaction
    from django.utils import timezone

    from wellbeing.models import TeamRequest, TeamRequestStatus, TeamSupportType
    from wellbeing.pseudonyms import staff_ref_for

    rng = random.Random(11)  # noqa: S311 - reproducible sample data, not security
    now = timezone.now()
    requests = []
    for n in range(count):
        status = rng.choice(TeamRequestStatus.values)
        created = now - timedelta(days=rng.randint(0, 730))
        requests.append(
            TeamRequest(
                requester_ref=staff_ref_for(500_000 + n),
                requester_key=str(500_000 + n),
                requester_name=f"Team Lead {n}",
                team=f"Ward {n % 60}",
                organisation=f"Bench Trust {n % 12}",
                team_size=rng.randint(4, 60),
                support_type=rng.choice(TeamSupportType.values),
                topic="Support after a difficult period on the ward",
                preferred_dates="Tuesday afternoons",
                status=status,
                created_at=created,
                decided_at=None if status == TeamRequestStatus.REQUESTED else created,
            )
        )
    with transaction.atomic(using="confidential"):
        TeamRequest.objects.using("confidential").bulk_create(requests, batch_size=BATCH_SIZE)


# --- Self-referral: finished drafts waiting to be sent -----------------------------------------


@dataclass(frozen=True)
class Submitter:
    """One person whose finished draft waits on check your answers, and how to send it."""

    user_id: int
    staff_ref: str
    cookie: str
    body: str


def draft_answers() -> dict[str, Any]:
    """A finished draft's data as the question pages' own forms store it, with no risk answer
    (so each referral queues exactly one email, the confirmation to the person)."""
    from wellbeing.forms.self_referral import (
        AboutForm,
        ConsentForm,
        ContactForm,
        EqualityForm,
        HowHeardForm,
        QuestionnaireForm,
        StepForm,
        TraumaticEventForm,
        WorkForm,
    )
    from wellbeing.instruments import INSTRUMENTS

    posted: list[tuple[str, type[StepForm], dict[str, str]]] = [
        (
            "contact",
            ContactForm,
            {
                "name": "Bench Person",
                "phone": "07700 900 123",
                "email": "bench.person@bench.nhs.net",
                "voicemail_ok": "no",
                "best_times": "Weekday mornings",
            },
        ),
        (
            "work",
            WorkForm,
            {"organisation": "Bench Trust", "staff_group": "medical_dental", "team": "Ward 7"},
        ),
        ("about", AboutForm, {"whats_happening": "I cannot sleep after a hard week."}),
        # "Yes": every questionnaire is asked, the PCL-5 included, as before the question.
        ("trauma", TraumaticEventForm, {"traumatic_event": "yes"}),
        ("heard", HowHeardForm, {"how_heard": "colleague"}),
        ("equality", EqualityForm, {"sex": "prefer_not_to_say", "ethnic_group": ""}),
        ("consent", ConsentForm, {"consent": "on"}),
    ]
    data: dict[str, Any] = {}
    for slug, form_class, values in posted:
        form = form_class(values)
        if not form.is_valid():
            raise RuntimeError(f"bench: the {slug} answers are not valid: {form.errors}")
        data[slug] = form.answers()
    data["questionnaires"] = {}
    for code, instrument in INSTRUMENTS.items():
        risky = {rule.item for rule in instrument.risk_rules}
        questionnaire = QuestionnaireForm(
            instrument,
            {f"item_{i.number}": "0" if i.number in risky else "1" for i in instrument.items},
        )
        if not questionnaire.is_valid():
            raise RuntimeError(f"bench: the {code} answers are not valid")
        data["questionnaires"][code] = questionnaire.item_answers()
    return data


def prepare_submitters(count: int) -> list[Submitter]:
    """`count` people, each signed in with a finished draft and the CSRF token of the page.

    The token is made as Django makes it for the page (a secret in the csrftoken cookie, a
    masked copy in the form), so every POST passes the real CSRF check.
    """
    from django.conf import settings
    from django.db import transaction
    from django.middleware.csrf import (  # type: ignore[attr-defined]
        _get_new_csrf_string,
        _mask_cipher_secret,
    )
    from django.utils import timezone

    from wellbeing.models import ReferralDraft
    from wellbeing.pseudonyms import staff_ref_for
    from wellbeing.services.self_referral import draft_has_risk, first_incomplete_step

    rng = random.Random(13)  # noqa: S311 - reproducible sample data, not security
    answers = draft_answers()
    if first_incomplete_step(answers) is not None or draft_has_risk(answers):
        raise RuntimeError("bench: the prepared draft is incomplete or has a risk answer")
    users = create_staff([SUBMITTER_EMAIL.format(n) for n in range(count)], rng)
    session_keys = session_keys_for(users)
    expires = timezone.now() + timedelta(hours=settings.HUB_DRAFT_HOURS)
    submitters, drafts = [], []
    for user, session_key in zip(users, session_keys, strict=True):
        data = {**answers, "contact": {**answers["contact"], "email": user.email}}
        data["contact"]["name"] = f"Bench Person {user.pk}"
        key = uuid.uuid4()
        staff_ref = staff_ref_for(user.pk)
        draft = ReferralDraft(staff_ref=staff_ref, submission_key=key, expires_at=expires)
        draft.data = data
        drafts.append(draft)
        secret = _get_new_csrf_string()
        submitters.append(
            Submitter(
                user_id=int(user.pk),
                staff_ref=staff_ref,
                cookie=f"{session_cookie(session_key)}; {settings.CSRF_COOKIE_NAME}={secret}",
                body=f"csrfmiddlewaretoken={_mask_cipher_secret(secret)}&submission_key={key}",
            )
        )
    with transaction.atomic(using="confidential"):
        ReferralDraft.objects.using("confidential").bulk_create(drafts, batch_size=BATCH_SIZE)
    return submitters
