"""Back office for venue intelligence: the sensor events as they were received."""

from __future__ import annotations

from django.contrib import admin

from smartexpo.crowd.models import SensorEvent


@admin.register(SensorEvent)
class SensorEventAdmin(admin.ModelAdmin):
    list_display = ("at", "zone", "kind", "count", "device", "event_id", "received_at")
    list_filter = ("expo", "kind", "zone", "device")
    date_hierarchy = "at"
    search_fields = ("=event_id",)
    list_select_related = ("zone", "device")
    show_full_result_count = False  # tens of millions of rows on a busy expo

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Sensors' reports are the record occupancy is computed from: never edited by hand.
        return False
