"""Back office for exhibitors: approval, booths, showcases, with search across both languages."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin, EditionInline
from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import (
    BoothAssignment,
    Exhibitor,
    ExhibitorInvitation,
    ExhibitorMember,
    ExhibitorStatus,
    MemberRole,
    Sector,
    ShowcaseItem,
    Tag,
)
from smartexpo.exhibitors.services import exhibitor_refresh_search


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "position")
    search_fields = ("code", "name_en", "name_zh")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "position")
    search_fields = ("code", "name_en", "name_zh")


class ShowcaseInline(admin.TabularInline):
    model = ShowcaseItem
    extra = 0
    fields = ("title_en", "title_zh", "description_en", "description_zh", "position")


class BoothAssignmentInline(EditionInline, admin.TabularInline):
    model = BoothAssignment
    extra = 0
    raw_id_fields = ("booth",)
    fields = ("booth", "assigned_at")
    readonly_fields = ("assigned_at",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The edition is the exhibitor's own; organisers only choose the booth.
        formset.form.base_fields.pop("expo", None)
        return formset


class MemberInline(admin.TabularInline):
    """The exhibitor's people in the portal; they join by invitation, so none is added here."""

    model = ExhibitorMember
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("user", "role", "created_at")
    can_delete = False
    verbose_name_plural = _("portal members")

    def has_add_permission(self, request, obj=None):
        return False


class InvitationInline(admin.TabularInline):
    model = ExhibitorInvitation
    extra = 0
    fields = ("email", "role", "invited_by", "created_at", "expires_at", "state")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("portal invitations")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state"))
    def state(self, obj):
        return INVITATION_STATES[members.invitation_state(obj)]


INVITATION_STATES = {
    "valid": _("waiting"),
    "accepted": _("accepted"),
    "revoked": _("withdrawn"),
    "expired": _("expired"),
    "unknown": "—",
}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.ADMIN)


@admin.register(Exhibitor)
class ExhibitorAdmin(EditionAdmin):
    list_display = (
        "name_en",
        "name_zh",
        "sector",
        "status",
        "booths",
        "country",
        "fortune500",
        "expo",
    )
    list_filter = ("expo", "status", "sector", "fortune500", "tags", "country")
    search_fields = ("name_en", "name_zh", "slug", "booth_assignments__booth__code")
    list_select_related = ("sector", "expo")
    filter_horizontal = ("tags",)
    inlines = (ShowcaseInline, BoothAssignmentInline, MemberInline, InvitationInline)
    # A typed "www.example.com" becomes https://, as browsers do today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("approve", "reject")
    readonly_fields = ("created_at", "updated_at", "portal")
    fieldsets = (
        (None, {"fields": ("expo", "slug", "status", "name_en", "name_zh", "sector", "tags")}),
        (
            _("Profile"),
            {"fields": ("description_en", "description_zh", "website", "country", "fortune500")},
        ),
        (_("Exhibitor portal"), {"fields": ("portal",)}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("portal"))
    def portal(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:exhibitors_exhibitor_invite", args=[obj.pk]),
            _("Invite a person"),
            reverse("portal:home", args=[obj.expo.slug, obj.slug]),
            _("Open the exhibitor's portal"),
            reverse("reports:exhibitor-pdf", kwargs={"expo": obj.expo.slug, "exhibitor": obj.pk}),
            _("Exhibitor report (PDF)"),
        )

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [
            path("<int:object_id>/invite/", invite, name="exhibitors_exhibitor_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request, object_id: int):
        """Invite a person into the exhibitor's portal: an email with a link (`invitation_send`)."""
        exhibitor = get_object_or_404(Exhibitor.objects.select_related("expo"), pk=object_id)
        if not self.has_change_permission(request, exhibitor):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invitation = members.invitation_send(
                    exhibitor=exhibitor,
                    invited_by=request.user,
                    language=translation.get_language() or "en",
                    **form.cleaned_data,
                )
            except SmartExpoError as exc:
                for field, message in exc.detail.get("fields", {}).items():
                    form.add_error(field, message)
                if not exc.detail.get("fields"):
                    form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": invitation.email},
                    messages.SUCCESS,
                )
                return redirect("admin:exhibitors_exhibitor_change", exhibitor.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite a person into the portal of %(exhibitor)s")
            % {"exhibitor": exhibitor.name},
            "exhibitor": exhibitor,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/exhibitors/invite.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("booth_assignments__booth")

    @admin.display(description=_("booths"))
    def booths(self, obj):
        return ", ".join(a.booth.code for a in obj.booth_assignments.all()) or "—"

    def save_formset(self, request, form, formset, change):
        if formset.model is BoothAssignment:
            for instance in formset.save(commit=False):
                instance.expo_id = form.instance.expo_id
                instance.save()
            for obj in formset.deleted_objects:
                obj.delete()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        exhibitor_refresh_search(exhibitor_ids=[form.instance.pk])

    @admin.action(description=_("Approve selected exhibitors"))
    def approve(self, request, queryset):
        count = queryset.update(status=ExhibitorStatus.APPROVED)
        self.message_user(
            request, _("%(count)d exhibitors approved.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Reject selected exhibitors"))
    def reject(self, request, queryset):
        count = queryset.update(status=ExhibitorStatus.REJECTED)
        self.message_user(
            request, _("%(count)d exhibitors rejected.") % {"count": count}, messages.WARNING
        )


@admin.register(BoothAssignment)
class BoothAssignmentAdmin(EditionAdmin):
    list_display = ("booth", "exhibitor", "expo", "assigned_at")
    list_filter = ("expo", "booth__hall")
    search_fields = ("booth__code", "exhibitor__name_en", "exhibitor__name_zh")
    raw_id_fields = ("booth", "exhibitor")
    list_select_related = ("booth", "exhibitor", "expo")


@admin.register(ExhibitorInvitation)
class ExhibitorInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "exhibitor", "role", "created_at", "expires_at", "state")
    list_filter = ("exhibitor__expo", "role")
    search_fields = ("email", "exhibitor__name_en", "exhibitor__name_zh")
    list_select_related = ("exhibitor",)
    readonly_fields = (
        "exhibitor",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    actions = ("withdraw",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("state"))
    def state(self, obj):
        return INVITATION_STATES[members.invitation_state(obj)]

    @admin.action(description=_("Withdraw selected invitations"))
    def withdraw(self, request, queryset):
        count = 0
        for invitation in queryset:
            try:
                members.invitation_revoke(invitation=invitation)
            except SmartExpoError:
                continue
            count += 1
        self.message_user(
            request, _("%(count)d invitations withdrawn.") % {"count": count}, messages.SUCCESS
        )


@admin.register(ExhibitorMember)
class ExhibitorMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "exhibitor", "role", "created_at")
    list_filter = ("exhibitor__expo", "role")
    search_fields = ("user__email", "user__username", "exhibitor__name_en", "exhibitor__name_zh")
    list_select_related = ("user", "exhibitor")
    # People join by invitation, and roles change on the portal's team page, which keeps an
    # administrator on every team; the back office lists them and may remove one.
    readonly_fields = ("user", "exhibitor", "role", "created_at")

    def has_add_permission(self, request):
        return False
