"""The forum programme: forums, speakers, sessions in forum rooms, published releases, seats.

Organisers edit `Session` rows freely; the public sees only what a `Release` froze. A release
holds the whole published programme as JSON (`Release.sessions`, the shape `programme.snapshot`
writes), so every public page, feed and export reads one row and answers the same programme,
and `Release.changes` says what moved, was added, changed or was cancelled since the one before
(as pretalx's schedule versions do).

Seats live apart from the session (`SessionSeats`), so that an organiser saving a session in the
admin never writes over the count of confirmed reservations. A seat is taken by one conditional
UPDATE of that row (`confirmed + 1 <= seats`), the design of the ticket day quotas.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.venue.models import (
    BilingualName,
    Expo,
    Zone,
    ZoneKind,
    code_validator,
    in_language,
)


class Forum(EditionBound, BilingualName):
    """A named track of the programme: the main forum or one of its sub-forums."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="forums"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    host_en = models.CharField(_("organised by (English)"), max_length=200, blank=True)
    host_zh = models.CharField(_("organised by (Chinese)"), max_length=200, blank=True)
    sector = models.ForeignKey(
        "exhibitors.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["expo", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "code"], name="forum_code_unique_per_expo"),
        ]

    @property
    def host(self) -> str:
        return in_language(self, "host")

    @property
    def description(self) -> str:
        return in_language(self, "description")


class Speaker(EditionBound, BilingualName):
    """A person who speaks in one or more sessions of an edition."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="speakers"
    )
    affiliation_en = models.CharField(_("affiliation (English)"), max_length=200, blank=True)
    affiliation_zh = models.CharField(_("affiliation (Chinese)"), max_length=200, blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)
    bio_zh = models.TextField(_("biography (Chinese)"), blank=True)
    # The photo as served (`programme.photos`): checked, upright, stripped and resized.
    photo = models.BinaryField(_("photo"), null=True, blank=True, editable=False)
    photo_type = models.CharField(max_length=16, blank=True, editable=False)
    photo_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["expo", "id"]

    @property
    def affiliation(self) -> str:
        return in_language(self, "affiliation")

    @property
    def bio(self) -> str:
        return in_language(self, "bio")


class SessionFormat(models.TextChoices):
    KEYNOTE = "keynote", _("Keynote")
    PANEL = "panel", _("Panel discussion")
    TALK = "talk", _("Talk")
    SIGNING = "signing", _("Signing ceremony")
    BREAK = "break", _("Break")


class Session(EditionBound, models.Model):
    """One slot of the programme in a forum room: the organiser's working copy.

    `seat_quota` and `reservation_required` give the seats the next release publishes
    (`seats`): a session that needs a reservation has its quota, or the room's capacity when
    none is set; one that does not has no seats and admits anyone its ticket allows into the
    room."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="sessions"
    )
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="sessions"
    )
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    abstract_zh = models.TextField(_("abstract (Chinese)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Zone,
        verbose_name=_("room"),
        on_delete=models.PROTECT,
        related_name="sessions",
        limit_choices_to={"kind": ZoneKind.ROOM},
    )
    format = models.CharField(
        _("format"), max_length=10, choices=SessionFormat.choices, default=SessionFormat.TALK
    )
    speakers = models.ManyToManyField(
        Speaker, verbose_name=_("speakers"), through="SessionSpeaker", blank=True
    )
    tags = models.ManyToManyField("exhibitors.Tag", verbose_name=_("technology tags"), blank=True)
    sectors = models.ManyToManyField("exhibitors.Sector", verbose_name=_("sectors"), blank=True)
    reservation_required = models.BooleanField(
        _("seats by reservation"),
        default=False,
        help_text=_(
            "Visitors reserve a seat, and the room door admits only those with a reservation."
        ),
    )
    seat_quota = models.PositiveIntegerField(
        _("seat quota"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the room's capacity."),
    )
    cancelled = models.BooleanField(
        _("cancelled"),
        default=False,
        help_text=_("A cancelled session leaves the programme at the next release."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["expo", "starts_at", "room", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_it_starts",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["expo", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def abstract(self) -> str:
        return in_language(self, "abstract")

    @property
    def seats(self) -> int | None:
        """The seats the next release publishes (None: no reservation needed)."""
        if not self.reservation_required:
            return None
        return self.seat_quota or self.room.capacity


class SessionSpeaker(EditionBound, models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_links")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("speaker of a session")
        verbose_name_plural = _("speakers of sessions")
        ordering = ["session_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "speaker"], name="session_speaker_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} @ {self.session_id}"


class Release(models.Model):
    """A published version of an edition's programme: what the public sees until the next."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="releases"
    )
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.CharField(_("published by"), max_length=150, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    # The published sessions, in programme order (`programme.snapshot.session_record`).
    sessions = models.JSONField(_("sessions"), default=list, editable=False)
    # {"added": [ids], "cancelled": [ids], "moved": [{"id", "from", "to"}], "changed": [ids]}
    changes = models.JSONField(_("changes"), default=dict, editable=False)
    # Warnings open when it was published (the publisher confirmed them).
    warnings = models.JSONField(_("warnings confirmed"), default=list, editable=False)

    class Meta:
        verbose_name = _("published release")
        verbose_name_plural = _("published releases")
        ordering = ["expo", "-version"]
        # Editing sessions is not publishing them: what the public sees is a separate right.
        permissions = [("publish_release", _("Can publish the programme"))]
        constraints = [
            models.UniqueConstraint(fields=["expo", "version"], name="release_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.expo.slug} v{self.version}"


class SessionSeats(models.Model):
    """The seats of a published session and how many are taken (conditional updates only).

    `seats` is what the latest release published (None: no reservation needed). The database
    refuses `confirmed > seats` only when the quota did not shrink under existing reservations:
    a smaller new quota keeps the seats already confirmed (the organiser was warned), so the
    check lives in the UPDATE, not in a constraint."""

    session = models.OneToOneField(
        Session, primary_key=True, on_delete=models.CASCADE, related_name="seat_count"
    )
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    confirmed = models.PositiveIntegerField(_("confirmed reservations"), default=0)

    class Meta:
        verbose_name = _("seats of a session")
        verbose_name_plural = _("seats of sessions")

    def __str__(self) -> str:
        return f"{self.confirmed}/{self.seats}"


class ReservationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WAITLISTED = "waitlisted", _("on the waiting list")


class Reservation(models.Model):
    """A registration's seat at a session, or its place on the session's waiting list.

    A cancelled reservation is deleted; the waiting list is in `id` order."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="reservations"
    )
    registration = models.ForeignKey(
        "tickets.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="reservations",
    )
    status = models.CharField(_("status"), max_length=10, choices=ReservationStatus.choices)
    forced = models.BooleanField(_("despite a conflict"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="reservation_one_per_registration"
            ),
        ]
        indexes = [
            models.Index(fields=["registration", "status"]),
            models.Index(fields=["session", "status", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.registration_id} ({self.status})"


class Favourite(models.Model):
    """A session a registration starred: in its agenda, with no seat."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="favourites")
    registration = models.ForeignKey(
        "tickets.Registration", on_delete=models.CASCADE, related_name="favourites"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        ordering = ["registration", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"], name="favourite_once_per_registration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.registration_id}"


class AgendaFeed(models.Model):
    """The secret address of a registration's agenda as an iCalendar feed (read-only)."""

    registration = models.OneToOneField(
        "tickets.Registration", on_delete=models.CASCADE, related_name="agenda_feed"
    )
    secret = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("agenda feed")
        verbose_name_plural = _("agenda feeds")

    def __str__(self) -> str:
        return f"agenda of {self.registration_id}"


class Attendance(models.Model):
    """A ticket admitted at a room door into a session (counted once per session and ticket)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        "tickets.Registration", on_delete=models.CASCADE, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("checked in"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "ticket"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: ticket {self.ticket_id}"
