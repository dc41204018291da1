"""Back office for ticketing: types and their daily quotas, registrations, tickets, keys.

Personal data shows only in its masked form; private signing keys never appear.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin
from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.admin_restricted import approve_requests, decline_requests
from smartexpo.tickets.models import (
    DayQuota,
    Registration,
    SigningKey,
    Ticket,
    TicketType,
    WaitlistEntry,
)
from smartexpo.tickets.registration_clean import PROFILE_FIELDS
from smartexpo.tickets.services.group_import import COLUMNS, registrations_import_csv
from smartexpo.venue.models import Expo


class DayQuotaInline(admin.TabularInline):
    model = DayQuota
    extra = 0
    fields = ("day", "size", "sold")
    # `sold` moves only through registrations and cancellations, never by hand.
    readonly_fields = ("sold",)


@admin.register(TicketType)
class TicketTypeAdmin(EditionAdmin):
    list_display = ("code", "name_en", "name_zh", "expo", "all_days", "access")
    list_filter = ("expo", "access")
    search_fields = ("code", "name_en", "name_zh")
    filter_horizontal = ("zones",)
    inlines = (DayQuotaInline,)


class TicketInline(admin.TabularInline):
    model = Ticket
    extra = 0
    can_delete = False
    fields = ("serial", "days", "status", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ImportForm(forms.Form):
    expo = forms.ModelChoiceField(label=_("Edition"), queryset=Expo.objects.all())
    file = forms.FileField(label=_("CSV file (UTF-8)"))


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    change_list_template = "admin/tickets/registration/change_list.html"

    def get_urls(self):
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="tickets_registration_import",
            )
        ]
        return custom + super().get_urls()

    def import_view(self, request):
        """Group registration: upload a CSV, see what was registered and why rows were not."""
        # Importing creates registrations, so it takes the model's "add" permission (the
        # admin's own add form stays closed: registrations go through the service).
        if not request.user.has_perm("tickets.add_registration"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = registrations_import_csv(
                    expo=form.cleaned_data["expo"], data=form.cleaned_data["file"].read()
                )
            except SmartExpoError as exc:
                form.add_error(
                    "file", " ".join([exc.message, *exc.detail.get("fields", {}).values()])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import registrations"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
            "columns": ", ".join(COLUMNS),
        }
        return TemplateResponse(request, "admin/tickets/registration/import.html", context)

    list_display = ("id", "name", "ticket_type", "id_masked", "status", "created_at", "expo")
    list_filter = ("expo", "status", "ticket_type")
    search_fields = ("name", "email", "company", "tickets__serial")
    # Requests for a type by approval: filter the list by status "Awaiting approval".
    actions = (approve_requests, decline_requests)
    readonly_fields = (
        "expo",
        "ticket_type",
        "id_type",
        "id_masked",
        "status",
        "requested_days",
        "invitation",
        "exhibitor",
        "created_at",
        "cancelled_at",
        "decided_at",
        "decided_by",
        "erased_at",
        # The networking profile and its consent are the visitor's to change (manage page).
        *PROFILE_FIELDS,
    )
    fields = (
        "expo",
        "ticket_type",
        "name",
        "email",
        "id_type",
        "id_masked",
        "interests",
        *PROFILE_FIELDS,
        "language",
        "status",
        "requested_days",
        "invitation",
        "exhibitor",
        "created_at",
        "cancelled_at",
        "decided_at",
        "decided_by",
        "erased_at",
    )
    inlines = (TicketInline,)
    list_select_related = ("ticket_type", "expo")

    def has_add_permission(self, request):
        # Registrations go through the registration service (quotas, duplicates, signing).
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("serial", "ticket_type", "status", "created_at", "revoked_at", "expo")
    list_filter = ("expo", "status", "ticket_type")
    search_fields = ("serial",)
    readonly_fields = (
        "expo",
        "registration",
        "ticket_type",
        "serial",
        "kid",
        "days",
        "status",
        "created_at",
        "revoked_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("expo", "kid", "active", "public_key", "created_at")
    list_filter = ("expo", "active")
    readonly_fields = ("expo", "kid", "public_key", "active", "created_at")
    fields = readonly_fields
    verbose_name = _("signing key")

    def has_add_permission(self, request):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "ticket_type", "day", "name", "email", "status", "offer_expires_at")
    list_filter = ("expo", "status", "ticket_type", "day")
    search_fields = ("name", "email")
    readonly_fields = (
        "expo",
        "ticket_type",
        "day",
        "status",
        "created_at",
        "offered_at",
        "offer_expires_at",
        "offer_sent_at",
        "registration",
    )
    fields = ("name", "email", "language", *readonly_fields)

    def has_add_permission(self, request):
        # People join through the service, which checks the day really is sold out.
        return False
