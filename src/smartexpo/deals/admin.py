"""The deals in the back office (docs/deals-entry.md): organisers enter and change deals with
their parties, move their follow-up with dated evidence, keep and download their PDFs, import
files of deals, and edit exchange rates. The form is checked by the deals' one rule
(`admin_forms.DealForm`) and every save goes through the services, so that each change is in
the chained log. A deal is never deleted (it is cancelled); the log, the ledger's head and
the keys are read only here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin, EditionInline, ReadOnlyAdmin
from smartexpo.core.errors import SmartExpoError
from smartexpo.deals.admin_forms import (
    DealForm,
    DocumentForm,
    ImportForm,
    PartyForm,
    PartyFormSet,
    StatusForm,
)
from smartexpo.deals.documents import deal_document
from smartexpo.deals.documents_api import document_response
from smartexpo.deals.imports import COLUMNS
from smartexpo.deals.models import (
    Deal,
    DealParty,
    DealsKey,
    Document,
    ExchangeRate,
    Ledger,
    LogEntry,
    StatusChange,
)
from smartexpo.deals.records import money
from smartexpo.deals.services.deals import deal_create, deal_update, document_add
from smartexpo.deals.services.evidence import deal_status_with_document_set
from smartexpo.deals.services.imports import deals_import

UPLOAD_READ_LIMIT = 20 * 1024 * 1024  # an import file; the importer's row limit does the rest


class PartyInline(EditionInline, admin.TabularInline):
    model = DealParty
    form = PartyForm
    formset = PartyFormSet
    fields = ("exhibitor", "name_en", "name_zh", "country", "region", "city")
    extra = 1
    min_num = 0
    verbose_name_plural = _("parties (the first is the counterpart)")


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ("status", "on", "evidence", "document", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("follow-up (move it with “Move the status”)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ("download", "size", "sha256", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("documents (add one with “Add a PDF”)")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file name"))
    def download(self, document: Document):
        url = reverse("admin:deals_deal_document", args=[document.deal_id, document.pk])
        return format_html('<a href="{}">{}</a>', url, document.name)


@admin.register(Deal)
class DealAdmin(EditionAdmin):
    form = DealForm
    inlines = (PartyInline, StatusChangeInline, DocumentInline)
    change_form_template = "admin/deals/deal/change_form.html"
    change_list_template = "admin/deals/deal/change_list.html"
    list_display = (
        "id",
        "ref",
        "title_en",
        "sector",
        "kind",
        "amount_shown",
        "amount_in_yuan",
        "signed_on",
        "at_expo",
        "status",
        "amount_confidential",
        "expo",
    )
    list_display_links = ("id", "ref", "title_en")
    list_filter = (
        "expo",
        "status",
        "kind",
        "sector",
        "at_expo",
        "amount_confidential",
        "amount_estimated",
        "currency",
    )
    list_select_related = ("expo", "sector")
    search_fields = (
        "=id",
        "ref",
        "title_en",
        "title_zh",
        "parties__name_en",
        "parties__name_zh",
        "parties__exhibitor__name_en",
        "parties__exhibitor__name_zh",
    )
    date_hierarchy = "signed_on"
    readonly_fields = ("status", "status_on", "amount_cny", "version", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("expo", "ref", "title_en", "title_zh", "summary_en", "summary_zh")}),
        (_("What"), {"fields": ("sector", "kind", "investment_form")}),
        (
            _("Amount"),
            {
                "fields": (
                    "amount",
                    "currency",
                    "rate",
                    "rate_on",
                    "amount_cny",
                    "amount_estimated",
                    "amount_confidential",
                )
            },
        ),
        (_("Signing"), {"fields": ("signed_on", "at_expo", "ceremony")}),
        (
            _("Follow-up"),
            {"fields": ("status", "status_on", "version", "created_at", "updated_at")},
        ),
        (None, {"fields": ("seen_version",), "classes": ("hidden",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "expo") if obj is not None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, PartyInline):
            kwargs["deal_request"] = request
        return kwargs

    def has_delete_permission(self, request, obj=None):
        return False  # a deal is cancelled (its status), never deleted: its log stays true

    @admin.display(description=_("amount"), ordering="amount")
    def amount_shown(self, deal: Deal) -> str:
        return f"{money(deal.amount)} {deal.currency}"

    @admin.display(description=_("amount in yuan"), ordering="amount_cny")
    def amount_in_yuan(self, deal: Deal) -> str:
        return money(deal.amount_cny)

    # --- saving through the services ------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SmartExpoError as exc:
            # Refused by the service after the form's checks (another change at the same
            # moment): the view's transaction kept nothing; say why and open the form again.
            fields = (exc.detail or {}).get("fields", {})
            text = " ".join([exc.message, *(f"{k}: {v}" for k, v in fields.items())])
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.deal_data
        if change:
            deal = deal_update(
                expo=obj.expo,
                deal_id=obj.pk,
                data=data,
                version=form.cleaned_data.get("seen_version"),
            )
        else:
            deal = deal_create(expo=form.cleaned_data["expo"], data=data)
        obj.pk = deal.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Nothing: the parties were written with the deal, by its service."""

    def construct_change_message(self, request, form, formsets, add=False):
        changed = list(form.changed_data)
        if any(formset.has_changed() for formset in formsets):
            changed.append("parties")
        return [{"added": {}}] if add else [{"changed": {"fields": changed}}]

    # --- the status, documents and imports ------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="deals_deal_import"),
            path("<int:deal_id>/status/", view(self.status_view), name="deals_deal_status"),
            path(
                "<int:deal_id>/documents/add/",
                view(self.document_add_view),
                name="deals_deal_document_add",
            ),
            path(
                "<int:deal_id>/documents/<int:document_id>/",
                view(self.document_view),
                name="deals_deal_document",
            ),
            *super().get_urls(),
        ]

    def _deal(self, request, deal_id: int, permission: str) -> Deal:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return get_object_or_404(Deal.objects.select_related("expo"), pk=deal_id)

    def _page(self, request, template: str, title: str, **context) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **context,
        }
        return TemplateResponse(request, f"admin/deals/deal/{template}", context)

    def _back(self, deal: Deal) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:deals_deal_change", args=[deal.pk]))

    def status_view(self, request, deal_id: int):
        """Move a deal's follow-up forward (or cancel it) with its dated evidence."""
        deal = self._deal(request, deal_id, "deals.change_deal")
        form = StatusForm(request.POST or None, request.FILES or None, deal=deal)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data.get("upload")
            try:
                deal_status_with_document_set(
                    expo=deal.expo,
                    deal_id=deal.pk,
                    status=data["status"],
                    on=data["on"],
                    evidence=data["evidence"],
                    document_id=data["document"].pk if data.get("document") else None,
                    file_name=upload.name if upload else None,
                    file_data=_read(upload) if upload else None,
                )
            except SmartExpoError as exc:
                _errors_on_form(form, exc, {"status_on": "on", "file": "upload"})
            else:
                self.message_user(request, _("The status is now “%(s)s”.") % {"s": data["status"]})
                return self._back(deal)
        return self._page(
            request,
            "status.html",
            _("Move the status of “%(d)s”") % {"d": deal},
            deal=deal,
            form=form,
        )

    def document_add_view(self, request, deal_id: int):
        """Keep a PDF with the deal."""
        deal = self._deal(request, deal_id, "deals.add_document")
        form = DocumentForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document_add(expo=deal.expo, deal_id=deal.pk, name=upload.name, data=_read(upload))
            except SmartExpoError as exc:
                _errors_on_form(form, exc, {})
            else:
                self.message_user(request, _("Document kept."))
                return self._back(deal)
        return self._page(
            request,
            "document_add.html",
            _("Add a PDF to “%(d)s”") % {"d": deal},
            deal=deal,
            form=form,
        )

    def document_view(self, request, deal_id: int, document_id: int):
        """A document's PDF, to organisers who may see documents."""
        if not request.user.has_perm("deals.view_document"):
            raise PermissionDenied
        try:
            return document_response(deal_document(deal_id=deal_id, document_id=document_id))
        except SmartExpoError:
            raise Http404 from None

    def import_view(self, request):
        """Import a CSV or XLSX file of deals and show the report, line by line."""
        if not request.user.has_perm("deals.add_deal"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = deals_import(
                    expo=form.cleaned_data["expo"],
                    file_name=upload.name,
                    data=_read(upload),
                    atomic=form.cleaned_data["atomic"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except SmartExpoError as exc:
                _errors_on_form(form, exc, {})
        return self._page(
            request,
            "import.html",
            _("Import deals"),
            form=form,
            report=report,
            columns=", ".join(COLUMNS),
        )


def _read(upload) -> bytes:
    """An uploaded file's bytes, read no further than a limit past any the services accept
    (they then refuse it as too large)."""
    return upload.read(UPLOAD_READ_LIMIT + 1)


def _errors_on_form(form, exc: SmartExpoError, names: dict[str, str]) -> None:
    fields = (exc.detail or {}).get("fields", {})
    if not fields:
        form.add_error(None, exc.message)
    for name, message in fields.items():
        field = names.get(name, name)
        form.add_error(field if field in form.fields else None, message)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """The deals' PDFs, to find and download; added from a deal's page (“Add a PDF”)."""

    list_display = ("name", "deal", "size", "uploaded_at", "download")
    list_filter = ("deal__expo",)
    list_select_related = ("deal",)
    search_fields = ("name", "deal__title_en", "deal__ref", "sha256")
    fields = ("deal", "name", "size", "sha256", "uploaded_at", "download")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    @admin.display(description=_("download"))
    def download(self, document: Document):
        url = reverse("admin:deals_deal_document", args=[document.deal_id, document.pk])
        return format_html('<a href="{}">{}</a>', url, _("PDF"))


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Yuan per unit of a currency on a day: what a deal entered without its own rate takes.
    Changing a rate changes no deal (each keeps the rate it was entered with)."""

    list_display = ("currency", "on", "rate", "source")
    list_filter = ("currency",)
    search_fields = ("currency", "source")
    date_hierarchy = "on"


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    """The chained log of every change of a deal: append-only (the database refuses more)."""

    list_display = ("seq", "expo", "at_shown", "deal", "hash")
    list_filter = ("expo",)
    search_fields = ("=deal", "hash")
    fields = ("expo", "seq", "at_shown", "deal", "change", "prev", "hash")
    readonly_fields = fields
    list_select_related = ("expo",)

    @admin.display(description=_("at"))
    def at_shown(self, entry: LogEntry):
        return entry.at


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyAdmin):
    list_display = ("expo", "seq", "head")
    fields = ("expo", "seq", "head")
    readonly_fields = fields


@admin.register(DealsKey)
class DealsKeyAdmin(ReadOnlyAdmin):
    """The editions' tally keys: their public halves (the private ones stay encrypted)."""

    list_display = ("expo", "kid", "public_key", "active", "created_at")
    list_filter = ("expo", "active")
    fields = ("expo", "kid", "public_key", "active", "created_at")
    readonly_fields = fields
