"""Exhibitors, the sectors and technology tags they are filed under, showcases and booths.

Sectors and tags are one taxonomy for every edition, so that editions can be compared.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartexpo.core.editions import EditionBound
from smartexpo.venue.models import BilingualName, Booth, Expo


def _zh() -> bool:
    return (get_language() or "en").startswith("zh")


class Sector(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["position", "id"]


class Tag(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("technology tag")
        verbose_name_plural = _("technology tags")
        ordering = ["position", "id"]


class ExhibitorStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Exhibitor(BilingualName):
    """A company's participation in one edition; `slug` links the same company across editions."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="exhibitors"
    )
    slug = models.SlugField(_("slug"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=ExhibitorStatus.choices, default=ExhibitorStatus.PENDING
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="exhibitors"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("technology tags"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN", help_text="ISO 3166-1")
    fortune500 = models.BooleanField(_("Fortune Global 500"), default=False)
    # Lower-cased names, sector and tags in both languages: one indexed-free `contains` per term
    # works the same on SQLite and PostgreSQL and is instant at expo scale (~1,000 rows).
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["expo", "slug"], name="exhibitor_slug_unique_per_expo"),
        ]
        indexes = [models.Index(fields=["expo", "status"])]

    @property
    def description(self) -> str:
        return (self.description_zh if _zh() else "") or self.description_en


class ShowcaseItem(models.Model):
    """A product or technology an exhibitor shows at its booth."""

    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="showcase"
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("showcase item")
        verbose_name_plural = _("showcase items")
        ordering = ["exhibitor", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (self.title_zh if _zh() else "") or self.title_en

    @property
    def description(self) -> str:
        return (self.description_zh if _zh() else "") or self.description_en


class BoothAssignment(EditionBound, models.Model):
    """Which exhibitor occupies a booth. The unique booth makes double booking impossible."""

    expo = models.ForeignKey(Expo, verbose_name=_("edition"), on_delete=models.CASCADE)
    booth = models.OneToOneField(
        Booth, verbose_name=_("booth"), on_delete=models.CASCADE, related_name="assignment"
    )
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="booth_assignments",
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("booth assignment")
        verbose_name_plural = _("booth assignments")
        ordering = ["id"]
        indexes = [models.Index(fields=["exhibitor"])]

    def __str__(self) -> str:
        return f"{self.booth} → {self.exhibitor}"
