"""`manage.py purge_closed_referrals` removes referrals closed or withdrawn longer ago than the
retention period, with everything recorded about them; the audit log stays whole and says so."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from tests.wellbeing.clinical_helpers import a_service
from tests.wellbeing.factories import (
    HubMessageFactory,
    ReferralEventFactory,
    ReferralFactory,
    ScreeningResultFactory,
    a_hub_member_opens,
)
from wellbeing.audit import verify_chain
from wellbeing.management.commands import purge_closed_referrals
from wellbeing.management.commands.purge_closed_referrals import PARTS
from wellbeing.models import (
    Assessment,
    AuditEntry,
    ContactAttempt,
    FollowUp,
    OnwardReferral,
    OutboxMessage,
    Referral,
    ReferralStatus,
    SignpostedResource,
    TherapyPlan,
    TherapySession,
)

pytestmark = pytest.mark.django_db(databases=["default", "confidential"])

DB = "confidential"
S = ReferralStatus


@pytest.fixture(autouse=True)
def _postgresql():
    vendor = connections[DB].vendor
    assert vendor == "postgresql", f"these tests need PostgreSQL; confidential is {vendor}"


@pytest.fixture(autouse=True)
def _a_year(settings):
    settings.HUB_RETENTION_DAYS = 365


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def a_referral(status: str, *, ended_days_ago: int, updated_days_ago: int | None = None):
    """A referral that ended (closed or withdrawn) so many days ago, unchanged since."""
    referral = ReferralFactory(status=status)
    ended = days_ago(ended_days_ago)
    ended_field = {"closed": "closed_at", "withdrawn": "withdrawn_at"}.get(status)
    changes = {ended_field: ended} if ended_field else {}
    # updated_at is set on every save, so the past is written with an update.
    Referral.objects.using(DB).filter(pk=referral.pk).update(
        created_at=ended - datetime.timedelta(days=30),
        updated_at=days_ago(updated_days_ago if updated_days_ago is not None else ended_days_ago),
        **changes,
    )
    return Referral.objects.using(DB).get(pk=referral.pk)


def with_everything(referral: Referral, *, onward_news_days_ago: int = 400) -> Referral:
    """A record of each kind hanging off the referral, and an audit entry about it."""
    ScreeningResultFactory(referral=referral)
    ReferralEventFactory(referral=referral)
    HubMessageFactory(referral=referral)
    ContactAttempt.objects.using(DB).create(
        referral=referral, method="phone", outcome="reached", note="Spoke at length", by_ref="c"
    )
    Assessment.objects.using(DB).create(
        referral=referral,
        by_ref="c",
        notes="Poor sleep",
        risk_level="low",
        formulation="Acute stress",
        outcome="direct_therapy",
    )
    SignpostedResource.objects.using(DB).create(referral=referral, resource_id=1)
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="c"
    )
    TherapySession.objects.using(DB).create(
        plan=plan, on=timezone.localdate() - datetime.timedelta(days=500), attendance="attended"
    )
    news_on = timezone.localdate() - datetime.timedelta(days=onward_news_days_ago)
    OnwardReferral.objects.using(DB).create(
        referral=referral, service=a_service(), sent_on=news_on, status_on=news_on
    )
    FollowUp.objects.using(DB).create(
        referral=referral, label="4 weeks", due_on=timezone.localdate(), cancelled_at=days_ago(400)
    )
    a_hub_member_opens(referral)
    return referral


def parts_left(referral: Referral) -> dict[str, int]:
    return {
        words: model._default_manager.using(DB).filter(**{lookup: referral.pk}).count()
        for words, model, lookup in PARTS
    }


def purge(*options: str) -> str:
    out = StringIO()
    call_command("purge_closed_referrals", *options, stdout=out)
    return out.getvalue()


def exists(referral: Referral) -> bool:
    return Referral.objects.using(DB).filter(pk=referral.pk).exists()


@pytest.fixture
def old_closed():
    return with_everything(a_referral(S.CLOSED, ended_days_ago=400))


@pytest.fixture
def old_withdrawn():
    return a_referral(S.WITHDRAWN, ended_days_ago=800)


def test_referrals_ended_longer_ago_than_the_period_go_with_everything_about_them(
    old_closed, old_withdrawn
):
    assert set(parts_left(old_closed).values()) == {1}
    output = purge()
    assert "Removed 2 referrals" in output
    assert not exists(old_closed)
    assert not exists(old_withdrawn)
    assert set(parts_left(old_closed).values()) == {0}
    # The directory entry the onward referral named is the hub's, not the referral's.
    assert OnwardReferral.objects.using(DB).count() == 0


def test_each_removal_is_audited_and_the_audit_log_stays_whole(old_closed, old_withdrawn):
    before = list(AuditEntry.objects.using(DB).values_list("pk", "hash"))
    purge()
    # Nothing written before is changed or removed, and the chain still verifies.
    assert (
        list(
            AuditEntry.objects.using(DB)
            .filter(pk__in=[pk for pk, _ in before])
            .values_list("pk", "hash")
        )
        == before
    )
    removals = AuditEntry.objects.using(DB).filter(action="delete").order_by("object_id")
    assert [(e.object_type, e.object_id) for e in removals] == [
        ("referral", old_closed.pk),
        ("referral", old_withdrawn.pk),
    ]
    assert {(e.actor_role, e.reason) for e in removals} == {
        ("System", "Removed after the retention period (365 days)")
    }
    assert verify_chain().intact
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "Audit log intact" in out.getvalue()


def test_a_dry_run_counts_what_would_go_and_removes_nothing(old_closed, old_withdrawn):
    entries = AuditEntry.objects.using(DB).count()
    output = purge("--dry-run")
    assert "Dry run: 2 referrals would be removed" in output
    assert "  1 therapy sessions" in output
    assert "  1 messages" in output
    assert "Nothing was removed." in output
    # Counts only: no reference, no name.
    assert old_closed.reference not in output
    assert old_closed.name not in output
    assert exists(old_closed)
    assert exists(old_withdrawn)
    assert set(parts_left(old_closed).values()) == {1}
    assert AuditEntry.objects.using(DB).count() == entries


def test_open_and_recently_ended_referrals_are_kept():
    kept = [
        a_referral(S.NEW, ended_days_ago=2000),
        a_referral(S.IN_SUPPORT, ended_days_ago=2000),
        a_referral(S.CLOSED, ended_days_ago=300),
        a_referral(S.WITHDRAWN, ended_days_ago=300),
        # Closed long ago but changed within the period.
        a_referral(S.CLOSED, ended_days_ago=400, updated_days_ago=10),
        # Closed long ago, but the service it went on to reported back within the period.
        with_everything(a_referral(S.CLOSED, ended_days_ago=400), onward_news_days_ago=10),
    ]
    assert "Removed 0 referrals" in purge()
    assert all(exists(referral) for referral in kept)
    assert not AuditEntry.objects.using(DB).filter(action="delete").exists()


def test_a_closed_referral_without_a_closing_date_is_kept():
    referral = a_referral(S.CLOSED, ended_days_ago=400)
    Referral.objects.using(DB).filter(pk=referral.pk).update(closed_at=None)
    purge()
    assert exists(referral)


def test_the_retention_period_is_a_setting(settings):
    referral = a_referral(S.CLOSED, ended_days_ago=100)
    purge()
    assert exists(referral)
    settings.HUB_RETENTION_DAYS = 90
    assert "Retention period: 90 days" in purge()
    assert not exists(referral)


def test_the_default_period_is_twenty_years_for_mental_health_records(settings):
    from portal import settings as portal_settings

    assert portal_settings.HUB_RETENTION_DAYS == 7305


def test_a_period_under_a_day_is_refused(settings, old_closed):
    settings.HUB_RETENTION_DAYS = 0
    with pytest.raises(CommandError, match="at least 1"):
        purge()
    assert exists(old_closed)


def test_many_referrals_are_removed_batch_by_batch(monkeypatch):
    monkeypatch.setattr(purge_closed_referrals, "BATCH", 2)
    referrals = [a_referral(S.CLOSED, ended_days_ago=400) for _ in range(5)]
    assert "Removed 5 referrals" in purge()
    assert not any(exists(referral) for referral in referrals)
    assert AuditEntry.objects.using(DB).filter(action="delete").count() == 5


def test_outbox_rows_stay_they_hold_no_content(old_closed):
    OutboxMessage.objects.using(DB).create(
        idempotency_key=f"wellbeing/new_message/{old_closed.pk}",
        category="hub_messages",
        template="wellbeing/new_message",
        context={"referral_id": old_closed.pk},
    )
    purge()
    assert not exists(old_closed)
    assert OutboxMessage.objects.using(DB).count() == 1
