"""The check-in log.

A ticket's inside/outside state lives on the ticket itself (`Ticket.inside_day`), so that one
conditional UPDATE both decides an admission and records it; this log keeps every scan with
its device, gate, time and outcome, and a device's nonce only once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartexpo.devices.models import Device
from smartexpo.venue.models import Expo, Gate, Zone


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("scan direction", "in")
    OUT = "out", pgettext_lazy("scan direction", "out")


class ScanResult(models.TextChoices):
    ADMIT = "admit", pgettext_lazy("scan result", "admit")
    REJECT = "reject", pgettext_lazy("scan result", "reject")


class ScanSource(models.TextChoices):
    ONLINE = "online", pgettext_lazy("scan source", "online")
    SYNC = "sync", _("offline, synced")


class Reason(models.TextChoices):
    INVALID = "invalid", _("invalid secret")
    UNKNOWN = "unknown", _("unknown ticket")
    REVOKED = "revoked", _("ticket revoked")
    WRONG_DAY = "wrong_day", _("not valid today")
    ALREADY_INSIDE = "already_inside", _("already inside")
    NOT_INSIDE = "not_inside", _("not inside")
    ZONE_NOT_ALLOWED = "zone_not_allowed", _("zone not allowed")
    GATE_NOT_ALLOWED = "gate_not_allowed", _("gate not served by this device")
    NOT_RESERVED = "not_reserved", _("no reservation for the session at the door")
    CONFLICT = "conflict", _("offline admission the server would have refused")


class Scan(models.Model):
    """One scan as it was answered: the check-in log. Written in the same transaction as the
    admission it records; (device, nonce) is unique, so a repeated nonce finds its answer."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, db_index=False
    )
    # No index of its own: the (device, nonce) unique index starts with it.
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        on_delete=models.CASCADE,
        related_name="scans",
        db_index=False,
    )
    # Null when the code names no gate of the edition (a misconfigured offline scanner's scan
    # is still kept); `gate_code` keeps what was sent.
    gate = models.ForeignKey(
        Gate,
        verbose_name=_("gate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scans",
        db_index=False,
    )
    gate_code = models.CharField(_("gate code"), max_length=32)
    # The zone the gate admits into, at the time of the scan (what occupancy counts).
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    nonce = models.CharField(_("nonce"), max_length=64)
    serial = models.BigIntegerField(_("serial"), null=True, blank=True)
    # Not indexed: every index is written by every scan, and looking a ticket's scans up is a
    # back-office query (by serial through the log's filters) that can afford a scan of the day.
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="scans",
        db_index=False,
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"))
    result = models.CharField(_("result"), max_length=6, choices=ScanResult.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    # For a `conflict`: the rule the offline admission broke.
    rule = models.CharField(_("broken rule"), max_length=16, choices=Reason.choices, blank=True)
    source = models.CharField(_("source"), max_length=6, choices=ScanSource.choices)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("check-in log")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "nonce"], name="scan_nonce_once_per_device"),
        ]
        # Besides the nonce's: one index, for time-ordered reads of an edition's log (the
        # admin, entries per gate, occupancy). Each index costs every scan an insert.
        indexes = [models.Index(fields=["expo", "scanned_at"], name="scan_expo_time")]

    def __str__(self) -> str:
        return f"{self.serial or '?'} {self.direction} {self.gate_code}: {self.result}"
