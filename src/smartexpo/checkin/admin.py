"""Back office for check-in: the check-in log and entries per gate."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.checkin.models import Scan
from smartexpo.checkin.selectors import entries_per_gate
from smartexpo.core.admin import ReadOnlyAdmin
from smartexpo.venue.models import Expo


class EntriesForm(forms.Form):
    expo = forms.ModelChoiceField(label=_("Edition"), queryset=Expo.objects.all())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(Scan)
class ScanAdmin(ReadOnlyAdmin):
    # The log is the record of who went through which gate: never edited by hand.
    change_list_template = "admin/checkin/scan/change_list.html"
    list_display = (
        "scanned_at",
        "device",
        "gate_code",
        "direction",
        "serial",
        "result",
        "reason",
        "rule",
        "source",
    )
    list_filter = ("expo", "result", "reason", "direction", "source", "gate", "device")
    date_hierarchy = "scanned_at"
    search_fields = ("=serial", "=nonce")
    list_select_related = ("device",)
    show_full_result_count = False  # counting millions of rows on every page is not free

    def get_urls(self):
        custom = [
            path(
                "entries/",
                self.admin_site.admin_view(self.entries_view),
                name="checkin_scan_entries",
            )
        ]
        return custom + super().get_urls()

    def entries_view(self, request):
        """Entries per gate per 15 minutes of one day, for the control room."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        initial = {"expo": Expo.objects.order_by("-starts_on").first()}
        if initial["expo"] is not None:
            today = timezone.localdate()
            edition = initial["expo"]
            initial["day"] = (
                today if edition.starts_on <= today <= edition.ends_on else edition.starts_on
            )
        form = EntriesForm(request.GET or None, initial=initial)
        table = None
        if form.is_bound and form.is_valid():
            table = entries_per_gate(expo=form.cleaned_data["expo"], day=form.cleaned_data["day"])
        elif not form.is_bound and initial.get("day"):
            table = entries_per_gate(expo=initial["expo"], day=initial["day"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Entries per gate per 15 minutes"),
            "form": form,
            "table": table,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/checkin/scan/entries.html", context)
