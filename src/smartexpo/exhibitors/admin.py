"""Back office for exhibitors: approval, booths, showcases, with search across both languages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin, EditionInline
from smartexpo.exhibitors.models import (
    BoothAssignment,
    Exhibitor,
    ExhibitorStatus,
    Sector,
    ShowcaseItem,
    Tag,
)
from smartexpo.exhibitors.services import exhibitor_refresh_search


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "position")
    search_fields = ("code", "name_en", "name_zh")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "position")
    search_fields = ("code", "name_en", "name_zh")


class ShowcaseInline(admin.TabularInline):
    model = ShowcaseItem
    extra = 0
    fields = ("title_en", "title_zh", "description_en", "description_zh", "position")


class BoothAssignmentInline(EditionInline, admin.TabularInline):
    model = BoothAssignment
    extra = 0
    raw_id_fields = ("booth",)
    fields = ("booth", "assigned_at")
    readonly_fields = ("assigned_at",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The edition is the exhibitor's own; organisers only choose the booth.
        formset.form.base_fields.pop("expo", None)
        return formset


@admin.register(Exhibitor)
class ExhibitorAdmin(EditionAdmin):
    list_display = (
        "name_en",
        "name_zh",
        "sector",
        "status",
        "booths",
        "country",
        "fortune500",
        "expo",
    )
    list_filter = ("expo", "status", "sector", "fortune500", "tags", "country")
    search_fields = ("name_en", "name_zh", "slug", "booth_assignments__booth__code")
    list_select_related = ("sector", "expo")
    filter_horizontal = ("tags",)
    inlines = (ShowcaseInline, BoothAssignmentInline)
    # A typed "www.example.com" becomes https://, as browsers do today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("approve", "reject")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("expo", "slug", "status", "name_en", "name_zh", "sector", "tags")}),
        (
            _("Profile"),
            {"fields": ("description_en", "description_zh", "website", "country", "fortune500")},
        ),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("booth_assignments__booth")

    @admin.display(description=_("booths"))
    def booths(self, obj):
        return ", ".join(a.booth.code for a in obj.booth_assignments.all()) or "—"

    def save_formset(self, request, form, formset, change):
        if formset.model is BoothAssignment:
            for instance in formset.save(commit=False):
                instance.expo_id = form.instance.expo_id
                instance.save()
            for obj in formset.deleted_objects:
                obj.delete()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        exhibitor_refresh_search(exhibitor_ids=[form.instance.pk])

    @admin.action(description=_("Approve selected exhibitors"))
    def approve(self, request, queryset):
        count = queryset.update(status=ExhibitorStatus.APPROVED)
        self.message_user(
            request, _("%(count)d exhibitors approved.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Reject selected exhibitors"))
    def reject(self, request, queryset):
        count = queryset.update(status=ExhibitorStatus.REJECTED)
        self.message_user(
            request, _("%(count)d exhibitors rejected.") % {"count": count}, messages.WARNING
        )


@admin.register(BoothAssignment)
class BoothAssignmentAdmin(EditionAdmin):
    list_display = ("booth", "exhibitor", "expo", "assigned_at")
    list_filter = ("expo", "booth__hall")
    search_fields = ("booth__code", "exhibitor__name_en", "exhibitor__name_zh")
    raw_id_fields = ("booth", "exhibitor")
    list_select_related = ("booth", "exhibitor", "expo")
