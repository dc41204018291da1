"""Back office of restricted ticket types: invitation codes (made and exported here), staff-pass
grants, and the approval of requests (actions on the registrations list, in `tickets.admin`)."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartexpo.core.admin import (
    EditionAdmin,
    EditionBoundForm,
    edition_choice_response,
    edition_chosen,
    requested_edition,
)
from smartexpo.core.editions import edition_errors
from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import Access, Invitation, PassGrant, TicketType
from smartexpo.tickets.services.restricted import (
    MAX_CODES,
    MAX_USES,
    invitations_create,
    pass_grant_set,
    request_approve,
    request_decline,
)


def registration_link(invitation: Invitation) -> str:
    """The public registration page with the type and the code filled in."""
    query = urlencode({"ticket_type": invitation.ticket_type.code, "invitation": invitation.code})
    page = reverse("tickets:register", args=[invitation.expo.slug])
    return f"{settings.SMARTEXPO_BASE_URL.rstrip('/')}{page}?{query}"


def invitations_csv(invitations) -> HttpResponse:
    """Invitation codes as a CSV file (UTF-8 with BOM, which spreadsheet programs expect)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["code", "ticket_type", "uses_allowed", "uses", "label", "revoked", "link"])
    for i in invitations:
        writer.writerow(
            [
                i.code,
                i.ticket_type.code,
                i.uses_allowed,
                i.uses,
                i.label,
                "yes" if i.revoked_at else "",
                registration_link(i),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invitation-codes.csv"'
    return response


class MakeCodesForm(forms.Form):
    """The codes to make. `edition`: the edition chosen first (its id); the form then offers
    its ticket types only, and refuses one of another edition with the edition rule's message
    (`core.editions`). A bound form looks the type up among all editions' so that a crafted
    one is refused by that rule, not as "not one of the choices"."""

    ticket_type = forms.ModelChoiceField(
        label=_("Ticket type"),
        queryset=TicketType.objects.filter(access=Access.INVITATION).select_related("expo"),
        help_text=_("Only ticket types by invitation take codes."),
    )
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=MAX_CODES)
    uses = forms.IntegerField(
        label=_("Registrations per code"), min_value=1, max_value=MAX_USES, initial=1
    )
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args, edition: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        if edition is not None and not self.is_bound:
            field = self.fields["ticket_type"]
            field.queryset = field.queryset.filter(expo_id=edition)

    def clean_ticket_type(self):
        ticket_type = self.cleaned_data["ticket_type"]
        if self.edition is not None:
            stray = Invitation(expo_id=self.edition, ticket_type=ticket_type)
            if errors := edition_errors(stray).get("ticket_type"):
                raise errors
        return ticket_type


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    change_list_template = "admin/tickets/invitation/change_list.html"
    list_display = ("code", "ticket_type", "uses", "uses_allowed", "label", "revoked_at", "expo")
    list_filter = ("expo", "ticket_type", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "label")
    readonly_fields = ("expo", "ticket_type", "code", "uses", "created_at", "revoked_at")
    fields = ("expo", "ticket_type", "code", "uses_allowed", "uses", "label", "created_at")
    list_select_related = ("ticket_type", "expo")
    actions = ("export_csv", "revoke")

    def get_urls(self):
        make = path(
            "make/", self.admin_site.admin_view(self.make_view), name="tickets_invitation_make"
        )
        return [make, *super().get_urls()]

    def has_add_permission(self, request):
        # Codes are made by "Make codes" (random, unguessable), never typed in.
        return False

    def make_view(self, request):
        """Make a batch of codes for a ticket type and show them, ready to export."""
        if not request.user.has_perm("tickets.change_invitation"):
            raise PermissionDenied
        # The edition first, as on an add page: then the type's choices are its own only.
        if request.method == "GET" and not edition_chosen(request):
            return edition_choice_response(
                request,
                site=self.admin_site,
                opts=self.model._meta,
                title=_("Make invitation codes: choose the edition"),
            )
        form = MakeCodesForm(request.POST or None, edition=requested_edition(request))
        made = None
        if request.method == "POST" and form.is_valid():
            tt = form.cleaned_data["ticket_type"]
            try:
                made = invitations_create(
                    expo=tt.expo,
                    ticket_type=tt.code,
                    count=form.cleaned_data["count"],
                    uses=form.cleaned_data["uses"],
                    label=form.cleaned_data["label"],
                )
            except SmartExpoError as exc:
                form.add_error(
                    None, " ".join([exc.message, *exc.detail.get("fields", {}).values()])
                )
            else:
                if "download" in request.POST:
                    return invitations_csv(made)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Make invitation codes"),
            "form": form,
            "made": made,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tickets/invitation/make.html", context)

    @admin.action(description=_("Export the selected codes as CSV"))
    def export_csv(self, request, queryset):
        return invitations_csv(queryset.select_related("ticket_type", "expo").order_by("id"))

    @admin.action(description=_("Revoke the selected codes"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, ngettext("%d code revoked.", "%d codes revoked.", count) % count)


class PassGrantForm(EditionBoundForm):
    """The exhibitor and the type are of one edition: the edition rule (core.editions) holds
    them to it, the first step of the add page chose it."""

    class Meta:
        model = PassGrant
        fields = ("exhibitor", "ticket_type", "passes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ticket_type" in self.fields:
            # Narrowed further, not replaced: the base has kept it to the edition already.
            field = self.fields["ticket_type"]
            field.queryset = field.queryset.filter(access=Access.EXHIBITOR).select_related("expo")


@admin.register(PassGrant)
class PassGrantAdmin(EditionAdmin):
    form = PassGrantForm
    list_display = ("exhibitor", "ticket_type", "passes", "used")
    list_filter = ("ticket_type__expo", "ticket_type")
    search_fields = ("exhibitor__name_en", "exhibitor__name_zh")
    readonly_fields = ("used",)
    list_select_related = ("exhibitor", "ticket_type")
    # A look-up that opens on the edition's exhibitors (an autocomplete would search them all).
    raw_id_fields = ("exhibitor",)

    def get_readonly_fields(self, request, obj=None):
        # A grant's exhibitor and type are fixed once made; only the number changes.
        return ("exhibitor", "ticket_type", "used") if obj else ("used",)

    def save_model(self, request, obj, form, change):
        try:
            grant = pass_grant_set(
                exhibitor=obj.exhibitor, ticket_type=obj.ticket_type.code, passes=obj.passes
            )
        except SmartExpoError as exc:
            messages.error(request, exc.message)
            return
        obj.pk, obj.used = grant.pk, grant.used


@admin.action(description=_("Approve the selected requests"))
def approve_requests(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, request_approve, _("approved"))


@admin.action(description=_("Decline the selected requests"))
def decline_requests(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, request_decline, _("declined"))


def _decide(modeladmin, request, queryset, decide, done) -> None:
    by = f"admin {request.user.get_username()}"
    ok, refused = 0, []
    for registration in queryset.select_related("expo").order_by("id"):
        try:
            decide(registration=registration, by=by)
            ok += 1
        except SmartExpoError as exc:
            refused.append(f"#{registration.pk}: {exc.message}")
    modeladmin.message_user(
        request, _("%(count)d requests %(done)s.") % {"count": ok, "done": done}
    )
    for line in refused:
        modeladmin.message_user(request, line, level=messages.WARNING)
