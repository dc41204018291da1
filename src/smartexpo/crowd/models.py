"""Movements reported by the venue's sensors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from smartexpo.checkin.models import Device
from smartexpo.venue.models import Expo, Zone


class EventKind(models.TextChoices):
    ENTER = "enter", _("enter")
    EXIT = "exit", _("exit")


class SensorEvent(models.Model):
    """People entering or leaving a zone, as a sensor counted them, placed by event time.

    The event id is the sensor's own and unique per edition: a repeated id is a duplicate
    whatever its body, so a sensor may resend a batch safely."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, db_index=False
    )
    event_id = models.CharField(_("event id"), max_length=64)
    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=5, choices=EventKind.choices)
    count = models.PositiveIntegerField(_("people"), default=1)
    at = models.DateTimeField(_("event time"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("sensor event")
        verbose_name_plural = _("sensor events")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "event_id"], name="sensor_event_id_once"),
        ]
        indexes = [models.Index(fields=["zone", "at"], name="sensor_event_zone_time")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.kind} {self.count} {self.zone_id} at {self.at}"
