"""Back office for API tokens (issued here, shown once, stored only as a digest) and the audit
log (read only); and what every app's admin shares: list filters, read-only records, and the
admin, form and inline of models whose choices point into an edition (`EditionAdmin`)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.options import IS_POPUP_VAR
from django.forms.models import InlineForeignKeyField
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import (
    EDITION_FIELD,
    EDITION_MODEL,
    edition_errors,
    edition_link_names,
    has_edition,
)
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


# --- choices within one edition ----------------------------------------------------------------
#
# Every admin form that offers zones, gates, booths, ticket types or exhibitors offers only those
# of the object's edition, and its save refuses a link into another (`core.editions`). On an add
# page the edition is chosen first (`EditionAdmin.add_view`), so the form can be narrowed from
# the start.


def _edition_id(value) -> int | None:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


class _EditionLookup:
    """A raw-id widget's pop-up narrowed to one edition (set `edition_id`)."""

    edition_id: int | None = None

    def url_parameters(self):
        params = super().url_parameters()
        if self.edition_id is not None:
            params[f"{EDITION_FIELD}__id__exact"] = self.edition_id
        return params


class EditionRawIdWidget(_EditionLookup, widgets.ForeignKeyRawIdWidget):
    """The raw-id look-up of a relation into an edition: its pop-up lists that edition only."""


class EditionManyRawIdWidget(_EditionLookup, widgets.ManyToManyRawIdWidget):
    """`EditionRawIdWidget` for a many-to-many relation."""


class EditionBoundForm(forms.ModelForm):
    """A model form whose choices into editions are narrowed to the object's edition, and
    whose many-to-many choices are held to it too (the model's `full_clean` checks the rest).

    The edition is the object's own, else the one the form's edition field holds, else the one
    the admin chose first (`edition_hint`). A bound form validates against every object, so
    that a link into another edition is refused with the rule's own message rather than
    "not one of the available choices"; the choices are narrowed again before the form is shown.
    """

    edition_hint: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        self._links = edition_link_names(model) & set(self.fields)
        hint = self.edition_hint
        if hint is not None and EDITION_FIELD in self.fields and self.instance.pk is None:
            # Chosen before the form (the add page's first step): fixed, not offered again.
            field = self.fields[EDITION_FIELD]
            field.initial = self.initial[EDITION_FIELD] = hint
            field.disabled = True
            field.help_text = _("Chosen before this form; to change it, start again from “Add”.")
        if not self.is_bound:
            self._narrow()

    def _current_edition(self) -> int | None:
        own = getattr(self.instance, f"{EDITION_FIELD}_id", None)
        if own is not None:
            return own
        if EDITION_FIELD in self.fields and (chosen := _edition_id(self[EDITION_FIELD].value())):
            return chosen
        for field in self.fields.values():
            # An inline row's edition is its parent's.
            parent = getattr(getattr(field, "parent_instance", None), f"{EDITION_FIELD}_id", None)
            if isinstance(field, InlineForeignKeyField) and parent is not None:
                return parent
        return self.edition_hint

    def _narrow(self) -> None:
        edition = self._current_edition()
        if edition is None:
            return
        for name in self._links:
            field = self.fields[name]
            field.queryset = field.queryset.filter(**{f"{EDITION_FIELD}_id": edition})
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, EditionRawIdWidget | EditionManyRawIdWidget):
                widget.edition_id = edition

    def full_clean(self):
        super().full_clean()
        self._narrow()

    def _post_clean(self):
        instance = self.instance
        if has_edition(type(instance)) and getattr(instance, f"{EDITION_FIELD}_id") is None:
            # A new inline row takes its parent's edition before the model checks its links.
            for field in self.fields.values():
                if isinstance(field, InlineForeignKeyField):
                    parent = getattr(field.parent_instance, f"{EDITION_FIELD}_id", None)
                    setattr(instance, f"{EDITION_FIELD}_id", parent)
        elif not has_edition(type(instance)) and self.edition_hint is not None:
            # A model without an edition of its own (a staff-pass grant) is held to the one
            # chosen first, so the error names the link that strays from it.
            instance.expected_edition = self.edition_hint
        super()._post_clean()
        many = {
            name: self.cleaned_data.get(name)
            for name in self._links
            if name in self.cleaned_data and self._meta.model._meta.get_field(name).many_to_many
        }
        if many:
            for name, error in edition_errors(instance, foreign_keys=False, many=many).items():
                self.add_error(name, error)


class EditionChoiceForm(forms.Form):
    """The first step of an add page: which edition the new object belongs to. `optional`:
    the label of the choice of no edition, for an object that may have none (an organiser's
    token); None: an edition must be chosen."""

    expo = forms.ModelChoiceField(
        label=_("Edition"),
        queryset=None,
        help_text=_("The choices of the next page are this edition's only."),
    )

    def __init__(self, *args, optional=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["expo"]
        field.queryset = apps.get_model(EDITION_MODEL)._default_manager.order_by(
            "-starts_on", "-id"
        )
        if optional is not None:
            field.required = False
            field.empty_label = optional


def edition_chosen(request, *, optional: bool = False) -> bool:
    """Whether the page was opened for an edition (`?expo=<id>`), or, where an object may have
    none (`optional`), for none (`?expo=` left empty)."""
    if requested_edition(request) is not None:
        return True
    return optional and request.GET.get(EDITION_FIELD) == ""


def edition_choice_response(request, *, site, opts, title, optional=None) -> TemplateResponse:
    """The page that asks for the edition before a form whose choices belong to it; it opens
    the same address again with `?expo=` (and whatever else the page was opened with)."""
    carried = [(k, v) for k, v in request.GET.items() if k != EDITION_FIELD]
    context = {
        **site.each_context(request),
        "title": title,
        "form": EditionChoiceForm(optional=optional),
        "carried": carried,
        "opts": opts,
        "is_popup": IS_POPUP_VAR in request.GET,
    }
    return TemplateResponse(request, "admin/edition_choice.html", context)


class EditionAdminBase:
    """What the admins and inlines of edition-bound models share: the form that narrows their
    choices, and raw-id look-ups that open on the edition's objects only."""

    form = EditionBoundForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.raw_id_fields and has_edition(db_field.related_model):
            kwargs.setdefault(
                "widget",
                EditionRawIdWidget(
                    db_field.remote_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.raw_id_fields and has_edition(db_field.related_model):
            kwargs.setdefault(
                "widget",
                EditionManyRawIdWidget(
                    db_field.remote_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def requested_edition(request) -> int | None:
    """The edition an add page was opened for (`?expo=`), if any."""
    return _edition_id(request.GET.get(EDITION_FIELD))


class EditionAdmin(EditionAdminBase, admin.ModelAdmin):
    """The admin of a model whose choices point into editions. Its add page asks for the
    edition first (`edition_first`), then offers that edition's objects only."""

    edition_first = True
    # Where the object may belong to no edition: the label of that choice on the first step.
    edition_optional = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.edition_hint = None if obj is not None else requested_edition(request)
        return form

    def add_view(self, request, form_url="", extra_context=None):
        if (
            self.edition_first
            and request.method == "GET"
            and not edition_chosen(request, optional=self.edition_optional is not None)
            and self.has_add_permission(request)
        ):
            return self.edition_choice_view(request)
        return super().add_view(request, form_url, extra_context)

    def edition_choice_view(self, request):
        """Step one of adding: choose the edition; the add form then opens for it."""
        return edition_choice_response(
            request,
            site=self.admin_site,
            opts=self.opts,
            title=_("Add %(name)s: choose the edition") % {"name": self.opts.verbose_name},
            optional=self.edition_optional,
        )


class EditionInline(EditionAdminBase):
    """Mixed into an inline whose rows point into editions: rows offer the parent's edition's
    objects only (on an add page, the edition chosen first)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = getattr(obj, f"{EDITION_FIELD}_id", None) if obj is not None else None
        formset.form.edition_hint = parent if parent is not None else requested_edition(request)
        return formset


class ApiTokenForm(EditionBoundForm):
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
class ApiTokenAdmin(EditionAdmin):
    form = ApiTokenForm
    # An exhibitor's or a device's token is bound to an edition, chosen first so that the
    # exhibitor look-up lists its exhibitors only; an organiser's token has none. An exhibitor
    # of another edition than the token's is refused on save.
    edition_optional = _("None: an organiser's token")
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
