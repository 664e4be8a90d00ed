"""The machinery shared by the access matrices (tests/portal/test_access_matrix.py for the whole
portal, tests/wellbeing/test_access_matrix.py for the hub) and the header checks: the kinds of
visitor, how each signs in, every URL the resolver knows and how to open it, one object of every
kind a URL can name, and how a response reads as an outcome.

Outcomes: LOGIN (sent to sign in), MFA (sent to set up an authenticator), REAUTH (asked for the
password again), ADMIN_LOGIN (the back office's sign-in, which refuses anyone but its staff),
403, 404, 405 (a POST-only action opened with GET: the visitor got past every gate), another
redirect (302 or 301), or 200.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, SolarSchedule

from learning.models import Comment, Competency, LearningRecord
from portal import roles
from portal.models import OutboxMessage, User
from portal.outbox import unsubscribe
from tests.factories import UserFactory
from tests.learning.factories import CommentFactory, ResourceFactory
from tests.wellbeing.clinical_helpers import a_service, a_team_request
from tests.wellbeing.factories import a_referral_for, a_staff_member
from wellbeing.models import (
    Appointment,
    Campaign,
    FollowUp,
    HubMembership,
    OnwardReferral,
    ReferralStatus,
    Study,
    TeamRequest,
    TeamSession,
    TherapyPlan,
)
from wellbeing.pseudonyms import staff_ref_for

DB = "confidential"
LOGIN, MFA, REAUTH, ADMIN_LOGIN = "LOGIN", "MFA", "REAUTH", "ADMIN_LOGIN"
PERSONAS = (
    "anonymous",
    "staff",
    "owner",  # a member of staff with a referral, learning records and a comment awaiting review
    "team_lead",
    "curator",
    "clinician_no_mfa",
    "clinician",
    "lead",
    "superuser",  # staff flag, superuser and an authenticator: the back office's administrator
)
Row = dict[str, object]


def row(
    anonymous: object,
    staff: object,
    owner: object,
    team_lead: object,
    curator: object,
    clinician_no_mfa: object,
    clinician: object,
    lead: object,
    superuser: object,
) -> Row:
    values = (anonymous, staff, owner, team_lead, curator, clinician_no_mfa, clinician, lead)
    return dict(zip(PERSONAS, (*values, superuser), strict=True))


# --- Every URL of the portal, from the resolver ------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for a URL without a name
    route: str  # the whole route, prefixes included
    params: frozenset[str]
    namespace: str | None


def routes() -> dict[str, Route]:
    """Every URL pattern the portal answers, by key. Built from the resolver, so a new URL
    appears here without anyone listing it."""
    return _routes_of(get_resolver())


@functools.cache
def _routes_of(resolver: URLResolver) -> dict[str, Route]:
    def walk(
        patterns: list[Any], prefix: str, namespace: str | None, params: frozenset[str]
    ) -> Iterator[Route]:
        for pattern in patterns:
            here = params | frozenset(pattern.pattern.regex.groupindex)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, route, inner, here)
            elif isinstance(pattern, URLPattern):
                name = pattern.name
                key = (f"{namespace}:{name}" if namespace else name) if name else route
                yield Route(key, route, here, namespace)

    found: dict[str, Route] = {}
    for each in walk(resolver.url_patterns, "", None, frozenset()):
        # A name used twice reverses to one of them only: keep the other by its route.
        if each.key in found:
            each = replace(each, key=each.route)
        found[each.key] = each
    return found


def url_for(key: str, kwargs: dict[str, object]) -> str:
    """The address of a URL pattern, with its parameters taken from `kwargs`."""
    route = routes()[key]
    if key != route.route:
        return reverse(key, kwargs={name: kwargs[name] for name in route.params})
    # A URL without a name: fill its route in by hand.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1]]), route.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), path)
    return "/" + path.replace("^", "").replace("$", "")


def outcome(response: Any) -> object:
    if response.status_code not in (301, 302):
        return response.status_code
    path = urlsplit(response["Location"]).path
    named = {
        reverse("account_login"): LOGIN,
        reverse("mfa_activate_totp"): MFA,
        reverse("account_reauthenticate"): REAUTH,
        reverse("admin:login"): ADMIN_LOGIN,
    }
    return named.get(path, response.status_code)


# --- The visitors -------------------------------------------------------------------------------


def sign_in_as(persona: str, client: Any, sign_in: Any, world: dict[str, Any]) -> None:
    """Sign `client` in as `persona`. Staff sign in through allauth's form (so "my hub" sees a
    recent sign-in); privileged roles by force_login, their authenticator already set up."""
    if persona == "anonymous":
        return
    if persona in ("staff", "owner", "team_lead"):
        sign_in(world.get(persona) or a_staff_member())
        return
    if persona == "superuser":
        client.force_login(world["superuser"])
        return
    role, with_totp = {
        "curator": (roles.CURATOR, True),
        "clinician_no_mfa": (roles.HUB_CLINICIAN, False),
        "clinician": (roles.HUB_CLINICIAN, True),
        "lead": (roles.HUB_LEAD, True),
    }[persona]
    client.force_login(UserFactory(with_profile=True, roles=[role], with_totp=with_totp))


def a_superuser() -> User:
    user: User = UserFactory(with_profile=True, is_staff=True, is_superuser=True, with_totp=True)
    return user


# --- One object of every kind a URL can name ----------------------------------------------------


def hub_world() -> dict[str, Any]:
    """One of everything a hub URL can name, belonging to the owner and the team lead."""
    owner = a_staff_member()
    team_lead = UserFactory(with_profile=True, roles=[roles.TEAM_LEAD])
    referral = a_referral_for(owner, status=ReferralStatus.IN_SUPPORT)
    plan = TherapyPlan.objects.using(DB).create(
        referral=referral, modality="cbt", planned_sessions=6, therapist_ref="t" * 64
    )
    onward = OnwardReferral.objects.using(DB).create(referral=referral, service=a_service())
    appointment = Appointment.objects.using(DB).create(
        referral=referral,
        plan=plan,
        clinician_ref="c" * 64,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        minutes=50,
        mode="video",
    )
    follow_up = FollowUp.objects.using(DB).create(
        referral=referral, label="4 weeks", due_on=timezone.localdate()
    )
    request = a_team_request()
    TeamRequest.objects.using(DB).filter(pk=request.pk).update(
        requester_ref=staff_ref_for(team_lead.pk), requester_key=str(team_lead.pk)
    )
    session = TeamSession.objects.using(DB).create(
        request=request,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        facilitator="Casey",
        place="Room 2",
    )
    campaign = Campaign.objects.using(DB).create(
        name="Winter check-in", code="CHK-TEST0001", everyone=True, created_by_ref="l" * 64
    )
    study = Study.objects.using(DB).create(
        name="Hub evaluation",
        approval_reference="IRAS 314159",
        period_start=timezone.localdate() - datetime.timedelta(days=90),
        period_end=timezone.localdate(),
        defined_by_ref="r" * 64,
    )
    hub_member = UserFactory(with_profile=True)
    membership = HubMembership.objects.using(DB).create(
        user_id=hub_member.pk, role=roles.HUB_CLINICIAN
    )
    kwargs = {
        "referral_id": referral.pk,
        "plan_id": plan.pk,
        "onward_id": onward.pk,
        "appointment_id": appointment.pk,
        "follow_up_id": follow_up.pk,
        "request_id": request.pk,
        "session_id": session.pk,
        "service_id": onward.service_id,
        "pk": campaign.pk,
        "slug": "contact",
        "membership_id": membership.pk,
        "user_id": hub_member.pk,
        "study_id": study.pk,
        "file_format": "csv",
    }
    return {"owner": owner, "team_lead": team_lead, "superuser": a_superuser(), "kwargs": kwargs}


def portal_world() -> dict[str, Any]:
    """The hub's objects plus the learning catalogue's, the owner's learning record and pending
    comment, an unsubscribe link of theirs, and one object for every model in the back office."""
    world = hub_world()
    owner: User = world["owner"]
    resource = ResourceFactory(topics=["Diabetes and depression"])
    LearningRecord.objects.create(user=owner, resource=resource, status="saved")
    comment: Comment = CommentFactory(resource=resource, author=owner)
    nudge = OutboxMessage.objects.create(
        idempotency_key="access-matrix:nudge",
        category="learning_reminders",
        template="learning/unfinished_learning",
        recipient_ref=str(owner.pk),
    )
    world["portal_kwargs"] = {
        "slug": resource.slug,
        "resource_pk": resource.pk,
        "comment_pk": comment.pk,
        # A statement of the starter framework the migrations seed.
        "competency_pk": Competency.objects.order_by("pk").values_list("pk", flat=True).first(),
        "token": unsubscribe.token_for("portal", nudge.pk),
    }
    world["admin_objects"] = {
        model: one_of(model, world) for model in admin.site._registry if model is not None
    }
    world["resource"] = resource
    return world


def one_of(model: type[Model], world: dict[str, Any]) -> Model:
    """An object of `model` for the back office's pages that name one."""
    made: dict[type[Model], Callable[[], Model | None]] = {
        Authenticator: lambda: Authenticator.objects.filter(user=world["superuser"]).first(),
        # An SSO app as an administrator would add it; its server is never contacted.
        SocialApp: lambda: SocialApp.objects.create(
            provider="openid_connect",
            provider_id="entra",
            name="NHSmail",
            client_id="portal",
            settings={"server_url": "https://login.invalid/tenant/v2.0"},
        ),
        SocialAccount: lambda: SocialAccount.objects.create(
            user=world["owner"], provider="entra", uid="entra-uid-1"
        ),
        SocialToken: lambda: SocialToken.objects.create(
            app=one_of(SocialApp, world), account=one_of(SocialAccount, world), token="t"
        ),
        ClockedSchedule: lambda: ClockedSchedule.objects.create(clocked_time=timezone.now()),
        SolarSchedule: lambda: SolarSchedule.objects.create(
            event="sunrise", latitude=51.5, longitude=-0.1
        ),
    }
    existing: Model | None = model._default_manager.order_by("pk").first()
    if existing is not None:
        return existing
    if model in made:
        obj = made[model]()
        assert obj is not None, model
        return obj
    raise AssertionError(f"Give the access matrix a way to make one {model.__name__}")


def kwargs_for(key: str, world: dict[str, Any]) -> dict[str, object]:
    """The parameters for the URL `key`: the world's objects, or harmless values for allauth's
    links that carry a key from an email (an unknown key is what a stranger would try)."""
    route = routes()[key]
    if route.namespace == "wellbeing":
        hub: dict[str, object] = world["kwargs"]
        return hub
    if route.namespace == "admin":
        return _admin_kwargs(route, world)
    known = world["portal_kwargs"]
    on_comment = "/comments/" in route.route
    on_competency = "/competencies/" in route.route or "/statements/" in route.route
    return {
        "slug": known["slug"],
        "pk": (
            known["comment_pk"]
            if on_comment
            else known["competency_pk"]
            if on_competency
            else known["resource_pk"]
        ),
        "table": "level",
        "number": 1,
        "level": 1,
        "token": known["token"],
        "key": "an-unknown-key",
        "uidb36": "1",
        "provider_id": "entra",
    }


def _admin_kwargs(route: Route, world: dict[str, Any]) -> dict[str, object]:
    """A back-office URL names one object of its model; "view on site" names a resource."""
    objects: dict[type[Model], Model] = world["admin_objects"]
    obj = next(
        (
            obj
            for model, obj in objects.items()
            if f"/{model._meta.app_label}/{model._meta.model_name}/" in route.route
        ),
        None,
    )
    resource = world["resource"]
    return {
        "object_id": obj.pk if obj else resource.pk,
        "id": world["owner"].pk,
        "app_label": "learning",
        "content_type_id": ContentType.objects.get_for_model(resource).pk,
        "url": "no-such-page/",
    }
