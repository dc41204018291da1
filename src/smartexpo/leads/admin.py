"""Back office for leads: organisers read who captured whom, with the exhibitor's note and
what the exhibitor may see of the visitor now; nothing is added, edited or deleted here
(exhibitors capture leads, visitors withdraw them)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import ReadOnlyAdmin
from smartexpo.leads import selectors
from smartexpo.leads.models import Lead, LeadDevice


class WithdrawnFilter(admin.SimpleListFilter):
    title = _("withdrawn")
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return (("yes", _("Withdrawn by the visitor")), ("no", _("Not withdrawn")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ("captured_at", "exhibitor", "serial", "device", "rating", "tags", "withdrawn")
    list_filter = (
        "expo",
        ("exhibitor", admin.RelatedOnlyFieldListFilter),
        "rating",
        WithdrawnFilter,
    )
    search_fields = ("=serial",)
    list_select_related = ("exhibitor", "device")
    date_hierarchy = "captured_at"
    fields = (
        "expo",
        "exhibitor",
        "serial",
        "registration",
        "device",
        "exhibitor_sees",
        "note",
        "rating",
        "tags",
        "captured_at",
        "updated_at",
        "withdrawn_at",
    )
    readonly_fields = fields

    @admin.display(boolean=True, description=_("withdrawn"))
    def withdrawn(self, lead: Lead) -> bool:
        return lead.withdrawn

    @admin.display(description=_("the exhibitor sees"))
    def exhibitor_sees(self, lead: Lead) -> str:
        seen = selectors.visitor_fields(lead, lead.expo)
        return ", ".join(seen) or "—"


@admin.register(LeadDevice)
class LeadDeviceAdmin(ReadOnlyAdmin):
    list_display = ("device", "exhibitor", "created_at")
    list_filter = ("device__expo", ("exhibitor", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("device", "exhibitor")
    fields = ("device", "exhibitor", "created_at")
    readonly_fields = fields
