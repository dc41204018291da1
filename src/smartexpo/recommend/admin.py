"""The organiser's recommender in the admin: each edition's built model with its counts;
"Add" builds one for the chosen edition now, and "Build again" rebuilds the selected editions'
(the same as `smartexpo recs build --expo …`). A built model is never edited by hand."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartexpo.recommend.models import RecommenderModel
from smartexpo.recommend.services.building import recommender_build

COUNTS = ("exhibitors", "sessions", "visitors", "opted_in", "behaviour", "seconds")


@admin.register(RecommenderModel)
class RecommenderModelAdmin(admin.ModelAdmin):
    list_display = ("expo", "built_at", *COUNTS)
    list_filter = ("expo",)
    list_select_related = ("expo",)
    actions = ("build_again",)

    def get_fields(self, request, obj=None):
        return ("expo",) if obj is None else ("expo", "built_at", *COUNTS)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("expo", "built_at", *COUNTS)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Adding is building: the edition's model is made from what is stored now."""
        built = recommender_build(expo=obj.expo)
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(built, field.attname))
        obj._state.adding = False

    @admin.action(description=_("Build again from what is stored now"), permissions=["add"])
    def build_again(self, request, queryset):
        editions = {m.expo for m in queryset.select_related("expo")}
        for expo in editions:
            recommender_build(expo=expo)
        self.message_user(
            request,
            ngettext(
                "Built the recommender of %(n)d edition again.",
                "Built the recommenders of %(n)d editions again.",
                len(editions),
            )
            % {"n": len(editions)},
            messages.SUCCESS,
        )
