"""Back office for venue intelligence: sensor events as received, crowd alerts (acknowledged
here or through the API), and each zone's days with the drift the nightly reset dropped."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartexpo.core.admin import ReadOnlyAdmin, presence_filter
from smartexpo.crowd import services
from smartexpo.crowd.models import CrowdAlert, SensorEvent, ZoneDay
from smartexpo.crowd.visitors import sketch_estimate, sketch_from_bytes


class ReadOnly(ReadOnlyAdmin):
    """Records computed from sensors and scans: never edited by hand."""


@admin.register(SensorEvent)
class SensorEventAdmin(ReadOnly):
    list_display = ("at", "zone", "kind", "count", "device", "event_id", "received_at")
    list_filter = ("expo", "kind", "zone", "device")
    search_fields = ("=event_id",)
    list_select_related = ("zone", "device")
    show_full_result_count = False  # tens of millions of rows on a busy expo
    # Newest received first, along the primary key: sorting tens of millions of rows by event
    # time would need an index every event pays for.
    ordering = ("-id",)


AcknowledgedFilter = presence_filter(
    title=_("acknowledgement"),
    parameter="acknowledged",
    field="acknowledged_at",
    choices=(("open", _("not yet acknowledged"), False), ("acknowledged", _("acknowledged"), True)),
)


@admin.register(CrowdAlert)
class CrowdAlertAdmin(ReadOnly):
    list_display = (
        "raised_at",
        "zone",
        "reason",
        "peak_count",
        "capacity",
        "ends_at",
        "ended_by_reset",
        "acknowledged_at",
        "acknowledged_by",
    )
    list_filter = (AcknowledgedFilter, "expo", "reason", "period", "zone__kind")
    search_fields = ("zone__code", "zone__name_en", "zone__name_zh")
    list_select_related = ("zone", "expo")
    date_hierarchy = "raised_at"
    actions = ("acknowledge",)

    @admin.display(description=_("safe capacity"))
    def capacity(self, obj):
        return obj.zone.capacity

    @admin.action(description=_("Acknowledge the selected alerts"))
    def acknowledge(self, request, queryset):
        done = 0
        for alert in queryset:
            if alert.acknowledged_at is None:
                services.alert_acknowledge(
                    expo=alert.expo, alert_id=alert.pk, by=request.user.get_username()
                )
                done += 1
        self.message_user(
            request,
            ngettext("%(n)d alert acknowledged.", "%(n)d alerts acknowledged.", done) % {"n": done},
            messages.SUCCESS,
        )

    def has_change_permission(self, request, obj=None):
        # The list's action needs it; the form itself shows every field read-only.
        return request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(ZoneDay)
class ZoneDayAdmin(ReadOnly):
    list_display = ("period", "zone", "entries", "exits", "closing_count", "unique_visitors")
    list_filter = ("period", "zone__kind", "zone__expo")
    search_fields = ("zone__code", "zone__name_en", "zone__name_zh")
    list_select_related = ("zone",)
    exclude = ("visitors",)

    @admin.display(description=_("distinct visitors (estimate)"))
    def unique_visitors(self, obj):
        return sketch_estimate(sketch_from_bytes(obj.visitors)) if obj.visitors else None
