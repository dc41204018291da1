"""Exhibitor leads: a visitor whose ticket an exhibitor's staff scanned at the booth, and the
staff devices bound to an exhibitor that capture them.

A lead stores what the exhibitor wrote (note, rating, tags) and which registration it is of;
it never copies the visitor's details. What the exhibitor sees of the visitor is read from the
registration's current consent (`share`) each time (`leads.selectors.visitor_fields`), so a
narrowed consent or a withdrawal applies to every read afterwards, exports included.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.devices.models import Device
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.tickets.models import Registration
from smartexpo.venue.models import Expo

MAX_RATING = 5


class LeadDevice(models.Model):
    """A scanner device that captures leads for one exhibitor (booth staff): it serves no gate,
    so it cannot admit anyone, and its leads are its exhibitor's."""

    device = models.OneToOneField(
        Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="lead_binding"
    )
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="lead_devices",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("lead device")
        verbose_name_plural = _("lead devices")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.device.name} → {self.exhibitor}"


class Lead(EditionBound, models.Model):
    """One visitor met by one exhibitor: scanning the same visitor again updates this lead."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="leads"
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="leads"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="leads",
    )
    # The serial of the ticket first scanned: what the exhibitor may always see.
    serial = models.BigIntegerField(_("ticket serial"))
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # "|tag|tag|", lower-cased: the `?tag=` filter as one `contains`, on SQLite as on PostgreSQL
    # (SQLite has no JSON containment).
    tags_text = models.CharField(max_length=1200, blank=True, default="", editable=False)
    captured_at = models.DateTimeField(_("captured"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Set when the visitor withdrew their details from this exhibitor: none is shown again.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["id"]
        constraints = [
            # The same visitor scanned twice is one lead (also under concurrent scans).
            models.UniqueConstraint(
                fields=["exhibitor", "registration"], name="lead_one_per_exhibitor_and_visitor"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__lte=MAX_RATING),
                name="lead_rating_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.serial} → {self.exhibitor_id}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
