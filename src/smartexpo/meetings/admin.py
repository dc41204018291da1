"""Business meetings in the back office: organisers define meeting sessions here (as with
`POST …/meetings/sessions`), adjust a participant's opt-in and cap, and read requests and the
scheduled meetings, which the participants and the optimiser make (never edited by hand)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from smartexpo.core.admin import EditionAdmin, ReadOnlyAdmin
from smartexpo.core.errors import SmartExpoError
from smartexpo.meetings.cards import table_cards_download
from smartexpo.meetings.models import (
    Busy,
    Meeting,
    MeetingRequest,
    MeetingSession,
    Participant,
)

TIMING = ("starts_at", "ends_at", "slot_minutes")
# An admin request waits for the solve: a minute at most, as `smartexpo meetings solve`'s
# default (longer searches belong to the command or the API's `time_limit`).
ADMIN_SOLVE_SECONDS = 60.0


@admin.action(description=_("Schedule the meetings (solve and publish)"))
def sessions_solve(modeladmin, request, queryset):
    """Admin action on meeting sessions: solve each selected session in turn, publish its
    meetings and say what each solve found."""
    from smartexpo.meetings.services.solving import session_solve

    for session in queryset.select_related("expo"):
        try:
            report = session_solve(session=session, time_limit=ADMIN_SOLVE_SECONDS)
        except SmartExpoError as exc:
            modeladmin.message_user(request, f"{session.code}: {exc.message}", messages.ERROR)
            continue
        modeladmin.message_user(
            request,
            _(
                "Session %(code)s: %(scheduled)d meetings scheduled (%(status)s, gap %(gap).2f %%, "
                "%(moved)d moved, %(seconds).1f s)."
            )
            % {
                "code": session.code,
                "scheduled": report["scheduled"],
                "status": report["status"],
                "gap": 100 * report["gap"],
                "moved": report["moved"],
                "seconds": report["seconds"],
            },
            messages.SUCCESS,
        )


@admin.register(MeetingSession)
class MeetingSessionAdmin(EditionAdmin):
    list_display = ("code", "expo", "starts_at", "ends_at", "slot_minutes", "tables", "zone")
    list_filter = ("expo", "booth_meetings")
    list_select_related = ("expo", "zone")
    search_fields = ("code", "name_en", "name_zh")
    actions = (sessions_solve, table_cards_download)
    fields = (
        "expo",
        "code",
        "name_en",
        "name_zh",
        *TIMING,
        "tables",
        "zone",
        "booth_meetings",
        "cap_visitor",
        "cap_exhibitor",
        "published_at",
        "report",
    )

    def get_readonly_fields(self, request, obj=None):
        """The last solve is the optimiser's; once a session's meetings are published, its
        times and slots are fixed (`services.sessions.session_update`'s rule)."""
        fixed = ["published_at", "report"]
        if obj is not None:
            fixed.append("expo")
            if obj.published_at is not None or obj.meetings.exists():
                fixed += TIMING
        return fixed


class BusyInline(admin.TabularInline):
    model = Busy
    fields = ("starts_at", "ends_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    """Made on first use by the participants; the organiser may open or close a visitor and
    set a personal cap. Never added nor deleted here (erasure deletes a person's)."""

    list_display = ("__str__", "expo", "kind", "open", "cap", "no_shows", "created_at")
    list_filter = ("expo", "open")
    list_select_related = ("expo", "exhibitor", "registration")
    search_fields = ("=exhibitor__id", "=registration__id", "exhibitor__name_en")
    fields = ("expo", "exhibitor", "registration", "open", "cap", "no_shows", "created_at")
    inlines = [BusyInline]

    @admin.display(description=_("kind"))
    def kind(self, participant: Participant) -> str:
        return _("exhibitor") if participant.exhibitor_id else _("visitor")

    def get_readonly_fields(self, request, obj=None):
        fixed = ["expo", "exhibitor", "registration", "no_shows", "created_at"]
        if obj is not None and obj.exhibitor_id:
            fixed.append("open")  # an exhibitor always takes requests
        return fixed

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "expo", "requester", "recipient", "priority", "status", "created_at")
    list_filter = ("expo", "status", "priority")
    list_select_related = ("expo", "requester", "recipient")
    search_fields = ("=id",)
    date_hierarchy = "created_at"
    fields = (
        "expo",
        "requester",
        "recipient",
        "priority",
        "message",
        "status",
        "created_at",
        "decided_at",
    )
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("starts_at", "session", "table", "booth", "request", "version")
    list_filter = ("session__expo", "session")
    list_select_related = ("session", "booth", "request")
    date_hierarchy = "starts_at"
    fields = (
        "request",
        "session",
        "slot",
        "starts_at",
        "ends_at",
        "table",
        "booth",
        "version",
        "a_checked_in_at",
        "b_checked_in_at",
        "no_show_recorded_at",
    )
    readonly_fields = fields
