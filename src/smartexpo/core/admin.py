"""Back office for API tokens (issued here, shown once, stored only as a digest) and the audit
log (read only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.models import ApiToken, AuditEntry
from smartexpo.core.tokens import token_create


def presence_filter(*, title, parameter: str, field: str, choices):
    """A list filter (`?parameter=…`) on whether `field` is set. `choices` are (URL value,
    label, whether the field is set), in the order the admin lists them."""
    is_set = {value: present for value, _label, present in choices}

    class PresenceFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return [(value, label) for value, label, _present in choices]

        def queryset(self, request, queryset):
            if self.value() in is_set:
                return queryset.filter(**{f"{field}__isnull": not is_set[self.value()]})
            return queryset

    PresenceFilter.title = title
    return PresenceFilter


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("role", "name", "expo", "exhibitor")

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == "exhibitor" and not data.get("exhibitor"):
            self.add_error("exhibitor", _("An exhibitor token is bound to one exhibitor."))
        if role == "device" and not data.get("expo"):
            self.add_error("expo", _("A device token is bound to one edition."))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = (
        "name",
        "role",
        "prefix",
        "expo",
        "exhibitor",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("role", "expo", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    raw_id_fields = ("exhibitor",)
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return (*self.readonly_fields, "role", "expo", "exhibitor")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = token_create(
            role=obj.role, name=obj.name, expo=obj.expo, exhibitor=obj.exhibitor
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            _("Token created. Copy it now, it will not be shown again: %(token)s") % {"token": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record kept by the services, to read in the admin: never added, edited or deleted by
    hand (the audit log, the check-in log, sensor events and what is computed from them)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, to read: entries are written by the services that do what they record,
    and a log that could be edited or pruned here would prove nothing."""

    list_display = ("at", "actor", "action", "target", "expo")
    list_filter = ("action", "expo")
    search_fields = ("target", "actor")
    fields = ("at", "actor", "action", "target", "expo", "detail")
    readonly_fields = fields
    list_select_related = ("expo",)
    date_hierarchy = "at"
