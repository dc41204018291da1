"""Platform-wide models: API tokens for organisers, exhibitors and devices; the audit log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("Organiser")
    EXHIBITOR = "exhibitor", _("Exhibitor")
    DEVICE = "device", _("Device")


class ApiToken(EditionBound, models.Model):
    """A bearer token. Only a SHA-256 digest is stored; the token itself is shown once.

    Tokens are 256-bit random strings, so a fast digest is enough (no password hashing needed):
    nobody can brute-force the pre-image, and the look-up stays one indexed query.
    An organiser token is valid on every edition; exhibitor and device tokens are bound to one.
    """

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    name = models.CharField(_("name"), max_length=120)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("prefix"), max_length=12, editable=False, help_text=_("First characters, to recognise it")
    )
    expo = models.ForeignKey(
        "venue.Expo",
        verbose_name=_("edition"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    exhibitor = models.ForeignKey(
        "exhibitors.Exhibitor",
        verbose_name=_("exhibitor"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="exhibitor") | models.Q(exhibitor__isnull=False),
                name="apitoken_exhibitor_role_has_exhibitor",
            ),
            models.CheckConstraint(
                condition=models.Q(role="organizer") | models.Q(expo__isnull=False),
                name="apitoken_bound_roles_have_expo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.prefix}…)"


class RateLimitCounter(models.Model):
    """Attempts per client per one-minute window (used on PostgreSQL; the embedded SQLite
    set-up keeps the same table in a separate file so counting never blocks registrations)."""

    scope = models.CharField(max_length=32)
    client = models.CharField(max_length=64)
    # "window" is a reserved word in PostgreSQL; this is the minute since the epoch.
    minute = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "smartexpo_ratelimit"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client", "minute"], name="ratelimit_one_row_per_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.client} {self.minute}: {self.hits}"


class Stamp(models.Model):
    """A version that database triggers bump with every change of the tables behind a
    per-process cache, so every process sees the change on its next request (`core.stamps`)."""

    name = models.CharField(primary_key=True, max_length=32)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "core_stamp"

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class AuditAction(models.TextChoices):
    PERSONAL_DATA_EXPORT = "personal_data.export", _("Personal data exported")
    PERSONAL_DATA_ERASE = "personal_data.erase", _("Personal data erased")


class AuditEntry(models.Model):
    """Who did what to whom, for the acts that must be answerable (`core.audit`).

    It names people only by role and handle (an admin's username, a token's prefix and name),
    targets by id, and never holds the personal data the act concerned: a log of erasures must
    not keep what was erased."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.CharField(_("who"), max_length=200)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target = models.CharField(_("target"), max_length=100)
    # Kept when the edition goes: the log outlives what it speaks of.
    expo = models.ForeignKey(
        "venue.Expo",
        verbose_name=_("edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target}"
