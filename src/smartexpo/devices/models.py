"""Scanner and sensor devices: what a gate scanner or a venue sensor is, the gates or zones it
serves, and the API token it authenticates with. Check-in and venue intelligence both use
them, so they sit below both."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.core.models import ApiToken
from smartexpo.venue.models import Expo, Gate, Zone


class DeviceKind(models.TextChoices):
    SCANNER = "scanner", _("Gate scanner")
    SENSOR = "sensor", _("Venue sensor")


class Device(EditionBound, models.Model):
    """A scanner (bound to the gates it serves) or a sensor (bound to zones), with its token."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="devices"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=DeviceKind.choices)
    token = models.OneToOneField(
        ApiToken, verbose_name=_("token"), on_delete=models.PROTECT, related_name="device"
    )
    gates = models.ManyToManyField(Gate, verbose_name=_("gates"), blank=True, related_name="+")
    zones = models.ManyToManyField(Zone, verbose_name=_("zones"), blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Bumped whenever the gates or zones change: scanners cache a device's gates by it.
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        # The tables keep the names they had when devices were part of check-in.
        db_table = "checkin_device"
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def last_contact(self):
        return self.token.last_used_at
