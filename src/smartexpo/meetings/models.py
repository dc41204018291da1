"""Business meetings: one-to-one meetings between participants (exhibitors and visitors who
opted in), requested by one side, accepted by the other, and placed by the optimiser in a
session's slots at its tables or at an exhibitor's booth.

A participant is an exhibitor or a registration of the edition (`Participant`, exactly one of
the two). A request names an unordered pair once: a declined pair stays declined, so the pair
is never suggested nor requested again. A meeting is one accepted request placed in one slot of
one session; its time, table and booth are what the participants were last told.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.tickets.models import Registration
from smartexpo.venue.models import Booth, Expo, Zone, code_validator

MESSAGE_MAX = 1000
SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 240
TABLES_MAX = 5000
CAP_MAX = 200


class MeetingSession(EditionBound, models.Model):
    """A block of time cut into equal slots, with numbered tables in one zone (the matchmaking
    area) and, when allowed, meetings at the exhibitors' own booths (no table; one meeting per
    booth per slot). Caps bound how many meetings one participant gets in this session."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="meeting_sessions"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, default="")
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True, default="")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        validators=[MinValueValidator(SLOT_MINUTES_MIN), MaxValueValidator(SLOT_MINUTES_MAX)],
    )
    tables = models.PositiveIntegerField(_("tables"), validators=[MaxValueValidator(TABLES_MAX)])
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_sessions",
        help_text=_("Where the tables stand (the matchmaking area)"),
    )
    booth_meetings = models.BooleanField(
        _("meetings at booths"),
        default=False,
        help_text=_("Also place meetings at the exhibitor's own booth (no table)"),
    )
    # None: no cap. A participant's own cap (`Participant.cap`) overrides its type's.
    cap_visitor = models.PositiveSmallIntegerField(
        _("cap per visitor"), null=True, blank=True, validators=[MaxValueValidator(CAP_MAX)]
    )
    cap_exhibitor = models.PositiveSmallIntegerField(
        _("cap per exhibitor"), null=True, blank=True, validators=[MaxValueValidator(CAP_MAX)]
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The last solve that wrote this session's meetings: when, and its report (status,
    # objective, bound, gap, seconds, scheduled, moved, greedy…).
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    report = models.JSONField(_("last solve"), default=dict, blank=True)
    # A solve in progress holds the session until this instant (a lease taken by a conditional
    # UPDATE, so two solves of one session never write at once; a crashed one expires).
    solving_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("meeting session")
        verbose_name_plural = _("meeting sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "code"], name="meeting_session_code"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_session_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def slot_count(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // (60 * self.slot_minutes))


class Participant(EditionBound, models.Model):
    """One side of meetings: an exhibitor, or a registration whose visitor opted in (`open`).

    Created on first use (a request, availability, the opt-in); the row carries what belongs to
    the person rather than to a request: the opt-in, a personal cap and the no-show count."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="participants"
    )
    exhibitor = models.OneToOneField(
        Exhibitor,
        verbose_name=_("exhibitor"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_participant",
    )
    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_participant",
    )
    # A visitor takes meeting requests only when open; an exhibitor always does.
    open = models.BooleanField(_("open to meetings"), default=False)
    cap = models.PositiveSmallIntegerField(
        _("personal cap"), null=True, blank=True, validators=[MaxValueValidator(CAP_MAX)]
    )
    # Meetings this participant missed (the other side checked in, or nobody did): each one
    # lowers the weight of its requests in the next solve.
    no_shows = models.PositiveSmallIntegerField(_("no-shows"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(exhibitor__isnull=True) & Q(registration__isnull=False))
                | (Q(exhibitor__isnull=False) & Q(registration__isnull=True)),
                name="participant_exhibitor_xor_registration",
            )
        ]

    def __str__(self) -> str:
        if self.exhibitor_id:
            return f"exhibitor {self.exhibitor_id}"
        return f"registration {self.registration_id}"

    @property
    def ref(self) -> dict[str, int]:
        """The participant as the API names it: `{"exhibitor": id}` or `{"registration": id}`."""
        if self.exhibitor_id:
            return {"exhibitor": self.exhibitor_id}
        return {"registration": self.registration_id}


class Busy(models.Model):
    """An interval in which a participant takes no meeting (marked by them or the organiser).
    Reserved forum sessions count as busy too, read from the programme at solve time."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.CASCADE, related_name="busy"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))

    class Meta:
        verbose_name = _("busy interval")
        verbose_name_plural = _("busy intervals")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="busy_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class Priority(models.TextChoices):
    MUST = "must", _("Must meet")
    WANT = "want", _("Would like to meet")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingRequest(EditionBound, models.Model):
    """One side asking the other for a meeting. `low`/`high` are the pair's participants in id
    order, so the pair is one row whichever side asked (the constraint below)."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="meeting_requests"
    )
    requester = models.ForeignKey(
        Participant, verbose_name=_("from"), on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        Participant, verbose_name=_("to"), on_delete=models.CASCADE, related_name="+"
    )
    low = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices)
    message = models.TextField(_("message"), blank=True, default="", max_length=MESSAGE_MAX)
    status = models.CharField(
        _("status"), max_length=9, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["id"]
        constraints = [
            # One live request per pair, whichever side asked; a cancelled one may be asked again.
            models.UniqueConstraint(
                fields=["low", "high"],
                condition=~Q(status="cancelled"),
                name="meeting_request_one_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(requester=models.F("recipient")), name="meeting_request_not_self"
            ),
            models.CheckConstraint(
                condition=Q(low__lt=models.F("high")), name="meeting_request_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["expo", "status"], name="meeting_request_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requester_id} → {self.recipient_id} ({self.status})"


class Meeting(models.Model):
    """An accepted request placed in a slot of a session: at a table (`table`, 1-based) or at
    the exhibitor's booth (`booth`, no table). The row is what the participants were last told;
    a re-solve that moves it bumps `version` and queues the news."""

    request = models.OneToOneField(
        MeetingRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="meeting",
    )
    session = models.ForeignKey(
        MeetingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    slot = models.PositiveIntegerField(_("slot"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    table = models.PositiveIntegerField(_("table"), null=True, blank=True)
    booth = models.ForeignKey(
        Booth,
        verbose_name=_("booth"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    a_checked_in_at = models.DateTimeField(_("first side checked in"), null=True, blank=True)
    b_checked_in_at = models.DateTimeField(_("second side checked in"), null=True, blank=True)
    # Set once, after the meeting's end, by the no-show sweep: who was missing.
    no_show_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "table", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "slot", "table"],
                condition=Q(table__isnull=False),
                name="meeting_table_once_per_slot",
            ),
            models.UniqueConstraint(
                fields=["session", "slot", "booth"],
                condition=Q(booth__isnull=False),
                name="meeting_booth_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.slot}/{self.table or self.booth_id}"


class NoticeKind(models.TextChoices):
    PUBLISHED = "published", _("Schedule published")
    CHANGED = "changed", _("Schedule changed")


class MeetingNotice(models.Model):
    """The outbox of schedule emails: one row per participant and change, sent once by the
    mailer (a lease against two mailers, a few attempts), with the participant's schedule as it
    stands when it is sent."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    session = models.ForeignKey(
        MeetingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=9, choices=NoticeKind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("meeting notice")
        verbose_name_plural = _("meeting notices")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(sent_at__isnull=True), name="meeting_notice_outbox"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.participant_id}"


class MeetingDevice(models.Model):
    """A table scanner: a device bound to one meeting session (and, when `table` is set, to
    that table only) that checks in the side whose ticket it scans (docs/meetings-checkin.md).
    It serves no gate, so it admits nobody at the venue's doors."""

    device = models.OneToOneField(
        "devices.Device",
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="meeting_binding",
    )
    session = models.ForeignKey(
        MeetingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="devices",
    )
    # None: any table of the session, and its booth meetings (a desk at the area's entrance).
    table = models.PositiveIntegerField(
        _("table"), null=True, blank=True, validators=[MaxValueValidator(TABLES_MAX)]
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("table scanner")
        verbose_name_plural = _("table scanners")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.device_id} → {self.session_id}/{self.table or '*'}"
