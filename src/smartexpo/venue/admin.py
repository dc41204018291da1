"""Back office for editions and venue: what an organiser searches, filters and edits."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin, EditionBoundForm, presence_filter
from smartexpo.core.errors import SmartExpoError
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import (
    SHAREABLE_FIELDS,
    SHAREABLE_LABELS,
    Booth,
    Expo,
    ForumRoom,
    Gate,
    Hall,
    Zone,
    ZoneKind,
)
from smartexpo.venue.services import booth_geometry_check, lead_fields_ordered
from smartexpo.venue.signals import zone_thresholds_changed


class ExpoForm(forms.ModelForm):
    """The edition's form: `lead_fields` as ticks among `SHAREABLE_FIELDS`, so that nothing
    else can be stored there."""

    lead_fields = forms.MultipleChoiceField(
        label=_("fields visitors may share"),
        choices=[(f, SHAREABLE_LABELS[f]) for f in SHAREABLE_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "What a visitor may agree to give an exhibitor who scans their ticket. Narrowing "
            "it hides a field from leads at once; it never widens what a visitor agreed to."
        ),
    )

    class Meta:
        model = Expo
        # The admin adds the fields of its fieldsets.
        fields = ("lead_capture", "lead_fields")

    def clean_lead_fields(self) -> list[str]:
        return lead_fields_ordered(self.cleaned_data.get("lead_fields") or [])


@admin.register(Expo)
class ExpoAdmin(admin.ModelAdmin):
    form = ExpoForm
    list_display = (
        "name_en",
        "name_zh",
        "slug",
        "starts_on",
        "ends_on",
        "timezone",
        "is_published",
    )
    list_filter = ("is_published",)
    search_fields = ("name_en", "name_zh", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    readonly_fields = ("demo_clock",)
    fieldsets = (
        (None, {"fields": ("name_en", "name_zh", "slug", "is_published", "previous")}),
        (
            _("Dates and hours"),
            {"fields": ("starts_on", "ends_on", "timezone", "opens_at", "closes_at")},
        ),
        (_("Registration"), {"fields": ("sales_open_at", "sales_close_at")}),
        (_("Exhibitor leads"), {"fields": ("lead_capture", "lead_fields")}),
        (_("Demo clock"), {"fields": ("demo_clock",)}),
        (_("Venue"), {"fields": ("venue_en", "venue_zh", "city_en", "city_zh", "venue_area_m2")}),
        (
            _("Presentation"),
            {
                "fields": (
                    "tagline_en",
                    "tagline_zh",
                    "description_en",
                    "description_zh",
                    "expected_visitors",
                    "countries",
                )
            },
        ),
    )

    @admin.display(description=_("Demo clock"))
    def demo_clock(self, obj: Expo) -> str:
        """What the edition's clock reads and how to change it: set and cleared from the
        command line only, since it changes what the gates admit."""
        if obj is None or obj.pk is None:
            return "-"
        if obj.clock_offset is None:
            return format_html(
                "{}<br><code>smartexpo demo clock 2019-08-27T10:00 --expo {}</code>",
                _("Off: the edition runs on the real time. A rehearsal or demo sets one with:"),
                obj.slug,
            )
        return format_html(
            "<strong>{}</strong><br>{}<br><code>smartexpo demo clock --off --expo {}</code>",
            _("On: the edition's time reads %(time)s (%(zone)s), not the real time.")
            % {
                "time": edition_now(obj).astimezone(obj.tz).strftime("%Y-%m-%d %H:%M:%S"),
                "zone": obj.timezone,
            },
            _(
                "The gate scanners date their scans by it and the live venue page shows it. "
                "Clear it with:"
            ),
            obj.slug,
        )


class ZoneAdminBase(admin.ModelAdmin):
    list_filter = ("expo",)
    search_fields = ("code", "name_en", "name_zh")
    list_select_related = ("expo",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"capacity", "area_m2"} & set(form.changed_data):
            answers = zone_thresholds_changed.send(sender=type(obj), zone=obj)
            for _receiver, said in answers:
                if said:
                    self.message_user(request, said)


@admin.register(Hall)
class HallAdmin(ZoneAdminBase):
    list_display = (
        "code",
        "name_en",
        "name_zh",
        "expo",
        "area_m2",
        "capacity",
        "booth_count",
        "theme_en",
    )
    fields = (
        "expo",
        "code",
        "name_en",
        "name_zh",
        "area_m2",
        "capacity",
        "group_en",
        "group_zh",
        "theme_en",
        "theme_zh",
        "plan_x",
        "plan_y",
        "plan_width",
        "plan_depth",
        "position",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_booths=Count("booths"))

    @admin.display(description=_("booths"), ordering="_booths")
    def booth_count(self, obj):
        return obj._booths


@admin.register(ForumRoom)
class ForumRoomAdmin(ZoneAdminBase):
    list_display = ("code", "name_en", "name_zh", "expo", "capacity", "area_m2")
    fields = ("expo", "code", "name_en", "name_zh", "capacity", "area_m2", "position")


@admin.register(Zone)
class ZoneAdmin(EditionAdmin, ZoneAdminBase):
    list_display = ("code", "kind", "name_en", "name_zh", "hall", "expo", "area_m2", "capacity")
    list_filter = ("expo", "kind")
    raw_id_fields = ("hall",)


@admin.register(Gate)
class GateAdmin(EditionAdmin):
    list_display = ("code", "name_en", "name_zh", "zone", "lanes", "queue_zone", "expo")
    list_filter = ("expo",)
    search_fields = ("code", "name_en", "name_zh")
    list_select_related = ("zone", "queue_zone", "expo")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer gate-queue zones only; the model's `clean` refuses any other all the same.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "queue_zone" and field is not None:
            field.queryset = field.queryset.filter(kind=ZoneKind.QUEUE)
        return field


class BoothForm(EditionBoundForm):
    class Meta:
        model = Booth
        fields = ("expo", "hall", "code", "x", "y", "width", "depth", "zone")

    def clean(self):
        data = super().clean()
        hall = data.get("hall")
        values = [data.get(k) for k in ("x", "y", "width", "depth")]
        expo = data.get("expo")
        # A hall of another edition is refused by the edition rule (core.editions); its
        # booths are not this one's to overlap.
        if hall is not None and None not in values and (expo is None or hall.expo_id == expo.pk):
            try:
                x, y, width, depth = values
                booth_geometry_check(
                    hall=hall, x=x, y=y, width=width, depth=depth, exclude_pk=self.instance.pk
                )
            except SmartExpoError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


AssignedFilter = presence_filter(
    title=_("assignment"),
    parameter="assigned",
    field="assignment",
    choices=(("yes", _("Assigned"), True), ("no", _("Available"), False)),
)


@admin.register(Booth)
class BoothAdmin(EditionAdmin):
    form = BoothForm
    list_display = ("code", "hall", "size", "area", "exhibitor", "expo")
    list_filter = ("expo", AssignedFilter, "hall")
    search_fields = ("code", "assignment__exhibitor__name_en", "assignment__exhibitor__name_zh")
    list_select_related = ("hall", "expo", "assignment__exhibitor")
    raw_id_fields = ("zone",)

    @admin.display(description=_("size (m)"))
    def size(self, obj):
        return f"{obj.width:g} × {obj.depth:g}"

    @admin.display(description=_("area (m²)"))
    def area(self, obj):
        return f"{obj.area_m2:g}"

    @admin.display(description=_("exhibitor"))
    def exhibitor(self, obj):
        assignment = getattr(obj, "assignment", None)
        return assignment.exhibitor if assignment else "—"
