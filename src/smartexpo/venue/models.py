"""Editions of an expo and their venue: zones (venue, halls, booth areas, rooms), gates, booths.

A hall and a forum room are zones (`Zone.kind`), so that occupancy, density and alerts have one
model of space; `Hall` and `ForumRoom` are proxies that give each its own admin and manager.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$",
    _("Letters, digits, '.', '_' and '-', starting with a letter or digit (at most 32)."),
)


def booth_code_key(text: str) -> str:
    """A booth code as people type it, compared: lower case, letters and digits only, so that
    "N1-003", "n1003" and "N1 003" name one booth."""
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def in_language(obj, field: str) -> str:
    """`obj`'s `<field>_zh` when the active language is Chinese and it is set, else its
    `<field>_en`: the one rule for every bilingual text field."""
    zh = (get_language() or "en").startswith("zh")
    return (getattr(obj, f"{field}_zh") if zh else "") or getattr(obj, f"{field}_en")


class BilingualName(models.Model):
    """English and Chinese names; `name` gives the one for the active language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def names(self) -> dict[str, str]:
        return {"en": self.name_en, "zh": self.name_zh or self.name_en}


class SalesWindow(models.Model):
    """When registration is open (pretix's presale start and end): either end may be left
    empty. What an empty end means, and how an edition's and a ticket type's windows combine,
    is one rule in `tickets.sales`."""

    sales_open_at = models.DateTimeField(
        _("registration opens"),
        null=True,
        blank=True,
        help_text=_("Empty: open from the start."),
    )
    sales_close_at = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: an edition closes at the end of its last day; a ticket type when its "
            "edition does."
        ),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sales_open_at__isnull=True)
                | models.Q(sales_close_at__isnull=True)
                | models.Q(sales_close_at__gt=models.F("sales_open_at")),
                name="%(app_label)s_%(class)s_sales_close_after_open",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]


# What a visitor may agree to give an exhibitor who scans their ticket (API: `share`), in the
# order exports show them.
SHAREABLE_FIELDS = ("name", "email", "phone", "company", "title")
# Their names as people read them (forms, the admin, exports' headings).
SHAREABLE_LABELS = {
    "name": _("Name"),
    "email": _("Email"),
    "phone": _("Phone"),
    "company": _("Company"),
    "title": _("Job title"),
}


def lead_fields_default() -> list[str]:
    return list(SHAREABLE_FIELDS)


class Expo(BilingualName, SalesWindow):
    """One edition of an expo (Smart China Expo 2019, 2018, …)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    timezone = models.CharField(
        _("time zone"), max_length=64, default=settings.SMARTEXPO_DEFAULT_TIMEZONE
    )
    opens_at = models.TimeField(_("daily opening"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("daily closing"), default=dt.time(18, 0))
    venue_en = models.CharField(_("venue (English)"), max_length=200, blank=True)
    venue_zh = models.CharField(_("venue (Chinese)"), max_length=200, blank=True)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    city_zh = models.CharField(_("city (Chinese)"), max_length=100, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=300, blank=True)
    tagline_zh = models.CharField(_("tagline (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    expected_visitors = models.PositiveIntegerField(_("expected visitors"), default=0)
    venue_area_m2 = models.PositiveIntegerField(_("main venue area (m²)"), default=0)
    countries = models.PositiveIntegerField(_("countries represented"), default=0)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_editions",
    )
    is_published = models.BooleanField(_("published"), default=True)
    # A rehearsal's or demo's clock: the edition's time is the real time plus this (`venue.clock`),
    # so that it runs at ×1 from the instant it was set. Kept on the edition, which every scan
    # already reads from its cache, so that a scan pays nothing for it.
    clock_offset = models.DurationField(
        _("demo clock offset"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set by `smartexpo demo clock`; empty: the edition runs on the real time."),
    )
    # Exhibitor leads (issue 15): whether exhibitors may capture leads at all, and which of a
    # visitor's fields a visitor may agree to share with an exhibitor who scans their ticket.
    lead_capture = models.BooleanField(
        _("lead capture"),
        default=True,
        help_text=_("Exhibitors may scan visitors' tickets at their booths as leads."),
    )
    lead_fields = models.JSONField(
        _("fields visitors may share"),
        default=lead_fields_default,
        blank=True,
        help_text=_("Of name, email, phone, company and title: what a visitor may share."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["starts_on", "id"]
        constraints = [
            *SalesWindow.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="expo_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="expo_closes_after_it_opens",
            ),
        ]

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def ends_at(self) -> dt.datetime:
        """The closing of the last day, in the edition's time zone."""
        return dt.datetime.combine(self.ends_on, self.closes_at, tzinfo=self.tz)

    @property
    def sales_closes(self) -> dt.datetime:
        """When registration closes: `sales_close_at`, else the end of the last day (the rule
        is `tickets.sales`'s; this is its default, kept where the edition is)."""
        return self.sales_close_at or self.ends_at

    @property
    def days(self) -> list[dt.date]:
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + dt.timedelta(days=i) for i in range(count)]

    def _pick(self, field: str) -> str:
        return in_language(self, field)

    @property
    def venue(self) -> str:
        return self._pick("venue")

    @property
    def city(self) -> str:
        return self._pick("city")

    @property
    def tagline(self) -> str:
        return self._pick("tagline")

    @property
    def description(self) -> str:
        return self._pick("description")


class ZoneKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    HALL = "hall", _("Hall")
    BOOTH = "booth", _("Booth area")
    ROOM = "room", _("Forum room")
    QUEUE = "queue", _("Gate queue")
    OTHER = "other", _("Other")


class Zone(EditionBound, BilingualName):
    """A measured space people are counted in. Halls and forum rooms are zones too."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="zones"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=8, choices=ZoneKind.choices)
    hall = models.ForeignKey(
        "self",
        verbose_name=_("in hall"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subzones",
        limit_choices_to={"kind": ZoneKind.HALL},
    )
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=10,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    capacity = models.PositiveIntegerField(
        _("safe capacity"), help_text=_("People allowed inside at once")
    )
    # Where the zone sits on the site plan, in metres from the site's north-west corner.
    plan_x = models.DecimalField(
        _("plan x (m)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    plan_y = models.DecimalField(
        _("plan y (m)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    plan_width = models.DecimalField(
        _("plan width (m)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    plan_depth = models.DecimalField(
        _("plan depth (m)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    group_en = models.CharField(_("group (English)"), max_length=60, blank=True)
    group_zh = models.CharField(_("group (Chinese)"), max_length=60, blank=True)
    theme_en = models.CharField(_("theme (English)"), max_length=120, blank=True)
    theme_zh = models.CharField(_("theme (Chinese)"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["expo", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "code"], name="zone_code_unique_per_expo"),
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="zone_area_positive"),
        ]
        indexes = [models.Index(fields=["expo", "kind"])]

    @property
    def group(self) -> str:
        return in_language(self, "group")

    @property
    def theme(self) -> str:
        return in_language(self, "theme")

    @property
    def has_plan(self) -> bool:
        return None not in (self.plan_x, self.plan_y, self.plan_width, self.plan_depth)


class KindManager(models.Manager):
    """The zones of one kind: the manager of a proxy such as `Hall`."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class _ZoneOfKind:
    """What a zone proxy adds: it lists and saves zones of its own `kind_of_proxy`."""

    kind_of_proxy: str

    def save(self, *args, **kwargs):
        self.kind = self.kind_of_proxy
        super().save(*args, **kwargs)


class Hall(_ZoneOfKind, Zone):
    kind_of_proxy = ZoneKind.HALL
    objects = KindManager(ZoneKind.HALL)

    class Meta:
        proxy = True
        verbose_name = _("hall")
        verbose_name_plural = _("halls")


class ForumRoom(_ZoneOfKind, Zone):
    """A forum room; its safe capacity is its number of seats."""

    kind_of_proxy = ZoneKind.ROOM
    objects = KindManager(ZoneKind.ROOM)

    class Meta:
        proxy = True
        verbose_name = _("forum room")
        verbose_name_plural = _("forum rooms")

    @property
    def seats(self) -> int:
        return self.capacity


class Gate(EditionBound, BilingualName):
    """An entrance: scanning lanes that admit people into one zone."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="gates"
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    zone = models.ForeignKey(
        Zone, verbose_name=_("admits into"), on_delete=models.PROTECT, related_name="gates"
    )
    lanes = models.PositiveSmallIntegerField(_("scanning lanes"), default=1)
    # People counters at the queue area's entry and at the lanes count this zone: its
    # person-time over the people leaving it is the mean wait (checkin.selectors.gate_waits).
    queue_zone = models.OneToOneField(
        Zone,
        verbose_name=_("queue zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_of",
        help_text=_("The zone of kind gate queue that sensors count the gate's queue in, if any"),
    )

    class Meta:
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        ordering = ["expo", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "code"], name="gate_code_unique_per_expo"),
        ]

    def clean(self):
        super().clean()
        # Not `limit_choices_to`: the model's own check would then say only that the zone
        # "does not exist"; the edition is checked by `EditionBound`.
        if self.queue_zone_id is not None and self.queue_zone.kind != ZoneKind.QUEUE:
            raise ValidationError(
                {"queue_zone": _("A gate's queue zone must be a zone of kind gate queue.")}
            )


class Booth(EditionBound, models.Model):
    """A stand on a hall's floor plan: a rectangle in metres from the hall's north-west corner."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="booths"
    )
    hall = models.ForeignKey(
        Zone,
        verbose_name=_("hall"),
        on_delete=models.CASCADE,
        related_name="booths",
        limit_choices_to={"kind": ZoneKind.HALL},
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    x = models.DecimalField(_("x (m)"), max_digits=7, decimal_places=1)
    y = models.DecimalField(_("y (m)"), max_digits=7, decimal_places=1)
    width = models.DecimalField(_("width (m)"), max_digits=7, decimal_places=1)
    depth = models.DecimalField(_("depth (m)"), max_digits=7, decimal_places=1)
    zone = models.OneToOneField(
        Zone,
        verbose_name=_("counting zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="booth",
        limit_choices_to={"kind": ZoneKind.BOOTH},
        help_text=_("The zone that booth sensors count visitors in, if any"),
    )

    class Meta:
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        ordering = ["expo", "hall__position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "code"], name="booth_code_unique_per_expo"),
            models.CheckConstraint(
                condition=models.Q(width__gt=0, depth__gt=0), name="booth_has_positive_size"
            ),
            models.CheckConstraint(
                condition=models.Q(x__gte=0, y__gte=0), name="booth_inside_hall_origin"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def area_m2(self) -> Decimal:
        return self.width * self.depth
