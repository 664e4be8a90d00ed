"""The back office for users and their staff profiles. No wellbeing model is ever registered."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from portal.models import StaffProfile, User


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
