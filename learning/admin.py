"""The back office for the learning catalogue, for superusers. Curators use the curator pages;
members' learning records are not registered here, as they are personal."""

from __future__ import annotations

from django.contrib import admin

from learning.models import Comment, Objective, Provider, Resource, ResourceChange, Topic


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "title")
    ordering = ("number",)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ResourceChangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ResourceChange
    fields = ("changed_at", "changed_by", "summary")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "status", "level", "provider", "review_due", "link_broken")
    list_filter = ("status", "level", "format", "link_broken", "is_sample")
    search_fields = ("title", "slug", "summary")
    list_select_related = ("provider",)
    autocomplete_fields = ("provider", "topics")
    filter_horizontal = ("objectives",)
    raw_id_fields = ("owner", "status_changed_by")
    readonly_fields = (
        "created_at",
        "updated_at",
        "published_at",
        "status_changed_at",
        "link_checked_at",
        "link_status",
        "link_broken",
    )
    inlines = (ResourceChangeInline,)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("resource", "rating", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("resource",)
    raw_id_fields = ("resource", "author", "moderated_by")
    readonly_fields = ("created_at", "moderated_at")
