"""Benchmark the hub's triage queue with 10,000 referrals in the confidential database.

`bench/run.py` (`make bench`) calls `seed()` after seeding the catalogue and `scenarios()` while
gunicorn runs, and adds the rows to its table. Run alone, `.venv/bin/python bench/queue_bench.py`
uses its own database pair (portal_bench_queue and portal_bench_queue_confidential, or
BENCH_QUEUE_DATABASE_URL) and port 8775, and prints the rows without touching bench/results.md.

It uses run.py's helpers through `from bench import run` inside its functions: run.py is
usually `__main__`, and importing it there again only defines its functions.

The referrals are made as self-referral makes them: names, contact details and free text
encrypted, five scored questionnaires each (item answers encrypted), some urgent, some held by a
clinician, some assessed, a quarter closed or withdrawn, received over the last two years.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from bench.http_bench import Measured
    from bench.run import Result
    from portal.models import User

REFERRAL_COUNT = 10_000
BATCH_SIZE = 1_000
TARGET_QUEUE_P95_MS = 80.0
CLINICIAN_EMAIL = "bench.clinician@bench.nhs.net"
LEAD_EMAIL = "bench.lead@bench.nhs.net"
# The clinician's caseload: its first page and later ones.
CASELOAD_PATHS = ("/hub/caseload/", "/hub/caseload/?page=2", "/hub/caseload/?page=10")
LEAD_HOME_PATHS = ("/hub/lead/",)
# What clinicians open: the whole queue, its filters and later pages, in turn.
QUEUE_PATHS = (
    "/hub/queue/",
    "/hub/queue/?assigned=unassigned",
    "/hub/queue/?risk=high",
    "/hub/queue/?status=new",
    "/hub/queue/?page=2",
    "/hub/queue/?assigned=mine",
    "/hub/queue/?page=40",
)
STANDALONE_PORT = 8775
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_queue"

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


def seed(count: int = REFERRAL_COUNT) -> None:
    """`count` referrals with their screenings, in batches, then ANALYZE; and a clinician."""
    from django.db import connections, transaction
    from django.utils import timezone

    from wellbeing.instruments import INSTRUMENTS, score
    from wellbeing.models import Referral, ReferralStatus, RiskLevel, ScreeningResult
    from wellbeing.pseudonyms import staff_ref_for

    rng = random.Random(2026)  # noqa: S311 - reproducible sample data, not security
    now = timezone.now()
    clinician_ref = staff_ref_for(seed_clinician())
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
    for start in range(0, count, BATCH_SIZE):
        referrals, screenings = [], []
        for n in range(start, min(start + BATCH_SIZE, count)):
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
    with connections["confidential"].cursor() as cursor:
        cursor.execute("ANALYZE")


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


# --- Measuring -----------------------------------------------------------------------------------


def queries_in_both_databases(call: Callable[[], object]) -> int:
    """Queries `call` makes in the default and the confidential database together."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["confidential"]) as confidential,
    ):
        call()
    return len(default) + len(confidential)


def scenario_queue_page_alone() -> Result:
    """`wellbeing.queries.queue.queue_page` as the view calls it: the count, a page, its screenings."""
    from bench import run
    from portal.models import User
    from wellbeing.queries.queue import QueueFilters, queue_page

    user = User.objects.get(email=CLINICIAN_EMAIL)
    label = f"queue_page(): {REFERRAL_COUNT:,} referrals, first page (ORM)"

    def call(_: str) -> object:
        return queue_page(QueueFilters(), user, None).rows

    result = run.run_loop(call, label)
    result.queries_per_request = queries_in_both_databases(lambda: call(""))
    return result


def http_scenario(connections: int, scratch: Path) -> Measured:
    """The queue through gunicorn under load with wrk, as in `make bench`."""
    from bench import http_bench
    from bench.load import Request

    scenario = http_bench.Scenario(
        "Triage queue (filters and pages in turn)",
        [Request(path, clinician_cookie()) for path in QUEUE_PATHS],
        target_p95_ms=TARGET_QUEUE_P95_MS,
    )
    server = http_bench.Server(f"http://{_host()}:{STANDALONE_PORT}", _host(), connections, scratch)
    return http_bench.run_page(scenario, server)


def _host() -> str:
    from bench import run

    return run.HTTP_HOST


# --- Alone ---------------------------------------------------------------------------------------


def main() -> int:
    from bench import report, run
    from bench import seed as seed_module

    run.HTTP_PORT = STANDALONE_PORT
    if not run.port_is_free():
        print(f"bench: something already listens on port {STANDALONE_PORT}; stop it first.")
        return 2
    default = os.environ.get("BENCH_QUEUE_DATABASE_URL", DEFAULT_DATABASE_URL)
    databases = run.Databases(default, f"{default}_confidential")
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="portal-bench-queue-") as scratch:
        env = run.production_env(databases, Path(scratch) / "static")
        os.environ.update(env)
        with run.step("recreate databases", seconds):
            run.recreate_database(databases.default)
            run.recreate_database(databases.confidential)
        with run.step("migrate", seconds):
            run.manage(env, "migrate", "--database", "default", "--no-input")
            run.manage(env, "migrate", "--database", "confidential", "--no-input")
        with run.step("collect static files", seconds):
            run.manage(env, "collectstatic", "--no-input")

        import django

        django.setup()
        with run.step(f"seed {REFERRAL_COUNT:,} referrals and ANALYZE", seconds):
            seed()
        seed_module.give_authenticator(clinician())
        alone = scenario_queue_page_alone()
        with run.gunicorn(env, Path(scratch) / "gunicorn.log", workers=run.WORKERS):
            loaded = http_scenario(run.CONNECTIONS, Path(scratch))
    print("\n".join(run.table([alone])))
    print("\n".join(report.http_table([loaded])))
    print("Set-up took: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()) + ".")
    return 1 if loaded.misses(None) else 0


if __name__ == "__main__":
    sys.exit(main())
