"""The back office for users and their staff profiles. No wellbeing model is ever registered.

The back office gives the Curator and Team lead roles (groups). It cannot give a hub role: those
are held in the hub and given there by a hub lead (ADR 0023). Nor can it make a hub member a
superuser, since a superuser never works in the hub.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError

from portal.models import StaffProfile, User
from portal.rules import hub_roles_held


class PortalUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    def clean_is_superuser(self) -> bool:
        is_superuser: bool = self.cleaned_data.get("is_superuser", False)
        if is_superuser and self.instance.pk and hub_roles_held(self.instance):
            raise ValidationError(
                "This person works in the Resilience Hub, and a superuser cannot. A hub lead "
                "must remove their hub roles first."
            )
        return is_superuser


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
