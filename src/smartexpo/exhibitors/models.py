"""Exhibitors, the sectors and technology tags they are filed under, showcases and booths.

Sectors and tags are one taxonomy for every edition, so that editions can be compared.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
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
    logo = models.ForeignKey(
        "ExhibitorImage",
        verbose_name=_("logo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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
    image = models.ForeignKey(
        "ExhibitorImage",
        verbose_name=_("image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

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


class ExhibitorImage(models.Model):
    """An uploaded picture (a logo, a showcase item's image), already resized and stripped of
    its metadata. The bytes live in the database, so that every app server behind a load
    balancer serves the same files without a shared disk; the content hash names the file in
    its public URL, so a changed picture is a new URL and browsers may cache one forever."""

    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="images"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("content type"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    data = models.BinaryField(_("data"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exhibitor image")
        verbose_name_plural = _("exhibitor images")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.width}×{self.height})"

    def get_absolute_url(self) -> str:
        return reverse("exhibitor-image", args=[self.sha256, self.extension])

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/webp": "webp"}.get(self.content_type, "jpg")


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Staff")


class ExhibitorMember(models.Model):
    """A person's account in an exhibitor's portal. Administrators also manage the team."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="exhibitor_memberships",
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.STAFF
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exhibitor member")
        verbose_name_plural = _("exhibitor members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "exhibitor"], name="exhibitor_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.exhibitor}"


class ExhibitorInvitation(models.Model):
    """An emailed, one-time invitation into an exhibitor's portal. Only the token's SHA-256 is
    kept: the link in the email is the one place the token exists."""

    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.STAFF
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("exhibitor invitation")
        verbose_name_plural = _("exhibitor invitations")
        ordering = ["-id"]
        indexes = [models.Index(fields=["exhibitor", "email"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.exhibitor}"
