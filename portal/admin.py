"""The back office for users and their staff profiles. No wellbeing model is ever registered."""

from __future__ import annotations

from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portal.models import StaffProfile, User
from portal.rules import is_hub_staff

HUB_STAFF_SET_THEIR_OWN = (
    "You cannot set the password of a Resilience Hub clinician or lead here. "
    'They reset it themselves: ask them to choose "Forgotten your password?" on the '
    "sign-in page and follow the link emailed to them."
)


class StaffProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = StaffProfile
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    """Django's user admin, keyed by email address instead of a username."""

    ordering = ("email",)
    list_display = ("email", "is_active", "is_staff", "is_superuser", "last_login")
    search_fields = ("email", "staff_profile__display_name")
    inlines = (StaffProfileInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Roles", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Whoever sets a hub member's password can sign in as them and the hub's audit would
        # name them: hub staff set their own, through the emailed reset link (ADR 0018).
        user = self.get_object(request, unquote(id))
        if user is not None and is_hub_staff(user):
            messages.error(request, HUB_STAFF_SET_THEIR_OWN)
            return HttpResponseRedirect(reverse("admin:portal_user_change", args=(user.pk,)))
        return super().user_change_password(request, id, form_url)


# allauth's own admin shows each authenticator's data: the TOTP secret and recovery-code seed.
# Ours shows only who, what kind and when. It can remove a lost one (a lost phone and lost
# recovery codes; the owner sets up a new one at their next sign-in), but not a hub member's:
# with the reset link sent to an address the admin chose, that would let a superuser in as
# them (ADR 0018).
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    raw_id_fields = ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        if obj is not None and is_hub_staff(obj.user):
            return False
        return bool(super().has_delete_permission(request, obj))
