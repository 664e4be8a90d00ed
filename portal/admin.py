"""The back office for users and their staff profiles. No wellbeing model is ever registered.

The back office gives the Curator and Team lead roles (groups). It cannot give a hub role: those
are held in the hub and given there by a hub lead (ADR 0023). Nor can it make a hub member a
superuser, since a superuser never works in the hub.
"""

from __future__ import annotations

from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portal.models import StaffProfile, User
from portal.rules import hub_roles_held

HUB_STAFF_SET_THEIR_OWN = (
    "You cannot set the password of a Resilience Hub clinician or lead here. "
    'They reset it themselves: ask them to choose "Forgotten your password?" on the '
    "sign-in page and follow the link emailed to them."
)


def is_hub_staff(user: User) -> bool:
    """Whether the hub's store gives this account any hub role (a researcher too)."""
    return bool(hub_roles_held(user))


class PortalUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        # The fields the admin shows (UserAdmin.fieldsets), no more: the portal has no usernames.
        model = User
        fields = ("email", "password", "is_active", "is_staff", "is_superuser", "groups")
        error_messages = {
            "email": {
                "null_characters_not_allowed": "Email address must only include letters, "
                "numbers and punctuation",
            }
        }

    def clean_is_superuser(self) -> bool:
        is_superuser: bool = self.cleaned_data.get("is_superuser", False)
        if is_superuser and self.instance.pk and hub_roles_held(self.instance):
            raise ValidationError(
                "This person works in the Resilience Hub, and a superuser cannot. A hub lead "
                "must remove their hub roles first."
            )
        return is_superuser

    def clean_email(self) -> str:
        # Changing a hub member's address here would send their password-reset link to whoever
        # the back office chose.
        email: str = self.cleaned_data["email"]
        changed = self.instance.pk and email.lower() != (self.instance.email or "").lower()
        if changed and is_hub_staff(self.instance):
            raise ValidationError(
                "This person works in the Resilience Hub. Their email address cannot be changed "
                "in the back office."
            )
        return email


class StaffProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = StaffProfile
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    """Django's user admin, keyed by email address instead of a username."""

    form = PortalUserChangeForm
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
