"""Movements reported by the venue's sensors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartexpo.core.fields import EpochMicrosecondsField, RowidAutoField
from smartexpo.devices.models import Device
from smartexpo.venue.models import Expo, Zone


class EventKind(models.TextChoices):
    ENTER = "enter", _("enter")
    EXIT = "exit", _("exit")


class SensorEvent(models.Model):
    """People entering or leaving a zone, as a sensor counted them, placed by event time.

    The event id is the sensor's own and unique per edition: a repeated id is a duplicate
    whatever its body, so a sensor may resend a batch safely. A busy expo stores tens of
    millions: the times are 8-byte integers and the key a plain rowid (`core.fields`)."""

    id = RowidAutoField(primary_key=True)

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, db_index=False
    )
    event_id = models.CharField(_("event id"), max_length=64)
    # No index: it would cost each of tens of millions of events a third more time to store
    # (bench/RESULTS.md); the admin's filter by device reads along the primary key instead.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=5, choices=EventKind.choices)
    count = models.PositiveIntegerField(_("people"), default=1)
    at = EpochMicrosecondsField(_("event time"))
    received_at = EpochMicrosecondsField(_("received at"))

    class Meta:
        verbose_name = _("sensor event")
        verbose_name_plural = _("sensor events")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "event_id"], name="sensor_event_id_once"),
        ]
        # No index on (zone, time): occupancy is read from its own history, and each index
        # costs every one of tens of millions of events a write (bench/RESULTS.md).

    def __str__(self) -> str:
        return f"{self.event_id}: {self.kind} {self.count} {self.zone_id} at {self.at}"


class PendingMovement(models.Model):
    """An accepted movement not yet folded into the occupancy history.

    Written in the same transaction as what caused it (a stored sensor event, an admitted or
    conflicting gate scan), deleted in the transaction that folds it: a movement is either
    here or in the history, never both, on SQLite and PostgreSQL alike. Readers fold what is
    waiting before they answer, so an answered request is always reflected."""

    expo = models.ForeignKey(Expo, verbose_name=_("edition"), on_delete=models.CASCADE)
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Event time in microseconds since the Unix epoch (UTC): folding reads it as a number.
    at_us = models.BigIntegerField(_("event time (µs)"))
    delta = models.BigIntegerField(_("movement"), help_text=_("+people in, −people out"))
    # A keyed 63-bit hash of the sensor's pseudonymous visitor tag, for unique-visitor counts;
    # the tag itself is never stored.
    visitor = models.BigIntegerField(_("visitor hash"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending movement")
        verbose_name_plural = _("pending movements")

    def __str__(self) -> str:
        return f"{self.zone_id} {self.delta:+d} at {self.at_us}"


class MinuteOfPeriod(models.Model):
    """A row of one minute of one count period (a zone's minute, or the whole venue's)."""

    period = models.DateField(_("count period"))
    minute = models.BigIntegerField(_("minute (since the Unix epoch, UTC)"))
    moves = models.BinaryField(_("movements"))

    class Meta:
        abstract = True

    @staticmethod
    def once_per(owner: str, *, name: str) -> list[models.UniqueConstraint]:
        """The constraint that `owner` has one row per period and minute."""
        return [models.UniqueConstraint(fields=[owner, "period", "minute"], name=name)]


class OccupancyMinute(MinuteOfPeriod):
    """One zone's movements in one minute of one count period, and the count they lead to.

    A count period ends at a daily closing time (`Expo.closes_at`): `period` is the local date
    of that closing, and the count starts again from zero after it. `moves` packs the minute's
    movements netted per instant (little-endian int32 µs into the minute, int64 net change:
    `crowd.occupancy_arithmetic.MOVE`), so the count at any instant is exact: `count_in` plus
    the moves up to it, each step clamped at zero. Minutes without movements have no row; the
    count carries over from the row before."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    count_in = models.BigIntegerField(_("count at the minute's start"))
    count_out = models.BigIntegerField(_("count at the minute's end"))
    peak = models.BigIntegerField(_("highest count"))
    entries = models.BigIntegerField(_("people in"))
    exits = models.BigIntegerField(_("people out"))
    # Exits that found the zone already empty (a missed entry or a sensor's error).
    clamped = models.BigIntegerField(_("exits from an empty zone"))
    # ∫ count dt over the minute, in person-microseconds (dwell times come from it).
    person_us = models.BigIntegerField(_("person-time (µs)"))
    alert_in = models.BooleanField(_("alert at the start"))
    alert_out = models.BooleanField(_("alert at the end"))

    class Meta:
        verbose_name = _("occupancy minute")
        verbose_name_plural = _("occupancy minutes")
        constraints = MinuteOfPeriod.once_per("zone", name="occupancy_minute_once")

    def __str__(self) -> str:
        return f"{self.zone_id} {self.period} minute {self.minute}: {self.count_out}"


class OccupancyFrame(MinuteOfPeriod):
    """The whole venue in one minute of one count period: every zone's count and alert at
    the minute's start and every zone's movements in it (`crowd.frames`). Derived from the
    zones' minutes by each fold; the occupancy of all zones at an instant reads one frame.
    Only minutes in which something moved have a frame."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Little-endian arrays (`crowd.frames`): the zone ids, their counts (int64) and alerts
    # (one byte each) at the minute's start, and the moves (zone position, µs, net).
    zone_ids = models.BinaryField(_("zones"))
    counts = models.BinaryField(_("counts at the start"))
    alerts = models.BinaryField(_("alerts at the start"))

    class Meta:
        verbose_name = _("occupancy frame")
        verbose_name_plural = _("occupancy frames")
        constraints = MinuteOfPeriod.once_per("expo", name="occupancy_frame_once")

    def __str__(self) -> str:
        return f"{self.expo_id} {self.period} minute {self.minute}"


class ZoneDay(models.Model):
    """A zone's count period as a whole: the count left at closing time — the drift that the
    nightly reset discards (people the sensors never saw leave) — and a sketch of the distinct
    visitors seen (HyperLogLog, `crowd.visitors`)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    period = models.DateField(_("count period"))
    closing_count = models.BigIntegerField(_("count at closing (drift)"), default=0)
    entries = models.BigIntegerField(_("people in"), default=0)
    exits = models.BigIntegerField(_("people out"), default=0)
    visitors = models.BinaryField(_("visitor sketch"), null=True, blank=True)

    class Meta:
        verbose_name = _("zone day")
        verbose_name_plural = _("zone days")
        ordering = ["period", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "period"], name="zone_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.period}"


class AlertReason(models.TextChoices):
    CAPACITY = "capacity", _("safe capacity reached")
    DENSITY = "density", _("crowd density at level E or F")


class CrowdAlert(models.Model):
    """A zone over its safe capacity or at walkway level E or worse, from the instant it was
    raised to the instant it cleared (hysteresis: only at 90 % of capacity and 0.97 p/m²) or
    the nightly reset ended it. Recomputed in event time when late movements arrive; an
    organiser's acknowledgement stays with the alert."""

    expo = models.ForeignKey(Expo, verbose_name=_("edition"), on_delete=models.CASCADE)
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="alerts"
    )
    period = models.DateField(_("count period"))
    reason = models.CharField(_("reason"), max_length=8, choices=AlertReason.choices)
    raised_at = models.DateTimeField(_("raised at"))
    # Always known in event time: the clearing movement, or the closing time that reset the
    # count. Whether that instant has come yet depends on the instant one looks from.
    ends_at = models.DateTimeField(_("ends at"))
    ended_by_reset = models.BooleanField(_("ended by the nightly reset"), default=False)
    peak_count = models.BigIntegerField(_("highest count"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("crowd alert")
        verbose_name_plural = _("crowd alerts")
        ordering = ["raised_at", "id"]
        indexes = [
            models.Index(fields=["expo", "raised_at"], name="crowd_alert_time"),
            models.Index(fields=["zone", "period"], name="crowd_alert_zone_day"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.get_reason_display()} {self.raised_at:%Y-%m-%d %H:%M}"


class ReplayClock(models.Model):
    """The instant the live venue page shows for an edition that is not running today: the
    digital twin's simulated clock while it runs (or an organiser's replay)."""

    expo = models.OneToOneField(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="replay_clock"
    )
    at = models.DateTimeField(_("simulated instant"))
    speed = models.FloatField(_("speed"), default=1.0)
    # What the run has achieved: simulated seconds over the wall seconds they took, measured
    # by the simulator. None for a replay that keeps its speed by construction.
    achieved_speed = models.FloatField(_("achieved speed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("replay clock")
        verbose_name_plural = _("replay clocks")

    def __str__(self) -> str:
        return f"{self.expo_id} at {self.at} (×{self.speed:g})"


class BoothVisit(models.Model):
    """A visitor's badge read at a booth zone on a day: a sensor event whose `visitor` tag is
    `ticket:<serial>` (docs/recommendations.md). One row per ticket, zone and local day, written
    by the ingest path (`crowd.ingest`); the recommendations read them as behaviour.

    The ticket is named by its serial, not a foreign key: crowd sits below tickets. The row is
    personal data of the ticket's holder (exported and erased with the registration)."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, db_index=False
    )
    serial = models.BigIntegerField(_("ticket serial"))
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("first seen"))

    class Meta:
        verbose_name = _("booth visit")
        verbose_name_plural = _("booth visits")
        constraints = [
            # Also the index of a ticket's visits (expo, serial, …).
            models.UniqueConstraint(
                fields=["expo", "serial", "zone", "day"], name="booth_visit_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} at {self.zone_id} on {self.day}"
