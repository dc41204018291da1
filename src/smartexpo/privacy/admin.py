"""The registrations list gets two actions: export the selected people's data as JSON, and
erase it, after a confirmation page like Django's own before a deletion. Both are logged.

The list is ticketing's (`tickets.admin.RegistrationAdmin`); this app sits above ticketing
and check-in, so it registers that admin again with its actions added rather than have
ticketing reach up for them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartexpo.core.audit import actor_admin
from smartexpo.privacy import services
from smartexpo.privacy.views import export_json
from smartexpo.tickets import admin as tickets_admin
from smartexpo.tickets.models import Registration, RegistrationStatus


@admin.action(permissions=["view"], description=_("Export personal data"))
def export_personal_data(modeladmin, request, queryset):
    """The selected people's data, one JSON file (a list of exports, in id order)."""
    registrations = list(queryset.select_related("expo").order_by("id"))
    exports = services.personal_data_export_many(
        registrations=registrations, actor=actor_admin(request.user), via="admin"
    )
    response = HttpResponse(export_json(exports), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    return response


@admin.action(permissions=["change"], description=_("Erase personal data"))
def erase_personal_data(modeladmin, request, queryset):
    """Erase the selected people's data, once confirmed on the page this shows first."""
    registrations = list(queryset.select_related("expo", "ticket_type").order_by("id"))
    if request.POST.get("post") == "yes":
        actor = actor_admin(request.user)
        erased = [
            services.personal_data_erase(registration=r, actor=actor, via="admin")
            for r in registrations
        ]
        now = sum(1 for e in erased if e.erased_now)
        modeladmin.message_user(
            request,
            ngettext(
                "The personal data of %(count)d registration was erased.",
                "The personal data of %(count)d registrations was erased.",
                now,
            )
            % {"count": now},
            messages.SUCCESS,
        )
        if before := len(erased) - now:
            modeladmin.message_user(
                request,
                _("Erased before, so left as they were: %(count)d.") % {"count": before},
                messages.INFO,
            )
        return None  # back to the list, as Django's deletion does
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase personal data"),
        "registrations": registrations,
        "active": sum(1 for r in registrations if r.status == RegistrationStatus.ACTIVE),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/privacy/erase_confirmation.html", context)


admin.site.unregister(Registration)


@admin.register(Registration)
class RegistrationAdmin(tickets_admin.RegistrationAdmin):
    actions = (*tickets_admin.RegistrationAdmin.actions, export_personal_data, erase_personal_data)
