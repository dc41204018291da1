"""Back office for the forum programme: forums, speakers (with their photos), sessions (with
their warnings on every save and in the list), the week grid of a room, publishing a release
(its own permission), the releases published, and the seats reserved at each session."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from smartexpo.core.admin import EditionAdmin, EditionInline, ReadOnlyAdmin, requested_edition
from smartexpo.programme.admin import views
from smartexpo.programme.admin.changes import readable_changes
from smartexpo.programme.admin.forms import SessionForm, SpeakerForm
from smartexpo.programme.attendance import attendance_counts
from smartexpo.programme.models import (
    Forum,
    Release,
    Reservation,
    ReservationStatus,
    Session,
    SessionSpeaker,
    Speaker,
)
from smartexpo.programme.services.photos import speaker_photo_set
from smartexpo.programme.services.reservations import reservation_cancel
from smartexpo.programme.warnings import programme_warnings, session_warnings
from smartexpo.venue.models import Expo

PUBLISH_PERMISSION = "programme.publish_release"


class ProgrammeAdmin(EditionAdmin):
    """A forum, speaker or session stays in the edition it was added to: its sessions, rooms
    and speakers are that edition's."""

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "expo") if obj is not None else fields


@admin.register(Forum)
class ForumAdmin(ProgrammeAdmin):
    list_display = ("code", "name_en", "name_zh", "sector", "position", "session_count", "expo")
    list_filter = ("expo", "sector")
    search_fields = ("code", "name_en", "name_zh", "host_en", "host_zh")
    list_select_related = ("expo", "sector")
    fields = (
        "expo",
        "code",
        "name_en",
        "name_zh",
        "host_en",
        "host_zh",
        "sector",
        "description_en",
        "description_zh",
        "position",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_sessions=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="n_sessions")
    def session_count(self, obj):
        return obj.n_sessions


@admin.register(Speaker)
class SpeakerAdmin(ProgrammeAdmin):
    form = SpeakerForm
    list_display = ("thumbnail", "name_en", "name_zh", "affiliation_en", "session_count", "expo")
    list_display_links = ("thumbnail", "name_en")
    list_filter = ("expo",)
    search_fields = ("name_en", "name_zh", "affiliation_en", "affiliation_zh")
    list_select_related = ("expo",)
    readonly_fields = ("portrait",)
    fieldsets = (
        (None, {"fields": ("expo", "name_en", "name_zh", "affiliation_en", "affiliation_zh")}),
        (_("Biography"), {"fields": ("bio_en", "bio_zh")}),
        (_("Photo"), {"fields": ("portrait", "photo_upload", "photo_remove")}),
    )

    def get_queryset(self, request):
        # The list never loads the photos' bytes; their digest says whether there is one.
        return (
            super().get_queryset(request).defer("photo").annotate(n_sessions=Count("session_links"))
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/photo/",
                self.admin_site.admin_view(self.photo_view),
                name="programme_speaker_photo",
            ),
            *super().get_urls(),
        ]

    def photo_view(self, request, object_id: int):
        """The speaker's stored photo, for the thumbnails of these pages."""
        if not self.has_view_permission(request):
            raise views.PermissionDenied
        row = Speaker.objects.filter(pk=object_id).values_list("photo", "photo_type").first()
        if row is None or row[0] is None:
            raise Http404
        response = HttpResponse(bytes(row[0]), content_type=row[1])
        # The address carries the photo's digest (`?v=`): a new photo is a new address.
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def _photo_img(self, obj, size: int):
        if not obj or not obj.photo_digest:
            return None
        url = reverse("admin:programme_speaker_photo", args=[obj.pk])
        return format_html(
            '<img src="{}?v={}" alt="" width="{}" height="{}" loading="lazy" '
            'style="object-fit: cover; border-radius: 4px">',
            url,
            obj.photo_digest[:12],
            size,
            size,
        )

    @admin.display(description=_("photo"))
    def thumbnail(self, obj):
        return self._photo_img(obj, 40) or "—"

    @admin.display(description=_("current photo"))
    def portrait(self, obj):
        return self._photo_img(obj, 160) or _("No photo yet.")

    @admin.display(description=_("sessions"), ordering="n_sessions")
    def session_count(self, obj):
        return obj.n_sessions

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        photo = form.cleaned_data.get("photo_upload")
        if photo is not None:
            speaker_photo_set(speaker=obj, photo=photo)
        elif form.cleaned_data.get("photo_remove") and obj.photo_digest:
            speaker_photo_set(speaker=obj, photo=None)


class SessionSpeakerInline(EditionInline, admin.TabularInline):
    model = SessionSpeaker
    extra = 1
    fields = ("speaker", "position")
    verbose_name = _("speaker")
    verbose_name_plural = _("speakers, in the order they are listed")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "speaker":
            # The through model's field has no translated name of its own.
            kwargs.setdefault("label", _("speaker"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReservationInline(admin.TabularInline):
    """Who holds a seat and who waits, in the order they came (cancel from the reservations'
    own list, so that the seat goes to the waiting list)."""

    model = Reservation
    extra = 0
    fields = ("registration", "holder", "status", "forced", "created_at", "confirmed_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("reservations and waiting list")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration__ticket_type")

    @admin.display(description=_("holder"))
    def holder(self, obj):
        return obj.registration.name


def _parse_local(value) -> dt.datetime | None:
    """An ISO date and time from an address, in the current (the edition's) time zone; None
    for anything else, which the form then leaves empty."""
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _local(instant: dt.datetime, expo: Expo) -> str:
    return instant.astimezone(expo.tz).strftime("%Y-%m-%d %H:%M")


@admin.register(Session)
class SessionAdmin(ProgrammeAdmin):
    form = SessionForm
    change_list_template = "admin/programme/session/change_list.html"
    inlines = (SessionSpeakerInline, ReservationInline)
    list_display = (
        "session_title",
        "warning_marker",
        "when",
        "room",
        "forum",
        "format",
        "seats_taken",
        "cancelled",
    )
    list_filter = ("expo", "format", "cancelled", "reservation_required", "forum", "room")
    search_fields = ("title_en", "title_zh", "speakers__name_en", "speakers__name_zh")
    list_select_related = ("expo", "room", "forum", "seat_count")
    filter_horizontal = ("tags", "sectors")
    readonly_fields = ("time_zone", "open_warnings", "seat_state", "attendance")
    fieldsets = (
        (None, {"fields": ("expo", "forum", "title_en", "title_zh", "format")}),
        (_("When and where"), {"fields": ("time_zone", "starts_at", "ends_at", "room")}),
        (_("Abstract"), {"fields": ("abstract_en", "abstract_zh")}),
        (_("Topics"), {"fields": ("tags", "sectors")}),
        (
            _("Seats"),
            {
                "fields": (
                    "reservation_required",
                    "seat_quota",
                    "seat_state",
                    "attendance",
                    "cancelled",
                )
            },
        ),
        (_("Warnings"), {"fields": ("open_warnings",)}),
    )

    def get_urls(self):
        return [
            path(
                "grid/",
                self.admin_site.admin_view(self.grid_view),
                name="programme_session_grid",
            ),
            *super().get_urls(),
        ]

    def grid_view(self, request):
        return views.grid(self, request)

    # --- times in the edition's time zone ---------------------------------------------------

    def _edition_of(self, request, object_id) -> Expo | None:
        if object_id:
            try:
                return Expo.objects.filter(sessions__pk=int(object_id)).first()
            except ValueError:
                return None  # the admin answers a malformed id itself
        chosen = requested_edition(request)
        return Expo.objects.filter(pk=chosen).first() if chosen else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        expo = self._edition_of(request, object_id)
        if expo is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(expo.tz):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # Rendered here: a template response rendered later would show UTC.
            if hasattr(response, "render"):
                response.render()
            return response

    def get_changeform_initial_data(self, request):
        """An add page opened from the week grid: `starts_at` (local, ISO) prefills the start
        and an hour later the end; `room` and `forum` are ids, as Django's admin takes them."""
        initial = super().get_changeform_initial_data(request)
        times = {key: _parse_local(initial.pop(key, None)) for key in ("starts_at", "ends_at")}
        if times["starts_at"] is not None:
            initial["starts_at"] = times["starts_at"]
            initial["ends_at"] = times["starts_at"] + dt.timedelta(hours=1)
        if times["ends_at"] is not None:
            initial["ends_at"] = times["ends_at"]
        return initial

    @admin.display(description=_("time zone"))
    def time_zone(self, obj):
        if obj is None or obj.pk is None:
            return timezone.get_current_timezone_name()
        return obj.expo.timezone

    # --- warnings ---------------------------------------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Saved whatever they say: a warning informs, it never blocks.
        for warning in session_warnings(session=form.instance):
            self.message_user(request, warning.message, messages.WARNING)

    @admin.display(description=_("open warnings"))
    def open_warnings(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        found = session_warnings(session=obj)
        if not found:
            return _("None.")
        return format_html(
            '<ul class="programme-warnings">{}</ul>',
            format_html_join("", "<li>{}</li>", ((w.message,) for w in found)),
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The warnings of each edition on the page, computed once for its rows.
        rows = list(changelist.result_list)
        warned: dict[int, list[str]] = {}
        for expo in {row.expo for row in rows}:
            for warning in programme_warnings(expo=expo):
                for pk in warning.sessions:
                    warned.setdefault(pk, []).append(warning.message)
        for row in rows:
            row.warning_texts = warned.get(row.pk, [])
        return changelist

    @admin.display(description=_("warnings"))
    def warning_marker(self, obj):
        texts = getattr(obj, "warning_texts", None)
        if not texts:
            return ""
        return format_html(
            '<span class="programme-warning-marker" title="{}">⚠ {}</span>',
            "\n".join(texts),
            len(texts),
        )

    # --- list columns -----------------------------------------------------------------------

    @admin.display(description=_("title"), ordering="title_en")
    def session_title(self, obj):
        return obj.title

    @admin.display(description=_("when"), ordering="starts_at")
    def when(self, obj):
        return f"{_local(obj.starts_at, obj.expo)}–{_local(obj.ends_at, obj.expo)[-5:]}"

    @admin.display(description=_("seats taken"))
    def seats_taken(self, obj):
        counted = getattr(obj, "seat_count", None)
        if counted is None or counted.seats is None:
            return "—" if not obj.reservation_required else _("not published")
        return f"{counted.confirmed}/{counted.seats}"

    @admin.display(description=_("seats"))
    def seat_state(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        counts = obj.reservations.aggregate(
            confirmed=Count("pk", filter=Q(status=ReservationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=ReservationStatus.WAITLISTED)),
        )
        seats = obj.seats
        return _(
            "Next release: %(seats)s. Confirmed reservations: %(confirmed)s; "
            "on the waiting list: %(waiting)s."
        ) % {
            "seats": _("no reservation needed") if seats is None else seats,
            "confirmed": counts["confirmed"],
            "waiting": counts["waiting"],
        }

    @admin.display(description=_("attendance at the door"))
    def attendance(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        count = attendance_counts(expo=obj.expo, session_ids=[obj.pk])[obj.pk]
        text = _("Reserved: %(reserved)s. Checked in at the door: %(checked_in)s.") % {
            "reserved": count.reserved,
            "checked_in": count.checked_in,
        }
        if count.no_shows is None:
            return text + " " + _("No-shows are counted once the session has ended.")
        return text + " " + _("No-shows: %(n)s.") % {"n": count.no_shows}

    def changelist_view(self, request, extra_context=None):
        extra = {"grid_url": reverse("admin:programme_session_grid")}
        chosen = request.GET.get("expo__id__exact")
        if chosen:
            extra["grid_url"] += "?" + urlencode({"expo": chosen})
        extra["can_publish"] = request.user.has_perm(PUBLISH_PERMISSION)
        return super().changelist_view(request, {**extra, **(extra_context or {})})


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    """Releases as published: never edited, so that what the public was shown stays on record."""

    change_list_template = "admin/programme/release/change_list.html"
    list_display = (
        "version",
        "expo",
        "published_at",
        "published_by",
        "comment",
        "session_count",
        "change_count",
        "warning_count",
    )
    list_filter = ("expo",)
    list_select_related = ("expo",)
    fields = (
        "expo",
        "version",
        "published_at",
        "published_by",
        "comment",
        "session_count",
        "change_list",
        "warnings_confirmed",
    )
    readonly_fields = fields

    def get_urls(self):
        return [
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name="programme_release_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request):
        return views.publish(self, request)

    def changelist_view(self, request, extra_context=None):
        extra = {"can_publish": request.user.has_perm(PUBLISH_PERMISSION)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @admin.display(description=_("sessions"))
    def session_count(self, obj):
        return len(obj.sessions)

    @admin.display(description=_("changes"))
    def change_count(self, obj):
        return sum(len(v) for v in obj.changes.values())

    @admin.display(description=_("warnings confirmed"))
    def warning_count(self, obj):
        return len(obj.warnings)

    @admin.display(description=_("what changed"))
    def change_list(self, obj):
        previous = (
            Release.objects.filter(expo_id=obj.expo_id, version__lt=obj.version)
            .order_by("-version")
            .first()
        )
        lines = readable_changes(obj.changes, previous.sessions if previous else [], obj.sessions)
        if not lines:
            return _("Nothing changed.")
        return format_html(
            '<ul class="programme-changes">{}</ul>',
            format_html_join(
                "",
                "<li><strong>{}</strong> {} <small>{}</small></li>",
                ((line.label, line.title, line.detail) for line in lines),
            ),
        )

    @admin.display(description=_("warnings confirmed"))
    def warnings_confirmed(self, obj):
        if not obj.warnings:
            return _("None.")
        return format_html(
            '<ul class="programme-warnings">{}</ul>',
            format_html_join("", "<li>{}</li>", ((w["message"],) for w in obj.warnings)),
        )


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Seats and waiting lists, to read; an organiser with the right to delete reservations
    cancels one here, through `reservation_cancel`, so the seat goes to the waiting list."""

    list_display = (
        "session",
        "registration",
        "holder",
        "status",
        "forced",
        "created_at",
        "confirmed_at",
    )
    list_filter = ("session__expo", "status", "forced")
    search_fields = ("session__title_en", "session__title_zh", "=registration__id")
    list_select_related = ("session", "registration__ticket_type")
    readonly_fields = list_display
    fields = list_display
    actions = ("cancel_reservations",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    @admin.display(description=_("holder"))
    def holder(self, obj):
        return obj.registration.name

    def _cancel(self, reservations) -> int:
        return sum(
            reservation_cancel(registration=r.registration, session_id=r.session_id)
            for r in reservations
        )

    def delete_model(self, request, obj):
        self._cancel([obj])

    def delete_queryset(self, request, queryset):
        self._cancel(queryset.select_related("registration"))

    @admin.action(description=_("Cancel selected reservations"), permissions=["delete"])
    def cancel_reservations(self, request, queryset):
        count = self._cancel(queryset.select_related("registration"))
        self.message_user(
            request,
            ngettext(
                "%(count)d reservation cancelled; freed seats went to the waiting list.",
                "%(count)d reservations cancelled; freed seats went to the waiting list.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
