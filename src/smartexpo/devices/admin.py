"""Back office for devices: creation (the token is shown once), bindings, revocation."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin, EditionBoundForm
from smartexpo.core.errors import SmartExpoError
from smartexpo.devices import services
from smartexpo.devices.models import Device, DeviceKind


class DeviceForm(EditionBoundForm):
    class Meta:
        model = Device
        fields = ("expo", "name", "kind", "gates", "zones")

    def clean(self):
        data = super().clean()
        # On a change the edition and kind are read-only, so not in the form's data.
        existing = self.instance if self.instance.pk else None
        kind = data.get("kind") or (existing and existing.kind)
        bound = data.get("gates") if kind == DeviceKind.SCANNER else data.get("zones")
        field = "gates" if kind == DeviceKind.SCANNER else "zones"
        # Gates or zones of another edition are refused by the edition rule (core.editions).
        if kind and not bound:
            self.add_error(field, _("Choose at least one."))
        return data


@admin.register(Device)
class DeviceAdmin(EditionAdmin):
    form = DeviceForm
    list_display = ("name", "kind", "bindings", "last_contact", "revoked_at", "expo")
    list_filter = ("expo", "kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name",)
    filter_horizontal = ("gates", "zones")
    actions = ("revoke",)
    list_select_related = ("token", "expo")

    def get_readonly_fields(self, request, obj=None):
        # The edition and kind are fixed once the token exists.
        return ("expo", "kind", "created_at", "revoked_at") if obj else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("expo", "name", "kind", "gates", "zones")
        bound = "gates" if obj.kind == DeviceKind.SCANNER else "zones"
        return ("expo", "kind", "name", bound, "created_at", "revoked_at")

    @admin.display(description=_("gates or zones"))
    def bindings(self, obj):
        items = obj.gates.all() if obj.kind == DeviceKind.SCANNER else obj.zones.all()
        return ", ".join(sorted(i.code for i in items))

    @admin.display(description=_("last contact"), ordering="token__last_used_at")
    def last_contact(self, obj):
        return obj.token.last_used_at

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            obj.save()
            return
        bound = data["gates"] if data["kind"] == DeviceKind.SCANNER else data["zones"]
        codes = [item.code for item in bound]
        try:
            device, token = services.device_create(
                expo=data["expo"],
                name=data["name"],
                kind=data["kind"],
                gates=codes if data["kind"] == DeviceKind.SCANNER else None,
                zones=codes if data["kind"] == DeviceKind.SENSOR else None,
            )
        except SmartExpoError as exc:  # pragma: no cover - the form checked the same rules
            raise forms.ValidationError(exc.message) from exc
        obj.pk, obj.token_id, obj.created_at = device.pk, device.token_id, device.created_at
        messages.warning(
            request,
            _("Token of %(name)s, shown only now — enter it on the scanner: %(token)s")
            % {"name": device.name, "token": token},
        )

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if change:
            field = "gates" if obj.kind == DeviceKind.SCANNER else "zones"
            services.device_set_bindings(
                device=obj, codes=[item.code for item in form.cleaned_data[field]]
            )
        # On creation the service bound the gates or zones already.

    @admin.action(description=_("Revoke the selected devices (their tokens stop working)"))
    def revoke(self, request, queryset):
        for device in queryset.select_related("token"):
            services.device_revoke(device=device)
        self.message_user(request, _("%(n)d devices revoked.") % {"n": queryset.count()})

    def has_delete_permission(self, request, obj=None):
        # A device's scans stay in the log; revoke it instead.
        return False
